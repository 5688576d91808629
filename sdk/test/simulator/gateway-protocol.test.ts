/**
 * The gateway protocol at the WebSocket level, with a bare `ws` client: HELLO, heartbeat ACKs,
 * Discord's close codes for bad clients, INVALID_SESSION for an unknown RESUME, and the zombie
 * timeout when heartbeats stop.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { GatewayCloseCodes, GatewayOpcodes } from 'discord-api-types/v10';
import { WebSocket } from 'ws';
import { startDiscordSimulator, type DiscordSimulator } from '@townesdev/sdk/simulator';

interface Frame {
  op: number;
  t?: string | null;
  s?: number | null;
  d?: unknown;
}

/** A raw gateway connection that queues the frames it receives. */
class RawGateway {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  #waiters: (() => void)[] = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  send(frame: Frame): void {
    this.ws.send(JSON.stringify(frame));
  }

  async next(predicate: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex(predicate);
      if (index >= 0) return this.frames.splice(index, 1)[0] as Frame;
      if (Date.now() > deadline) throw new Error('no such frame');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async closeCode(): Promise<number> {
    const [code] = (await once(this.ws, 'close')) as [number];
    return code;
  }
}

describe('Discord simulator: gateway protocol', () => {
  let sim: DiscordSimulator;
  const url = (query = '?v=10&encoding=json'): string => `${sim.gatewayUrl}${query}`;
  const identify = (token: string, shard: [number, number] = [0, 1], intents = 513): Frame => ({
    op: GatewayOpcodes.Identify,
    d: { token, intents, shard, properties: { os: 'linux', browser: 'test', device: 'test' } },
  });

  before(async () => {
    sim = await startDiscordSimulator({ gateway: { heartbeatIntervalMs: 200 } });
    const owner = sim.state.addUser({ username: 'owner' });
    sim.state.addGuild({ name: 'G', ownerId: owner.id });
  });
  after(() => sim.close());

  test('HELLO, heartbeat ACK, IDENTIFY → READY (seq 1) then GUILD_CREATE', async () => {
    const gw = new RawGateway(url());
    const hello = await gw.next((f) => f.op === GatewayOpcodes.Hello);
    assert.deepEqual(hello.d, { heartbeat_interval: 200 });
    gw.send({ op: GatewayOpcodes.Heartbeat, d: null });
    await gw.next((f) => f.op === GatewayOpcodes.HeartbeatAck);
    gw.send(identify(sim.botToken));
    const ready = await gw.next((f) => f.t === 'READY');
    assert.equal(ready.s, 1);
    const d = ready.d as { v: number; session_id: string; resume_gateway_url: string; shard: number[]; guilds: { unavailable: boolean }[] };
    assert.equal(d.v, 10);
    assert.equal(d.resume_gateway_url, sim.gatewayUrl);
    assert.deepEqual(d.shard, [0, 1]);
    assert.equal(d.guilds[0]?.unavailable, true);
    assert.equal((await gw.next((f) => f.t === 'GUILD_CREATE')).s, 2);
    gw.ws.close(1000);
    await once(gw.ws, 'close');
  });

  test('Discord close codes for bad clients', async () => {
    const cases: [string, Frame | null, number][] = [
      ['wrong token', identify('not-the-token'), GatewayCloseCodes.AuthenticationFailed],
      ['shard id not below count', identify(sim.botToken, [2, 2]), GatewayCloseCodes.InvalidShard],
      ['unknown intent bits', identify(sim.botToken, [0, 1], 1 << 30), GatewayCloseCodes.InvalidIntents],
      ['payload before identify', { op: GatewayOpcodes.PresenceUpdate, d: {} }, GatewayCloseCodes.NotAuthenticated],
      ['unknown opcode', { op: 99, d: null }, GatewayCloseCodes.UnknownOpcode],
    ];
    for (const [name, frame, expected] of cases) {
      const gw = new RawGateway(url());
      await gw.next((f) => f.op === GatewayOpcodes.Hello);
      if (frame) gw.send(frame);
      assert.equal(await gw.closeCode(), expected, name);
    }
    const oldVersion = new RawGateway(url('?v=6&encoding=json'));
    assert.equal(await oldVersion.closeCode(), GatewayCloseCodes.InvalidAPIVersion);
  });

  test('RESUME of an unknown session gets INVALID_SESSION (not resumable)', async () => {
    const gw = new RawGateway(url());
    await gw.next((f) => f.op === GatewayOpcodes.Hello);
    gw.send({ op: GatewayOpcodes.Resume, d: { token: sim.botToken, session_id: 'nope', seq: 3 } });
    assert.deepEqual(await gw.next((f) => f.op === GatewayOpcodes.InvalidSession), { op: GatewayOpcodes.InvalidSession, d: false });
    gw.ws.close(1000);
    await once(gw.ws, 'close');
  });

  test('RESUME replays what was missed after the given seq, then RESUMED', async () => {
    const first = new RawGateway(url());
    await first.next((f) => f.op === GatewayOpcodes.Hello);
    first.send(identify(sim.botToken, [0, 1], 1 | 2));
    const ready = await first.next((f) => f.t === 'READY');
    const lastSeq = (await first.next((f) => f.t === 'GUILD_CREATE')).s as number;
    first.ws.close(4000); // a resumable close from the client side
    await once(first.ws, 'close');
    const guildId = [...sim.state.guilds.keys()][0] as string;
    const joiner = sim.state.addUser({ username: 'late' });
    sim.gateway.memberJoin(guildId, joiner.id);

    const second = new RawGateway(url());
    await second.next((f) => f.op === GatewayOpcodes.Hello);
    second.send({ op: GatewayOpcodes.Resume, d: { token: sim.botToken, session_id: (ready.d as { session_id: string }).session_id, seq: lastSeq } });
    const replayed = await second.next((f) => f.t === 'GUILD_MEMBER_ADD');
    assert.equal(replayed.s, lastSeq + 1);
    assert.equal((await second.next((f) => f.t === 'RESUMED')).s, lastSeq + 2);
    second.ws.close(1000);
    await once(second.ws, 'close');
  });

  test('a connection whose heartbeats stop is closed as timed out (4009)', async () => {
    const gw = new RawGateway(url());
    await gw.next((f) => f.op === GatewayOpcodes.Hello);
    const started = Date.now();
    assert.equal(await gw.closeCode(), GatewayCloseCodes.SessionTimedOut);
    assert.ok(Date.now() - started >= 1000);
  });
});
