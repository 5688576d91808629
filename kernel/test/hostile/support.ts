/**
 * Shared setup of the hostile plugin suite: a real Kernel with real sandbox host processes (two,
 * so a host can die beside one that keeps working), hostile plugins written as small bundle
 * strings, a healthy "echo" plugin that runs beside them, and the checks every case repeats (the
 * healthy plugin still answers, the hostile one is quarantined with a readable reason, an
 * incident was recorded).
 */
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import pino from 'pino';
import type { CommandInteraction, MessageCreateEvent, PluginEventName, PluginManifestInput } from '@townesdev/plugin-contract';
import { BUNDLE_GLOBAL, parseManifest } from '@townesdev/plugin-contract';
import type { CommandOutcome, DispatchReport, KernelIncident, PluginBundle, QuarantineReason, QuarantineRecord } from '@townesdev/kernel';
import { Kernel, MemoryIncidentSink, MemoryPluginStore, MemoryQuarantineStore, RecordingActionSink, StaticBundleSource } from '@townesdev/kernel';

/** Sandbox host processes: two, so one can be killed beside another (production sizes by cores, ADR 009). */
export const HOSTS = 2;

/**
 * Which host serves a guild, with the pool's placement at the time of writing (guilds are hashed
 * over hosts). Used only to pick guild ids that cover both placements; no assertion relies on it,
 * and the host tests find the host that serves a guild by watching the hosts' queues instead.
 */
export function guildHostIndex(guildId: string, hosts = HOSTS): number {
  let h = 0;
  for (let i = 0; i < guildId.length; i++) h = (h * 31 + guildId.charCodeAt(i)) | 0;
  return Math.abs(h) % hosts;
}

function guildOn(host: number, from: bigint): string {
  for (let n = from; ; n++) if (guildHostIndex(n.toString()) === host) return n.toString();
}

/** The hostile plugin's guild (the healthy plugin runs there too). */
export const GUILD_A = '900000000000000001';
/** Another guild, on the other sandbox host. */
export const GUILD_B = guildOn(1 - guildHostIndex(GUILD_A), 900000000000000100n);
/** Another guild on the same sandbox host as A: same process, possibly the same isolate. */
export const GUILD_C = guildOn(guildHostIndex(GUILD_A), 900000000000000200n);
export const CHANNEL = '800000000000000001';
export const USER = '700000000000000001';

const MESSAGE_INTENTS = ['Guilds', 'GuildMessages', 'MessageContent'] as const;

// ---------------------------------------------------------------------------------------------
// Bundles

export interface PluginSpec {
  name: string;
  version?: string;
  permissions?: string[];
  /** Events the manifest declares (the definition must have a handler for each one it handles). */
  events?: PluginEventName[];
  /** Command names the manifest declares. */
  commands?: string[];
  limits?: { cpuMsPerEvent?: number; memoryMb?: number; storageBytes?: number; actionsPerEvent?: number };
  /**
   * JS source of the definition without its manifest, e.g. `{ events: { messageCreate(ctx, e) {} } }`.
   * It is evaluated inside the isolate; the manifest is attached to it by the bundle.
   */
  definition: string;
  /** JS run at the bundle's top level before the definition (a hostile plugin may tamper early). */
  prelude?: string;
}

