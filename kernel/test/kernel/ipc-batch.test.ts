import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpcBatcher, unbatch } from '../../src/sandbox/ipc-batch.ts';

test('IpcBatcher sends what one turn produced as one wire message, in order; a lone message crosses as itself', async () => {
  const wires: unknown[] = [];
  const batcher = new IpcBatcher<{ n: number }>((wire) => wires.push(wire));
  batcher.send({ n: 1 });
  batcher.send({ n: 2 });
  batcher.send({ n: 3 });
  assert.deepEqual(wires, [], 'nothing is written before the current turn ends');
  await Promise.resolve();
  batcher.send({ n: 4 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(wires, [[{ n: 1 }, { n: 2 }, { n: 3 }], { n: 4 }]);
  const received: number[] = [];
  for (const wire of wires) unbatch(wire as { n: number } | Array<{ n: number }>, (m) => received.push(m.n));
  assert.deepEqual(received, [1, 2, 3, 4]);
});
