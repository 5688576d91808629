/**
 * Calls to capabilities a plugin does not hold. Undeclared in the manifest: the plugin gets a
 * typed error, nothing is performed, an incident is recorded, and doing it repeatedly is a
 * quarantine ('denied-calls'). Declared but not granted by the guild: a typed error and an
 * informational incident, but no strike (the plugin is not misbehaving; the guild said no).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { EnableError, MemoryIncidentSink, MemoryPluginStore, MemoryQuarantineStore, RecordingActionSink } from '@townesdev/kernel';
import { ResultHandler } from '../../src/bus/result-handler.ts';
import type { Enablement } from '../../src/lifecycle/enablement.ts';
import { QuarantineBook } from '../../src/quarantine/quarantine-book.ts';
import { SandboxPool } from '../../src/sandbox/sandbox-pool.ts';
import {
  GUILD_A,
  HOSTS,
  assertCollateralFree,
  assertHealthyEverywhere,
  assertNotQuarantined,
  assertQuarantined,
  assertRunnerClean,
  buildBundle,
  command,
  interaction,
  outcomeOf,
  send,
  setup,
  startKernel,
} from './support.ts';

const SNEAK = '@hostile/sneak';

/** Declares only `storage`, then calls every Discord action anyway. */
const sneakBundle = buildBundle({
  name: SNEAK,
  permissions: ['storage'],
  events: ['messageCreate'],
  commands: ['sneak'],
  definition: `{
    events: {
      messageCreate(ctx, event) {
        // Not caught: the typed error is the handler's failure.
        ctx.discord.sendMessage(event.channelId, 'sneaky ' + event.content);
      },
    },
    commands: {
      sneak(ctx, i) {
        const seen = [];
        const calls = [
          () => ctx.discord.sendMessage(i.channelId, 'sneaky'),
          () => ctx.discord.sendDirectMessage(i.user.id, 'sneaky'),
          () => ctx.discord.addRole(i.user.id, '111111111111111111'),
          () => ctx.discord.removeRole(i.user.id, '111111111111111111'),
        ];
        for (const call of calls) {
          try { call(); seen.push('performed'); } catch (e) {
            seen.push({ instance: e instanceof HostError && e instanceof Error, name: e.name, code: e.code, message: e.message });
          }
        }
        return JSON.stringify(seen);
      },
    },
  }`,
});

describe('undeclared capabilities', () => {
  test('typed CAPABILITY_DENIED errors, nothing performed, incidents recorded, repeated -> quarantine', { timeout: 30_000 }, async () => {
    const t = await setup([sneakBundle]);
    try {
      const first = await command(t.kernel, GUILD_A, 'sneak');
      assert.equal(first.ok, true, JSON.stringify(first));
      assert.deepEqual(first.actions, []);
      const seen = JSON.parse(first.reply?.content ?? '[]') as unknown[];
      const denied = (capability: string): object => ({ instance: true, name: 'HostError', code: 'CAPABILITY_DENIED', message: `"${capability}" is not permitted: the manifest does not declare it` });
      assert.deepEqual(seen, [denied('discord.messages.send'), denied('discord.members.dm'), denied('discord.roles.manage'), denied('discord.roles.manage')]);
      assertNotQuarantined(t, SNEAK);

      const second = outcomeOf(await send(t.kernel, GUILD_A, 'hello'), SNEAK);
      assert.equal(second.ok, false);
      assert.equal(second.error, 'HostError: "discord.messages.send" is not permitted: the manifest does not declare it');
      assert.deepEqual(second.actions, []);
      assertNotQuarantined(t, SNEAK);

      // The third denied call is the third strike.
      const third = await command(t.kernel, GUILD_A, 'sneak');
      assert.equal(third.ok, true, JSON.stringify(third));
      await assertQuarantined(t, SNEAK, GUILD_A, 'denied-calls', /does not declare/);

      assert.equal(t.actions.actions.some((e) => e.plugin === SNEAK), false, 'a denied action was performed');
      // One incident per capability (not one per call), each a warning naming plugin and capability.
      const incidents = t.incidents.filter((i) => i.kind === 'capability-denied');
      assert.deepEqual(
        incidents.map((i) => [i.plugin, i.guildId, i.severity, i.message]).sort(),
        ['discord.members.dm', 'discord.messages.send', 'discord.roles.manage'].map((c) => [SNEAK, GUILD_A, 'warning', `${SNEAK}@1.0.0 called "${c}", which its manifest does not declare`]),
      );
      await assertHealthyEverywhere(t);
      assertCollateralFree(t);
      assertRunnerClean();
    } finally {
      await t.close();
    }
  });

  test('a plugin without `storage` has no storage at all, and cannot reach the host\'s storage call', { timeout: 30_000 }, async () => {
    const bundle = buildBundle({
      name: '@hostile/no-storage',
      commands: ['look'],
      definition: `{ commands: { look(ctx) { return JSON.stringify({ storage: typeof ctx.storage, host: typeof globalThis.__townesHost }); } } }`,
    });
    const t = await setup([bundle]);
    try {
      const o = await command(t.kernel, GUILD_A, 'look');
      assert.deepEqual(JSON.parse(o.reply?.content ?? '{}'), { storage: 'undefined', host: 'undefined' });
    } finally {
      await t.close();
    }
  });
});

