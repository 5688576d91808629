import type { PluginLimits } from '@townesdev/plugin-contract';
import type { PluginAction } from '../actions/plugin-action.ts';
import type { Namespace, NamespaceRead, NamespaceReadResult, StoredEntry } from '../storage/plugin-store.ts';
import type { HandlerNames } from './plugin-isolate.ts';

/**
 * The contract between the runner's SandboxPool and a SandboxHost, in or out of process. Every
 * message is plain JSON-serialisable data; event payloads stay JSON text end to end so nothing
 * between the gateway and the isolate parses them.
 */
export type ItemKind = 'event' | 'command' | 'up' | 'down';

export interface PluginImage {
  /** `name@version`: one isolate per image. */
  key: string;
  name: string;
  version: string;
  code: string;
  permissions: string[];
  limits: PluginLimits;
}

export interface WorkItem {
  seq: number;
  plugin: string;
  guildId: string;
  kind: ItemKind;
  name: string;
  /** JSON text of the event, interaction, or `null` for migrations. */
  payload: string;
}

export interface GuildSetting {
  plugin: string;
  guildId: string;
  configJson: string;
  grants: readonly string[];
}

/** Why an item failed when the plugin did not simply throw. */
export type ItemFault = 'cpu-limit' | 'memory-limit' | 'isolate-crash' | 'unsettled' | 'load-failed' | 'cancelled';

export interface ItemResult {
  seq: number;
  ok: boolean;
  /** JSON text of the handler's return value. */
  value?: string;
  error?: { name: string; message: string; code?: string };
  fault?: ItemFault;
  writes: Array<[string, string | null]>;
  actions: PluginAction[];
  logs: Array<{ level: 'info' | 'warn' | 'error'; message: string; data?: string }>;
  /** Capabilities the plugin called without holding them. */
  denials: string[];
}

/** How a host reaches the store, through the runner (its only path to the database). */
export interface StorageBackend {
  /** The reads a slot's plugin missed during one call, for every guild at once. */
  read(requests: NamespaceRead[]): Promise<NamespaceReadResult[]>;
  list(ns: Namespace, prefix: string, limit: number, after?: string): Promise<StoredEntry[]>;
}

export type ToHost =
  | { t: 'load'; id: number; image: PluginImage }
  | { t: 'unload'; key: string }
  | { t: 'guild'; setting: GuildSetting }
  | { t: 'unguild'; plugin: string; guildId: string }
  | { t: 'evict'; plugin: string; guildId: string }
  | { t: 'submit'; items: WorkItem[] }
  | { t: 'storage'; id: number; ok: boolean; value?: unknown; error?: string }
  | { t: 'ping'; id: number }
  /** `relieve`: give freed memory back to the system first (see heap-relief.ts). */
  | { t: 'stats'; id: number; relieve?: boolean }
  | { t: 'close' };

export type FromHost =
  | { t: 'loaded'; id: number; ok: boolean; handlers?: HandlerNames; error?: string }
  | { t: 'results'; results: ItemResult[] }
  | { t: 'storage'; id: number; op: 'read'; requests: NamespaceRead[] }
  | { t: 'storage'; id: number; op: 'list'; ns: Namespace; prefix: string; limit: number; after?: string }
  | { t: 'pong'; id: number }
  | { t: 'stats'; id: number; stats: HostStats };

export interface HostStats {
  pid: number;
  rssBytes: number;
  /** The host process's own JavaScript heap (isolates not included). */
  hostHeapBytes: number;
  heapBytesByPlugin: Record<string, number>;
  cacheBytes: number;
  queued: number;
}
