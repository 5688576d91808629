import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManifestError, configSchemaToZod, parseManifest, permissionInteger } from '../src/index.ts';

const valid = {
  name: '@acme/greeter',
  version: '1.2.3',
  displayName: 'Greeter',
  kernelApi: '^1.0.0',
  permissions: ['discord.messages.send'],
  events: ['guildMemberAdd'],
  discord: { intents: ['Guilds', 'GuildMembers'], botPermissions: ['SendMessages'] },
  commands: [{ name: 'greet', description: 'Say hello', options: [{ type: 'user', name: 'who', description: 'Whom' }] }],
  config: { channelId: { type: 'channel' }, greeting: { type: 'string', default: 'Hi {user}' } },
  migrations: [{ id: '001-initial' }],
};

test('a valid manifest parses, with defaults filled in', () => {
  const m = parseManifest(valid);
  assert.equal(m.entry, 'dist/plugin.js');
  assert.equal(m.limits.cpuMsPerEvent, 50);
  assert.equal(m.limits.memoryMb, 32);
  assert.deepEqual(m.permissions, ['discord.messages.send']);
});

test('an invalid manifest is refused with every problem listed, each with its path', () => {
  const bad = {
    ...valid,
    name: 'Not A Name',
    version: '1.2',
    kernelApi: 'whenever',
    permissions: ['discord.messages.send', 'root.shell'],
    events: ['messageCreate'],
    commands: [{ name: 'Greet', description: '' }, { name: 'x', description: 'a', options: [{ type: 'string', name: 'o', description: 'o' }], subcommands: [{ name: 's', description: 's' }] }],
    limits: { memoryMb: 4096 },
    migrations: [{ id: '002-b' }, { id: '001-a' }],
    surprise: true,
  };
  assert.throws(() => parseManifest(bad), (e: unknown) => {
    assert.ok(e instanceof ManifestError);
    const paths = e.problems.map((p) => p.split(':')[0]);
    for (const expected of ['name', 'version', 'kernelApi', 'permissions.1', 'commands.0.name', 'commands.0.description', 'commands.1', 'limits.memoryMb', '(manifest)']) {
      assert.ok(paths.includes(expected), `expected a problem at ${expected}; got:\n${e.message}`);
    }
    return true;
  });
});

test('events need their gateway intents, and the error says which to add', () => {
  assert.throws(() => parseManifest({ ...valid, events: ['messageCreate'] }), /event "messageCreate" needs the "GuildMessages" intent/);
});

test('migrations must be unique and in order; commands must not repeat', () => {
  assert.throws(() => parseManifest({ ...valid, migrations: [{ id: '002-b' }, { id: '001-a' }] }), /ascending id order/);
  assert.throws(() => parseManifest({ ...valid, commands: [valid.commands[0], valid.commands[0]] }), /declared twice/);
});

test('the config description compiles to a schema that validates guild config', () => {
  const schema = configSchemaToZod(parseManifest(valid).config);
  assert.deepEqual(schema.parse({ channelId: '123456789012345678' }), { channelId: '123456789012345678', greeting: 'Hi {user}' });
  const r = schema.safeParse({ channelId: 'general', greeting: 7, other: 1 });
  assert.equal(r.success, false);
  assert.equal(r.error?.issues.length, 3);
});

test('permission integers match Discord\'s bits', () => {
  assert.equal(permissionInteger(['SendMessages', 'ManageRoles']), String((1n << 11n) | (1n << 28n)));
});
