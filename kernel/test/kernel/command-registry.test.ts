import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CommandClashError, CommandRegistry } from '../../src/commands/command-registry.ts';

const cmd = (name: string, description = name) => ({ name, description });

test('a guild\'s commands are the union of its plugins\' commands, sorted', () => {
  const r = new CommandRegistry();
  assert.equal(r.set('g', '@a/xp', [cmd('rank'), cmd('leaderboard')]), true);
  assert.equal(r.set('g', '@a/welcome', [cmd('welcome')]), true);
  assert.deepEqual(r.forGuild('g').map((c) => c.name), ['leaderboard', 'rank', 'welcome']);
  assert.equal(r.owner('g', 'rank'), '@a/xp');
  assert.deepEqual(r.forGuild('other'), []);
});

test('a clash is refused before anything changes', () => {
  const r = new CommandRegistry();
  r.set('g', '@a/xp', [cmd('rank')]);
  assert.throws(() => r.set('g', '@b/ranks', [cmd('top'), cmd('rank')]), CommandClashError);
  assert.deepEqual(r.forGuild('g').map((c) => c.name), ['rank']);
  assert.equal(r.set('h', '@b/ranks', [cmd('rank')]), true, 'another guild is free to use the name');
});

test('a change is reported only when the set really changed', () => {
  const r = new CommandRegistry();
  assert.equal(r.set('g', '@a/xp', [cmd('rank')]), true);
  assert.equal(r.set('g', '@a/xp', [cmd('rank')]), false);
  assert.equal(r.set('g', '@a/xp', [cmd('rank', 'new description')]), true);
  assert.equal(r.remove('g', '@a/other'), false);
  assert.equal(r.remove('g', '@a/xp'), true);
  assert.equal(r.remove('g', '@a/xp'), false);
});
