/**
 * `townes runner`'s refusals before it connects anywhere: each missing piece named with its fix
 * and exit code 78 (EX_CONFIG). The running runner is tested end to end in kernel/test/runner/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = new URL('../townes.ts', import.meta.url).pathname;
const run = (env: Record<string, string>) => spawnSync(process.execPath, [BIN, 'runner'], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env } });

test('townes runner names what is missing: the bot token, the runner token, the trust store', () => {
  const noToken = run({});
  assert.equal(noToken.status, 78);
  assert.match(noToken.stderr, /DISCORD_TOKEN is needed/);

  const noRunnerToken = run({ DISCORD_TOKEN: 'MTEx.abc.def' });
  assert.equal(noRunnerToken.status, 78);
  assert.match(noRunnerToken.stderr, /RUNNER_TOKEN is needed/);

  const dir = mkdtempSync(join(os.tmpdir(), 'townes-runner-'));
  try {
    const noTrust = run({ DISCORD_TOKEN: 'MTEx.abc.def', RUNNER_TOKEN: 'r'.repeat(32), RUNNER_CACHE_DIR: dir });
    assert.equal(noTrust.status, 78);
    assert.match(noTrust.stderr, new RegExp(`no trust store at ${join(dir, 'trust.json')}`));
    assert.match(noTrust.stderr, /townes registry key/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const badShards = run({ RUNNER_SHARDS: '2/2' });
  assert.equal(badShards.status, 78);
  assert.match(badShards.stderr, /RUNNER_SHARDS/);
});
