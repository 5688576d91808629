import { ACTION_CAPABILITY, isActionType, parseAction } from '../actions/plugin-action.ts';
import type { StoredEntry } from '../storage/plugin-store.ts';
import { entryBytes } from '../storage/plugin-store.ts';
import type { HostItem } from './host-item.ts';
import type { ReadRequest } from './slot-reads.ts';
import type { PluginImage } from './sandbox-protocol.ts';
import { cachedValue } from './storage-cache.ts';

const MAX_KEY_CHARS = 200;
const MAX_ACTION_JSON = 32 * 1024;
const MAX_LOG_LINES = 20;
/** Storage reads one item may wait for; a handler that needs more is refused rather than left to spin. */
const MAX_WAITED_READS = 1000;

/** What guest calls need from the slot that runs them. */
export interface GuestCallScope {
  readonly image: PluginImage;
  active(seq: number): HostItem | undefined;
  grants(item: HostItem): ReadonlySet<string>;
  /** Register a storage miss; returns the op id the guest retries with. */
  miss(item: HostItem, request: ReadRequest): string;
  takeListResult(opId: string): StoredEntry[] | undefined;
  takeOpError(opId: string): string | undefined;
}

const err = (code: string, message: string): string => `e${code}:${message}`;

function checkKey(key: string): string | null {
  if (key.length === 0 || key.length > MAX_KEY_CHARS) return err('INVALID_ARGUMENT', `storage keys are 1 to ${MAX_KEY_CHARS} characters`);
  if (key.includes('\u0000')) return err('INVALID_ARGUMENT', 'storage keys cannot contain the character U+0000');
  return null;
}

/**
 * The host side of every call a plugin makes. Each call is checked here, against the manifest
 * and the guild's grant, whatever the guest runtime claims: the guest runtime shares the isolate
 * with the plugin and is treated as untrusted too.
 */
export class GuestCalls {
  readonly #scope: GuestCallScope;
  readonly #permissions: ReadonlySet<string>;

  constructor(scope: GuestCallScope) {
    this.#scope = scope;
    this.#permissions = new Set(scope.image.permissions);
  }

