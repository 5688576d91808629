import type { Capability } from '@townesdev/plugin-contract';
import * as z from 'zod/mini';
import './zod-messages.ts';

const Snowflake = z.string().check(z.regex(/^\d{15,21}$/, 'a Discord ID (snowflake)'));
const Embed = z.strictObject({
  title: z.optional(z.string().check(z.maxLength(256))),
  description: z.optional(z.string().check(z.maxLength(4096))),
  color: z.optional(z.int().check(z.minimum(0), z.maximum(0xffffff))),
  fields: z.optional(z.array(z.strictObject({ name: z.string().check(z.minLength(1), z.maxLength(256)), value: z.string().check(z.minLength(1), z.maxLength(1024)), inline: z.optional(z.boolean()) })).check(z.maxLength(25))),
  footer: z.optional(z.strictObject({ text: z.string().check(z.maxLength(2048)) })),
});
const MessageBody = z.union([
  z.pipe(z.string().check(z.minLength(1), z.maxLength(2000)), z.transform((content: string) => ({ content }))),
  z.strictObject({ content: z.optional(z.string().check(z.maxLength(2000))), embeds: z.optional(z.array(Embed).check(z.maxLength(10))) })
    .check(z.refine((m) => Boolean(m.content) || Boolean(m.embeds?.length), 'a message needs content or an embed')),
]);
export type MessageBody = z.output<typeof MessageBody>;
const Reason = z.optional(z.string().check(z.maxLength(512)));

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
