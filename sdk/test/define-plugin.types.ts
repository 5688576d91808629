// Type-level checks for definePlugin, verified by `npm run typecheck` (this file is never run).
// Each @ts-expect-error must fire: if the typing regresses, typecheck fails.
import { definePlugin } from '@townesdev/sdk';

export const ok = definePlugin({
  manifest: {
    name: '@acme/typed',
    version: '1.0.0',
    displayName: 'Typed',
    kernelApi: '^1.0.0',
    permissions: ['storage'],
    events: ['messageCreate'],
    discord: { intents: ['Guilds', 'GuildMessages', 'MessageContent'] },
    commands: [{ name: 'hello', description: 'Hi' }],
    config: { greeting: { type: 'string', default: 'hi' }, limit: { type: 'integer', optional: true } },
  },
  events: {
    async messageCreate(ctx, message) {
      const content: string = message.content;
      const greeting: string = ctx.config.greeting;
      const limit: number | undefined = ctx.config.limit;
      await ctx.storage.set('last', `${greeting} ${content} ${limit ?? 0}`);
      // @ts-expect-error the manifest does not declare discord.messages.send
      ctx.discord.sendMessage('1', 'x');
    },
    // @ts-expect-error the manifest does not declare guildMemberAdd
    guildMemberAdd() {},
  },
  commands: {
    hello: (ctx, interaction) => `${ctx.guildId} ${interaction.user.username}`,
  },
});

export const noStorage = definePlugin({
  manifest: { name: '@acme/bare', version: '1.0.0', displayName: 'Bare', kernelApi: '^1.0.0', commands: [{ name: 'ping', description: 'p' }] },
  commands: {
    // @ts-expect-error storage is not declared, so ctx has no storage
    ping: (ctx) => String(ctx.storage),
  },
});

// @ts-expect-error a declared command must have a handler
export const missing = definePlugin({ manifest: { name: '@acme/missing', version: '1.0.0', displayName: 'M', kernelApi: '^1.0.0', commands: [{ name: 'ping', description: 'p' }] }, commands: {} });
