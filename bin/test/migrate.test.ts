import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';

const BIN = new URL('../townes.ts', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } });

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('townes_migrate');
});
after(() => db.drop());

test('townes migrate up applies every owner once; status and down report per owner', () => {
  const env = { DATABASE_URL: db.url };
  const first = run(['migrate', 'up'], env);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^kernel: applied Migration\d+_kernel_initial/m);
  assert.match(first.stdout, /^registry: applied Migration\d+_registry_initial/m);
  assert.match(first.stdout, /^api: applied Migration\d+_api_initial/m);
  const second = run(['migrate', 'up'], env);
  assert.deepEqual(second.stdout.trim().split('\n'), ['kernel: up to date', 'registry: up to date', 'api: up to date'], 'a second run is a no-op');
  assert.match(run(['migrate', 'status'], env).stdout, /^api: 1 applied \(last Migration\d+_api_initial\), 0 pending$/m);
  assert.match(run(['migrate', 'down'], env).stdout, /^api: reverted Migration\d+_api_initial$/m);
  assert.match(run(['migrate', 'status'], env).stdout, /^api: 0 applied, 1 pending: Migration\d+_api_initial$/m);
  const bad = run(['migrate', 'down', '--of', 'everything'], env);
  assert.equal(bad.status, 64);
  assert.match(bad.stderr, /--of must be api, registry or kernel/);
  assert.equal(run(['migrate', 'up'], env).status, 0);
});
