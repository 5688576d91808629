import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listAll, type Lister } from '../src/scan.ts';

/** A store whose list returns at most `cap` entries, in key order, like the kernel's. */
function cappedStore(keys: string[], cap: number) {
  const sorted = [...keys].sort();
  let calls = 0;
  const store: Lister = {
    async list({ prefix, limit, after }) {
      calls++;
      return sorted.filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).slice(0, Math.min(limit, cap)).map((key) => ({ key, value: key }));
    },
  };
  return { store, calls: () => calls };
}

describe('listAll', () => {
  it('returns a short listing in one call', async () => {
    const { store, calls } = cappedStore(['u:1', 'u:2', 'x'], 10);
    assert.deepEqual((await listAll(store, 'u:', 10)).map((e) => e.key), ['u:1', 'u:2']);
    assert.equal(calls(), 1);
  });

  it('reads past the page cap page by page, in key order, each key once', async () => {
    const keys = Array.from({ length: 537 }, (_, i) => `u:${(i * 7919 + 13) % 100000}`);
    keys.push('u:', 'u:5', 'schema');
    const { store } = cappedStore(keys, 20);
    const all = (await listAll(store, 'u:', 20)).map((e) => e.key);
    const expected = [...new Set(keys)].filter((k) => k.startsWith('u:')).sort();
    assert.deepEqual(all, expected);
  });
});
