/**
 * Interner: one shared copy per key, bounded by key length and total budget; deepFreeze makes a
 * shared value unchangeable. And in the kernel: guilds with equal configs share one frozen copy,
 * and reconfiguring one guild leaves the others as they were.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Interner, deepFreeze } from '../../src/sandbox/interner.ts';
import { GUILD_A, GUILD_B, inlineBundle, startTestKernel } from '../support/test-kernel.ts';

test('the interner shares one value per key, within its budget and key length', () => {
  const interner = new Interner<{ n: number }>({ budgetChars: 10, maxKeyChars: 6 });
  let made = 0;
  const make = () => ({ n: ++made });
  const a = interner.get('aaaa', make);
  assert.equal(interner.get('aaaa', make), a, 'the same key gives the same value');
  assert.equal(made, 1);
  const long = interner.get('toolong', make);
  assert.notEqual(interner.get('toolong', make), long, 'a key past maxKeyChars is never kept');
  interner.get('bbbbbb', make);
  assert.equal(interner.size, 2, 'aaaa and bbbbbb fit the budget of 10');
  const over = interner.get('cc', make);
  assert.notEqual(interner.get('cc', make), over, 'past the budget, values are handed back unshared');
  assert.equal(interner.size, 2);
});

test('deepFreeze freezes nested objects and arrays', () => {
  const value = deepFreeze({ a: { b: [1, { c: 2 }] } });
  assert.ok(Object.isFrozen(value) && Object.isFrozen(value.a) && Object.isFrozen(value.a.b) && Object.isFrozen(value.a.b[1]));
  assert.throws(() => {
    (value.a.b as unknown as number[]).push(3);
  }, TypeError);
});

const greeter = inlineBundle({ name: '@test/greeter', config: { greeting: { type: 'string' as const, default: 'hi' } } }, '{}');

test('guilds with equal configs share one frozen copy; reconfiguring one leaves the other alone', async () => {
  const t = await startTestKernel([greeter], { hosts: 0 });
  try {
    for (const guildId of [GUILD_A, GUILD_B]) await t.kernel.enable(guildId, { plugin: '@test/greeter', version: '1.0.0', config: { greeting: 'hello' }, grants: [] });
    const config = (guildId: string) => t.kernel.enabled(guildId)[0]?.config;
    assert.equal(config(GUILD_A), config(GUILD_B), 'one shared copy');
    assert.ok(Object.isFrozen(config(GUILD_A)));
    await t.kernel.configure(GUILD_A, '@test/greeter', { greeting: 'welcome' });
    assert.deepEqual(config(GUILD_A), { greeting: 'welcome' });
    assert.deepEqual(config(GUILD_B), { greeting: 'hello' });
  } finally {
    await t.kernel.shutdown(2000);
  }
});
