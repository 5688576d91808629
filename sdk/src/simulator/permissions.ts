/**
 * Discord's permission arithmetic, as documented under "Permissions → Permission Hierarchy" and
 * "Permission Overwrites": the simulator answers 403 Missing Permissions exactly where Discord
 * would, and `GET /users/@me/guilds` reports the same `permissions` string.
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';

export const ALL_PERMISSIONS: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

/** What a role or overwrite in the simulator's state needs for the arithmetic. */
export interface PermissionRole {
  id: string;
  permissions: bigint;
  position: number;
}

export interface PermissionOverwrite {
  id: string;
  /** 0 = role, 1 = member (Discord's overwrite types). */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface PermissionSubject {
  guildId: string;
  ownerId: string;
  userId: string;
  /** The member's role ids, without @everyone (whose id is the guild id). */
  roleIds: readonly string[];
  roles: ReadonlyMap<string, PermissionRole>;
}

/** Guild-wide permissions: owner and ADMINISTRATOR have everything, else @everyone OR roles. */
export function basePermissions(subject: PermissionSubject): bigint {
  if (subject.userId === subject.ownerId) return ALL_PERMISSIONS;
  let permissions = subject.roles.get(subject.guildId)?.permissions ?? 0n;
  for (const roleId of subject.roleIds) permissions |= subject.roles.get(roleId)?.permissions ?? 0n;
  if ((permissions & PermissionFlagsBits.Administrator) !== 0n) return ALL_PERMISSIONS;
  return permissions;
}

/** Permissions in one channel: base, then @everyone, role and member overwrites in that order. */
export function channelPermissions(subject: PermissionSubject, overwrites: readonly PermissionOverwrite[]): bigint {
  const base = basePermissions(subject);
  if ((base & PermissionFlagsBits.Administrator) !== 0n) return ALL_PERMISSIONS;
  let permissions = base;
  const everyone = overwrites.find((o) => o.type === 0 && o.id === subject.guildId);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && o.id !== subject.guildId && subject.roleIds.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const member = overwrites.find((o) => o.type === 1 && o.id === subject.userId);
  if (member) permissions = (permissions & ~member.deny) | member.allow;
  // Without VIEW_CHANNEL a member can do nothing in the channel (Discord's implicit denial).
  if ((permissions & PermissionFlagsBits.ViewChannel) === 0n) return 0n;
  return permissions;
}

/** The position of a member's highest role (0 for @everyone only). */
export function highestRolePosition(subject: PermissionSubject): number {
  let highest = 0;
  for (const roleId of subject.roleIds) highest = Math.max(highest, subject.roles.get(roleId)?.position ?? 0);
  return highest;
}

/** The names of the permission bits in `bits` (for log lines and error hints). */
export function permissionNames(bits: bigint): string[] {
  return Object.entries(PermissionFlagsBits)
    .filter(([, bit]) => (bits & bit) !== 0n)
    .map(([name]) => name);
}

/** Parses a permission value given as bigint, decimal string or number. */
export function toPermissionBits(value: bigint | string | number): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}
