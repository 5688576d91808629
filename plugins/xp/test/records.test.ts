import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAward, emptyRecord, rankOf, rolesToGrant, standings, toRecord, topStandings, userIdOfKey, userKey } from '../src/records.ts';

describe('records', () => {
  it('keys members as u:<id>', () => {
    assert.equal(userKey('42'), 'u:42');
    assert.equal(userIdOfKey('u:42'), '42');
    assert.equal(userIdOfKey('schema'), null);
    assert.equal(userIdOfKey('u:'), null);
  });

  it('reads malformed values as empty records', () => {
    for (const bad of [undefined, null, 3, 'x', [], { xp: 'lots' }, { xp: -4 }]) assert.deepEqual(toRecord(bad), emptyRecord());
    assert.deepEqual(toRecord({ xp: 300, level: 99, lastAwardAt: 5, messages: 12 }), { xp: 300, level: 2, lastAwardAt: 5, messages: 12 });
  });

  it('applies an award and reports level-ups', () => {
    const a = applyAward(emptyRecord(), 20, 1000);
    assert.deepEqual(a, { record: { xp: 20, level: 0, lastAwardAt: 1000, messages: 1 }, previousLevel: 0, leveledUp: false });
    const b = applyAward({ xp: 95, level: 0, lastAwardAt: 1000, messages: 5 }, 10, 70_000);
    assert.equal(b.leveledUp, true);
    assert.deepEqual(b.record, { xp: 105, level: 1, lastAwardAt: 70_000, messages: 6 });
  });
});

describe('rolesToGrant', () => {
  const rewards = [
    { level: 10, roleId: 'r10' },
    { level: 1, roleId: 'r1' },
    { level: 5, roleId: 'r5' },
    { level: 5, roleId: 'r1' },
  ];

  it('grants every reward at or below the level that the member lacks, lowest first, once each', () => {
    assert.deepEqual(rolesToGrant(rewards, 5, []), [{ level: 1, roleId: 'r1' }, { level: 5, roleId: 'r5' }]);
    assert.deepEqual(rolesToGrant(rewards, 5, ['r1']), [{ level: 5, roleId: 'r5' }]);
    assert.deepEqual(rolesToGrant(rewards, 0, []), []);
    assert.deepEqual(rolesToGrant(rewards, 50, ['r1', 'r5', 'r10']), []);
  });
});

describe('ranking', () => {
  const entries = [
    { key: 'schema', value: { version: 1 } },
    { key: 'u:a', value: { xp: 50 } },
    { key: 'u:b', value: { xp: 500 } },
    { key: 'u:c', value: { xp: 50 } },
    { key: 'u:d', value: { xp: 0 } },
    { key: 'u:e', value: { xp: 900 } },
  ];
  const all = standings(entries);

  it('skips non-member keys and members without XP', () => {
    assert.deepEqual(all.map((s) => s.userId), ['a', 'b', 'c', 'e']);
  });

  it('ranks by XP, ties sharing a rank', () => {
    assert.equal(rankOf(all, 'e', 900), 1);
    assert.equal(rankOf(all, 'b', 500), 2);
    assert.equal(rankOf(all, 'a', 50), 3);
    assert.equal(rankOf(all, 'c', 50), 3);
    assert.equal(rankOf(all, 'd', 0), null);
  });

  it('takes the top n, most XP first, ties by id', () => {
    assert.deepEqual(topStandings(all, 3).map((s) => s.userId), ['e', 'b', 'a']);
    assert.deepEqual(topStandings(all, 10).map((s) => s.userId), ['e', 'b', 'a', 'c']);
    assert.deepEqual(topStandings(all, 0), []);
  });

  it('matches a full sort on random data', () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({ userId: `m${i}`, xp: Math.floor(Math.random() * 300) }));
    const sorted = [...many].sort((x, y) => y.xp - x.xp || (x.userId < y.userId ? -1 : 1));
    assert.deepEqual(topStandings(many, 10), sorted.slice(0, 10));
  });
});
