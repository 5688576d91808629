import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, SERVICE_NAME } from '../logger.ts';

/** A logger writing into an array of parsed JSON lines. */
function capture(level: 'info' | 'debug' = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ level, destination: stream }), lines };
}

test('logs one JSON object per line with service, pid, hostname, level label and ISO time', () => {
  const { logger, lines } = capture();
  logger.info({ guildId: '42' }, 'hello');
  logger.debug('not at info');
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line!.service, SERVICE_NAME);
  assert.equal(line!.pid, process.pid);
  assert.equal(typeof line!.hostname, 'string');
  assert.equal(line!.level, 'info');
  assert.equal(line!.msg, 'hello');
  assert.equal(line!.guildId, '42');
  assert.ok(!Number.isNaN(Date.parse(String(line!.time))));
});

test('child loggers keep the base fields', () => {
  const { logger, lines } = capture();
  logger.child({ role: 'runner' }).warn('x');
  assert.equal(lines[0]!.service, SERVICE_NAME);
  assert.equal(lines[0]!.role, 'runner');
});

test('secrets are redacted at the top level, nested, and in HTTP headers', () => {
  const { logger, lines } = capture();
  logger.info(
    {
      token: 'T0P',
      config: { discordToken: 'NESTED', databaseUrl: 'ok' },
      deep: { oauth: { refresh_token: 'DEEP' } },
      req: { headers: { authorization: 'Bearer AUTH', cookie: 'sid=COOKIE', accept: 'json' } },
      password: 'PW',
    },
    'secrets',
  );
  const text = JSON.stringify(lines[0]);
  for (const secret of ['T0P', 'NESTED', 'DEEP', 'AUTH', 'COOKIE', 'PW']) {
    assert.doesNotMatch(text, new RegExp(secret), `${secret} leaked: ${text}`);
  }
  assert.match(text, /"accept":"json"/);
  assert.match(text, /"databaseUrl":"ok"/);
});
