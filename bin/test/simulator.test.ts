/**
 * `townes simulator` as an operator runs it: it prints its URL and env line, answers REST with
 * the printed token, and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';

const BIN = new URL('../townes.ts', import.meta.url).pathname;

test('townes simulator prints where it listens, serves the demo guild and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [BIN, 'simulator', '--port', '0', '--heartbeat-ms', '1000'], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  try {
    const deadline = Date.now() + 20_000;
    while (!/Stop with Ctrl\+C/.test(out)) {
      assert.ok(Date.now() < deadline && child.exitCode === null, `no banner; output so far:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const env = /DISCORD_API_BASE=(\S+) DISCORD_TOKEN=(\S+) DISCORD_CLIENT_ID=(\d+) DISCORD_CLIENT_SECRET=(\S+)/.exec(out);
    assert.ok(env, out);
    const [, apiBase, token] = env;
    const guilds = (await (await fetch(`${apiBase}/v10/users/@me/guilds`, { headers: { authorization: `Bot ${token}` } })).json()) as { name: string }[];
    assert.deepEqual(guilds.map((g) => g.name), ['Demo Server']);
    const gateway = (await (await fetch(`${apiBase}/v10/gateway/bot`, { headers: { authorization: `Bot ${token}` } })).json()) as { url: string };
    assert.match(gateway.url, /^ws:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0, out);
  }
  assert.match(out, /Stopped \(SIGTERM\)/);
});

test('townes simulator refuses unknown options', async () => {
  const child = spawn(process.execPath, [BIN, 'simulator', '--bogus', '1'], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 64);
});
