import type { InteractionReply } from '@townesdev/plugin-contract';
import type { ChatInputCommandInteraction } from 'discord.js';
import { MessageFlags } from 'discord.js';
import type { CommandOutcome } from '../bus/event-bus.ts';

/**
 * Discord shows "The application did not respond" when an interaction is not answered within
 * 3 seconds. A handler that is still running after this long gets a deferred reply (the
 * "thinking…" state, valid for 15 minutes) and its answer is edited in when it arrives.
 */
export const DEFER_AFTER_MS = 2000;

const allowedMentions = { parse: ['users' as const] };

function body(reply: InteractionReply) {
  return { content: reply.content, embeds: reply.embeds, allowedMentions };
}

/** What a user sees when the command ran but produced no reply, or failed. */
function fallback(outcome: CommandOutcome | null): InteractionReply {
  if (outcome?.ok) return { content: 'Done.', ephemeral: true };
  return { content: 'Sorry, this command could not run right now.', ephemeral: true };
}

/**
 * Answers one slash command: runs the kernel's handler and replies at once (never through the
 * queue), deferring if the handler is slow. Returns whether the reply was deferred.
 */
export async function respondToCommand(interaction: ChatInputCommandInteraction, run: Promise<CommandOutcome>, deferAfterMs = DEFER_AFTER_MS): Promise<{ outcome: CommandOutcome | null; deferred: boolean }> {
  const slow: { deferred: Promise<unknown> | null } = { deferred: null };
  const timer = setTimeout(() => {
    slow.deferred = interaction.deferReply();
  }, deferAfterMs);
  // a kernel failure (null) still gets the user an answer
  const outcome = await run.catch(() => null).finally(() => clearTimeout(timer));
  const reply = outcome?.reply ?? fallback(outcome);
  if (slow.deferred) {
    await slow.deferred;
    // the deferred message is public already; an ephemeral answer is sent as an ephemeral follow-up
    if (reply.ephemeral) {
      await interaction.deleteReply().catch(() => {});
      await interaction.followUp({ ...body(reply), flags: MessageFlags.Ephemeral });
    } else await interaction.editReply(body(reply));
    return { outcome, deferred: true };
  }
  await interaction.reply({ ...body(reply), ...(reply.ephemeral ? { flags: MessageFlags.Ephemeral } : {}) });
  return { outcome, deferred: false };
}
