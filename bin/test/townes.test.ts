import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';

const BIN = new URL('../townes.ts', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } });

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('townes_start');
});
after(() => db.drop());

test('townes start --once runs the demo guild through the sandboxed plugins and stops cleanly', () => {
  const r = run(['start', '--once'], { DATABASE_URL: db.url });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const out = r.stdout;
  assert.match(out, /No DISCORD_TOKEN: running against a simulated guild/);
  assert.match(out, /Plugin data: PostgreSQL/);
  assert.match(out, /Sandbox: 2 sandbox host processes/);
  assert.match(out, /welcome posts in #welcome: Welcome <@900000000000000101> to Demo Server!/);
  assert.match(out, /xp posts in #general: GG <@900000000000000101>, you just reached level 1!/);
  assert.match(out, /xp gives role @Regular/);
  assert.match(out, /xp replies: Level 1/);
  assert.match(out, /Stopped cleanly/);
  // A second run tells the same story: the demo guild starts from scratch.
  const again = run(['start', '--once'], { DATABASE_URL: db.url });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /you just reached level 1!/);
});

test('townes help and unknown commands', () => {
  assert.equal(run(['help']).status, 0);
  const bad = run(['frobnicate']);
  assert.equal(bad.status, 64);
  assert.match(bad.stderr, /unknown command "frobnicate"/);
});

test('a bad environment variable stops start with a message naming it', () => {
  const r = run(['start', '--once'], { SANDBOX_HOSTS: 'abc' });
  assert.equal(r.status, 78);
  assert.match(r.stderr, /SANDBOX_HOSTS/);
});
