/**
 * `npm test`: runs every `*.test.ts` of the project with node's own test runner.
 *
 *   npm test                                   every test file under the search roots
 *   npm test -- kernel/test/foo.test.ts        only these files (folders work too)
 *   npm test -- --test-name-pattern=quarantine node --test options pass through
 *
 * Test files run as separate processes, two at a time (the machines have 2 cores, and the
 * tests use PostgreSQL, Redis and sandbox child processes). TOWNES_TEST_CONCURRENCY changes
 * that. The whole run is bounded by TOWNES_TEST_RUN_TIMEOUT_MIN (default 60 minutes), after
 * which it is killed and fails, so a hung test cannot eat CI's time budget.
 *
 * Exits with the test runner's exit code; exits 1 when it finds no test file at all, so a
 * broken search can never pass silently.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Where tests live: the workspaces and the binary. */
const SEARCH_ROOTS = ['kernel', 'sdk', 'plugins', 'registry', 'api', 'bin'];
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git', '.townes']);
const TEST_FILE = /\.test\.ts$/;
/** node options that take their value as the next argument when written without `=`. */
const OPTIONS_WITH_VALUE = new Set([
  '--test-name-pattern',
  '--test-skip-pattern',
  '--test-reporter',
  '--test-reporter-destination',
  '--test-concurrency',
  '--test-timeout',
  '--test-shard',
  '--test-isolation',
  '--import',
  '--require',
  '-r',
  '--conditions',
  '-C',
  '--env-file',
]);

function findTests(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) findTests(path.join(dir, entry.name), out);
    } else if (entry.isFile() && TEST_FILE.test(entry.name)) {
      out.push(path.join(dir, entry.name));
    }
  }
}

function fail(message: string): never {
  console.error(`npm test: ${message}`);
  process.exit(1);
}

// Split the extra arguments into node options and the files or folders to run.
const nodeOptions: string[] = [];
const selected: string[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === '--') continue;
  if (arg.startsWith('-')) {
    nodeOptions.push(arg);
    if (OPTIONS_WITH_VALUE.has(arg) && i + 1 < args.length) nodeOptions.push(args[++i]!);
    continue;
  }
  const full = path.resolve(arg);
  if (!existsSync(full)) fail(`no such file or folder: ${arg}`);
  if (statSync(full).isDirectory()) {
    const found: string[] = [];
    findTests(full, found);
    if (found.length === 0) fail(`no *.test.ts file under ${arg}`);
    selected.push(...found);
  } else {
    selected.push(full);
  }
}

let files: string[];
if (selected.length > 0) {
  files = [...new Set(selected)];
} else {
  files = [];
  for (const root of SEARCH_ROOTS) findTests(path.join(ROOT, root), files);
  if (files.length === 0) {
    fail(`found no *.test.ts file under ${SEARCH_ROOTS.join(', ')} in ${ROOT}; refusing to pass with no tests`);
  }
}
files.sort();

const has = (option: string) => nodeOptions.some((o) => o === option || o.startsWith(`${option}=`));
const defaults: string[] = [];
if (!has('--test-reporter')) defaults.push('--test-reporter=spec');
if (!has('--test-concurrency')) defaults.push(`--test-concurrency=${process.env.TOWNES_TEST_CONCURRENCY ?? '2'}`);

const relative = files.map((f) => path.relative(process.cwd(), f) || f);
console.log(
  `npm test: ${files.length} test file${files.length === 1 ? '' : 's'}` +
    (selected.length > 0 ? `: ${relative.join(' ')}` : ` under ${SEARCH_ROOTS.join(', ')}`),
);

// The runner is its own process group so that a timeout or Ctrl-C also ends the test
// files' processes and anything they spawned (sandbox hosts).
const child = spawn(process.execPath, ['--test', ...defaults, ...nodeOptions, ...relative], {
  stdio: 'inherit',
  detached: true,
});

const killGroup = (signal: NodeJS.Signals) => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
};

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => killGroup(signal));
}

const timeoutMin = Number(process.env.TOWNES_TEST_RUN_TIMEOUT_MIN ?? '60');
let timedOut = false;
const watchdog =
  Number.isFinite(timeoutMin) && timeoutMin > 0
    ? setTimeout(() => {
        timedOut = true;
        console.error(`npm test: the run exceeded ${timeoutMin} minutes (TOWNES_TEST_RUN_TIMEOUT_MIN); killing it`);
        killGroup('SIGKILL');
      }, timeoutMin * 60_000)
    : undefined;
watchdog?.unref();

child.on('error', (error) => fail(`could not start ${process.execPath}: ${error.message}`));
child.on('exit', (code, signal) => {
  if (watchdog) clearTimeout(watchdog);
  // Anything the test files left behind in the group goes with them.
  killGroup('SIGKILL');
  if (timedOut) process.exit(1);
  if (signal) {
    console.error(`npm test: the test runner was ended by ${signal}`);
    process.exit(1);
  }
  process.exit(code ?? 1);
});
