/**
 * The Gateway v10 server: WebSocket upgrades on the simulator's port, IDENTIFY (token, intents,
 * shard checks, READY then GUILD_CREATE for the shard's guilds), RESUME (replay, RESUMED) or
 * INVALID_SESSION, and routing of dispatches to the sessions whose shard holds the guild
 * (`(guild_id >> 22) % shard_count`; DMs go to shard 0) and whose intents ask for the event.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from 'discord-api-types/v10';
import { WebSocketServer } from 'ws';
import { apiMember } from './api-objects.ts';
import { GatewayConnection, type GatewayHub } from './gateway-connection.ts';
import { guildCreateData, readyData } from './gateway-events.ts';
import { GatewayLog } from './gateway-log.ts';
import { GatewaySession } from './gateway-session.ts';
import type { SimulatorContext } from './simulator-context.ts';
import { shardForGuild } from './snowflake.ts';

export interface GatewayOptions {
  /** HELLO's heartbeat_interval (Discord: 41250 ms). Keep it short in tests. */
  heartbeatIntervalMs?: number;
  /** How long a disconnected session may be resumed (default 60 s). */
  resumeWindowMs?: number;
  /** Dispatches kept per session for replay on RESUME (default 1000). */
  replayLimit?: number;
  /** Privileged intents the application may use (default all three); others close with 4014. */
  allowedPrivilegedIntents?: number;
  /** Entries kept in `sim.gatewayLog` (default 10,000). */
  logLimit?: number;
}

export interface ConnectedShard {
  shardId: number;
  shardCount: number;
  sessionId: string;
  intents: number;
}

const ALL_INTENTS = Object.values(GatewayIntentBits).filter((v): v is number => typeof v === 'number').reduce((a, b) => a | b, 0);
const PRIVILEGED_INTENTS = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

export class GatewayServer implements GatewayHub {
  readonly log: GatewayLog;
  readonly #ctx: SimulatorContext;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #connections = new Set<GatewayConnection>();
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #options: Required<GatewayOptions>;

  constructor(ctx: SimulatorContext, options: GatewayOptions = {}) {
    this.#ctx = ctx;
    this.#options = {
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      resumeWindowMs: options.resumeWindowMs ?? 60_000,
      replayLimit: options.replayLimit ?? 1000,
      allowedPrivilegedIntents: options.allowedPrivilegedIntents ?? PRIVILEGED_INTENTS,
      logLimit: options.logLimit ?? 10_000,
    };
    this.log = new GatewayLog(this.#options.logLimit);
  }

  get gatewayUrl(): string {
    return this.#ctx.baseUrl().replace(/^http/, 'ws');
  }

