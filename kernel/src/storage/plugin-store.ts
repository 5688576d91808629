/**
 * Where plugin data lives. A namespace is one plugin's data for one guild; values are JSON text,
 * stored as given (the sandbox already serialised them, so no layer re-parses them).
 * Implementations: MemoryPluginStore (development, benchmarks, the SDK harness) and
 * PostgresPluginStore (production). The kernel is the only owner of this data; the API reaches
 * it through this module for exports and purges.
 */
export interface Namespace {
  plugin: string;
  guildId: string;
}

/** A value change; `value === null` deletes the key. */
export interface StorageWrite {
  key: string;
  value: string | null;
}

export interface NamespaceWrites extends Namespace {
  writes: StorageWrite[];
}

/** A migration step applied to one namespace, recorded in the ledger in the same transaction. */
export interface MigrationCommit extends NamespaceWrites {
  migrationId: string;
  direction: 'up' | 'down';
  pluginVersion: string;
}

/** Reads of one namespace: some keys, and its usage when the reader does not know it yet. */
export interface NamespaceRead extends Namespace {
  keys: readonly string[];
  wantUsage: boolean;
}

/** What a NamespaceRead found: the keys that exist, and the usage if it was asked for. */
export interface NamespaceReadResult {
  values: Array<[string, string]>;
  usage?: number;
}

export interface StoredEntry {
  key: string;
  value: string;
}

export interface PluginStore {
  /** Values of the given keys (missing keys are absent from the map). */
  get(ns: Namespace, keys: readonly string[]): Promise<Map<string, string>>;
  /**
   * Several namespaces' reads at once, answered in order: a sandbox host sends the reads its
   * plugins missed during one call together, so a batch of guilds costs one round trip to the
   * database, not one or two per guild.
   */
  read(requests: readonly NamespaceRead[]): Promise<NamespaceReadResult[]>;
  /** Entries whose key starts with `prefix` (and sorts after `after`, when given), in key order, at most `limit`. */
  list(ns: Namespace, prefix: string, limit: number, after?: string): Promise<StoredEntry[]>;
  /** Bytes the namespace uses (keys plus values), the figure the quota is checked against. */
  usage(ns: Namespace): Promise<number>;
  /** Apply the writes of several namespaces atomically. */
  commit(batch: readonly NamespaceWrites[]): Promise<void>;
  /** Ids of the migrations applied (up and not rolled back) to a namespace, ascending. */
  appliedMigrations(ns: Namespace): Promise<string[]>;
  /**
   * Apply one migration step's writes and record it in the ledger, in one transaction. An `up`
   * already in the ledger (or a `down` not in it) changes nothing and returns false, so running
   * migrations twice is a no-op.
   */
  commitMigration(step: MigrationCommit): Promise<boolean>;
  /** Remove every namespace of a guild (offboarding purge) or of one plugin in a guild. */
  purge(guildId: string, plugin?: string): Promise<number>;
  close(): Promise<void>;
}

/** The size a quota counts for one entry. */
export function entryBytes(key: string, value: string): number {
  return Buffer.byteLength(key) + Buffer.byteLength(value);
}
