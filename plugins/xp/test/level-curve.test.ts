import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_LEVEL, levelForXp, levelProgress, xpForLevel, xpToNextLevel } from '../src/level-curve.ts';

describe('level curve', () => {
  it('needs 5L² + 50L + 100 XP per step', () => {
    assert.deepEqual([0, 1, 2, 3, 10].map(xpToNextLevel), [100, 155, 220, 295, 1100]);
  });

  it('totals the steps (closed form matches a running sum)', () => {
    let sum = 0;
    for (let level = 0; level <= 500; level++) {
      assert.equal(xpForLevel(level), sum, `level ${level}`);
      sum += xpToNextLevel(level);
    }
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(xpForLevel), [0, 100, 255, 475, 770, 1150]);
  });

  it('inverts exactly at and around every threshold', () => {
    for (let level = 0; level <= 500; level++) {
      const at = xpForLevel(level);
      assert.equal(levelForXp(at), level, `xp ${at}`);
      if (at > 0) assert.equal(levelForXp(at - 1), level - 1, `xp ${at - 1}`);
      assert.equal(levelForXp(at + 1), level, `xp ${at + 1}`);
    }
  });

  it('treats nonsense XP as level 0 and caps huge XP', () => {
    assert.equal(levelForXp(-5), 0);
    assert.equal(levelForXp(Number.NaN), 0);
    assert.equal(levelForXp(99), 0);
    assert.equal(levelForXp(Number.MAX_SAFE_INTEGER), MAX_LEVEL);
  });

  it('reports progress within a level', () => {
    assert.deepEqual(levelProgress(0), { level: 0, current: 0, needed: 100, remaining: 100, fraction: 0 });
    assert.deepEqual(levelProgress(300), { level: 2, current: 45, needed: 220, remaining: 175, fraction: 45 / 220 });
    assert.equal(levelProgress(255).current, 0);
    assert.equal(levelProgress(254).level, 1);
  });
});
