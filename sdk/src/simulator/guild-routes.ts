/**
 * The guild routes the runner calls: the guild, its roles, channels and members, and adding or
 * removing a member's role with Discord's checks (MANAGE_ROLES, and the role must sit below the
 * bot's highest role unless the bot owns the guild). A role change is dispatched on the gateway
 * as GUILD_MEMBER_UPDATE.
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { apiChannel, apiGuild, apiMember, apiRole } from './api-objects.ts';
import { missingAccess, missingPermissions } from './discord-errors.ts';
import type { Router, SimRequest } from './http-routing.ts';
import { highestRolePosition } from './permissions.ts';
import { requireBot } from './rest-auth.ts';
import type { SimGuild } from './simulated-entities.ts';
import type { SimulatorContext } from './simulator-context.ts';
import { UnknownEntityError } from './simulator-state.ts';

export function registerGuildRoutes(router: Router, ctx: SimulatorContext): void {
  router.add('GET', '/guilds/:guildId', (request) => {
    const guild = botGuild(request, ctx);
    const counts = request.query.get('with_counts') === 'true' ? { approximate_member_count: guild.members.size, approximate_presence_count: 0 } : {};
    return { status: 200, json: { ...apiGuild(guild), ...counts } };
  });

  router.add('GET', '/guilds/:guildId/roles', (request) => ({ status: 200, json: [...botGuild(request, ctx).roles.values()].map(apiRole) }));

  router.add('GET', '/guilds/:guildId/channels', (request) => ({
    status: 200,
    json: [...botGuild(request, ctx).channels.values()].map((c) => apiChannel(ctx.state, c)),
  }));

  router.add('GET', '/guilds/:guildId/members/:userId', (request) => {
    const guild = botGuild(request, ctx);
    return { status: 200, json: apiMember(ctx.state, ctx.state.member(guild.id, request.params.userId as string)) };
  });

  router.add('PUT', '/guilds/:guildId/members/:userId/roles/:roleId', (request) => changeMemberRole(request, ctx, 'add'));
  router.add('DELETE', '/guilds/:guildId/members/:userId/roles/:roleId', (request) => changeMemberRole(request, ctx, 'remove'));
}

/** A guild the bot is in; Discord answers 403 Missing Access for one it is not in. */
function botGuild(request: SimRequest, ctx: SimulatorContext): SimGuild {
  requireBot(request, ctx);
  const guild = ctx.state.guild(request.params.guildId as string);
  if (!guild.members.has(ctx.state.bot.id)) throw missingAccess();
  return guild;
}

function changeMemberRole(request: SimRequest, ctx: SimulatorContext, change: 'add' | 'remove'): { status: number } {
  const guild = botGuild(request, ctx);
  const member = ctx.state.member(guild.id, request.params.userId as string);
  const roleId = request.params.roleId as string;
  const role = guild.roles.get(roleId);
  if (!role || roleId === guild.id) throw new UnknownEntityError('role', roleId);
  const botId = ctx.state.bot.id;
  if ((ctx.state.permissionsOf(guild.id, botId) & PermissionFlagsBits.ManageRoles) === 0n) throw missingPermissions();
  const botIsOwner = guild.ownerId === botId;
  if (!botIsOwner && (role.position >= highestRolePosition(ctx.state.permissionSubject(guild.id, botId)) || role.botId !== null)) {
    throw missingPermissions();
  }
  const had = member.roles.includes(roleId);
  if (change === 'add' && !had) member.roles.push(roleId);
  if (change === 'remove' && had) member.roles = member.roles.filter((id) => id !== roleId);
  if (had !== (change === 'add')) ctx.changes.memberUpdated(member);
  return { status: 204 };
}
