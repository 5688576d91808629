import type { Kernel, PluginAction } from '@townesdev/kernel';

/** The ids of the demo guild, its channels and its members (snowflake-shaped, fixed for readability). */
export const DEMO = {
  guildId: '900000000000000001',
  guildName: 'Demo Server',
  welcomeChannel: '900000000000000011',
  generalChannel: '900000000000000012',
  memberRole: '900000000000000021',
  regularRole: '900000000000000022',
  alice: { id: '900000000000000101', username: 'alice', globalName: 'Alice', bot: false },
} as const;

function text(message: { content?: string; embeds?: unknown[] }): string {
  return message.content ?? (message.embeds ? '(an embed)' : '');
}

function describe(action: PluginAction): string {
  switch (action.type) {
    case 'sendMessage':
      return `posts in #${action.channelId === DEMO.welcomeChannel ? 'welcome' : 'general'}: ${text(action.message)}`;
    case 'sendDirectMessage':
      return `sends a DM to ${action.userId}: ${text(action.message)}`;
    case 'addRole':
    case 'removeRole':
      return `${action.type === 'addRole' ? 'gives' : 'takes'} role ${action.roleId === DEMO.memberRole ? '@Member' : action.roleId === DEMO.regularRole ? '@Regular' : action.roleId} ${action.type === 'addRole' ? 'to' : 'from'} ${action.userId}`;
  }
}

/**
 * A short scripted session in the demo guild, through the real kernel and sandbox: a member joins
 * and is welcomed, chats and earns XP until a level-up is announced, then asks for /rank.
 */
export async function runDemo(kernel: Kernel, print: (line: string) => void): Promise<void> {
  const say = (plugin: string, actions: readonly PluginAction[]) => {
    for (const a of actions) print(`    ${plugin.replace('@townesdev/', '')} ${describe(a)}`);
  };
  print(`  * alice joins ${DEMO.guildName}`);
  const joined = await kernel.dispatch(DEMO.guildId, 'guildMemberAdd', { guild: { id: DEMO.guildId, name: DEMO.guildName, memberCount: 42 }, user: DEMO.alice, joinedAt: new Date().toISOString() }, `join:${DEMO.alice.id}:${Date.now()}`);
  for (const o of joined.outcomes) say(o.plugin, o.actions);

  const start = Date.now();
  for (let i = 0; i < 3; i++) {
    const content = ['hi everyone!', 'this server is great', 'anyone up for a game?'][i] ?? '';
    print(`  * alice in #general: ${content}`);
    const report = await kernel.dispatch(
      DEMO.guildId,
      'messageCreate',
      { id: String(BigInt(DEMO.guildId) + 1000n + BigInt(i)), guildId: DEMO.guildId, channelId: DEMO.generalChannel, author: DEMO.alice, memberRoles: [DEMO.memberRole], content, createdAt: new Date(start + i * 61_000).toISOString() },
      `demo-message-${start}-${i}`,
    );
    for (const o of report.outcomes) {
      if (!o.ok) print(`    ${o.plugin} failed: ${o.error}`);
      say(o.plugin, o.actions);
    }
  }

  print('  * alice runs /rank');
  const rank = await kernel.command({ id: String(start), guildId: DEMO.guildId, channelId: DEMO.generalChannel, user: DEMO.alice, memberRoles: [DEMO.memberRole], commandName: 'rank', subcommand: null, options: {} });
  if (!rank.ok) print(`    /rank failed: ${rank.error}`);
  const embed = rank.reply?.embeds?.[0];
  const text = rank.reply?.content ?? [embed?.title, embed?.description, ...(embed?.fields ?? []).map((f) => `${f.name}: ${f.value}`)].filter(Boolean).join(' | ');
  print(`    xp replies${rank.reply?.ephemeral ? ' (only alice sees it)' : ''}: ${text}`);
}
