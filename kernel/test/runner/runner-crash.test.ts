/**
 * kill -9 of a runner mid-burst: a child process runs the runner; a burst of level-ups is queued
 * faster than Discord's (simulated) rate limit lets them out; the child is killed with SIGKILL
 * while some were delivered and the rest wait, some perhaps in the middle of a send; a new runner
 * starts and every queued action reaches Discord exactly once.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { Queue } from 'bullmq';
import { bullConnection } from '../../src/runner/index.ts';
import { REDIS_URL, startRunnerWorld, until, type RunnerWorld } from './support/runner-world.ts';

const CHILD = new URL('./support/runner-child.ts', import.meta.url).pathname;
const BURST = 30;

let world: RunnerWorld;
const children = new Set<ChildProcess>();

async function spawnRunner(): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, RUNNER_CHILD: JSON.stringify({ apiBase: world.sim.apiBase, token: world.sim.botToken, dbUrl: world.db.url, prefix: world.prefix, desired: [...world.desired] }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await until(() => out.includes('ready') || child.exitCode !== null, 30_000, 'the runner child to start');
  assert.equal(child.exitCode, null, 'the runner child started');
  return child;
}

before(async () => {
  // 5 messages a second per channel: a burst of 30 level-ups takes about 6 s to get out
  world = await startRunnerWorld({ simulator: { rateLimits: { limit: 5, windowMs: 1000 } } });
});
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await world.close();
});

test('kill -9 mid-burst, restart: every queued action is delivered exactly once', { timeout: 90_000 }, async () => {
  const { sim, ids } = world;
  const queue = new Queue('discord-actions', { connection: bullConnection(REDIS_URL), prefix: `${world.prefix}bull` });
  try {
    const first = await spawnRunner();
    const members = Array.from({ length: BURST }, (_, i) => sim.state.addUser({ username: `burst${i}` }).id);
    for (const m of members) sim.state.addMember(ids.guildB, m);
    for (const m of members) sim.gateway.message(ids.guildB, ids.generalB, m, 'hi'); // 100 XP: each a level-up
    const announced = () => sim.state.messagesIn(ids.generalB).filter((m) => m.authorId === sim.botUser.id);
    // every action is in the queue, and some (not all) have gone out
    let counts: Record<string, number> = {};
    await until(() => {
      void queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'prioritized').then((c) => (counts = c));
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      return total === BURST && announced().length >= 3;
    }, 20_000, 'the burst to be queued');
    const before = announced().length;
    assert.ok(before < BURST, `killed mid-burst (${before} of ${BURST} out)`);
    first.kill('SIGKILL');
    await once(first, 'exit');

    const second = await spawnRunner();
    await until(() => new Set(announced().map((m) => m.content)).size === BURST, 30_000, 'every level-up after the restart');
    await new Promise((r) => setTimeout(r, 2500)); // a lock expiry later: nothing more may arrive
    for (const m of members) assert.equal(announced().filter((b) => b.content.includes(`<@${m}>`)).length, 1, `member ${m} announced exactly once`);
    assert.equal(announced().length, BURST);
    second.kill('SIGTERM');
    await once(second, 'exit');
  } finally {
    await queue.close();
  }
});
