import type { CommandInteraction, InteractionReply, PluginEventName } from '@townesdev/plugin-contract';
import { parseInteractionReply } from '../actions/interaction-reply.ts';
import type { PluginAction } from '../actions/plugin-action.ts';
import type { CommandRegistry } from '../commands/command-registry.ts';
import type { Enablement, GuildTable } from '../lifecycle/enablement.ts';
import type { QuarantineBook } from '../quarantine/quarantine-book.ts';
import type { SandboxPool } from '../sandbox/sandbox-pool.ts';
import type { ItemResult } from '../sandbox/sandbox-protocol.ts';
import { PluginGate } from './plugin-gate.ts';
import type { ResultHandler } from './result-handler.ts';

/** Events waiting or running for one guild before new ones are refused (a flood guard). */
const MAX_PENDING_PER_GUILD = 10_000;

export interface PluginOutcome {
  plugin: string;
  ok: boolean;
  error?: string;
  fault?: ItemResult['fault'];
  actions: PluginAction[];
}

export interface DispatchReport {
  guildId: string;
  event: PluginEventName;
  outcomes: PluginOutcome[];
  /** Set when the guild had too much pending work and the event was refused. */
  refused?: string;
}

export interface CommandOutcome extends PluginOutcome {
  reply: InteractionReply | null;
}

function outcome(e: Enablement, result: ItemResult): PluginOutcome {
  return { plugin: e.plugin, ok: result.ok, ...(result.error ? { error: `${result.error.name}: ${result.error.message}` } : {}), ...(result.fault ? { fault: result.fault } : {}), actions: result.actions };
}

/**
 * Delivers gateway events to the plugins enabled for the event's guild. A guild's events reach
 * each plugin in order (the sandbox keeps one item per plugin and guild running at a time);
 * guilds run concurrently, plugins independently: one plugin failing changes nothing for another.
 */
export class EventBus {
  readonly #pool: SandboxPool;
  readonly #table: GuildTable;
  readonly #commands: CommandRegistry;
  readonly #quarantine: QuarantineBook;
  readonly #results: ResultHandler;
  readonly #gate: PluginGate;
  readonly #pending = new Map<string, number>();
  #stopped = false;

  constructor(deps: { pool: SandboxPool; table: GuildTable; commands: CommandRegistry; quarantine: QuarantineBook; results: ResultHandler; gate: PluginGate }) {
    this.#gate = deps.gate;
    this.#pool = deps.pool;
    this.#table = deps.table;
    this.#commands = deps.commands;
    this.#quarantine = deps.quarantine;
    this.#results = deps.results;
  }

  stop(): void {
    this.#stopped = true;
  }

  #runnable(e: Enablement): boolean {
    return this.#quarantine.find(e.plugin, e.version, e.guildId) === undefined;
  }

  async #track<T>(guildId: string, work: Promise<T>): Promise<T> {
    this.#pending.set(guildId, (this.#pending.get(guildId) ?? 0) + 1);
    try {
      return await work;
    } finally {
      const n = (this.#pending.get(guildId) ?? 1) - 1;
      if (n === 0) this.#pending.delete(guildId);
      else this.#pending.set(guildId, n);
    }
  }

  /** `payload` is the event as JSON text (or an object, serialised once here). */
  async dispatch(guildId: string, event: PluginEventName, payload: string | object, eventId: string): Promise<DispatchReport> {
    if (this.#stopped) return { guildId, event, outcomes: [], refused: 'the kernel is shutting down' };
    if ((this.#pending.get(guildId) ?? 0) >= MAX_PENDING_PER_GUILD) {
      return { guildId, event, outcomes: [], refused: `more than ${MAX_PENDING_PER_GUILD} events are pending for this server` };
    }
    const json = typeof payload === 'string' ? payload : JSON.stringify(payload);
    // Every enabled plugin is a candidate: one switching versions may subscribe to the event only
    // in its new version, which is what runs once the gate lets the event in.
    const runs: Array<Promise<PluginOutcome | null>> = [];
    for (const { plugin } of this.#table.forGuild(guildId)) runs.push(this.#deliver(guildId, plugin, event, json, eventId));
    if (runs.length === 0) return { guildId, event, outcomes: [] };
    const outcomes = await this.#track(guildId, runs.length === 1 ? (runs[0] as Promise<PluginOutcome | null>).then((o) => [o]) : Promise.all(runs));
    return { guildId, event, outcomes: outcomes.filter((o) => o !== null) };
  }

  async #deliver(guildId: string, plugin: string, event: PluginEventName, json: string, eventId: string): Promise<PluginOutcome | null> {
    const gateKey = PluginGate.key(guildId, plugin);
    const release = this.#gate.tryEnter(gateKey) ?? (await this.#gate.enter(gateKey));
    try {
      // The version running once the gate let this event in (it may have changed meanwhile).
      const e = this.#table.get(guildId, plugin);
      if (!e || !e.manifest.events.includes(event) || !this.#runnable(e)) return null;
      const result = await this.#pool.run({ plugin: e.key, guildId, kind: 'event', name: event, payload: json });
      await this.#results.handle(e, `${event}:${eventId}`, result);
      return outcome(e, result);
    } finally {
      release();
    }
  }

  /** Run a slash command's handler; the reply goes back to the caller (the 3-second window). */
  async command(interaction: CommandInteraction): Promise<CommandOutcome> {
    const owner = this.#commands.owner(interaction.guildId, interaction.commandName);
    if (!owner) return { plugin: '', ok: false, error: `no plugin provides /${interaction.commandName} in this server`, actions: [], reply: null };
    const release = await this.#gate.enter(PluginGate.key(interaction.guildId, owner));
    try {
      return await this.#command(interaction, owner);
    } finally {
      release();
    }
  }

  async #command(interaction: CommandInteraction, owner: string): Promise<CommandOutcome> {
    // Checked again past the gate: the version that runs now may not have the command any more.
    const e = this.#commands.owner(interaction.guildId, interaction.commandName) === owner ? this.#table.get(interaction.guildId, owner) : undefined;
    if (!e) return { plugin: owner, ok: false, error: `no plugin provides /${interaction.commandName} in this server`, actions: [], reply: null };
    const quarantined = this.#quarantine.find(e.plugin, e.version, e.guildId);
    if (quarantined || this.#stopped) return { plugin: e.plugin, ok: false, error: quarantined?.message ?? 'the kernel is shutting down', actions: [], reply: null };
    const result = await this.#track(interaction.guildId, this.#pool.run({ plugin: e.key, guildId: e.guildId, kind: 'command', name: interaction.commandName, payload: JSON.stringify(interaction) }));
    let reply: InteractionReply | null = null;
    if (result.ok && result.value !== undefined) {
      const parsed = parseInteractionReply(result.value);
      if ('reply' in parsed) reply = parsed.reply;
      else Object.assign(result, { ok: false, actions: [], error: { name: 'HostError', code: 'INVALID_REPLY', message: parsed.error } });
    }
    await this.#results.handle(e, `interaction:${interaction.id}`, result);
    return { ...outcome(e, result), reply };
  }

  /** Wait until no event is pending, or the deadline passes; returns what was still pending. */
  async drain(deadlineMs: number): Promise<number> {
    const until = Date.now() + deadlineMs;
    while (this.#pending.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    let left = 0;
    for (const n of this.#pending.values()) left += n;
    return left;
  }
}
