import type { IncidentSink, KernelIncident } from './incident.ts';

/** Keeps every incident in `incidents`, oldest first, for tests and the SDK harness to inspect. */
export class MemoryIncidentSink implements IncidentSink {
  readonly incidents: KernelIncident[] = [];

  async record(incident: KernelIncident): Promise<void> {
    this.incidents.push({ ...incident });
  }
}
