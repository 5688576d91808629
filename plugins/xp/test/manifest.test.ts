import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchemaToZod, parseManifest } from '@townesdev/plugin-contract';
import plugin, { DEFAULT_LEVEL_UP_MESSAGE } from '../src/plugin.ts';

describe('xp manifest', () => {
  const manifest = parseManifest(plugin.manifest);

  it('is a valid manifest', () => {
    assert.equal(manifest.name, '@townesdev/xp');
    assert.equal(manifest.version, '1.0.0');
    assert.equal(manifest.kernelApi, '^1.0.0');
    assert.equal(manifest.entry, 'dist/plugin.js');
    assert.deepEqual(manifest.events, ['messageCreate']);
    assert.deepEqual(manifest.permissions, ['storage', 'discord.messages.send', 'discord.roles.manage']);
    assert.deepEqual(manifest.commands.map((c) => c.name), ['rank', 'leaderboard']);
    assert.deepEqual(manifest.migrations.map((m) => m.id), ['001-initial']);
  });

  it('has code for every declared handler and migration', () => {
    assert.deepEqual(Object.keys(plugin.events ?? {}), manifest.events);
    assert.deepEqual(Object.keys(plugin.commands ?? {}), manifest.commands.map((c) => c.name));
    assert.deepEqual(Object.keys(plugin.migrations ?? {}), manifest.migrations.map((m) => m.id));
  });

  it('config defaults need no admin input', () => {
    assert.deepEqual(configSchemaToZod(manifest.config).parse({}), {
      minXp: 15,
      maxXp: 25,
      cooldownSeconds: 60,
      announceLevelUps: true,
      levelUpMessage: DEFAULT_LEVEL_UP_MESSAGE,
      roleRewards: [],
      ignoredChannels: [],
    });
  });

  it('validates role rewards and channels', () => {
    const schema = configSchemaToZod(manifest.config);
    const ok = schema.parse({ roleRewards: [{ level: 5, roleId: '333333333333333333' }], ignoredChannels: ['444444444444444444'] });
    assert.deepEqual(ok.roleRewards, [{ level: 5, roleId: '333333333333333333' }]);
    assert.throws(() => schema.parse({ roleRewards: [{ level: 5 }] }));
    assert.throws(() => schema.parse({ ignoredChannels: ['general'] }));
    assert.throws(() => schema.parse({ minXp: -1 }));
  });
});
