/**
 * Handlers that throw (or reject with) values that are not Errors, or Errors that fight being
 * described: strings, numbers, null, undefined, symbols, BigInts, functions, objects with
 * throwing getters, toString or Symbol.toPrimitive, Proxies with throwing traps, circular
 * objects, enormous messages. Each is described safely and briefly, counts as a plain error (not
 * a fault), and ten in a row quarantine the plugin.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GUILD_A,
  assertCollateralFree,
  assertHealthy,
  assertHealthyEverywhere,
  assertNotQuarantined,
  assertQuarantined,
  assertRunnerClean,
  GUILD_B,
  buildBundle,
  command,
  setup,
} from './support.ts';

const THROWER = '@hostile/thrower';

/** JS expressions of the values thrown, and how the runner must see them. */
const CASES: Array<[string, string, string | RegExp]> = [
  ['string', `'boom'`, 'NonErrorThrown: thrown value: boom'],
  ['number', `42`, 'NonErrorThrown: thrown value: 42'],
  ['null', `null`, 'NonErrorThrown: thrown value: null'],
  ['undefined', `undefined`, 'NonErrorThrown: thrown value: undefined'],
  ['symbol', `Symbol('secret')`, 'NonErrorThrown: thrown value: a symbol'],
  ['bigint', `10n ** 30n`, 'NonErrorThrown: thrown value: 1000000000000000000000000000000'],
  ['function', `function sneaky() {}`, 'NonErrorThrown: thrown value: function sneaky() {}'],
  ['circular', `(() => { const o = { a: [] }; o.self = o; o.a.push(o); return o; })()`, 'NonErrorThrown: thrown value: [object Object]'],
  ['circular-error', `(() => { const e = new Error('loop'); e.cause = e; e.self = e; return e; })()`, 'Error: loop'],
  ['throwing-getters', `{ get name() { throw new Error('no'); }, get message() { throw new Error('no'); } }`, 'NonErrorThrown: thrown value: [object Object]'],
  ['throwing-toString', `{ toString() { throw new Error('no'); } }`, 'NonErrorThrown: thrown value could not be described'],
  ['throwing-toPrimitive', `{ [Symbol.toPrimitive]() { throw new Error('no'); } }`, 'NonErrorThrown: thrown value could not be described'],
  ['error-throwing-message', `(() => { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('no'); } }); return e; })()`, 'NonErrorThrown: thrown value could not be described'],
  ['error-throwing-code', `(() => { const e = new TypeError('x'); Object.defineProperty(e, 'code', { get() { throw e; } }); return e; })()`, 'NonErrorThrown: thrown value could not be described'],
  ['error-name-object', `(() => { const e = new Error('x'); e.name = { toString() { throw new Error('no'); } }; return e; })()`, 'NonErrorThrown: thrown value could not be described'],
  ['proxy-throwing-traps', `new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, has() { throw new Error('trap'); } })`, 'NonErrorThrown: thrown value could not be described'],
  ['proxy-of-error', `new Proxy(new RangeError('wrapped'), {})`, 'RangeError: wrapped'],
  ['revoked-proxy', `(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })()`, 'NonErrorThrown: thrown value could not be described'],
  ['huge-message', `new Error('m'.repeat(5 * 1024 * 1024))`, /^Error: m{2000}$/],
  ['huge-string', `'s'.repeat(5 * 1024 * 1024)`, /^NonErrorThrown: thrown value: s{1986}$/],
  ['host-error-lookalike', `{ name: 'HostError', code: 'CAPABILITY_DENIED', message: 'forged' }`, 'NonErrorThrown: thrown value: [object Object]'],
];

const throwerBundle = buildBundle({
  name: THROWER,
  commands: ['throw', 'reject', 'behave'],
  limits: { memoryMb: 64, cpuMsPerEvent: 200 },
  definition: `{
    commands: {
      throw(ctx, i) { throw VALUES[i.options.kind](); },
      reject(ctx, i) { return Promise.reject(VALUES[i.options.kind]()); },
      behave() { return 'fine'; },
    },
  }`,
  prelude: `const VALUES = { ${CASES.map(([kind, expr]) => `${JSON.stringify(kind)}: () => (${expr})`).join(',\n')} };`,
});

describe('throwing non-Error values', () => {
  test('every odd value is described safely and briefly, as an error (not a fault)', { timeout: 60_000 }, async () => {
    const t = await setup([throwerBundle]);
    try {
      const pids = t.kernel.sandboxPids;
      let inARow = 0;
      for (const [kind, , expected] of CASES) {
        for (const how of ['throw', 'reject']) {
          const o = await command(t.kernel, GUILD_A, how, { kind });
          assert.equal(o.ok, false, `${how} ${kind}: ${JSON.stringify(o)}`);
          assert.equal(o.fault, undefined, `${how} ${kind} became a fault: ${JSON.stringify(o).slice(0, 300)}`);
          if (typeof expected === 'string') assert.equal(o.error, expected, `${how} ${kind}`);
          else assert.match(o.error ?? '', expected, `${how} ${kind}: ${(o.error ?? '').slice(0, 100)}`);
          assert.ok(JSON.stringify(o).length < 2500);
          // Stay clear of the errors-in-a-row quarantine while surveying.
          if (++inARow === 8) {
            assert.equal((await command(t.kernel, GUILD_A, 'behave')).reply?.content, 'fine');
            inARow = 0;
          }
        }
      }
      assertNotQuarantined(t, THROWER);
      assert.deepEqual(t.kernel.sandboxPids, pids);
      await assertHealthy(t.kernel, GUILD_B, 1000);

      // Ten in a row, whatever they throw, stop the plugin.
      assert.equal((await command(t.kernel, GUILD_A, 'behave')).reply?.content, 'fine');
      for (let n = 0; n < 10; n++) {
        if (n === 9) assertNotQuarantined(t, THROWER);
        const [kind] = CASES[n % CASES.length] ?? ['string'];
        await command(t.kernel, GUILD_A, n % 2 ? 'reject' : 'throw', { kind });
      }
      await assertQuarantined(t, THROWER, GUILD_A, 'repeated-errors');
      await assertHealthyEverywhere(t);
      assert.deepEqual(t.kernel.sandboxPids, pids);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });
});
