/**
 * Hostile plugins that try to reach the host: the Function constructor, `Function('return this')`,
 * leaked host callbacks, stack-frame introspection, dynamic import; prototype pollution of the
 * builtins the guest runtime shares with the plugin; tampering with HostError; subverting the
 * guest runtime itself. Nothing of the host is reachable, the pollution stays in the plugin's own
 * isolate, the host still enforces every capability, and a subverted runtime is a fault of that
 * plugin, never a crash of the sandbox host.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CHANNEL,
  GUILD_A,
  GUILD_B,
  GUILD_C,
  assertCollateralFree,
  assertEchoes,
  assertHealthy,
  assertHealthyEverywhere,
  assertNotQuarantined,
  assertQuarantined,
  assertRunnerClean,
  buildBundle,
  command,
  outcomeOf,
  send,
  setup,
} from './support.ts';

/** What a bare V8 context offers (isolated-vm adds nothing; the runtime removes Atomics and SharedArrayBuffer); anything else would be a leak. */
const STANDARD_GLOBALS = new Set(
  'Object,Function,Array,Number,parseFloat,parseInt,Infinity,NaN,undefined,Boolean,String,Symbol,Date,Promise,RegExp,Error,AggregateError,EvalError,RangeError,ReferenceError,SyntaxError,TypeError,URIError,globalThis,JSON,Math,Intl,ArrayBuffer,Atomics,Uint8Array,Int8Array,Uint16Array,Int16Array,Uint32Array,Int32Array,BigUint64Array,BigInt64Array,Uint8ClampedArray,Float32Array,Float64Array,DataView,Map,BigInt,Set,Iterator,WeakMap,WeakSet,Proxy,Reflect,FinalizationRegistry,WeakRef,decodeURI,decodeURIComponent,encodeURI,encodeURIComponent,escape,unescape,eval,isFinite,isNaN,console,SuppressedError,DisposableStack,AsyncDisposableStack,Float16Array,SharedArrayBuffer,WebAssembly'.split(','),
);

