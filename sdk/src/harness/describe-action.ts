import type { PluginAction } from '@townesdev/kernel';

/** A message as one line: its content, else its first embed's title and description. */
export function messageText(message: { content?: string; embeds?: Array<{ title?: string; description?: string }> }): string {
  if (message.content) return message.content;
  const embed = message.embeds?.[0];
  return embed ? `[embed] ${embed.title ?? ''}${embed.description ? `: ${embed.description}` : ''}` : '';
}

/**
 * One line a person reads for an action a plugin took: "posts in #<channel>: …". `name` turns
 * ids into the names the reader typed (members, channels, roles), falling back to the id.
 */
export function describeAction(action: PluginAction, name: (id: string) => string = (id) => id): string {
  switch (action.type) {
    case 'sendMessage':
      return `posts in #${name(action.channelId)}: ${messageText(action.message)}`;
    case 'sendDirectMessage':
      return `sends a DM to ${name(action.userId)}: ${messageText(action.message)}`;
    case 'addRole':
      return `gives role @${name(action.roleId)} to ${name(action.userId)}`;
    case 'removeRole':
      return `takes role @${name(action.roleId)} from ${name(action.userId)}`;
  }
}
