import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@townesdev/kernel/testing';

const BIN = new URL('../townes.js', import.meta.url).pathname;
/** The binary's compile cache, kept out of the home folder of whoever runs the tests. */
const COMPILE_CACHE = path.join(os.tmpdir(), `townes-test-compile-cache-${process.pid}`);
after(() => rm(COMPILE_CACHE, { recursive: true, force: true }));
const baseEnv = () => ({ PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', NODE_COMPILE_CACHE: COMPILE_CACHE });
const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...baseEnv(), ...env } });

/** Like run, without blocking this process's event loop while the platform runs in the child. */
function runAsync(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...baseEnv(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('townes_start');
});
after(() => db.drop());

test('townes start --once: API, registry, runner and simulator in one process; the demo is welcomed, levels up and gets /rank', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-start-'));
  try {
    const env = {
      DATABASE_URL: db.url,
      REGISTRY_DATA_DIR: path.join(dir, 'registry'),
      RUNNER_CACHE_DIR: path.join(dir, 'plugins'),
      API_PORT: String(await freePort()),
      RUNNER_HEALTH_PORT: String(await freePort()),
      REDIS_PREFIX: `townes-test-${process.pid}-${Date.now()}:`,
    };
    const r = await runAsync(['start', '--once'], env);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const out = r.stdout;
    assert.match(out, /No DISCORD_TOKEN: running against the built-in Discord simulator/);
    assert.match(out, /alice installed @townesdev\/welcome@1\.0\.0 on Demo Server/);
    assert.match(out, /alice installed @townesdev\/xp@1\.0\.0 on Demo Server/);
    assert.match(out, /published to the registry: @townesdev\/welcome@1\.0\.0 \(published\), @townesdev\/xp@1\.0\.0 \(published\)/);
    assert.match(out, /slash commands, registered by the runner: \/leaderboard \/rank \/welcome/);
    assert.match(out, /the bot posts in #welcome: Welcome @dave to Demo Server!/);
    assert.match(out, /the bot gives dave the @Member role/);
    assert.match(out, /the bot posts in #general: GG @dave, you just reached level 1!/);
    assert.match(out, /the bot gives dave the @Regular role/);
    assert.match(out, /the bot replies within \d+ ms: \[embed\] Level 1/);
    assert.match(out, /POST \/interactions\/:id\/:token\/callback x1/);
    assert.match(out, /Stopped cleanly/);
    // A second start publishes nothing new and tells the same story with a fresh demo guild.
    const again = await runAsync(['start', '--once'], env);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /@townesdev\/xp@1\.0\.0 \(unchanged\)/);
    assert.match(again.stdout, /you just reached level 1!/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the binary strips our TypeScript once: its compile cache fills at the first run and serves the next', () => {
  const dir = path.join(os.tmpdir(), `townes-test-cc-${process.pid}-${Date.now()}`);
  try {
    assert.equal(run(['help'], { NODE_COMPILE_CACHE: dir }).status, 0);
    const cached = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(path.join(dir, f)).isFile());
    assert.ok(cached.length > 20, `expected the CLI's modules in the cache, found ${cached.length} files`);
    const logged = spawnSync(process.execPath, [BIN, 'help'], { encoding: 'utf8', maxBuffer: 256 << 20, env: { ...baseEnv(), NODE_COMPILE_CACHE: dir, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } });
    assert.equal(logged.status, 0);
    assert.match(logged.stderr, /retrieving transpile cache for StrippedTypeScript file:\/\/.*\/bin\/townes\.ts\.\.\.success/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

test('a role whose PostgreSQL or Redis is not running says which, where and what to do (exit 69), no stack trace', () => {
  const pg = run(['start', '--once'], { DATABASE_URL: 'postgresql://postgres:s3cret@127.0.0.1:1/townes' });
  assert.equal(pg.status, 69, pg.stderr);
  assert.match(pg.stderr, /^townes start: PostgreSQL is not reachable at 127\.0\.0\.1:1\/townes \(ECONNREFUSED.*Start PostgreSQL/);
  assert.doesNotMatch(pg.stderr, /s3cret|\n\s+at /);
  const redis = run(['api'], { DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:1', DISCORD_CLIENT_ID: '123456789012345678', DISCORD_CLIENT_SECRET: 'secret-secret' });
  assert.equal(redis.status, 69, redis.stderr);
  assert.match(redis.stderr, /^townes api: Redis is not reachable at 127\.0\.0\.1:1 \(ECONNREFUSED.*Start Redis/);
});

test('townes start keeps running until SIGTERM, then drains and stops cleanly (exit 0)', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-start-term-'));
  // its own database: the registry rows of another run name keys that live in that run's data folder
  const own = await createTestDatabase('townes_start_term');
  try {
    const child = spawn(process.execPath, [BIN, 'start'], {
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'warn',
        DATABASE_URL: own.url,
        REGISTRY_DATA_DIR: path.join(dir, 'registry'),
        RUNNER_CACHE_DIR: path.join(dir, 'plugins'),
        API_PORT: String(await freePort()),
        RUNNER_HEALTH_PORT: String(await freePort()),
        REDIS_PREFIX: `townes-test-term-${process.pid}-${Date.now()}:`,
      },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 90_000;
    while (!stdout.includes('The platform keeps running')) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        assert.fail(`townes start did not come up:\n${stdout}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const sent = Date.now();
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stdout);
    assert.match(stdout, /SIGTERM: draining in-flight work, then stopping\.\nStopped cleanly\./);
    assert.ok(Date.now() - sent < 15_000, 'stopped within the drain deadline');
  } finally {
    await own.drop();
    await rm(dir, { recursive: true, force: true });
  }
});
