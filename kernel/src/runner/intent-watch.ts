import type { Intent } from '@townesdev/plugin-contract';
import type { Logger } from 'pino';
import type { Enablement } from '../lifecycle/enablement.ts';
import type { RunnerIncidentReporter } from './permission-incidents.ts';

/**
 * The gateway connects with the intents its plugins need at start, and Discord fixes them for the
 * connection. A plugin enabled later that needs another intent (xp needs GuildMessages and
 * MessageContent) would receive nothing; this says so, once per guild and plugin, in the log and
 * as an incident naming the intents and the fix, instead of failing silently.
 */
export class IntentWatch {
  readonly #logger: Logger;
  readonly #incidents: RunnerIncidentReporter;
  readonly #reported = new Set<string>();
  #connected: ReadonlySet<Intent> | null = null;

  constructor(options: { logger: Logger; incidents: RunnerIncidentReporter }) {
    this.#logger = options.logger;
    this.#incidents = options.incidents;
  }

  /** The intents the gateway connected with; checks before this are moot (the connection will include them). */
  connectedWith(intents: ReadonlySet<Intent>): void {
    this.#connected = intents;
  }

  check(guildId: string, enabled: Iterable<Enablement>): void {
    const connected = this.#connected;
    if (!connected) return;
    for (const e of enabled) {
      const missing = e.manifest.discord.intents.filter((i) => !connected.has(i));
      const key = `${guildId}\u0000${e.plugin}`;
      if (missing.length === 0 || this.#reported.has(key)) continue;
      this.#reported.add(key);
      const detail = `${e.plugin} needs the gateway intent(s) ${missing.join(', ')}, which this runner did not connect with (Discord fixes them per connection), so it receives none of those events yet. Restart the runner: it connects with the intents its enabled plugins need.${missing.some((i) => i === 'MessageContent' || i === 'GuildMembers') ? ' MessageContent and GuildMembers are privileged: enable them for the bot in the Discord developer portal first.' : ''}`;
      this.#logger.warn({ guildId, plugin: e.plugin, missing }, 'a plugin needs gateway intents this connection lacks');
      void this.#incidents.report({ guildId, severity: 'warning', title: `${e.plugin} needs gateway intents the runner lacks`, detail }).catch((err: unknown) => this.#logger.warn({ err }, 'could not report the intent incident'));
    }
  }
}