describe('declared but not granted', () => {
  const ASKS = '@hostile/asks';
  const asksBundle = buildBundle({
    name: ASKS,
    permissions: ['discord.messages.send', 'discord.roles.manage'],
    commands: ['try'],
    definition: `{
      commands: {
        try(ctx, i) {
          try { ctx.discord.addRole(i.user.id, '111111111111111111'); return 'performed'; }
          catch (e) { return JSON.stringify({ instance: e instanceof HostError, code: e.code, message: e.message }); }
        },
      },
    }`,
  });

  test('the kernel refuses to enable a plugin whose declared permissions are not all granted', { timeout: 30_000 }, async () => {
    const t = await startKernel([asksBundle]);
    try {
      await assert.rejects(
        t.kernel.enable(GUILD_A, { plugin: ASKS, version: '1.0.0', config: {}, grants: ['discord.messages.send'] }),
        (error: unknown) => error instanceof EnableError && error.code === 'GRANT_MISSING' && /discord\.roles\.manage/.test(error.message),
      );
      assert.equal(t.kernel.enabled(GUILD_A).some((e) => e.plugin === ASKS), false);
      assert.equal((await command(t.kernel, GUILD_A, 'try')).ok, false);
    } finally {
      await t.close();
    }
  });

  // Through the Kernel facade a declared capability is always granted (see above), so the host's
  // grant check is exercised one level down: the real pool, host processes, result handler and
  // quarantine book, with a guild setting that lacks a declared capability.
  test('the host still checks the grant: typed error, an info incident, no strike', { timeout: 30_000 }, async () => {
    const store = new MemoryPluginStore();
    const incidents = new MemoryIncidentSink();
    const actions = new RecordingActionSink();
    const logger = pino({ level: 'silent' });
    const pool = await SandboxPool.start({ hosts: HOSTS, store, logger });
    const book = new QuarantineBook(new MemoryQuarantineStore(), incidents, logger);
    const quarantined: Enablement[] = [];
    const results = new ResultHandler({ logger, actions, incidents, quarantine: book, onQuarantine: (e) => quarantined.push(e) });
    try {
      const { manifest, code } = asksBundle;
      const key = `${manifest.name}@${manifest.version}`;
      await pool.load({ key, name: manifest.name, version: manifest.version, code, permissions: manifest.permissions, limits: manifest.limits });
      const grants = ['discord.messages.send'] as const; // discord.roles.manage declared, not granted
      pool.setGuild({ plugin: key, guildId: GUILD_A, configJson: '{}', grants: [...grants] });
      const e: Enablement = { guildId: GUILD_A, plugin: manifest.name, version: manifest.version, key, manifest, config: {}, grants: [...grants] };
      for (let n = 0; n < 12; n++) {
        const result = await pool.run({ plugin: key, guildId: GUILD_A, kind: 'command', name: 'try', payload: JSON.stringify(interaction(GUILD_A, 'try')) });
        await results.handle(e, `interaction:${n}`, result);
        assert.equal(result.ok, true, JSON.stringify(result));
        assert.deepEqual(JSON.parse(JSON.parse(result.value ?? 'null') as string), {
          instance: true,
          code: 'CAPABILITY_DENIED',
          message: '"discord.roles.manage" is not permitted: this server has not granted it',
        });
        assert.deepEqual(result.actions, []);
        assert.deepEqual(result.denials, ['discord.roles.manage']);
      }
      assert.deepEqual(actions.actions, []);
      assert.deepEqual(
        incidents.incidents.map((i) => [i.kind, i.severity, i.plugin, i.guildId, i.message]),
        [['capability-denied', 'info', ASKS, GUILD_A, `${ASKS} tried to use "discord.roles.manage", which this server has not granted`]],
      );
      assert.deepEqual(book.list(), []);
      assert.deepEqual(quarantined, []);
    } finally {
      await pool.close(1000);
    }
  });
});
