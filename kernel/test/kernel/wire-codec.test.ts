import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serialize, deserialize } from 'node:v8';
import type { FromHost, ItemResult, ToHost } from '../../src/sandbox/sandbox-protocol.ts';
import { decodeFromHost, decodeToHost, encodeFromHost, encodeToHost } from '../../src/sandbox/wire-codec.ts';

// Through the same serialiser the advanced IPC channel uses, so what crosses is what is tested.
const cross = <T>(value: T): T => deserialize(serialize(value)) as T;

test('work items cross as a flat list and come back as they left', () => {
  const submit: ToHost = {
    t: 'submit',
    items: [
      { seq: 1, plugin: '@townesdev/xp@1.0.0', guildId: '200000000000000001', kind: 'event', name: 'messageCreate', payload: '{"content":"hi \\"there\\""}' },
      { seq: 2, plugin: '@townesdev/welcome@1.0.0', guildId: '200000000000000002', kind: 'up', name: '001-initial', payload: 'null' },
    ],
  };
  const wire = cross(encodeToHost(submit));
  assert.equal(wire.t, 'S');
  assert.deepEqual(decodeToHost(wire), submit);
  assert.deepEqual(decodeToHost(cross(encodeToHost({ t: 'submit', items: [] }))), { t: 'submit', items: [] });
});

test('results cross as a flat list: plain ones without an extra record, the rest with everything they carry', () => {
  const plain: ItemResult = { seq: 7, ok: true, value: 'null', writes: [['u:1', '{"xp":10}'], ['gone', null]], actions: [], logs: [], denials: [] };
  const noValue: ItemResult = { seq: 8, ok: true, writes: [], actions: [], logs: [], denials: [] };
  const rich: ItemResult = {
    seq: 9,
    ok: false,
    error: { name: 'HostError', message: 'nope', code: 'CAPABILITY_DENIED' },
    fault: 'cpu-limit',
    writes: [],
    actions: [{ type: 'sendMessage', channelId: '300000000000000001', message: { content: 'hi' } }],
    logs: [{ level: 'warn', message: 'careful', data: '{"a":1}' }],
    denials: ['discord.dm'],
  };
  const results: FromHost = { t: 'results', results: [plain, noValue, rich] };
  const wire = cross(encodeFromHost(results));
  assert.equal(wire.t, 'R');
  if (wire.t === 'R') assert.equal(wire.f.filter((v) => v !== null && typeof v === 'object').length, 1, 'only the result with more than writes carries an extra record');
  assert.deepEqual(decodeFromHost(wire), results);
});

test('every other message crosses as it is', () => {
  const ping: ToHost = { t: 'ping', id: 3 };
  const pong: FromHost = { t: 'pong', id: 3 };
  assert.equal(encodeToHost(ping), ping);
  assert.equal(decodeToHost(ping), ping);
  assert.equal(encodeFromHost(pong), pong);
  assert.equal(decodeFromHost(pong), pong);
});
