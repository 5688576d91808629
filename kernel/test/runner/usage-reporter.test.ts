import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { UsageReporter, type UsageCount } from '../../src/runner/index.ts';

test('usage is summed per guild, day and metric; a failed report is kept and sent with the next', async () => {
  const sent: UsageCount[][] = [];
  let failNext = true;
  const reporter = new UsageReporter({
    sink: {
      async report(counts) {
        if (failNext) {
          failNext = false;
          throw new Error('API unreachable');
        }
        sent.push(counts);
      },
    },
    logger: pino({ level: 'silent' }),
    everyMs: 60_000,
  });
  reporter.count('100000000000000001', 'events');
  reporter.count('100000000000000001', 'events');
  reporter.count('100000000000000001', 'actions', 1, '2026-11-24');
  await reporter.flush();
  assert.deepEqual(sent, [], 'the first report failed');
  reporter.count('100000000000000001', 'events');
  await reporter.stop();
  assert.equal(sent.length, 1);
  const [report] = sent as UsageCount[][];
  const byKey = Object.fromEntries(report!.map((c) => [`${c.day}/${c.metric}`, c.value]));
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(byKey, { [`${today}/events`]: 3, '2026-11-24/actions': 1 }, 'nothing lost, each count on its own day');
});
