import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GUILD_A, MESSAGE_INTENTS, inlineBundle, message, startTestKernel } from '../support/test-kernel.ts';

// Burns 60 ms of CPU per event, well inside its 200 ms limit.
const steady = inlineBundle({ name: '@test/steady', permissions: ['discord.messages.send'], events: ['messageCreate'], discord: MESSAGE_INTENTS, limits: { cpuMsPerEvent: 200 } }, `{
  events: { messageCreate(ctx, m) {
    const until = Date.now() + 60;
    while (Date.now() < until) {}
    ctx.discord.sendMessage(m.channelId, 'done');
  } },
}`);

test('a plugin is not blamed when its call was cut short by a busy machine rather than by its own CPU use', { timeout: 30_000 }, async () => {
  const t = await startTestKernel([steady], { hosts: 1 });
  try {
    await t.kernel.enable(GUILD_A, { plugin: '@test/steady', version: '1.0.0', config: {}, grants: ['discord.messages.send'] });
    const [pid] = t.kernel.sandboxPids;
    assert.ok(pid);
    for (let round = 0; round < 3; round++) {
      const pending = t.kernel.dispatch(GUILD_A, 'messageCreate', message(GUILD_A, 'go', round), `busy${round}`);
      // Freeze the sandbox host in the middle of the handler: wall time runs past the limit, CPU time does not.
      await new Promise((r) => setTimeout(r, 25));
      process.kill(pid, 'SIGSTOP');
      await new Promise((r) => setTimeout(r, 400));
      process.kill(pid, 'SIGCONT');
      const report = await pending;
      assert.equal(report.outcomes[0]?.ok, true, JSON.stringify(report.outcomes[0]));
    }
    assert.deepEqual(t.kernel.quarantines(), []);
    assert.equal(t.sink.actions.length, 3, 'each event performed its action exactly once');
  } finally {
    await t.kernel.shutdown(2000);
  }
});
