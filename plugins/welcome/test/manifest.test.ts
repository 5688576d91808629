import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchemaToZod, parseManifest } from '@townesdev/plugin-contract';
import plugin, { DEFAULT_DM_MESSAGE, DEFAULT_MESSAGE } from '../src/plugin.ts';

describe('welcome manifest', () => {
  const manifest = parseManifest(plugin.manifest);

  it('is a valid manifest', () => {
    assert.equal(manifest.name, '@townesdev/welcome');
    assert.equal(manifest.version, '1.0.0');
    assert.equal(manifest.kernelApi, '^1.0.0');
    assert.equal(manifest.entry, 'dist/plugin.js');
    assert.deepEqual(manifest.events, ['guildMemberAdd']);
    assert.deepEqual(manifest.discord.intents, ['Guilds', 'GuildMembers']);
    assert.ok(manifest.discord.botPermissions.includes('SendMessages'));
    assert.ok(manifest.discord.botPermissions.includes('ManageRoles'));
  });

  it('declares handlers for exactly its events and commands', () => {
    assert.deepEqual(Object.keys(plugin.events ?? {}), manifest.events);
    assert.deepEqual(Object.keys(plugin.commands ?? {}), manifest.commands.map((c) => c.name));
  });

  it('has a config schema whose defaults need no admin input', () => {
    const config = configSchemaToZod(manifest.config).parse({});
    assert.deepEqual(config, { message: DEFAULT_MESSAGE, dmEnabled: false, dmMessage: DEFAULT_DM_MESSAGE, ignoreBots: true });
  });

  it('accepts a full config and refuses a bad channel id', () => {
    const schema = configSchemaToZod(manifest.config);
    assert.equal(schema.parse({ channelId: '111111111111111111', autoRoleId: '333333333333333333', dmEnabled: true }).channelId, '111111111111111111');
    assert.throws(() => schema.parse({ channelId: 'general' }));
  });
});
