import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const SOURCE_ENTRY = fileURLToPath(new URL('./host-process-main.ts', import.meta.url));
let cached: string | undefined;

/**
 * The script a sandbox host process runs. Node can run the TypeScript entry directly, but its
 * type stripper costs each process about 17 MB, and a runner carries several hosts: so the host
 * is bundled once per runner process into plain JavaScript (isolated-vm stays external, loaded
 * from where it is installed), in a private folder (mode 0700) that nobody else can plant a file
 * in, removed when the runner exits. If bundling is impossible the TypeScript entry is used.
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
    const dir = mkdtempSync(join(tmpdir(), 'townes-sandbox-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'sandbox-host.mjs');
    writeFileSync(file, code, { flag: 'wx', mode: 0o600 });
    cached = file;
  } catch {
    cached = SOURCE_ENTRY;
  }
  return cached;
}