export function manifestInput(spec: PluginSpec): PluginManifestInput {
  const events = spec.events ?? [];
  return {
    name: spec.name,
    version: spec.version ?? '1.0.0',
    displayName: spec.name.replace(/^@[^/]+\//, ''),
    description: 'a plugin of the hostile test suite',
    kernelApi: '^1.0.0',
    permissions: (spec.permissions ?? []) as PluginManifestInput['permissions'],
    events,
    commands: (spec.commands ?? []).map((name) => ({ name, description: `the ${name} command` })),
    discord: { intents: events.length > 0 ? [...MESSAGE_INTENTS, 'GuildMembers'] : [], botPermissions: [] },
    ...(spec.limits ? { limits: spec.limits } : {}),
  };
}

/** A bundle shaped like the SDK's esbuild output: an IIFE assigning `var __townesPlugin`. */
export function buildBundle(spec: PluginSpec): PluginBundle {
  const manifest = parseManifest(manifestInput(spec));
  const code = [
    `var ${BUNDLE_GLOBAL} = (() => {`,
    `  ${spec.prelude ?? ''}`,
    `  const definition = (${spec.definition});`,
    `  definition.manifest = ${JSON.stringify(manifestInput(spec))};`,
    `  return { default: definition };`,
    `})();`,
  ].join('\n');
  return { manifest, code };
}

/**
 * The healthy plugin: `/ping` answers `pong <guildId>`, a message starting with `echo ` is sent
 * back to its channel. Every hostile case runs it in guilds A (beside the hostile plugin), B and C.
 */
export const ECHO = '@healthy/echo';
export const echoBundle = buildBundle({
  name: ECHO,
  permissions: ['discord.messages.send'],
  events: ['messageCreate'],
  commands: ['ping'],
  definition: `{
    events: {
      messageCreate(ctx, event) {
        if (typeof event.content === 'string' && event.content.startsWith('echo ')) ctx.discord.sendMessage(event.channelId, event.content.slice(5));
      },
    },
    commands: {
      ping(ctx) { return 'pong ' + ctx.guildId; },
    },
  }`,
});

// ---------------------------------------------------------------------------------------------
// Kernel

export interface TestKernel {
  kernel: Kernel;
  store: MemoryPluginStore;
  quarantineStore: MemoryQuarantineStore;
  incidents: KernelIncident[];
  actions: RecordingActionSink;
  /** Largest IPC message (JSON characters) any sandbox host sent this process since start. */
  readonly largestHostMessage: number;
  close(): Promise<void>;
}

// Sizes of the messages child processes send us (the sandbox hosts are our only children).
let largestChildMessage = 0;
let meterInstalled = false;
function installWireMeter(): void {
  if (meterInstalled) return;
  meterInstalled = true;
  const emit = ChildProcess.prototype.emit;
  ChildProcess.prototype.emit = function (this: ChildProcess, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'message') {
      const size = JSON.stringify(args[0])?.length ?? 0;
      if (size > largestChildMessage) largestChildMessage = size;
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
}

export async function startKernel(bundles: PluginBundle[]): Promise<TestKernel> {
  installWireMeter();
  largestChildMessage = 0;
  const source = new StaticBundleSource().add(echoBundle);
  for (const b of bundles) source.add(b);
  const store = new MemoryPluginStore();
  const quarantineStore = new MemoryQuarantineStore();
  const incidents = new MemoryIncidentSink();
  const actions = new RecordingActionSink();
  const kernel = await Kernel.start({
    store,
    quarantine: quarantineStore,
    incidents,
    actions,
    bundles: source,
    logger: pino({ level: 'silent' }),
    sandboxHosts: HOSTS,
  });
  let closed = false;
  return {
    kernel,
    store,
    quarantineStore,
    incidents: incidents.incidents,
    actions,
    get largestHostMessage() {
      return largestChildMessage;
    },
    async close() {
      if (closed) return;
      closed = true;
      const pids = kernel.sandboxPids;
      await kernel.shutdown(2000);
      // The pool asks its hosts to exit; make sure none is left behind by a failed test.
      await waitFor(() => pids.every((pid) => !alive(pid)), 3000).catch(() => {
        for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
      });
    },
  };
}

/**
 * A kernel with the echo plugin enabled in guilds A, B and C and each hostile plugin enabled in
 * guild A (or `hostileGuilds`), granted everything its manifest asks for.
 */
export async function setup(hostile: PluginBundle[], options: { hostileGuilds?: string[] } = {}): Promise<TestKernel> {
  const t = await startKernel(hostile);
  try {
    for (const guildId of [GUILD_A, GUILD_B, GUILD_C]) {
      await t.kernel.enable(guildId, { plugin: ECHO, version: '1.0.0', config: {}, grants: ['discord.messages.send'] });
    }
    for (const b of hostile) {
      for (const guildId of options.hostileGuilds ?? [GUILD_A]) {
        await t.kernel.enable(guildId, { plugin: b.manifest.name, version: b.manifest.version, config: {}, grants: b.manifest.permissions });
      }
    }
  } catch (error) {
    await t.close();
    throw error;
  }
  return t;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Events and commands

let counter = 0;
export function nextId(): string {
  counter++;
  return (600000000000000000n + BigInt(counter)).toString();
}

export function messageEvent(guildId: string, content: string): MessageCreateEvent {
  return {
    id: nextId(),
    guildId,
    channelId: CHANNEL,
    author: { id: USER, username: 'member', globalName: null, bot: false },
    memberRoles: [],
    content,
    createdAt: new Date().toISOString(),
  };
}

export function send(kernel: Kernel, guildId: string, content: string): Promise<DispatchReport> {
  const event = messageEvent(guildId, content);
  return kernel.dispatch(guildId, 'messageCreate', event, event.id);
}

export function interaction(guildId: string, commandName: string, options: Record<string, string | number | boolean> = {}): CommandInteraction {
  return {
    id: nextId(),
    guildId,
    channelId: CHANNEL,
    user: { id: USER, username: 'member', globalName: null, bot: false },
    memberRoles: [],
    commandName,
    subcommand: null,
    options,
  };
}

export function command(kernel: Kernel, guildId: string, name: string, options: Record<string, string | number | boolean> = {}): Promise<CommandOutcome> {
  return kernel.command(interaction(guildId, name, options));
}

/** The outcome of one plugin in a dispatch report (fails the test when it did not run). */
export function outcomeOf(report: DispatchReport, plugin: string): DispatchReport['outcomes'][number] {
  const o = report.outcomes.find((x) => x.plugin === plugin);
  assert.ok(o, `${plugin} did not receive the event: ${JSON.stringify(report)}`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Checks

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The healthy plugin answers `/ping` in `guildId` within `withinMs` (retrying while it does
 * not, e.g. right after a host died). Returns the latency of the first good answer.
 */
export async function assertHealthy(kernel: Kernel, guildId: string, withinMs: number): Promise<number> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started <= withinMs) {
    const outcome = await command(kernel, guildId, 'ping');
    if (outcome.ok && outcome.reply?.content === `pong ${guildId}`) {
      const latency = Date.now() - started;
      assert.ok(latency <= withinMs, `the healthy plugin answered in guild ${guildId} only after ${latency} ms (allowed ${withinMs})`);
      return latency;
    }
    last = outcome;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`the healthy plugin did not answer in guild ${guildId} within ${withinMs} ms; last outcome: ${JSON.stringify(last)}`);
}

/** The healthy plugin's messages work too: `echo <text>` comes back as a performed action. */
export async function assertEchoes(t: TestKernel, guildId: string): Promise<void> {
  const text = `still here ${nextId()}`;
  const report = await send(t.kernel, guildId, `echo ${text}`);
  const o = outcomeOf(report, ECHO);
  assert.equal(o.ok, true, `echo failed: ${o.error}`);
  assert.deepEqual(o.actions, [{ type: 'sendMessage', channelId: CHANNEL, message: { content: text } }]);
  assert.ok(t.actions.actions.some((e) => e.plugin === ECHO && e.guildId === guildId && e.action.type === 'sendMessage' && e.action.message.content === text));
}

/**
 * Every healthy copy answers: in B (another guild, another host), in C (another guild on the
 * hostile plugin's host) and in A, beside the hostile plugin.
 */
export async function assertHealthyEverywhere(t: TestKernel, withinMs = 2000): Promise<void> {
  for (const guildId of [GUILD_B, GUILD_C, GUILD_A]) {
    await assertHealthy(t.kernel, guildId, withinMs);
    await assertEchoes(t, guildId);
  }
}

const REASON_WORDS: Record<QuarantineReason, RegExp> = {
  'cpu-limit': /CPU time limit|never finished/,
  'memory-limit': /memory limit/,
  'host-crash': /crashed/,
  'runtime-tampering': /tampered with the sandbox runtime/,
  'repeated-errors': /failed repeatedly/,
  'invalid-result': /larger than allowed/,
  'storage-quota': /storage quota/,
  'denied-calls': /does not declare/,
};

/**
 * The hostile plugin is quarantined in `guildId` for `reason`, with a message that names it and
 * says why, the quarantine was persisted and reported as an incident, and the plugin is no
 * longer enabled (it is stopped, its events are not delivered).
 */
export async function assertQuarantined(t: TestKernel, plugin: string, guildId: string, reason: QuarantineReason, detail?: RegExp): Promise<QuarantineRecord> {
  await waitFor(() => t.kernel.quarantines().some((q) => q.plugin === plugin && q.guildId === guildId), 5000, `a quarantine of ${plugin} in ${guildId}`);
  const record = t.kernel.quarantines().find((q) => q.plugin === plugin && q.guildId === guildId);
  assert.ok(record);
  assert.equal(record.reason, reason, `quarantined for ${record.reason} (${record.message}), expected ${reason}`);
  assert.match(record.message, new RegExp(`^${escape(plugin)}@`));
  assert.match(record.message, REASON_WORDS[reason]);
  if (detail) assert.match(record.message, detail);
  const stored = await t.quarantineStore.list();
  assert.ok(stored.some((q) => q.plugin === plugin && q.guildId === guildId && q.reason === reason), 'the quarantine was not persisted');
  await waitFor(() => t.incidents.some((i) => i.kind === 'quarantine' && i.plugin === plugin && i.guildId === guildId), 2000, 'the quarantine incident');
  const incident = t.incidents.find((i) => i.kind === 'quarantine' && i.plugin === plugin && i.guildId === guildId);
  assert.equal(incident?.message, record.message);
  assert.equal(incident?.severity, 'warning');
  // Stopped: no longer enabled in the guild, and new events do not reach it.
  await waitFor(() => !t.kernel.enabled(guildId).some((e) => e.plugin === plugin), 2000, `${plugin} to be suspended`);
  const after = await send(t.kernel, guildId, 'after quarantine');
  assert.equal(after.outcomes.find((o) => o.plugin === plugin), undefined, 'a quarantined plugin still received an event');
  return record;
}

export function assertNotQuarantined(t: TestKernel, plugin: string, guildId?: string): void {
  const q = t.kernel.quarantines().filter((r) => r.plugin === plugin && (guildId === undefined || r.guildId === guildId));
  assert.deepEqual(q, [], `${plugin} should not be quarantined`);
}

/** The echo plugin was never quarantined and no host was replaced (unless `hostReplaced`). */
export function assertCollateralFree(t: TestKernel, options: { hostReplaced?: boolean } = {}): void {
  assertNotQuarantined(t, ECHO);
  assert.equal(t.incidents.some((i) => i.plugin === ECHO), false, `the healthy plugin has incidents: ${JSON.stringify(t.incidents.filter((i) => i.plugin === ECHO))}`);
  if (!options.hostReplaced) {
    const replaced = t.incidents.filter((i) => i.kind === 'host-replaced');
    assert.deepEqual(replaced, [], 'a sandbox host was replaced');
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Unhandled rejections in the runner are failures of the suite, whatever test caused them.
export const runnerProblems: unknown[] = [];
process.on('unhandledRejection', (reason) => {
  runnerProblems.push(reason);
});
export function assertRunnerClean(): void {
  assert.deepEqual(runnerProblems, [], 'the runner saw unhandled rejections');
}
