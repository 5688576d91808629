/** `npm run openapi`: regenerate docs/API/openapi.yaml from the routes' schemas. */
import { writeFile } from 'node:fs/promises';
import { openApiYaml } from '../src/openapi/openapi-document.ts';

const target = new URL('../../docs/API/openapi.yaml', import.meta.url);
await writeFile(target, await openApiYaml());
console.log(`wrote ${target.pathname}`);
