import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE_ENTRY = fileURLToPath(new URL('./host-process-main.ts', import.meta.url));
const BUNDLER = fileURLToPath(new URL('./host-bundler.ts', import.meta.url));

/** What a sandbox host process runs, and the environment it starts with. */
export interface SandboxHostScript {
  file: string;
  env: NodeJS.ProcessEnv;
}
let cached: SandboxHostScript | undefined;

/**
 * The environment of a process the runner starts to run TypeScript of ours: nothing of the
 * runner's own (no secrets), except the compile cache folder when the runner uses one, so the
 * TypeScript is stripped once per machine rather than once per process (see bin/townes.js).
 * Not for the bundle: its path is new at every start, and each start would leave an entry behind.
 */
function typeScriptEnv(): NodeJS.ProcessEnv {
  const compileCache = getCompileCacheDir();
  return { ...bundleEnv(), ...(compileCache ? { NODE_COMPILE_CACHE: compileCache } : {}) };
}

/** The environment of a host running the bundle: nothing of the runner's own. */
const bundleEnv = (): NodeJS.ProcessEnv => ({ NODE_ENV: process.env.NODE_ENV ?? 'production' });

/**
 * The script a sandbox host process runs. Node can run the TypeScript entry directly, but its
 * type stripper costs each process about 17 MB, a runner carries several hosts, and the host's
 * modules loaded one by one pull in all of zod where a bundle keeps the part it uses: so the host
 * is bundled once per runner process into plain JavaScript (by host-bundler.ts in a process of its
 * own; isolated-vm stays external, loaded from where it is installed), in a private folder (mode
 * 0700) that nobody else can plant a file in, removed when the runner exits. If bundling is
 * impossible the TypeScript entry is used.
 */
export function sandboxHostScript(): SandboxHostScript {
  if (cached) return cached;
  try {
    const text = execFileSync(process.execPath, [BUNDLER], { encoding: 'utf8', env: typeScriptEnv(), maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
    if (!text.includes('from "isolated-vm"')) throw new Error('unexpected bundle shape');
    // The bundle lives in the temp folder, where the bare name would not resolve.
    const code = text.replaceAll('from "isolated-vm"', `from ${JSON.stringify(import.meta.resolve('isolated-vm'))}`);
    const dir = mkdtempSync(join(tmpdir(), 'townes-sandbox-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'sandbox-host.mjs');
    writeFileSync(file, code, { flag: 'wx', mode: 0o600 });
    cached = { file, env: bundleEnv() };
  } catch {
    cached = { file: SOURCE_ENTRY, env: typeScriptEnv() };
  }
  return cached;
}
