import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SmallStringMap } from '../../src/compact/small-string-map.ts';

/** Every operation, checked against a Map doing the same, across the switch from flat array to Map. */
test('SmallStringMap behaves as a Map through growth past its flat limit, deletes and clear', () => {
  const small = new SmallStringMap<string | null>();
  const map = new Map<string, string | null>();
  const same = () => {
    assert.equal(small.size, map.size);
    assert.deepEqual([...small], [...map]);
    for (const k of ['k0', 'k3', 'k9', 'k15', 'absent']) {
      assert.equal(small.get(k), map.get(k));
      assert.equal(small.has(k), map.has(k));
    }
  };
  same();
  for (let i = 0; i < 16; i++) {
    small.set(`k${i}`, i % 3 === 0 ? null : `v${i}`);
    map.set(`k${i}`, i % 3 === 0 ? null : `v${i}`);
    same();
  }
  small.set('k3', 'again');
  map.set('k3', 'again');
  same();
  for (const k of ['k0', 'k15', 'nope', 'k7']) assert.equal(small.delete(k), map.delete(k));
  same();
  small.clear();
  map.clear();
  same();
  // Flat again after clear: order of insertion, updates in place, deletes in the middle.
  for (const k of ['a', 'b', 'c']) {
    small.set(k, k);
    map.set(k, k);
  }
  small.set('a', 'A');
  map.set('a', 'A');
  assert.equal(small.delete('b'), map.delete('b'));
  same();
  assert.deepEqual([...small.entries()], [['a', 'A'], ['c', 'c']]);
  assert.equal(small.delete('a'), true);
  assert.equal(small.delete('c'), true);
  assert.equal(small.size, 0);
  assert.deepEqual([...small], []);
});
