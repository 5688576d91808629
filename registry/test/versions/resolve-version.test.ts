import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResolveError, resolveVersion } from '../../src/versions/resolve-version.ts';

const v = (version: string, yanked = false) => ({ version, yanked });
const published = [v('1.0.0'), v('1.1.0'), v('1.2.0', true), v('1.3.0-beta.1'), v('2.0.0'), v('2.1.0', true)];
const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'resolved';
  } catch (e) {
    assert.ok(e instanceof ResolveError);
    return e.code;
  }
};

test('a range picks the highest non-yanked version, like npm', () => {
  assert.equal(resolveVersion(published, '^1.0.0').version, '1.1.0');
  assert.equal(resolveVersion(published, '*').version, '2.0.0');
  assert.equal(resolveVersion(published, '>=1.0.0 <3').version, '2.0.0');
  assert.equal(resolveVersion(published, '~1.0.0').version, '1.0.0');
});

test('prereleases only when the range names one', () => {
  assert.equal(resolveVersion(published, '^1.3.0-beta.0').version, '1.3.0-beta.1');
  assert.equal(resolveVersion(published, '^1.1.0').version, '1.1.0');
});

test('an exact pin is honoured even when yanked; a yanked version is never chosen by a range', () => {
  assert.deepEqual(resolveVersion(published, '1.2.0'), { version: '1.2.0', keptCurrent: false, yanked: true });
  assert.equal(code(() => resolveVersion(published, '~1.2.0')), 'NO_MATCH');
  assert.equal(code(() => resolveVersion(published, '9.9.9')), 'NO_MATCH');
  assert.equal(code(() => resolveVersion(published, 'latest please')), 'INVALID_SPEC');
});

test('a range never moves a guild below the version it runs', () => {
  // Running 2.1.0 (since yanked): ^2.0.0 keeps it there rather than moving down to 2.0.0.
  assert.deepEqual(resolveVersion(published, '^2.0.0', '2.1.0'), { version: '2.1.0', keptCurrent: true, yanked: true });
  // A range that no longer admits the running version is refused: pin to go down.
  assert.equal(code(() => resolveVersion(published, '^1.0.0', '2.0.0')), 'DOWNGRADE');
  assert.match((() => { try { resolveVersion(published, '^1.0.0', '2.0.0'); } catch (e) { return (e as Error).message; } return ''; })(), /pin 1\.1\.0 explicitly/);
  // An explicit pin is the way down.
  assert.equal(resolveVersion(published, '1.1.0', '2.0.0').version, '1.1.0');
  // Upgrades by range still happen.
  assert.equal(resolveVersion(published, '^1.0.0', '1.0.0').version, '1.1.0');
});
