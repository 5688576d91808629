import { z } from 'zod';

/** Discord's permission bits that make someone an admin of a guild for us. */
const ADMINISTRATOR = 1n << 3n;
const MANAGE_GUILD = 1n << 5n;

/** What Discord said (`GET /users/@me/guilds`) about one of the user's guilds, kept in the session. */
export const GuildAccess = z.object({
  id: z.string(),
  name: z.string(),
  owner: z.boolean(),
  /** Discord's permission integer, as the decimal string Discord sends. */
  permissions: z.string().regex(/^\d+$/),
});
export type GuildAccess = z.infer<typeof GuildAccess>;

/** Manage Server or Administrator by Discord's permission bits. */
export function bitsCanManage(bits: bigint): boolean {
  return (bits & ADMINISTRATOR) !== 0n || (bits & MANAGE_GUILD) !== 0n;
}

/** Manage Server, Administrator or ownership: who may change a guild's plugins (as Discord's own UI decides). */
export function canManageGuild(access: GuildAccess): boolean {
  return access.owner || bitsCanManage(BigInt(access.permissions));
}
