/**
 * Application commands of the simulator's one application: bulk overwrite and list, per guild
 * (`/applications/:appId/guilds/:guildId/commands`) and global (`/applications/:appId/commands`).
 * A bulk overwrite replaces the whole set; a command keeps its id when its name and type stay,
 * as on Discord.
 */
import { invalidFormBody, missingAccess } from './discord-errors.ts';
import type { Router, SimRequest } from './http-routing.ts';
import { requireBot } from './rest-auth.ts';
import { nextSnowflake } from './snowflake.ts';
import type { SimulatorContext } from './simulator-context.ts';

type Command = Record<string, unknown>;

/** Discord's rule for names of CHAT_INPUT commands and options. */
const CHAT_INPUT_NAME = /^[-_'\p{Ll}\p{Lm}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

export function registerCommandRoutes(router: Router, ctx: SimulatorContext): void {
  router.add('GET', '/applications/:applicationId/guilds/:guildId/commands', (request) => {
    const guildId = ownGuild(request, ctx);
    return { status: 200, json: ctx.state.guildCommands.get(guildId) ?? [] };
  });
  router.add('PUT', '/applications/:applicationId/guilds/:guildId/commands', (request) => {
    const guildId = ownGuild(request, ctx);
    const commands = overwrite(ctx, request.body, ctx.state.guildCommands.get(guildId) ?? [], guildId);
    ctx.state.guildCommands.set(guildId, commands);
    return { status: 200, json: commands };
  });
  router.add('GET', '/applications/:applicationId/commands', (request) => {
    ownApplication(request, ctx);
    return { status: 200, json: ctx.state.globalCommands };
  });
  router.add('PUT', '/applications/:applicationId/commands', (request) => {
    ownApplication(request, ctx);
    ctx.state.globalCommands = overwrite(ctx, request.body, ctx.state.globalCommands, null);
    return { status: 200, json: ctx.state.globalCommands };
  });
}

function ownApplication(request: SimRequest, ctx: SimulatorContext): void {
  requireBot(request, ctx);
  if (request.params.applicationId !== ctx.applicationId) throw missingAccess();
}

function ownGuild(request: SimRequest, ctx: SimulatorContext): string {
  ownApplication(request, ctx);
  return ctx.state.guild(request.params.guildId as string).id;
}

function overwrite(ctx: SimulatorContext, body: unknown, previous: Command[], guildId: string | null): Command[] {
  if (!Array.isArray(body)) throw invalidFormBody('_root', 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
  if (body.length > 100) throw invalidFormBody('_root', 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
  const seen = new Set<string>();
  const version = nextSnowflake();
  return body.map((raw: unknown, index): Command => {
    const input = (raw ?? {}) as Command;
    const type = typeof input.type === 'number' ? input.type : 1;
    const name = input.name;
    if (typeof name !== 'string' || (type === 1 ? !CHAT_INPUT_NAME.test(name) : name.length < 1 || name.length > 32)) {
      throw invalidFormBody(`${index}.name`, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
    const description = typeof input.description === 'string' ? input.description : '';
    if (type === 1 && (description.length < 1 || description.length > 100)) {
      throw invalidFormBody(`${index}.description`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    if (seen.has(`${type}:${name}`)) throw invalidFormBody(`${index}.name`, 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`);
    seen.add(`${type}:${name}`);
    const kept = previous.find((c) => c.name === name && c.type === type);
    return {
      id: typeof kept?.id === 'string' ? kept.id : nextSnowflake(),
      application_id: ctx.applicationId,
      version,
      default_member_permissions: typeof input.default_member_permissions === 'string' ? input.default_member_permissions : null,
      type,
      name,
      description,
      ...(guildId !== null ? { guild_id: guildId } : {}),
      ...(Array.isArray(input.options) ? { options: input.options } : {}),
      nsfw: input.nsfw === true,
      ...(input.contexts !== undefined ? { contexts: input.contexts } : {}),
      ...(input.integration_types !== undefined ? { integration_types: input.integration_types } : {}),
    };
  });
}
