/**
 * Reads the marked examples out of registry/SIGNING.md, so the tests hold the documentation to
 * what the code does: a block marked `<!-- example:NAME -->` is the fenced block right after it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const SIGNING_MD = path.resolve(import.meta.dirname, '../../SIGNING.md');

/** The text inside the fenced block after `<!-- example:name -->`, with its final newline. */
export function docExample(name: string): string {
  const text = readFileSync(SIGNING_MD, 'utf8');
  const marker = `<!-- example:${name} -->\n`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`SIGNING.md has no example marked ${name}`);
  const fenceStart = text.indexOf('```', at + marker.length);
  const bodyStart = text.indexOf('\n', fenceStart) + 1;
  const fenceEnd = text.indexOf('\n```', bodyStart - 1);
  if (fenceStart !== at + marker.length || fenceEnd < 0) throw new Error(`the example ${name} in SIGNING.md is not a fenced block right after its marker`);
  return text.slice(bodyStart, fenceEnd + 1);
}

/** The example keys and values SIGNING.md uses (derived from public seeds; see fixtures.seededKey). */
export const EXAMPLE = {
  publisherSeed: 'townes example publisher key (never use)',
  registrySeed: 'townes example registry key (never use)',
  tarball: 'example tarball',
  name: '@acme/greeter',
  version: '1.0.0',
  manifest: { name: '@acme/greeter', version: '1.0.0', displayName: 'Greeter', kernelApi: '^1.0.0', permissions: ['discord.messages.send'] },
} as const;
