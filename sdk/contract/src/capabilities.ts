import { z } from 'zod';

/**
 * Every capability a plugin can ask for. The manifest lists the ones it needs; a guild admin
 * grants them at install; the kernel checks each host call against both. Capabilities that
 * later kernels add (http.fetch, ai.complete, schedule) join this list with the kernel API
 * version that implements them, so a manifest never asks for something the kernel cannot police.
 */
export const CAPABILITIES = [
  'storage',
  'discord.messages.send',
  'discord.members.dm',
  'discord.roles.manage',
] as const;

export const Capability = z.enum(CAPABILITIES);
export type Capability = z.infer<typeof Capability>;

/** What each capability lets a plugin do, in words a guild admin reads on the grant screen. */
export const CAPABILITY_DESCRIPTIONS: Record<Capability, string> = {
  storage: 'Store and read its own data for this server',
  'discord.messages.send': 'Send messages in this server\'s channels',
  'discord.members.dm': 'Send direct messages to members of this server',
  'discord.roles.manage': 'Add and remove roles of members of this server',
};
