import type { InteractionReply as Reply } from '@townesdev/plugin-contract';
import * as z from 'zod/mini';
import './zod-messages.ts';

/** A command handler's return value: a string, or a message with an ephemeral flag. */
export const InteractionReplySchema = z.union([
  z.pipe(z.string().check(z.minLength(1), z.maxLength(2000)), z.transform((content: string) => ({ content }))),
  z.strictObject({
    content: z.optional(z.string().check(z.maxLength(2000))),
    embeds: z.optional(z.array(z.record(z.string(), z.unknown())).check(z.maxLength(10))),
    ephemeral: z.optional(z.boolean()),
  }),
]);

/**
 * Read a command's result (JSON text; `null` means no reply). Checked in the sandbox host before
 * the command's writes are accepted, so an invalid reply leaves no trace, and read again here.
 */
export function parseInteractionReply(json: string): { reply: Reply | null } | { error: string } {
  if (json === 'null') return { reply: null };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { error: 'the reply is not JSON' };
  }
  const parsed = InteractionReplySchema.safeParse(raw);
  if (!parsed.success) return { error: `the command's reply is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'reply'}: ${i.message}`).join('; ')}` };
  return { reply: parsed.data as Reply };
}
