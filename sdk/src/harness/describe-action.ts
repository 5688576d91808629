import type { PluginAction } from '@townesdev/kernel';

type Namer = (id: string) => string;

/** Discord's mention syntax (`<@id>`, `<#id>`, `<@&id>`) with the names a reader knows. */
const withNames = (text: string, name: Namer) => text.replace(/<(@&|@!?|#)(\d+)>/g, (_m, kind: string, id: string) => `${kind === '#' ? '#' : '@'}${name(id)}`);

/** A message as one line: its content, else its first embed's title and description. */
export function messageText(message: { content?: string; embeds?: Array<{ title?: string; description?: string }> }, name: Namer = (id) => id): string {
  if (message.content) return withNames(message.content, name);
  const embed = message.embeds?.[0];
  return embed ? withNames(`[embed] ${embed.title ?? ''}${embed.description ? `: ${embed.description}` : ''}`, name).replace(/\n/g, ' ') : '';
}

/**
 * One line a person reads for an action a plugin took: "posts in #<channel>: …". `name` turns
 * ids into the names the reader typed (members, channels, roles), falling back to the id.
 */
export function describeAction(action: PluginAction, name: Namer = (id) => id): string {
  switch (action.type) {
    case 'sendMessage':
      return `posts in #${name(action.channelId)}: ${messageText(action.message, name)}`;
    case 'sendDirectMessage':
      return `sends a DM to ${name(action.userId)}: ${messageText(action.message, name)}`;
    case 'addRole':
      return `gives role @${name(action.roleId)} to ${name(action.userId)}`;
    case 'removeRole':
      return `takes role @${name(action.roleId)} from ${name(action.userId)}`;
  }
}
