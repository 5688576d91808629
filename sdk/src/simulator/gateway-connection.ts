/**
 * One gateway WebSocket: HELLO with the heartbeat interval, heartbeats answered with ACKs (and
 * the connection closed as a zombie, 4009, when they stop), then IDENTIFY or RESUME, and Discord's
 * close codes for protocol errors (4001 unknown opcode, 4002 decode error, 4003 not authenticated,
 * 4005 already authenticated). The session work is the hub's (gateway-server.ts).
 */
import { GatewayCloseCodes, GatewayOpcodes } from 'discord-api-types/v10';
import type { WebSocket } from 'ws';
import { maskGatewayData, type GatewayLog } from './gateway-log.ts';
import type { GatewaySession, SessionConnection } from './gateway-session.ts';

/** What the connection asks of the gateway server. */
export interface GatewayHub {
  identify(connection: GatewayConnection, data: Record<string, unknown>): void;
  resume(connection: GatewayConnection, data: Record<string, unknown>): void;
  requestGuildMembers(connection: GatewayConnection, data: Record<string, unknown>): void;
  closed(connection: GatewayConnection, code: number): void;
}

/** Ops a client may send after identifying that the simulator accepts and ignores. */
const ACCEPTED_OPS = new Set<number>([GatewayOpcodes.PresenceUpdate, GatewayOpcodes.VoiceStateUpdate]);

export class GatewayConnection implements SessionConnection {
  session: GatewaySession | null = null;
  readonly #ws: WebSocket;
  readonly #hub: GatewayHub;
  readonly #log: GatewayLog;
  readonly #heartbeatIntervalMs: number;
  #zombieTimer: NodeJS.Timeout | null = null;
  /** Whether the simulator, not the client, ended the connection (the close code is then ours). */
  closedByServer = false;

  constructor(ws: WebSocket, input: { hub: GatewayHub; log: GatewayLog; heartbeatIntervalMs: number }) {
    this.#ws = ws;
    this.#hub = input.hub;
    this.#log = input.log;
    this.#heartbeatIntervalMs = input.heartbeatIntervalMs;
    ws.on('message', (data, isBinary) => this.#onMessage(isBinary ? null : data.toString()));
    ws.on('close', (code) => {
      this.#clearZombieTimer();
      this.#hub.closed(this, code);
    });
    ws.on('error', () => ws.terminate());
    this.send({ op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.#heartbeatIntervalMs } });
    this.#armZombieTimer();
  }

  get open(): boolean {
    return this.#ws.readyState === this.#ws.OPEN;
  }

  send(payload: object): void {
    if (!this.open) return;
    const p = payload as { op: number; t?: string | null; s?: number | null; d?: unknown };
    this.#log.add({ at: Date.now(), direction: 'sent', shardId: this.session?.shardId ?? null, sessionId: this.session?.id ?? null, op: p.op, t: p.t ?? null, s: p.s ?? null, d: p.d });
    this.#ws.send(JSON.stringify(payload));
  }

  close(code: number, reason: string): void {
    this.#clearZombieTimer();
    this.closedByServer = true;
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(code, reason);
  }

  /** Drops the socket without a close frame, like a network failure (the client sees 1006). */
  terminate(): void {
    this.#clearZombieTimer();
    this.closedByServer = true;
    this.#ws.terminate();
  }

  #onMessage(text: string | null): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      if (text === null) throw new Error('binary frame');
      payload = JSON.parse(text) as { op?: unknown; d?: unknown };
    } catch {
      this.close(GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
      return;
    }
    const op = typeof payload.op === 'number' ? payload.op : -1;
    const d = payload.d !== null && typeof payload.d === 'object' ? (payload.d as Record<string, unknown>) : {};
    this.#log.add({ at: Date.now(), direction: 'received', shardId: this.session?.shardId ?? null, sessionId: this.session?.id ?? null, op, t: null, s: null, d: maskGatewayData(op, payload.d) });
    switch (op) {
      case GatewayOpcodes.Heartbeat:
        this.#armZombieTimer();
        this.send({ op: GatewayOpcodes.HeartbeatAck });
        return;
      case GatewayOpcodes.Identify:
        if (this.session) return this.close(GatewayCloseCodes.AlreadyAuthenticated, 'You sent more than one identify payload.');
        return this.#hub.identify(this, d);
      case GatewayOpcodes.Resume:
        if (this.session) return this.close(GatewayCloseCodes.AlreadyAuthenticated, 'You sent more than one identify payload.');
        return this.#hub.resume(this, d);
      case GatewayOpcodes.RequestGuildMembers:
        if (!this.session) return this.close(GatewayCloseCodes.NotAuthenticated, 'You sent a payload prior to identifying.');
        return this.#hub.requestGuildMembers(this, d);
      default:
        if (!ACCEPTED_OPS.has(op)) return this.close(GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
        if (!this.session) return this.close(GatewayCloseCodes.NotAuthenticated, 'You sent a payload prior to identifying.');
    }
  }

  /**
   * Discord drops a connection whose heartbeats stop. Clients beat every interval (the first one
   * after a random fraction of it), so two intervals and a second of slack is a generous bound.
   */
  #armZombieTimer(): void {
    this.#clearZombieTimer();
    this.#zombieTimer = setTimeout(() => this.close(GatewayCloseCodes.SessionTimedOut, 'Session timed out.'), this.#heartbeatIntervalMs * 2 + 1000);
    this.#zombieTimer.unref();
  }

  #clearZombieTimer(): void {
    if (this.#zombieTimer) clearTimeout(this.#zombieTimer);
    this.#zombieTimer = null;
  }
}
