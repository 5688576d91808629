import type { Logger } from 'pino';
import type { ActionEnvelope, ActionSink } from '../actions/action-sink.ts';
import type { Enablement } from '../lifecycle/enablement.ts';
import type { IncidentSink } from '../quarantine/incident.ts';
import type { QuarantineBook } from '../quarantine/quarantine-book.ts';
import type { ItemResult } from '../sandbox/sandbox-protocol.ts';

const KERNEL_SIDE_CODES = new Set(['STORAGE_UNAVAILABLE', 'NOT_LOADED', 'CANCELLED', 'LOAD_FAILED']);

function isKernelSideFailure(result: ItemResult): boolean {
  if (result.ok) return false;
  return result.fault === 'cancelled' || result.fault === 'load-failed' || KERNEL_SIDE_CODES.has(result.error?.code ?? '');
}

/**
 * What happens after a plugin ran: its logs are written with guild tags, denied calls are
 * reported once, the quarantine book learns from the outcome, and its staged actions go to the
 * action sink with idempotency keys derived from the event, so a retried event cannot post twice.
 */
export class ResultHandler {
  readonly #logger: Logger;
  readonly #actions: ActionSink;
  readonly #incidents: IncidentSink;
  readonly #quarantine: QuarantineBook;
  readonly #onQuarantine: (e: Enablement, everywhere: boolean) => void;
  readonly #reportedDenials = new Set<string>();

  constructor(deps: { logger: Logger; actions: ActionSink; incidents: IncidentSink; quarantine: QuarantineBook; onQuarantine(e: Enablement, everywhere: boolean): void }) {
    this.#logger = deps.logger;
    this.#actions = deps.actions;
    this.#incidents = deps.incidents;
    this.#quarantine = deps.quarantine;
    this.#onQuarantine = deps.onQuarantine;
  }

  async handle(e: Enablement, eventKey: string, result: ItemResult): Promise<void> {
    const quiet = result.ok && result.logs.length === 0 && result.denials.length === 0;
    if (quiet) {
      // The hot path: nothing to log or report, so no child logger is built for it.
      this.#quarantine.succeeded(e.plugin, e.version, e.guildId);
      await this.#perform(e, eventKey, result);
      return;
    }
    const log = this.#logger.child({ plugin: e.plugin, version: e.version, guildId: e.guildId });
    for (const line of result.logs) log[line.level]({ pluginLog: true, data: line.data }, line.message);
    let undeclared = false;
    for (const capability of result.denials) {
      const declared = e.manifest.permissions.includes(capability as never);
      undeclared ||= !declared;
      const k = `${e.key}\u0000${e.guildId}\u0000${capability}`;
      if (this.#reportedDenials.has(k)) continue;
      this.#reportedDenials.add(k);
      const message = declared
        ? `${e.plugin} tried to use "${capability}", which this server has not granted`
        : `${e.plugin}@${e.version} called "${capability}", which its manifest does not declare`;
      log.warn({ capability }, message);
      await this.#incidents.record({ plugin: e.plugin, version: e.version, guildId: e.guildId, severity: declared ? 'info' : 'warning', kind: 'capability-denied', message, at: new Date() }).catch((err: unknown) => log.error({ err }, 'could not record an incident'));
    }
    if (!result.ok) log.warn({ fault: result.fault, error: result.error }, 'plugin handler failed');
    if (result.error?.code === 'DEAD_LETTER') {
      await this.#incidents.record({ plugin: e.plugin, version: e.version, guildId: e.guildId, severity: 'warning', kind: 'dead-letter', message: `${e.plugin}@${e.version}: an event was given up: ${result.error.message}`, at: new Date() }).catch((err: unknown) => log.error({ err }, 'could not record an incident'));
    }
    // Failures the kernel caused (a cancelled item, a store outage, a plugin being unloaded) say
    // nothing about the plugin's behaviour, so they are not evidence for a quarantine.
    const quarantined = isKernelSideFailure(result) ? null : await this.#quarantine.observe(e.plugin, e.version, e.guildId, result, undeclared);
    if (quarantined) this.#onQuarantine(e, this.#quarantine.everywhere(e.plugin, e.version) !== undefined);
    await this.#perform(e, eventKey, result);
  }

  async #perform(e: Enablement, eventKey: string, result: ItemResult): Promise<void> {
    if (!result.ok || result.actions.length === 0) return;
    const envelopes: ActionEnvelope[] = result.actions.map((action, i) => ({ key: `${eventKey}:${e.plugin}:${i}`, plugin: e.plugin, version: e.version, guildId: e.guildId, action }));
    try {
      await this.#actions.perform(envelopes);
    } catch (err) {
      this.#logger.error({ err, plugin: e.plugin, guildId: e.guildId }, 'the action sink refused actions');
    }
  }
}
