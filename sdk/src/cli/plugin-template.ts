/** The files `townes plugin init` writes: a plugin that builds, and a test that passes. */
export function pluginTemplate(name: string): Record<string, string> {
  const short = name.replace(/^@[^/]+\//, '');
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { build: 'townes plugin build .', test: 'townes plugin test .' },
    devDependencies: { '@townesdev/sdk': '*' },
  };
  return {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'src/plugin.ts': `import { defineManifest, definePlugin } from '@townesdev/sdk';

export const manifest = defineManifest({
  name: '${name}',
  version: '0.1.0',
  displayName: '${short}',
  description: 'Greets new members and counts them.',
  kernelApi: '^1.0.0',
  permissions: ['storage', 'discord.messages.send'],
  events: ['guildMemberAdd'],
  discord: { intents: ['Guilds', 'GuildMembers'], botPermissions: ['SendMessages'] },
  commands: [{ name: 'greeted', description: 'How many members were greeted' }],
  config: { channelId: { type: 'channel', label: 'Where to greet' } },
});

export default definePlugin({
  manifest,
  events: {
    async guildMemberAdd(ctx, event) {
      const count = ((await ctx.storage.get<number>('count')) ?? 0) + 1;
      await ctx.storage.set('count', count);
      ctx.discord.sendMessage(ctx.config.channelId, \`Welcome <@\${event.user.id}>! You are member number \${count} I greeted.\`);
    },
  },
  commands: {
    greeted: async (ctx) => ({ content: \`\${(await ctx.storage.get<number>('count')) ?? 0} members greeted\`, ephemeral: true }),
  },
});
`,
    'test/plugin.test.ts': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHarness } from '@townesdev/sdk/harness';

test('greets a new member in the configured channel and counts them', async () => {
  const h = await createHarness({ pluginDir: new URL('..', import.meta.url) });
  try {
    const guild = await h.guild({ config: { channelId: '123456789012345678' } });
    const joined = await guild.memberAdd({ user: { id: '234567890123456789', username: 'alice' } });
    assert.equal(joined.ok, true, joined.error);
    assert.deepEqual(joined.actions, [
      { type: 'sendMessage', channelId: '123456789012345678', message: { content: 'Welcome <@234567890123456789>! You are member number 1 I greeted.' } },
    ]);
    const reply = await guild.command('greeted');
    assert.deepEqual(reply.reply, { content: '1 members greeted', ephemeral: true });
  } finally {
    await h.close();
  }
});
`,
    'README.md': `# ${name}\n\nA TownesDev plugin. \`townes plugin test .\` runs its tests in the real sandbox; \`townes plugin build .\` bundles it into \`dist/plugin.js\` and writes \`townes.plugin.json\`.\n`,
  };
}
