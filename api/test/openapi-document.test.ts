import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';
import { openApiYaml } from '../src/openapi/openapi-document.ts';

const FILE = new URL('../../docs/API/openapi.yaml', import.meta.url);

test('docs/API/openapi.yaml is what the routes generate (run `npm run openapi` after changing a route)', async () => {
  const generated = await openApiYaml();
  const committed = await readFile(FILE, 'utf8');
  assert.ok(committed === generated, 'docs/API/openapi.yaml is stale: run `npm run openapi` and commit the result');
});

test('the document is valid OpenAPI 3.1 by an independent validator', async () => {
  const validator = new Validator();
  const result = await validator.validate(parse(await readFile(FILE, 'utf8')) as Parameters<Validator['validate']>[0]);
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
});

test('every route has an operationId, a tag, and an error reply in the one shape for its 4xx', async () => {
  const doc = parse(await readFile(FILE, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string; tags?: string[]; responses: Record<string, unknown> }>> };
  const ids = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      assert.ok(op.operationId, `${method} ${path} has no operationId`);
      assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is used twice`);
      ids.add(op.operationId);
      assert.ok(op.tags?.length, `${method} ${path} has no tag`);
      for (const [status, reply] of Object.entries(op.responses)) {
        if (!status.startsWith('4')) continue;
        assert.match(JSON.stringify(reply), /ErrorReply/, `${method} ${path} ${status} is not the ErrorReply shape`);
      }
    }
  }
  assert.ok(ids.has('installPlugin') && ids.has('completeDiscordLogin') && ids.has('runnerDesiredState'));
});
