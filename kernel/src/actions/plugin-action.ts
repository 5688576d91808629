import type { Capability } from '@townesdev/plugin-contract';
import { z } from 'zod';

const Snowflake = z.string().regex(/^\d{15,21}$/, 'a Discord ID (snowflake)');
const Embed = z.strictObject({
  title: z.string().max(256).optional(),
  description: z.string().max(4096).optional(),
  color: z.int().min(0).max(0xffffff).optional(),
  fields: z.array(z.strictObject({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean().optional() })).max(25).optional(),
  footer: z.strictObject({ text: z.string().max(2048) }).optional(),
});
const MessageBody = z.union([
  z.string().min(1).max(2000).transform((content) => ({ content })),
  z.strictObject({ content: z.string().max(2000).optional(), embeds: z.array(Embed).max(10).optional() })
    .refine((m) => Boolean(m.content) || Boolean(m.embeds?.length), 'a message needs content or an embed'),
]);
export type MessageBody = z.output<typeof MessageBody>;
const Reason = z.string().max(512).optional();

/** The Discord actions a plugin can stage, validated on the host before they are accepted. */
export const ACTION_SCHEMAS = {
  sendMessage: z.strictObject({ channelId: Snowflake, message: MessageBody }),
  sendDirectMessage: z.strictObject({ userId: Snowflake, message: MessageBody }),
  addRole: z.strictObject({ userId: Snowflake, roleId: Snowflake, reason: Reason }),
  removeRole: z.strictObject({ userId: Snowflake, roleId: Snowflake, reason: Reason }),
} as const;

export type ActionType = keyof typeof ACTION_SCHEMAS;

/** The capability each action needs, in the manifest and in the guild's grant. */
export const ACTION_CAPABILITY: Record<ActionType, Capability> = {
  sendMessage: 'discord.messages.send',
  sendDirectMessage: 'discord.members.dm',
  addRole: 'discord.roles.manage',
  removeRole: 'discord.roles.manage',
};

export type PluginAction =
  | ({ type: 'sendMessage' } & z.output<typeof ACTION_SCHEMAS.sendMessage>)
  | ({ type: 'sendDirectMessage' } & z.output<typeof ACTION_SCHEMAS.sendDirectMessage>)
  | ({ type: 'addRole' } & z.output<typeof ACTION_SCHEMAS.addRole>)
  | ({ type: 'removeRole' } & z.output<typeof ACTION_SCHEMAS.removeRole>);

export function isActionType(type: string): type is ActionType {
  return Object.hasOwn(ACTION_SCHEMAS, type);
}

/** Parse a staged action; returns the action or a one-line reason it was refused. */
export function parseAction(type: ActionType, json: string): PluginAction | string {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return 'arguments are not JSON-serialisable';
  }
  const result = ACTION_SCHEMAS[type].safeParse(raw);
  if (!result.success) return result.error.issues.map((i) => `${i.path.join('.') || type}: ${i.message}`).join('; ');
  return { type, ...result.data } as PluginAction;
}
