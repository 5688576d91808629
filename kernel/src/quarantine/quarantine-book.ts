import type { Logger } from 'pino';
import type { ItemResult } from '../sandbox/sandbox-protocol.ts';
import type { IncidentSink, QuarantineReason, QuarantineRecord, QuarantineStore } from './incident.ts';

/** Faults within this window count together. */
const WINDOW_MS = 10 * 60 * 1000;
/** Hard faults (limits, crashes, hostile calls) of one version in one guild before quarantine. */
const STRIKES_PER_GUILD = 3;
/** Plain errors in a row (no success between) before quarantine. */
const ERRORS_IN_A_ROW = 10;
/** Guilds quarantined for the same version before the code itself is blamed. */
const GUILDS_FOR_GLOBAL = 3;

const key = (plugin: string, version: string, guildId: string | null): string => `${plugin}@${version}\u0000${guildId ?? '*'}`;

/** Which faults are strikes, and what a quarantine for them is called. */
function strikeReason(result: ItemResult, undeclaredDenial: boolean): QuarantineReason | null {
  if (result.fault === 'cpu-limit' || result.fault === 'unsettled') return 'cpu-limit';
  if (result.fault === 'memory-limit') return 'memory-limit';
  if (result.fault === 'isolate-crash') return result.error?.code === 'RUNTIME_TAMPERING' ? 'runtime-tampering' : 'host-crash';
  if (undeclaredDenial) return 'denied-calls';
  if (result.error?.code === 'RESULT_TOO_LARGE') return 'invalid-result';
  if (result.error?.code === 'STORAGE_QUOTA') return 'storage-quota';
  return null;
}

const REASON_TEXT: Record<QuarantineReason, string> = {
  'cpu-limit': 'it exceeded its CPU time limit or left work that never finished',
  'memory-limit': 'it exceeded its memory limit',
  'host-crash': 'its sandbox process crashed while running it',
  'runtime-tampering': 'it tampered with the sandbox runtime',
  'repeated-errors': 'its handlers failed repeatedly',
  'invalid-result': 'it returned results larger than allowed',
  'storage-quota': 'it kept writing past its storage quota',
  'denied-calls': 'it called capabilities its manifest does not declare',
};

/**
 * Decides when a plugin is stopped. A version that misbehaves in one guild is quarantined for
 * that guild; when it is quarantined in several guilds the fault is in the code, and it is
 * quarantined everywhere. Every quarantine is persisted (a restarted runner keeps it) and
 * reported as an incident with a reason a guild admin can read.
 */
export class QuarantineBook {
  readonly #store: QuarantineStore;
  readonly #incidents: IncidentSink;
  readonly #logger: Logger;
  readonly #active = new Map<string, QuarantineRecord>();
  readonly #strikes = new Map<string, number[]>();
  readonly #errorsInARow = new Map<string, number>();

  constructor(store: QuarantineStore, incidents: IncidentSink, logger: Logger) {
    this.#store = store;
    this.#incidents = incidents;
    this.#logger = logger;
  }

  async restore(): Promise<void> {
    for (const record of await this.#store.list()) this.#active.set(key(record.plugin, record.version, record.guildId), record);
  }

  /** The quarantine that stops this version in this guild, if any. */
  find(plugin: string, version: string, guildId: string): QuarantineRecord | undefined {
    return this.#active.get(key(plugin, version, null)) ?? this.#active.get(key(plugin, version, guildId));
  }

  /** The quarantine that stops this version in every guild, if any. */
  everywhere(plugin: string, version: string): QuarantineRecord | undefined {
    return this.#active.get(key(plugin, version, null));
  }

  list(): QuarantineRecord[] {
    return [...this.#active.values()];
  }

  /** A clean success: the errors-in-a-row count starts again. */
  succeeded(plugin: string, version: string, guildId: string): void {
    if (this.#errorsInARow.size > 0) this.#errorsInARow.delete(key(plugin, version, guildId));
  }

  /** Learn from one result; returns the quarantine it caused, if any. */
  async observe(plugin: string, version: string, guildId: string, result: ItemResult, undeclaredDenial: boolean): Promise<QuarantineRecord | null> {
    const k = key(plugin, version, guildId);
    if (result.ok && !undeclaredDenial) {
      this.#errorsInARow.delete(k);
      return null;
    }
    const reason = strikeReason(result, undeclaredDenial);
    if (reason) {
      const now = Date.now();
      const strikes = (this.#strikes.get(k) ?? []).filter((t) => now - t < WINDOW_MS);
      strikes.push(now);
      this.#strikes.set(k, strikes);
      if (strikes.length >= STRIKES_PER_GUILD) return this.#quarantine(plugin, version, guildId, reason, result);
      return null;
    }
    const n = (this.#errorsInARow.get(k) ?? 0) + 1;
    this.#errorsInARow.set(k, n);
    if (n >= ERRORS_IN_A_ROW) return this.#quarantine(plugin, version, guildId, 'repeated-errors', result);
    return null;
  }

  async #quarantine(plugin: string, version: string, guildId: string, reason: QuarantineReason, result: ItemResult): Promise<QuarantineRecord> {
    const detail = result.error ? ` Last error: ${result.error.message}` : '';
    const record: QuarantineRecord = { plugin, version, guildId, reason, message: `${plugin}@${version} was stopped in this server because ${REASON_TEXT[reason]}.${detail}`, since: new Date() };
    await this.#put(record);
    const now = Date.now();
    const guilds = this.list().filter((r) => r.plugin === plugin && r.version === version && r.guildId !== null && now - r.since.getTime() < WINDOW_MS);
    if (guilds.length >= GUILDS_FOR_GLOBAL && !this.#active.has(key(plugin, version, null))) {
      await this.#put({ plugin, version, guildId: null, reason, message: `${plugin}@${version} was stopped everywhere: it was quarantined in ${guilds.length} servers because ${REASON_TEXT[reason]}.`, since: new Date() });
    }
    return record;
  }

  async #put(record: QuarantineRecord): Promise<void> {
    const k = key(record.plugin, record.version, record.guildId);
    this.#active.set(k, record);
    this.#strikes.delete(k);
    this.#errorsInARow.delete(k);
    this.#logger.warn({ plugin: record.plugin, version: record.version, guildId: record.guildId, reason: record.reason }, record.message);
    try {
      await this.#store.put(record);
      await this.#incidents.record({ plugin: record.plugin, version: record.version, guildId: record.guildId, severity: record.guildId ? 'warning' : 'critical', kind: 'quarantine', message: record.message, at: record.since });
    } catch (error) {
      // The quarantine holds in memory either way; losing the record must not crash the runner.
      this.#logger.error({ err: error }, 'could not persist a quarantine');
    }
  }

  /** Lift a quarantine (an admin's or operator's decision). */
  async lift(plugin: string, version: string, guildId: string | null): Promise<boolean> {
    const k = key(plugin, version, guildId);
    if (!this.#active.delete(k)) return false;
    await this.#store.remove(plugin, version, guildId);
    return true;
  }
}
