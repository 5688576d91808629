/**
 * A gateway session: what IDENTIFY creates and RESUME continues. It outlives its WebSocket so a
 * client that reconnects can resume: dispatches for a disconnected session are numbered and kept,
 * and replayed after the client's last sequence number on RESUME, as Discord does.
 */
import { randomBytes } from 'node:crypto';
import { GatewayOpcodes, type GatewayDispatchPayload } from 'discord-api-types/v10';

/** The connection a session sends through (gateway-connection.ts). */
export interface SessionConnection {
  send(payload: object): void;
  close(code: number, reason: string): void;
}

export class GatewaySession {
  readonly id = randomBytes(16).toString('hex');
  readonly shardId: number;
  readonly shardCount: number;
  readonly intents: number;
  seq = 0;
  connection: SessionConnection | null = null;
  /** When the last connection closed (null while connected). */
  disconnectedAt: number | null = null;
  /** Set by INVALID_SESSION (not resumable) or a normal client close: RESUME is refused. */
  invalidated = false;
  readonly #replay: GatewayDispatchPayload[] = [];
  readonly #replayLimit: number;

  constructor(input: { shardId: number; shardCount: number; intents: number; replayLimit: number }) {
    this.shardId = input.shardId;
    this.shardCount = input.shardCount;
    this.intents = input.intents;
    this.#replayLimit = input.replayLimit;
  }

  hasIntent(bit: number): boolean {
    return (this.intents & bit) === bit;
  }

  /** Numbers a dispatch, keeps it for replay and sends it if connected. */
  dispatch(t: string, d: unknown): GatewayDispatchPayload {
    this.seq += 1;
    const payload = { op: GatewayOpcodes.Dispatch, t, s: this.seq, d } as GatewayDispatchPayload;
    this.#replay.push(payload);
    // Trim in batches so a busy session does not shift the whole buffer on every event.
    if (this.#replay.length > this.#replayLimit + Math.ceil(this.#replayLimit / 4)) this.#replay.splice(0, this.#replay.length - this.#replayLimit);
    this.connection?.send(payload);
    return payload;
  }

  /** The dispatches after `seq`, or null when some of them are no longer kept. */
  missedSince(seq: number): GatewayDispatchPayload[] | null {
    if (seq > this.seq) return null;
    const oldest = this.#replay[0]?.s ?? this.seq + 1;
    if (seq + 1 < oldest && seq < this.seq) return null;
    return this.#replay.filter((p) => p.s > seq);
  }

  /**
   * May this session still be resumed (not invalidated, not disconnected for too long)? Such a
   * session still receives (and keeps) events while its client is away.
   */
  resumable(now: number, resumeWindowMs: number): boolean {
    return !this.invalidated && (this.disconnectedAt === null || now - this.disconnectedAt <= resumeWindowMs);
  }
}
