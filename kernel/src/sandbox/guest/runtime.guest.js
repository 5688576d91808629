// The guest runtime: the only code besides the plugin that runs inside a plugin's isolate.
// It is evaluated first, before the plugin, so it captures the builtins it relies on while they
// are still pristine; the plugin can later replace globals without changing how this runs.
// Its completion value is an object of entry points the host holds as references; nothing of it
// is reachable from globalThis, and the host callbacks are removed from globalThis before the
// plugin runs. Every capability is still checked on the host side: this file only shapes calls.
(function installRuntime(host) {
  'use strict';
  delete globalThis.__townesHost;
  // No threads run here, so these only serve to sleep without using CPU (a timeout that looks
  // like a busy machine rather than the plugin's doing).
  delete globalThis.Atomics;
  delete globalThis.SharedArrayBuffer;
  // Sandbox host processes run with --expose-gc so that memory relief can collect plugin heaps
  // (isolated-vm offers no other way); V8 then puts a non-deletable `gc` on every global. The
  // runtime keeps it and leaves the plugin an undefined, read-only property in its place.
  const collectGarbage = typeof globalThis.gc === 'function' ? globalThis.gc : undefined;
  if (collectGarbage) Object.defineProperty(globalThis, 'gc', { value: undefined, writable: false });
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const freeze = Object.freeze;
  const create = Object.create;
  const setPrototypeOf = Object.setPrototypeOf;
  const apply = Reflect.apply;
  const keysOf = Object.keys;
  const MapCtor = Map;
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const mapDelete = Map.prototype.delete;
  const mapForEach = Map.prototype.forEach;
  const PromiseCtor = Promise;
  const promiseThen = Promise.prototype.then;
  const StringCtor = String;
  const strSlice = String.prototype.slice;
  const strIndexOf = String.prototype.indexOf;
  const isFiniteNumber = Number.isFinite;
  // Text for the host is built by concatenation of primitives: JSON.stringify of an object or
  // array would consult a `toJSON` the plugin may have planted on a prototype.
  const slice = (text, from, to) => apply(strSlice, text, to === undefined ? [from] : [from, to]);
  const quote = (text) => stringify(StringCtor(text));
  const ErrorCtor = Error;
  const act = host.act;
  const logCall = host.log;
  const MAX_RESULT_CHARS = 64 * 1024;
  // Storage calls handed to the host in one round, and their characters (the rest wait for the
  // next round; a call larger than that goes alone): what crosses at once stays small.
  const MAX_CALLS_PER_ROUND = 4096;
  const MAX_CHARS_PER_ROUND = 1024 * 1024;

  let plugin = null;
  let permissions = create(null);
  // Guild configs arrive as JSON text. Many guilds share the same config (often the defaults),
  // so each distinct text is parsed and frozen once and shared: guildId -> text -> object.
  const configs = new MapCtor(); // guildId -> { text, value, refs }
  const parsedConfigs = new MapCtor(); // text -> the same entry
  const pending = new MapCtor(); // opId -> the call, waiting for the host to load what it reads
  // Lists the runtime fills by index: with no prototype, a setter the plugin plants on
  // Array.prototype cannot see or change what goes in them.
  const list = () => setPrototypeOf([], null);
  let queued = list(); // calls made since the host last took them: { seq, op, key, value, opId, resolve, reject }
  let asked = list(); // calls the host took and has yet to answer, in order
  const live = new MapCtor(); // seq -> true while the item may still complete
  let done = ''; // settled items, as JSON rows joined by commas

  class HostError extends ErrorCtor {
    constructor(code, message) {
      super(message);
      this.name = 'HostError';
      this.code = code;
    }
  }
  globalThis.HostError = HostError;

  function deepFreeze(value) {
    if (value !== null && typeof value === 'object') {
      const ks = keysOf(value);
      for (let n = 0; n < ks.length; n++) deepFreeze(value[ks[n]]);
      freeze(value);
    }
    return value;
  }

  function setConfig(guildId, text) {
    const before = apply(mapGet, configs, [guildId]);
    if (before !== undefined) {
      if (before.text === text) return;
      if (--before.refs === 0) apply(mapDelete, parsedConfigs, [before.text]);
    }
    if (text === undefined) {
      apply(mapDelete, configs, [guildId]);
      return;
    }
    let shared = apply(mapGet, parsedConfigs, [text]);
    if (shared) shared.refs++;
    else apply(mapSet, parsedConfigs, [text, (shared = { text, value: deepFreeze(parse(text)), refs: 1 })]);
    apply(mapSet, configs, [guildId, shared]);
  }

  function hostError(answer) {
    const sep = apply(strIndexOf, answer, [':']);
    return new HostError(slice(answer, 1, sep), slice(answer, sep + 1));
  }

  // Storage calls cross to the host in rounds, not one by one: a call is queued and answered
  // when the host takes the queue after the isolate returns (see PluginIsolate.run), so a batch
  // of items crosses the isolate boundary a few times instead of twice per item. Answers:
  // h<json> hit, n not found, k / k1 / k0 ok, l<json> list, m<opId> miss (the host loads the
  // key and later asks us to retry), e<code>:<message> error.
  function storageCall(seq, op, key, value) {
    return new PromiseCtor((resolve, reject) => {
      queued[queued.length] = { seq, op, key, value, opId: '', resolve, reject };
    });
  }

  function settle(call, answer) {
    const tag = answer[0];
    if (tag === 'm') apply(mapSet, pending, [slice(answer, 1), call]);
    else if (tag === 'e') call.reject(hostError(answer));
    else if (tag === 'h' || tag === 'l') call.resolve(parse(slice(answer, 1)));
    else if (answer === 'k1') call.resolve(true);
    else if (answer === 'k0') call.resolve(false);
    else call.resolve(undefined);
  }

  function serialise(value) {
    if (value === undefined) throw new HostError('INVALID_ARGUMENT', 'storage values must be JSON values, not undefined');
    const text = stringify(value);
    if (typeof text !== 'string') throw new HostError('INVALID_ARGUMENT', 'storage values must be JSON values');
    return text;
  }

  // The objects a handler gets: one small instance per event, its methods shared on frozen
  // prototypes, the event's seq in a private field the plugin can neither read nor forge.
  class StorageApi {
    #seq;
    constructor(seq) { this.#seq = seq; }
    get(key) { return storageCall(this.#seq, 'get', StringCtor(key), ''); }
    set(key, value) {
      let text;
      try { text = serialise(value); } catch (e) { return PromiseCtor.reject(e); }
      return storageCall(this.#seq, 'set', StringCtor(key), text);
    }
    delete(key) { return storageCall(this.#seq, 'delete', StringCtor(key), ''); }
    list(options) {
      const prefix = options && options.prefix !== undefined ? StringCtor(options.prefix) : '';
      const limit = options && options.limit !== undefined ? +options.limit : 1000;
      const after = options && options.after !== undefined ? StringCtor(options.after) : null;
      const listOptions = '{"limit":' + (isFiniteNumber(limit) ? limit : 'null') + ',"after":' + (after === null ? 'null' : quote(after)) + '}';
      return storageCall(this.#seq, 'list', prefix, listOptions);
    }
  }

  function action(seq, type, body) {
    const answer = act(seq, type, stringify(body));
    if (answer !== '') throw hostError(answer);
  }

  class DiscordApi {
    #seq;
    constructor(seq) { this.#seq = seq; }
    sendMessage(channelId, message) { action(this.#seq, 'sendMessage', { channelId, message }); }
    sendDirectMessage(userId, message) { action(this.#seq, 'sendDirectMessage', { userId, message }); }
    addRole(userId, roleId, reason) { action(this.#seq, 'addRole', { userId, roleId, reason }); }
    removeRole(userId, roleId, reason) { action(this.#seq, 'removeRole', { userId, roleId, reason }); }
  }

  class LogApi {
    #seq;
    constructor(seq) { this.#seq = seq; }
    info(message, data) { logCall(this.#seq, 'info', StringCtor(message), data === undefined ? '' : stringify(data)); }
    warn(message, data) { logCall(this.#seq, 'warn', StringCtor(message), data === undefined ? '' : stringify(data)); }
    error(message, data) { logCall(this.#seq, 'error', StringCtor(message), data === undefined ? '' : stringify(data)); }
  }

  for (const api of [StorageApi, DiscordApi, LogApi]) {
    freeze(api.prototype);
    freeze(api);
  }
  const emptyConfig = freeze(create(null));

  // The context is built as a literal and then given a null prototype: Object.create(null) makes
  // a dictionary-mode object, and freezing that cost about 1 µs an event (6-11% of a simple
  // handler's time in the isolate, measured). A literal defines its properties without running
  // any setter a plugin may have planted on Object.prototype.
  function makeContext(seq, guildId, kind) {
    const log = freeze(new LogApi(seq));
    let ctx;
    if (kind === 'up' || kind === 'down') {
      ctx = { guildId, log, storage: freeze(new StorageApi(seq)) };
    } else {
      const shared = apply(mapGet, configs, [guildId]);
      const config = shared ? shared.value : emptyConfig;
      const discord = freeze(new DiscordApi(seq));
      ctx = permissions.storage ? { guildId, log, storage: freeze(new StorageApi(seq)), config, discord } : { guildId, log, config, discord };
    }
    setPrototypeOf(ctx, null);
    return freeze(ctx);
  }

  function errorText(name, message, code) {
    return '{"name":' + quote(name) + ',"message":' + quote(message) + (code === undefined ? '' : ',"code":' + quote(code)) + '}';
  }

  // JSON text describing a thrown value, whatever it is (getters, toString and Proxies may throw).
  function describe(error) {
    try {
      if (error instanceof ErrorCtor) {
        return errorText(slice(StringCtor(error.name), 0, 100), slice(StringCtor(error.message), 0, 2000), error.code === undefined ? undefined : slice(StringCtor(error.code), 0, 100));
      }
      return errorText('NonErrorThrown', slice('thrown value: ' + (typeof error === 'symbol' ? 'a symbol' : StringCtor(error)), 0, 2000));
    } catch {
      return errorText('NonErrorThrown', 'thrown value could not be described');
    }
  }

  function finish(seq, ok, value) {
    if (!apply(mapGet, live, [seq])) return; // abandoned or already settled
    apply(mapDelete, live, [seq]);
    let text;
    try {
      text = ok ? (value === undefined ? 'null' : stringify(value)) : describe(value);
      if (typeof text !== 'string') text = 'null';
    } catch (e) {
      ok = false;
      text = describe(e);
    }
    if (text.length > MAX_RESULT_CHARS) {
      ok = false;
      text = errorText('HostError', 'result of ' + text.length + ' characters exceeds ' + MAX_RESULT_CHARS, 'RESULT_TOO_LARGE');
    }
    done += (done === '' ? '' : ',') + '[' + seq + ',' + (ok ? 1 : 0) + ',' + quote(text) + ']';
  }

  function handlerFor(kind, name) {
    if (kind === 'event') return plugin.events && plugin.events[name];
    if (kind === 'command') return plugin.commands && plugin.commands[name];
    const step = plugin.migrations && plugin.migrations[name];
    return step && step[kind];
  }

  // One work item: its fields arrive side by side in the pushed list, its payload as JSON text.
  function start(seq, kind, name, guildId, payloadText) {
    apply(mapSet, live, [seq, true]);
    let result;
    try {
      const handler = handlerFor(kind, name);
      if (typeof handler !== 'function') throw new HostError('NO_HANDLER', 'no handler for ' + kind + ' ' + name);
      const ctx = makeContext(seq, guildId, kind);
      result = kind === 'up' || kind === 'down' ? handler(ctx) : handler(ctx, parse(payloadText));
    } catch (e) {
      finish(seq, false, e);
      return;
    }
    apply(promiseThen, PromiseCtor.resolve(result), [(v) => finish(seq, true, v), (e) => finish(seq, false, e)]);
  }

  return freeze({
    // Reads the plugin's definition (left on globalThis by its bundle) and hides it.
    init(globalName, permissionsJson) {
      const exported = globalThis[globalName];
      // esbuild declares the global with `var`, which cannot be deleted; blank it instead.
      globalThis[globalName] = undefined;
      plugin = exported && exported.default ? exported.default : exported;
      if (!plugin || typeof plugin !== 'object') throw new ErrorCtor('the bundle did not export a plugin definition (export default definePlugin({...}))');
      permissions = create(null);
      const granted = parse(permissionsJson);
      for (let n = 0; n < granted.length; n++) permissions[granted[n]] = true;
      const names = (o) => {
        const keys = o && typeof o === 'object' ? keysOf(o) : [];
        let text = '';
        for (let n = 0; n < keys.length; n++) text += (n === 0 ? '' : ',') + quote(keys[n]);
        return '[' + text + ']';
      };
      return '{"events":' + names(plugin.events) + ',"commands":' + names(plugin.commands) + ',"migrations":' + names(plugin.migrations) + '}';
    },
    // Lists copied into this isolate's heap (see PluginIsolate.push): configs as [guildId, text]
    // pairs, storage reads to retry, abandoned seqs, and items as [seq, kind, name, guildId, payload].
    push(c, r, a, items) {
      for (let n = 0; n + 1 < c.length; n += 2) setConfig(c[n], c[n + 1]);
      for (let n = 0; n < a.length; n++) apply(mapDelete, live, [a[n]]);
      if (a.length > 0) {
        // Forget the storage reads the abandoned items were waiting for.
        const gone = new MapCtor();
        for (let n = 0; n < a.length; n++) apply(mapSet, gone, [a[n], true]);
        apply(mapForEach, pending, [(p, opId) => { if (apply(mapGet, gone, [p.seq])) apply(mapDelete, pending, [opId]); }]);
      }
      for (let n = 0; n < r.length; n++) {
        const opId = r[n];
        const call = apply(mapGet, pending, [opId]);
        if (!call) continue;
        apply(mapDelete, pending, [opId]);
        if (!apply(mapGet, live, [call.seq])) continue;
        call.opId = opId;
        queued[queued.length] = call;
      }
      for (let n = 0; n + 4 < items.length; n += 5) start(items[n], items[n + 1], items[n + 2], items[n + 3], items[n + 4]);
    },
    // The storage calls queued so far, oldest first, as [seq, op, key, value, opId] flattened.
    takeCalls() {
      const out = list();
      const rest = list();
      let taken = 0;
      let chars = 0;
      for (let n = 0; n < queued.length; n++) {
        const call = queued[n];
        chars += call.key.length + call.value.length;
        if (rest.length > 0 || taken >= MAX_CALLS_PER_ROUND || (taken > 0 && chars > MAX_CHARS_PER_ROUND)) {
          rest[rest.length] = call;
          continue;
        }
        taken++;
        asked[n] = call;
        const at = n * 5;
        out[at] = call.seq;
        out[at + 1] = call.op;
        out[at + 2] = call.key;
        out[at + 3] = call.value;
        out[at + 4] = call.opId;
      }
      queued = rest;
      return out;
    },
    // The host's answers to the calls it took, in the same order; the promises settle at once.
    answer(answers) {
      const calls = asked;
      asked = list();
      for (let n = 0; n < calls.length; n++) settle(calls[n], answers[n]);
    },
    collect() {
      const out = '[' + done + ']';
      done = '';
      return out;
    },
    forget(guildId) {
      setConfig(guildId, undefined);
    },
    // A full collection that also gives freed pages back (V8's "last resort" flavour); the host
    // asks for it only while relieving memory. Nothing to do without --expose-gc.
    releaseMemory() {
      if (collectGarbage) collectGarbage({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    },
  });
})(globalThis.__townesHost);
