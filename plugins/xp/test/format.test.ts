import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capLength, formatNumber, progressBar, renderLevelUp } from '../src/format.ts';

describe('format', () => {
  it('groups thousands', () => {
    assert.deepEqual([0, 999, 1000, 1234567, -4500].map(formatNumber), ['0', '999', '1,000', '1,234,567', '-4,500']);
  });

  it('draws a progress bar', () => {
    assert.equal(progressBar(0), '░░░░░░░░░░');
    assert.equal(progressBar(0.5), '█████░░░░░');
    assert.equal(progressBar(2), '██████████');
    assert.equal(progressBar(Number.NaN, 4), '░░░░');
  });

  it('renders level-up templates without letting usernames ping', () => {
    const text = renderLevelUp('GG {user} ({username}), level {level} at {xp} XP! {nope}', { userId: '7', username: '@everyone', level: 3, xp: 1200 });
    assert.equal(text, 'GG <@7> (@\u200beveryone), level 3 at 1,200 XP! {nope}');
  });

  it('caps at 2000 characters', () => {
    assert.equal(renderLevelUp('{xp} '.repeat(1000), { userId: '7', username: 'x', level: 1, xp: 1000 }).length, 2000);
    assert.equal(capLength('abc', 5), 'abc');
  });
});
