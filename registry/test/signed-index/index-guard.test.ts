import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { INDEX_STATE_FILE, IndexError, IndexGuard, signIndex } from '../../src/signed-index/index.ts';
import type { IndexErrorCode } from '../../src/signed-index/index.ts';
import { DAY, EXPIRES, ISSUED, makeIndex, makeIndexWorld, tempCacheDir } from './fixtures.ts';

function refused(code: IndexErrorCode, pattern?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof IndexError, `expected an IndexError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

const NOW = new Date(ISSUED.getTime() + DAY);
const GRACE = 2 * DAY;
const opts = { now: NOW, graceMs: GRACE };

describe('IndexGuard', () => {
  const world = makeIndexWorld();
  const signed5 = signIndex(makeIndex(world, 5), world.registry.privateKeyPem);
  const signed6 = signIndex(makeIndex(world, 6), world.registry.privateKeyPem);
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });
  async function freshGuard(): Promise<{ dir: string; guard: IndexGuard }> {
    const { dir, cleanup } = await tempCacheDir();
    cleanups.push(cleanup);
    return { dir, guard: new IndexGuard({ cacheDir: dir, trust: world.trust }) };
  }

  test('accepts a fresh index, records its serial, and accepts the same index again', async () => {
    const { dir, guard } = await freshGuard();
    assert.equal(await guard.state(), undefined);
    const accepted = await guard.accept(signed5, opts);
    assert.deepEqual(accepted, { index: signed5.index });
    assert.equal((await guard.state())?.serial, 5);
    assert.deepEqual(await guard.accept(signed5, opts), { index: signed5.index });
    assert.equal((await guard.accept(signed6, opts)).index.serial, 6);
    const state = JSON.parse(await readFile(path.join(dir, INDEX_STATE_FILE), 'utf8')) as { serial: number; issuedAt: string };
    assert.equal(state.serial, 6);
    assert.equal(state.issuedAt, ISSUED.toISOString());
    // Atomic write: no temp file left behind.
    assert.deepEqual(await readdir(dir), [INDEX_STATE_FILE]);
  });

  test('a replayed older index is refused (ROLLBACK), also by a new guard after a restart', async () => {
    const { dir, guard } = await freshGuard();
    await guard.accept(signed6, opts);
    await assert.rejects(guard.accept(signed5, opts), refused('ROLLBACK', /serial 5.*already accepted serial 6/s));
    const restarted = new IndexGuard({ cacheDir: dir, trust: world.trust });
    await assert.rejects(restarted.accept(signed5, opts), refused('ROLLBACK', /serial 5.*already accepted serial 6/s));
    assert.equal((await restarted.accept(signed6, opts)).index.serial, 6);
    assert.equal((await restarted.state())?.serial, 6);
  });

  test('the same serial with different content is refused, even validly signed', async () => {
    const { guard } = await freshGuard();
    await guard.accept(signed6, opts);
    const other6 = signIndex(makeIndex(world, 6, { packages: {} }), world.registry.privateKeyPem);
    await assert.rejects(guard.accept(other6, opts), refused('ROLLBACK', /different index with the same serial/));
    assert.equal((await guard.state())?.serial, 6);
  });

  test('an index failing verification is refused and does not move the recorded serial', async () => {
    const { guard } = await freshGuard();
    await guard.accept(signed5, opts);
    const tampered = structuredClone(signIndex(makeIndex(world, 9), world.registry.privateKeyPem));
    tampered.index.packages['@acme/dice']!.versions['0.3.0']!.yanked = true;
    await assert.rejects(guard.accept(tampered, opts), refused('BAD_SIGNATURE'));
    const untrusted = signIndex(makeIndex(world, 9), world.stranger.privateKeyPem);
    await assert.rejects(guard.accept(untrusted, opts), refused('UNTRUSTED_REGISTRY'));
    const revoked = signIndex(makeIndex(world, 9), world.revoked.privateKeyPem);
    await assert.rejects(guard.accept(revoked, opts), refused('KEY_REVOKED'));
    const expired = signIndex(makeIndex(world, 9), world.registry.privateKeyPem);
    await assert.rejects(guard.accept(expired, { now: new Date(EXPIRES.getTime() + GRACE + 1), graceMs: GRACE }), refused('EXPIRED'));
    assert.equal((await guard.state())?.serial, 5);
  });

  test('expired beyond the grace period: EXPIRED, naming the expiry', async () => {
    const { guard } = await freshGuard();
    const late = new Date(EXPIRES.getTime() + 3 * DAY);
    await assert.rejects(guard.accept(signed6, { now: late, graceMs: GRACE }), refused('EXPIRED', /expired at 2026-03-11T00:00:00.000Z.*grace period of 2d ended at 2026-03-13T00:00:00.000Z/s));
    assert.equal(await guard.state(), undefined);
  });

  test('expired within the grace period: accepted with a warning saying until when', async () => {
    const { guard } = await freshGuard();
    const stale = new Date(EXPIRES.getTime() + DAY);
    const accepted = await guard.accept(signed6, { now: stale, graceMs: GRACE });
    assert.equal(accepted.index.serial, 6);
    assert.match(accepted.warning ?? '', /serial 6 is stale: it expired at 2026-03-11T00:00:00.000Z.*until 2026-03-13T00:00:00.000Z/s);
    assert.equal((await guard.state())?.serial, 6);
  });

  test('near expiry (the last 10% of the validity period): accepted with a warning', async () => {
    const { guard } = await freshGuard();
    // Valid for 10 days; 12 hours left is within the last day.
    const soon = new Date(EXPIRES.getTime() - DAY / 2);
    const accepted = await guard.accept(signed6, { now: soon, graceMs: GRACE });
    assert.match(accepted.warning ?? '', /serial 6 expires soon, at 2026-03-11T00:00:00.000Z \(in 12h\)/);
    // Earlier in its life: no warning.
    const early = new Date(EXPIRES.getTime() - 2 * DAY);
    assert.equal((await guard.accept(signed6, { now: early, graceMs: GRACE })).warning, undefined);
  });

  test('a corrupt state file refuses every index with a clear message instead of resetting protection', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"format":"townes-registry-index-state-v1","serial":6', /not valid JSON/],
      ['', /not valid JSON/],
      ['{"format":"townes-registry-index-state-v1","serial":"six"}', /serial/],
      ['null', /expected record/],
    ];
    for (const [content, problem] of cases) {
      const { dir, guard } = await freshGuard();
      const statePath = path.join(dir, INDEX_STATE_FILE);
      await writeFile(statePath, content);
      await assert.rejects(guard.accept(signed5, opts), refused('STATE_CORRUPT', problem));
      await assert.rejects(guard.accept(signed6, opts), (error: unknown) => {
        assert.ok(error instanceof IndexError && error.code === 'STATE_CORRUPT');
        assert.ok(error.message.includes(statePath), 'names the file');
        assert.match(error.message, /Restore the file from a backup.*delete it/s);
        return true;
      });
      // Nothing was overwritten.
      assert.equal(await readFile(statePath, 'utf8'), content);
    }
  });

  test('concurrent accepts on one guard are serialised: the highest serial wins, the older one is refused', async () => {
    const { guard } = await freshGuard();
    const results = await Promise.allSettled([guard.accept(signed6, opts), guard.accept(signed5, opts)]);
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[1].status, 'rejected');
    assert.equal((await guard.state())?.serial, 6);
  });
});
