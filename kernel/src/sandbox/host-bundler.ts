// Run as its own short-lived process by host-entry.ts: bundles the sandbox host into one plain
// JavaScript module and writes it to stdout. esbuild lives here and not in the runner because
// its JavaScript API and the worker thread behind buildSync stayed in the runner for its whole
// life (about 18 MB of RSS, measured), to build one file once.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const result = buildSync({
  entryPoints: [fileURLToPath(new URL('./host-process-main.ts', import.meta.url))],
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
process.stdout.write(result.outputFiles[0]?.text ?? '');