describe('reaching the host', () => {
  const PROBE = '@hostile/probe';
  const probeBundle = buildBundle({
    name: PROBE,
    commands: ['probe'],
    // At load time, right after the guest runtime ran: is anything of the host still around?
    prelude: `
      const standard = new Set(${JSON.stringify([...STANDARD_GLOBALS])});
      const extraGlobals = () => Object.getOwnPropertyNames(globalThis).filter((n) => !standard.has(n)).sort();
      const atLoad = { host: typeof globalThis.__townesHost, extra: extraGlobals() };
    `,
    definition: `{
      commands: {
        async probe(ctx) {
          const f = { atLoadHost: atLoad.host, atLoadExtra: atLoad.extra };
          const attempt = (name, fn) => { try { f[name] = fn(); } catch (e) { f[name] = 'threw ' + (e && e.name); } };
          attempt('ctorProcess', () => this.constructor.constructor('return typeof process')());
          attempt('ctorRequire', () => this.constructor.constructor('return typeof require')());
          attempt('fnThisIsGlobal', () => Function('return this')() === globalThis);
          attempt('arrowCtor', () => (() => 0).constructor('return typeof module')());
          attempt('asyncCtor', () => typeof (async () => 0).constructor);
          attempt('evalProcess', () => eval('typeof process'));
          const g = Function('return this')();
          const names = ['process', 'require', 'module', 'exports', 'Buffer', 'global', '__townesHost', 'setTimeout', 'setInterval',
            'setImmediate', 'queueMicrotask', 'fetch', 'XMLHttpRequest', 'ivm', '_ivm', 'Deno', 'Bun', 'navigator', '__filename', '__dirname'];
          f.reachable = names.filter((n) => { try { return n in g || typeof g[n] !== 'undefined'; } catch { return true; } });
          f.extra = extraGlobals();
          // Sandbox hosts run with --expose-gc (memory relief collects plugin heaps): the runtime
          // must have left an undefined, read-only property where V8 put the function.
          const gcSlot = Object.getOwnPropertyDescriptor(globalThis, 'gc');
          f.gc = gcSlot ? { type: typeof gcSlot.value, writable: gcSlot.writable, configurable: gcSlot.configurable } : 'absent';
          attempt('gcRestored', () => { globalThis.gc = () => 0; return typeof globalThis.gc; });
          f.bundleGlobal = typeof globalThis.__townesPlugin;
          f.ctxKeys = Object.getOwnPropertyNames(ctx).sort();
          f.ctxProtoNull = Object.getPrototypeOf(ctx) === null;
          f.ctxFrozen = Object.isFrozen(ctx) && Object.isFrozen(ctx.discord) && Object.isFrozen(ctx.log);
          attempt('callerOfHostCall', () => typeof ctx.discord.sendMessage.caller);
          // Stack frames of the runtime must not hand out its functions or receivers.
          Error.prepareStackTrace = (e, frames) => frames.map((c) => ({ file: c.getFileName(), self: typeof c.getThis(), fn: typeof c.getFunction() }));
          const frames = new Error().stack;
          Error.prepareStackTrace = undefined;
          f.runtimeFrames = frames.filter((x) => x.file === 'townes:runtime');
          try { await import('node:fs'); f.dynamicImport = 'imported'; } catch (e) { f.dynamicImport = 'refused'; }
          try { f.consoleLog = typeof console.log('probing'); } catch (e) { f.consoleLog = 'threw'; }
          return JSON.stringify(f);
        },
      },
    }`,
  });

  test('no host object is reachable: no process, require, timers, host callbacks or runtime internals', { timeout: 30_000 }, async () => {
    const t = await setup([probeBundle]);
    try {
      const outcome = await command(t.kernel, GUILD_A, 'probe');
      assert.equal(outcome.ok, true, JSON.stringify(outcome));
      const f = JSON.parse(outcome.reply?.content ?? '{}') as Record<string, unknown>;
      assert.equal(f.atLoadHost, 'undefined', 'the host callbacks were still on globalThis when the bundle ran');
      assert.equal(f.ctorProcess, 'undefined');
      assert.equal(f.ctorRequire, 'undefined');
      assert.equal(f.arrowCtor, 'undefined');
      assert.equal(f.evalProcess, 'undefined');
      assert.equal(f.fnThisIsGlobal, true, 'Function("return this") is the isolate\'s own global');
      assert.deepEqual(f.reachable, []);
      // Beyond a bare V8 context: only the runtime's HostError, the (blanked) bundle global and
      // the blanked `gc` that --expose-gc puts on every global.
      assert.deepEqual(f.atLoadExtra, ['HostError', '__townesPlugin', 'gc']);
      assert.deepEqual(f.extra, ['HostError', '__townesPlugin', 'gc']);
      assert.deepEqual(f.gc, { type: 'undefined', writable: false, configurable: false });
      assert.equal(f.gcRestored, 'undefined');
      assert.equal(f.bundleGlobal, 'undefined', 'the plugin definition is left on globalThis');
      assert.deepEqual(f.ctxKeys, ['config', 'discord', 'guildId', 'log'], 'a plugin without storage permission got more than it declared');
      assert.equal(f.ctxProtoNull, true);
      assert.equal(f.ctxFrozen, true);
      assert.equal(f.callerOfHostCall, 'threw TypeError');
      assert.deepEqual(f.runtimeFrames, [
        { file: 'townes:runtime', self: 'undefined', fn: 'undefined' },
        { file: 'townes:runtime', self: 'undefined', fn: 'undefined' },
      ]);
      assert.equal(f.dynamicImport, 'refused');
      assert.equal(f.consoleLog, 'undefined');
      // Nothing escaped into the runner either.
      assert.equal(typeof (globalThis as Record<string, unknown>).__townesPlugin, 'undefined');
      assertNotQuarantined(t, PROBE);
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
    } finally {
      await t.close();
    }
  });

  const POLLUTER = '@hostile/polluter';
  const polluterBundle = buildBundle({
    name: POLLUTER,
    // No capability at all: every Discord or storage call must be refused by the host.
    events: ['messageCreate'],
    commands: ['pollute', 'report', 'hosterror'],
    definition: `{
      events: {
        messageCreate(ctx, event) {
          if (!event.content.startsWith('try-send')) return;
          // The guest runtime's shapes are tampered with; only the host's checks stand in the way.
          try { ctx.discord.sendMessage(event.channelId, 'escaped ' + event.content); } catch (e) { /* swallowed */ }
          try { ctx.discord.addRole(event.author.id, '111111111111111111', 'escaped'); } catch (e) { /* swallowed */ }
          try { if (ctx.storage) ctx.storage.set('escaped', true); } catch (e) { /* swallowed */ }
        },
      },
      commands: {
        pollute() {
          Object.prototype.polluted = 'yes';
          Object.prototype['discord.messages.send'] = true;
          Object.prototype['discord.roles.manage'] = true;
          Object.prototype.storage = { set() { return Promise.resolve(); }, get() { return Promise.resolve('forged'); } };
          Object.prototype.grants = ['discord.messages.send', 'storage'];
          Object.prototype.permissions = ['discord.messages.send', 'storage'];
          Array.prototype.includes = () => true;
          Array.prototype.push = function () { return 0; };
          const realStringify = JSON.stringify;
          JSON.stringify = (v) => realStringify({ forged: true, v });
          JSON.parse = () => ({ forged: true });
          Promise.prototype.then = function (ok) { try { ok('forged'); } catch (e) {} return this; };
          return 'polluted';
        },
        report() { return 'real answer'; },
        hosterror(ctx) {
          const Original = HostError;
          globalThis.HostError = class Spoofed extends Error { constructor() { super('spoofed'); this.code = 'OK'; } };
          Original.prototype.spoofed = true;
          let caught;
          try { ctx.discord.sendMessage('${CHANNEL}', 'escaped by tampering with HostError'); } catch (e) { caught = e; }
          return realStringifyOf({ isOriginal: caught instanceof Original, isSpoof: caught instanceof globalThis.HostError, code: caught && caught.code, message: caught && caught.message });
        },
      },
    }`,
    prelude: `const realStringifyOf = JSON.stringify;`,
  });

  test('prototype pollution stays in the plugin\'s isolate and cannot bypass capability checks; repeated denials quarantine it', { timeout: 30_000 }, async () => {
    const t = await setup([polluterBundle]);
    try {
      const polluted = await command(t.kernel, GUILD_A, 'pollute');
      assert.equal(polluted.ok, true, JSON.stringify(polluted));
      assert.equal(polluted.reply?.content, 'polluted');
      // The runtime kept its own JSON and Promise: the reply is the real one, not a forgery.
      const report = await command(t.kernel, GUILD_A, 'report');
      assert.deepEqual(report.reply, { content: 'real answer' });
      // Other plugins have their own isolates: nothing of the pollution reaches them, in any guild.
      await assertEchoes(t, GUILD_A);
      await assertEchoes(t, GUILD_B);
      await assertHealthy(t.kernel, GUILD_C, 1000);
      // HostError tampering changes nothing the host decides; the plugin still gets the real error.
      const tampered = await command(t.kernel, GUILD_A, 'hosterror');
      assert.equal(tampered.ok, true, JSON.stringify(tampered));
      assert.deepEqual(JSON.parse(tampered.reply?.content ?? '{}'), {
        isOriginal: true,
        isSpoof: false,
        code: 'CAPABILITY_DENIED',
        message: '"discord.messages.send" is not permitted: the manifest does not declare it',
      });
      assertNotQuarantined(t, POLLUTER); // one strike so far
      for (let n = 1; n <= 2; n++) {
        const o = outcomeOf(await send(t.kernel, GUILD_A, `try-send ${n}`), POLLUTER);
        assert.equal(o.ok, true, JSON.stringify(o));
        assert.deepEqual(o.actions, []);
      }
      // Nothing the polluter attempted was performed or stored.
      assert.equal(t.actions.actions.some((e) => e.plugin === POLLUTER), false);
      assert.deepEqual(await t.store.list({ plugin: POLLUTER, guildId: GUILD_A }, '', 10), []);
      const denied = t.incidents.filter((i) => i.kind === 'capability-denied' && i.plugin === POLLUTER);
      assert.deepEqual(denied.map((i) => [i.severity, i.message]).sort(), [
        ['warning', `${POLLUTER}@1.0.0 called "discord.messages.send", which its manifest does not declare`],
        ['warning', `${POLLUTER}@1.0.0 called "discord.roles.manage", which its manifest does not declare`],
      ]);
      await assertQuarantined(t, POLLUTER, GUILD_A, 'denied-calls');
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });
});

describe('tampering the guest runtime ignores', () => {
  // The guest runtime writes its results by concatenating strings and keeps its lists (the
  // storage calls waiting for the host) without a prototype, so these do not touch it at all:
  // the handler's own result comes out, unchanged.
  const attacks: Record<string, string> = {
    'array-index-setter': `Object.defineProperty(Array.prototype, '0', { set() { throw new Error('gotcha'); }, configurable: true }); return 'x';`,
    'results-not-a-list': `Array.prototype.toJSON = function () { return 42; }; return 'x';`,
    'results-not-json': `Array.prototype.toJSON = function () { delete Array.prototype.toJSON; return [...this].map((r) => [r[0], 1, '{{{']); }; return 'x';`,
    'object-to-json': `Object.prototype.toJSON = function () { return { forged: true }; }; return 'x';`,
  };
  for (const [name, body] of Object.entries(attacks)) {
    test(`${name}: no effect on results, the sandbox host, or other plugins`, { timeout: 30_000 }, async () => {
      const plugin = `@hostile/tamper-${name}`;
      const bundle = buildBundle({ name: plugin, commands: ['attack'], definition: `{ commands: { attack() { ${body} } } }` });
      const t = await setup([bundle]);
      try {
        const pids = t.kernel.sandboxPids;
        for (let i = 0; i < 3; i++) {
          const o = await command(t.kernel, GUILD_A, 'attack');
          assert.equal(o.ok, true, JSON.stringify(o));
          assert.deepEqual(o.reply, { content: 'x' });
        }
        assert.deepEqual(t.kernel.sandboxPids, pids, 'the sandbox host process died');
        assertNotQuarantined(t, plugin);
        await assertHealthyEverywhere(t);
        assertCollateralFree(t);
        assertRunnerClean();
      } finally {
        await t.close();
      }
    });
  }
});

test('index accessors planted on Array.prototype and Object.prototype do not see or change the storage calls waiting for the host', { timeout: 30_000 }, async () => {
  const plugin = '@hostile/tamper-storage-calls';
  const bundle = buildBundle({
    name: plugin,
    permissions: ['storage'],
    commands: ['attack'],
    definition: `{
      commands: {
        async attack(ctx) {
          const seen = [];
          for (let i = 0; i < 16; i++) {
            for (const proto of [Array.prototype, Object.prototype]) {
              Object.defineProperty(proto, String(i), { set(v) { seen[seen.length] = v; }, get() { return 'forged'; }, configurable: true });
            }
          }
          const [, first] = await Promise.all([ctx.storage.set('k', { n: 1 }), ctx.storage.get('k')]);
          await ctx.storage.set('k', { n: 2 });
          const second = await ctx.storage.get('k');
          return JSON.stringify({ first, second, seen: seen.length });
        },
      },
    }`,
  });
  const t = await setup([bundle]);
  try {
    const pids = t.kernel.sandboxPids;
    const o = await command(t.kernel, GUILD_A, 'attack');
    assert.equal(o.ok, true, JSON.stringify(o));
    assert.deepEqual(JSON.parse(o.reply?.content ?? '{}'), { first: { n: 1 }, second: { n: 2 }, seen: 0 });
    assert.deepEqual(await t.store.list({ plugin, guildId: GUILD_A }, '', 10), [{ key: 'k', value: '{"n":2}' }]);
    assert.deepEqual(t.kernel.sandboxPids, pids, 'the sandbox host process died');
    assertNotQuarantined(t, plugin);
    await assertHealthyEverywhere(t);
    assertCollateralFree(t);
  } finally {
    await t.close();
  }
});

test('a toJSON bomb planted at load (a 10^7-element DAG) does not reach the sandbox hosts', { timeout: 30_000 }, async () => {
  const plugin = '@hostile/dag-bomb';
  const bundle = buildBundle({
    name: plugin,
    commands: ['attack'],
    definition: `(() => {
      let node = [];
      for (let d = 0; d < 7; d++) node = new Array(10).fill(node);
      Object.prototype.toJSON = function () { return node; };
      Array.prototype.toJSON = function () { return node; };
      return { commands: { attack() { return 'x'; } } };
    })()`,
  });
  const t = await setup([bundle]);
  try {
    const pids = t.kernel.sandboxPids;
    const o = await command(t.kernel, GUILD_A, 'attack');
    assert.equal(o.ok, true, JSON.stringify(o).slice(0, 300));
    assert.deepEqual(o.reply, { content: 'x' });
    assert.deepEqual(t.kernel.sandboxPids, pids, 'a sandbox host process died');
    await assertHealthyEverywhere(t);
    assertRunnerClean();
  } finally {
    await t.close();
  }
});

describe('subverting the guest runtime', () => {
  // Each attack breaks a builtin the guest runtime relies on after the handler returns. Before the
  // fix these threw out of the runtime and crashed the whole sandbox host process (3 times per
  // event); now each is a fault of the plugin, handled like any other.
  const attacks: Record<string, string> = {
    'constructor-getter': `const p = Promise.resolve('x'); Object.defineProperty(p, 'constructor', { get() { throw new Error('gotcha'); } }); return p;`,
    'promise-resolve': `Promise.resolve = function () { throw new Error('gotcha'); }; return 'x';`,
  };
  for (const [name, body] of Object.entries(attacks)) {
    test(`${name}: a fault of the plugin, the sandbox host survives, quarantined after 3`, { timeout: 30_000 }, async () => {
      const plugin = `@hostile/subvert-${name}`;
      const bundle = buildBundle({ name: plugin, commands: ['attack'], events: ['messageCreate'], definition: `{ commands: { attack() { ${body} } }, events: { messageCreate(ctx) { ${body} } } }` });
      const t = await setup([bundle]);
      try {
        const pids = t.kernel.sandboxPids;
        const outcomes = [await command(t.kernel, GUILD_A, 'attack'), outcomeOf(await send(t.kernel, GUILD_A, 'attack'), plugin), await command(t.kernel, GUILD_A, 'attack')];
        for (const o of outcomes) {
          assert.equal(o.ok, false);
          assert.equal(o.fault, 'isolate-crash', JSON.stringify(o));
          assert.match(o.error ?? '', /^SandboxFault: the plugin broke the sandbox runtime: /);
        }
        assert.deepEqual(t.kernel.sandboxPids, pids, 'the sandbox host process died');
        await assertQuarantined(t, plugin, GUILD_A, 'runtime-tampering', /broke the sandbox runtime/);
        await assertHealthyEverywhere(t);
        assertCollateralFree(t);
        assertRunnerClean();
      } finally {
        await t.close();
      }
    });
  }
});
