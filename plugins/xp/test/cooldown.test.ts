import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cooldownElapsed, rollXp, toEpochMs } from '../src/cooldown.ts';

describe('cooldown', () => {
  const t0 = toEpochMs('2026-11-25T12:00:00.000Z')!;

  it('parses timestamps, refusing garbage', () => {
    assert.equal(t0, Date.UTC(2026, 10, 25, 12));
    assert.equal(toEpochMs('not a date'), null);
  });

  it('allows the first award and any award once the cooldown has passed', () => {
    assert.equal(cooldownElapsed(null, t0, 60), true);
    assert.equal(cooldownElapsed(t0, t0 + 59_999, 60), false);
    assert.equal(cooldownElapsed(t0, t0 + 60_000, 60), true);
  });

  it('refuses messages older than the last award', () => {
    assert.equal(cooldownElapsed(t0, t0 - 1000, 60), false);
  });

  it('a zero cooldown awards every message', () => {
    assert.equal(cooldownElapsed(t0, t0, 0), true);
  });
});

describe('rollXp', () => {
  it('covers [min, max] inclusive', () => {
    assert.equal(rollXp(15, 25, () => 0), 15);
    assert.equal(rollXp(15, 25, () => 0.999999), 25);
    assert.equal(rollXp(15, 25, () => 1), 25);
    assert.equal(rollXp(15, 25, () => 0.5), 20);
  });

  it('stays in range with Math.random and hits both ends', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const x = rollXp(15, 25);
      assert.ok(Number.isInteger(x) && x >= 15 && x <= 25, String(x));
      seen.add(x);
    }
    assert.equal(seen.size, 11);
  });

  it('accepts swapped or equal bounds', () => {
    assert.equal(rollXp(25, 15, () => 0), 15);
    assert.equal(rollXp(7, 7, () => 0.3), 7);
  });
});