  #permits(item: HostItem, capability: string): boolean {
    return this.#permissions.has(capability) && this.#scope.grants(item).has(capability);
  }

  #deny(item: HostItem, capability: string): string {
    if (!item.denials.includes(capability)) item.denials.push(capability);
    const why = this.#permissions.has(capability) ? 'this server has not granted it' : 'the manifest does not declare it';
    return err('CAPABILITY_DENIED', `"${capability}" is not permitted: ${why}`);
  }

  kv(seq: number, op: string, key: string, value: string, opId: string): string {
    const item = this.#scope.active(seq);
    if (!item) return err('CONTEXT_EXPIRED', 'this context belongs to an event that has finished');
    if (opId) {
      item.misses--;
      const failure = this.#scope.takeOpError(opId);
      if (failure) return err('STORAGE_UNAVAILABLE', failure);
    }
    if (!this.#permits(item, 'storage')) return this.#deny(item, 'storage');
    if (op === 'list') return this.#list(item, key, value, opId);
    const badKey = checkKey(key);
    if (badKey) return badKey;
    const ns = item.ns;
    if (!ns) return err('CONTEXT_EXPIRED', 'no storage for this context');
    const known = item.staged.has(key) ? item.staged.get(key) : cachedValue(ns, key);
    if (known === undefined || (op === 'set' && ns.usage === undefined)) return this.#miss(item, { key });
    if (op === 'get') return known === null ? 'n' : 'h' + known;
    if (op === 'delete') {
      if (known === null) return 'k0';
      item.staged.set(key, null);
      item.stagedDelta -= entryBytes(key, known);
      return 'k1';
    }
    if (op !== 'set') return err('INVALID_ARGUMENT', `unknown storage operation ${op}`);
    // PostgreSQL's jsonb cannot hold U+0000; refusing it here keeps it from failing a whole batch.
    if (value.includes('\\u0000')) return err('INVALID_ARGUMENT', 'storage values cannot contain the character U+0000');
    const delta = entryBytes(key, value) - (known === null ? 0 : entryBytes(key, known));
    const limit = this.#scope.image.limits.storageBytes;
    if ((ns.usage ?? 0) + item.stagedDelta + delta > limit) {
      return err('STORAGE_QUOTA', `this write would use ${(ns.usage ?? 0) + item.stagedDelta + delta} bytes of the ${limit} this plugin may store per server`);
    }
    item.staged.set(key, value);
    item.stagedDelta += delta;
    return 'k';
  }

  #list(item: HostItem, prefix: string, optionsJson: string, opId: string): string {
    let options: { limit?: unknown; after?: unknown };
    try {
      options = JSON.parse(optionsJson) as typeof options;
    } catch {
      return err('INVALID_ARGUMENT', 'list options must be { prefix?, limit?, after? }');
    }
    const limit = Number(options.limit);
    const max = Number.isInteger(limit) && limit > 0 ? Math.min(limit, 1000) : 1000;
    const after = typeof options.after === 'string' ? options.after : undefined;
    if (prefix.length > MAX_KEY_CHARS || (after !== undefined && after.length > MAX_KEY_CHARS)) {
      return err('INVALID_ARGUMENT', `list prefix and after are at most ${MAX_KEY_CHARS} characters`);
    }
    const rows = opId ? this.#scope.takeListResult(opId) : undefined;
    if (!rows) return this.#miss(item, { list: { prefix, limit: max + item.staged.size, ...(after === undefined ? {} : { after }) } });
    const merged = new Map<string, string>();
    for (const row of rows) merged.set(row.key, row.value);
    for (const [k, v] of item.staged) {
      if (!k.startsWith(prefix) || (after !== undefined && k <= after)) continue;
      if (v === null) merged.delete(k);
      else merged.set(k, v);
    }
    const keys = [...merged.keys()].sort().slice(0, max);
    return 'l[' + keys.map((k) => `{"key":${JSON.stringify(k)},"value":${merged.get(k)}}`).join(',') + ']';
  }

  #miss(item: HostItem, request: Parameters<GuestCallScope['miss']>[1]): string {
    if (++item.waitedReads > MAX_WAITED_READS) return err('STORAGE_LIMIT', `more than ${MAX_WAITED_READS} storage reads in one event had to wait for the database`);
    return 'm' + this.#scope.miss(item, request);
  }

  act(seq: number, type: string, json: string): string {
    const item = this.#scope.active(seq);
    if (!item) return err('CONTEXT_EXPIRED', 'this context belongs to an event that has finished');
    if (item.kind === 'up' || item.kind === 'down') return err('CAPABILITY_DENIED', 'migrations cannot perform Discord actions');
    if (!isActionType(type)) return err('INVALID_ARGUMENT', `unknown action ${type}`);
    if (!this.#permits(item, ACTION_CAPABILITY[type])) return this.#deny(item, ACTION_CAPABILITY[type]);
    if (item.actions.length >= this.#scope.image.limits.actionsPerEvent) {
      return err('ACTION_LIMIT', `at most ${this.#scope.image.limits.actionsPerEvent} Discord actions per event`);
    }
    if (json.length > MAX_ACTION_JSON) return err('INVALID_ARGUMENT', 'action arguments are too large');
    const action = parseAction(type, json);
    if (typeof action === 'string') return err('INVALID_ARGUMENT', action);
    item.actions.push(action);
    return '';
  }

  log(seq: number, level: string, message: string, data: string): void {
    const item = this.#scope.active(seq);
    if (!item || item.logs.length >= MAX_LOG_LINES) return;
    const lvl = level === 'warn' || level === 'error' ? level : 'info';
    item.logs.push({ level: lvl, message: message.slice(0, 500), ...(data ? { data: data.slice(0, 2000) } : {}) });
  }
}
