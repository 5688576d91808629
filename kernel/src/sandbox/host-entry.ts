import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const SOURCE_ENTRY = fileURLToPath(new URL('./host-process-main.ts', import.meta.url));
let cached: string | undefined;

/**
 * The script a sandbox host process runs. Node can run the TypeScript entry directly, but its
 * type stripper costs each process about 17 MB, and a runner carries several hosts: so the host
 * is bundled once into plain JavaScript (isolated-vm stays external, loaded from where it is
 * installed). The bundle is content-addressed in the temp folder and reused across restarts;
 * if bundling is impossible the TypeScript entry is used as it is.
 */
export function sandboxHostEntry(): string {
  if (cached) return cached;
  try {
    const result = buildSync({
      entryPoints: [SOURCE_ENTRY],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node24',
      legalComments: 'none',
      logLevel: 'silent',
      define: { __TOWNES_GUEST_RUNTIME__: JSON.stringify(readFileSync(new URL('./guest/runtime.guest.js', import.meta.url), 'utf8')) },
      external: ['isolated-vm'],
    });
    const text = result.outputFiles[0]?.text;
    if (!text?.includes('from "isolated-vm"')) throw new Error('unexpected bundle shape');
    // The bundle lives in the temp folder, where the bare name would not resolve.
    const code = text.replaceAll('from "isolated-vm"', `from ${JSON.stringify(import.meta.resolve('isolated-vm'))}`);
    const file = join(tmpdir(), `townes-sandbox-host-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    cached = file;
  } catch {
    cached = SOURCE_ENTRY;
  }
  return cached;
}