  /** The http server's 'upgrade' handler: every path is the gateway, as `url` from /gateway/bot. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = new GatewayConnection(ws, { hub: this, log: this.log, heartbeatIntervalMs: this.#options.heartbeatIntervalMs });
      this.#connections.add(connection);
      const query = new URL(request.url ?? '/', 'ws://simulator.invalid').searchParams;
      if (query.get('v') !== '10') connection.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version.');
      else if ((query.get('encoding') ?? 'json') !== 'json') connection.close(GatewayCloseCodes.DecodeError, 'The simulator speaks encoding=json only.');
    });
  }

  identify(connection: GatewayConnection, d: Record<string, unknown>): void {
    if (!this.#tokenOk(d.token)) return connection.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) {
      return connection.close(GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
    }
    if ((intents & PRIVILEGED_INTENTS & ~this.#options.allowedPrivilegedIntents) !== 0) return connection.close(GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    const [shardId, shardCount] = Array.isArray(d.shard) ? (d.shard as unknown[]) : [0, 1];
    if (!Number.isInteger(shardId) || !Number.isInteger(shardCount) || (shardCount as number) < 1 || (shardId as number) < 0 || (shardId as number) >= (shardCount as number)) {
      return connection.close(GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    }
    const session = new GatewaySession({ shardId: shardId as number, shardCount: shardCount as number, intents, replayLimit: this.#options.replayLimit });
    // A new session for a shard replaces disconnected ones of the same shard (they would only pile up events).
    for (const [id, old] of this.#sessions) if (old.connection === null && old.shardId === session.shardId && old.shardCount === session.shardCount) this.#sessions.delete(id);
    this.#sessions.set(session.id, session);
    this.#attach(session, connection);
    const { state } = this.#ctx;
    const guilds = state.guildsOf(state.bot.id).filter((g) => shardForGuild(g.id, session.shardCount) === session.shardId);
    session.dispatch('READY', readyData(state, { sessionId: session.id, resumeUrl: this.gatewayUrl, shard: [session.shardId, session.shardCount], guildIds: guilds.map((g) => g.id), applicationId: this.#ctx.applicationId }));
    for (const guild of guilds) session.dispatch('GUILD_CREATE', guildCreateData(state, guild, session.hasIntent(GatewayIntentBits.GuildMembers)));
  }

  resume(connection: GatewayConnection, d: Record<string, unknown>): void {
    if (!this.#tokenOk(d.token)) return connection.close(GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const session = typeof d.session_id === 'string' ? this.#sessions.get(d.session_id) : undefined;
    const missed = session?.resumable(Date.now(), this.#options.resumeWindowMs) ? session.missedSince(Number(d.seq ?? 0)) : null;
    if (!session || missed === null) {
      if (session) session.invalidated = true;
      return connection.send({ op: GatewayOpcodes.InvalidSession, d: false });
    }
    const previous = session.connection;
    if (previous instanceof GatewayConnection && previous !== connection) {
      previous.session = null;
      previous.terminate();
    }
    this.#attach(session, connection);
    for (const payload of missed) connection.send(payload);
    session.seq += 1;
    connection.send({ op: GatewayOpcodes.Dispatch, t: 'RESUMED', s: session.seq, d: {} });
  }

  /** Op 8: one GUILD_MEMBERS_CHUNK per guild with the members asked for (by ids or name prefix). */
  requestGuildMembers(connection: GatewayConnection, d: Record<string, unknown>): void {
    const session = connection.session;
    if (!session) return;
    const guildIds = Array.isArray(d.guild_id) ? (d.guild_id as string[]) : [String(d.guild_id)];
    const userIds = d.user_ids === undefined ? null : new Set(Array.isArray(d.user_ids) ? (d.user_ids as string[]) : [String(d.user_ids)]);
    const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
    const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : Number.POSITIVE_INFINITY;
    for (const guildId of guildIds) {
      const guild = this.#ctx.state.guilds.get(guildId);
      if (!guild) continue;
      const members = [...guild.members.values()]
        .filter((m) => (userIds ? userIds.has(m.userId) : this.#ctx.state.user(m.userId).username.toLowerCase().startsWith(query)))
        .slice(0, limit);
      const notFound = userIds ? [...userIds].filter((id) => !guild.members.has(id)) : [];
      session.dispatch('GUILD_MEMBERS_CHUNK', {
        guild_id: guildId,
        members: members.map((m) => apiMember(this.#ctx.state, m)),
        chunk_index: 0,
        chunk_count: 1,
        ...(notFound.length > 0 ? { not_found: notFound } : {}),
        ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
      });
    }
  }

  closed(connection: GatewayConnection, code: number): void {
    this.#connections.delete(connection);
    const session = connection.session;
    if (!session || session.connection !== connection) return;
    session.connection = null;
    session.disconnectedAt = Date.now();
    // A client that closes with 1000/1001 ends its session (Discord: it cannot be resumed).
    if (!connection.closedByServer && (code === 1000 || code === 1001)) session.invalidated = true;
  }

  /**
   * Sends a dispatch to every live session that should get it: the guild's shard (shard 0 for
   * `guildId` null, i.e. DMs), and whatever `build` returns for that session (null: not for it,
   * e.g. a missing intent).
   */
  dispatch(guildId: string | null, t: string, build: (session: GatewaySession) => unknown): number {
    const now = Date.now();
    let sent = 0;
    for (const [id, session] of this.#sessions) {
      if (!session.resumable(now, this.#options.resumeWindowMs)) {
        if (session.connection === null) this.#sessions.delete(id);
        continue;
      }
      const shard = guildId === null ? 0 : shardForGuild(guildId, session.shardCount);
      if (shard !== session.shardId) continue;
      const data = build(session);
      if (data === null) continue;
      session.dispatch(t, data);
      sent += 1;
    }
    return sent;
  }

  connectedShards(): ConnectedShard[] {
    return [...this.#sessions.values()]
      .filter((s) => s.connection !== null)
      .map((s) => ({ shardId: s.shardId, shardCount: s.shardCount, sessionId: s.id, intents: s.intents }))
      .sort((a, b) => a.shardId - b.shardId);
  }

  /** Closes the sockets of a shard (all shards when omitted) with a resumable code; the sessions stay. */
  dropConnection(shardId?: number, code: number = GatewayCloseCodes.UnknownError): number {
    const targets = this.#connectedSessions(shardId);
    for (const session of targets) session.connection?.close(code, 'Simulated connection drop.');
    return targets.length;
  }

  /** Op 9 to a shard; unless `resumable`, its session is gone and the client must IDENTIFY again. */
  invalidateSession(shardId: number, resumable = false): number {
    const targets = this.#connectedSessions(shardId);
    for (const session of targets) {
      if (!resumable) session.invalidated = true;
      session.connection?.send({ op: GatewayOpcodes.InvalidSession, d: resumable });
    }
    return targets.length;
  }

  /** Op 7: the client should reconnect and RESUME. */
  requestReconnect(shardId: number): number {
    const targets = this.#connectedSessions(shardId);
    for (const session of targets) session.connection?.send({ op: GatewayOpcodes.Reconnect, d: null });
    return targets.length;
  }

  close(): void {
    for (const connection of this.#connections) connection.terminate();
    this.#connections.clear();
    this.#sessions.clear();
    this.#wss.close();
  }

  #connectedSessions(shardId: number | undefined): GatewaySession[] {
    return [...this.#sessions.values()].filter((s) => s.connection !== null && (shardId === undefined || s.shardId === shardId));
  }

  #attach(session: GatewaySession, connection: GatewayConnection): void {
    session.connection = connection;
    session.disconnectedAt = null;
    connection.session = session;
  }

  #tokenOk(token: unknown): boolean {
    return typeof token === 'string' && token.replace(/^Bot\s+/i, '') === this.#ctx.botToken;
  }
}
