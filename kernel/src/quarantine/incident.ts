/** Why the kernel stopped a plugin. */
export type QuarantineReason = 'cpu-limit' | 'memory-limit' | 'repeated-errors' | 'host-crash' | 'runtime-tampering' | 'invalid-result' | 'storage-quota' | 'denied-calls';

/**
 * A plugin stopped for one guild (`guildId` set) or everywhere (`guildId === null`, when the
 * fault is in the code itself: it failed the same way in several guilds).
 */
export interface QuarantineRecord {
  plugin: string;
  version: string;
  guildId: string | null;
  reason: QuarantineReason;
  message: string;
  since: Date;
}

export interface QuarantineStore {
  list(): Promise<QuarantineRecord[]>;
  put(record: QuarantineRecord): Promise<void>;
  /** Lift a quarantine (an operator or admin decision, or a new version replacing the code). */
  remove(plugin: string, version: string, guildId: string | null): Promise<void>;
}

export type IncidentSeverity = 'info' | 'warning' | 'critical';

/** What the kernel reports upward; the binary wires it to the API's incidents. */
export interface KernelIncident {
  plugin: string;
  version: string;
  guildId: string | null;
  severity: IncidentSeverity;
  kind: 'quarantine' | 'dead-letter' | 'capability-denied' | 'host-replaced';
  message: string;
  at: Date;
}

export interface IncidentSink {
  record(incident: KernelIncident): Promise<void>;
}
