import { z } from 'zod';
import { GuildAccess } from './guild-access.ts';
import { ApiError } from '../server/api-error.ts';

export interface DiscordClientOptions {
  /** DISCORD_API_BASE: `https://discord.com/api`, or the simulator's. */
  apiBase: string;
  clientId: string;
  clientSecret: string;
  /** The bot's token, for reading what the bot may do in a guild. Absent: bot checks are skipped and say so. */
  botToken?: string | undefined;
  /** Per request; default 10 s. */
  timeoutMs?: number;
  /**
   * How long a read of the bot's permissions in a guild is reused (default 30 s): toggling plugins
   * must not spend Discord's rate limit. Tests that change permissions between calls set 0.
   */
  botPermissionTtlMs?: number;
}

const TokenReply = z.object({ access_token: z.string(), token_type: z.string(), scope: z.string().optional() });
const UserReply = z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish() });
const Role = z.object({ id: z.string(), permissions: z.string() });
const GuildReply = z.object({ id: z.string(), owner_id: z.string(), roles: z.array(Role) });
const MemberReply = z.object({ roles: z.array(z.string()) });

export type DiscordUser = z.infer<typeof UserReply>;

const ADMINISTRATOR = 1n << 3n;
const ALL_PERMISSIONS = (1n << 53n) - 1n;

/**
 * What the API asks Discord: the OAuth code exchange and the user's identity and guilds (with the
 * user's token), and the bot's own permissions in a guild (with the bot token). Discord being down
 * or refusing answers 502 with a hint, never a 500.
 */
export class DiscordClient {
  readonly #o: DiscordClientOptions;
  #botUserId: string | undefined;
  readonly #permissionCache = new Map<string, { bits: bigint | null; at: number }>();

  constructor(options: DiscordClientOptions) {
    this.#o = options;
  }

  async exchangeCode(code: string, redirectUri: string): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri });
    const basic = Buffer.from(`${this.#o.clientId}:${this.#o.clientSecret}`).toString('base64');
    const res = await this.#fetch('/oauth2/token', { method: 'POST', body, headers: { authorization: `Basic ${basic}` } });
    if (res.status === 400 || res.status === 401) {
      throw new ApiError(401, 'OAUTH_CODE_REJECTED', 'Discord did not accept the login code', 'The code is single-use and short-lived: start the login again.');
    }
    return TokenReply.parse(await this.#json(res, 'token exchange')).access_token;
  }

  async currentUser(accessToken: string): Promise<DiscordUser> {
    return UserReply.parse(await this.#json(await this.#fetch('/v10/users/@me', { headers: { authorization: `Bearer ${accessToken}` } }), 'users/@me'));
  }

  async currentUserGuilds(accessToken: string): Promise<GuildAccess[]> {
    const res = await this.#fetch('/v10/users/@me/guilds', { headers: { authorization: `Bearer ${accessToken}` } });
    return z.array(GuildAccess.passthrough()).parse(await this.#json(res, 'users/@me/guilds')).map((g) => GuildAccess.parse(g));
  }

  /** Whether bot checks can run (a bot token is configured). */
  get hasBot(): boolean {
    return Boolean(this.#o.botToken);
  }

  /**
   * The bot's guild-level permission bits in `guildId` (owner or Administrator: all), or null when
   * the bot is not in the guild. Channel overwrites are not considered.
   */
  async botPermissions(guildId: string): Promise<bigint | null> {
    this.#botUserId ??= UserReply.parse(await this.#json(await this.#fetch('/v10/users/@me', { headers: this.#botAuth() }), 'bot users/@me')).id;
    return this.memberPermissions(guildId, this.#botUserId);
  }

  /**
   * A member's guild-level permission bits, as Discord computes them now (owner or Administrator:
   * all), read with the bot's token; null when the bot or the member is not in the guild. Reused
   * for botPermissionTtlMs: toggling plugins must not spend Discord's rate limit.
   */
  async memberPermissions(guildId: string, userId: string): Promise<bigint | null> {
    const ttl = this.#o.botPermissionTtlMs ?? 30_000;
    const key = `${guildId}:${userId}`;
    const cached = this.#permissionCache.get(key);
    if (cached && Date.now() - cached.at < ttl) return cached.bits;
    const bits = await this.#readMemberPermissions(guildId, userId);
    if (ttl > 0) {
      if (this.#permissionCache.size >= 10_000) this.#permissionCache.clear();
      this.#permissionCache.set(key, { bits, at: Date.now() });
    }
    return bits;
  }

  #botAuth() {
    return { authorization: `Bot ${this.#o.botToken ?? ''}` };
  }

  async #readMemberPermissions(guildId: string, userId: string): Promise<bigint | null> {
    const auth = this.#botAuth();
    const guildRes = await this.#fetch(`/v10/guilds/${guildId}`, { headers: auth });
    if (await isNotThere(guildRes)) return null;
    const guild = GuildReply.parse(await this.#json(guildRes, 'guild'));
    const memberRes = await this.#fetch(`/v10/guilds/${guildId}/members/${userId}`, { headers: auth });
    if (await isNotThere(memberRes)) return null;
    const member = MemberReply.parse(await this.#json(memberRes, 'guild member'));
    if (guild.owner_id === userId) return ALL_PERMISSIONS;
    let bits = 0n;
    for (const role of guild.roles) if (role.id === guildId || member.roles.includes(role.id)) bits |= BigInt(role.permissions);
    return (bits & ADMINISTRATOR) !== 0n ? ALL_PERMISSIONS : bits;
  }

  /** `path` as Discord documents it under the API base: `/oauth2/token` unversioned, REST under `/v10`. */
  async #fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.#o.apiBase.replace(/\/$/, '')}${path}`, { ...init, signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000) });
    } catch (error) {
      throw new ApiError(502, 'DISCORD_UNREACHABLE', `Discord could not be reached (${(error as Error).message})`, 'Retry in a moment; check DISCORD_API_BASE if it persists.');
    }
  }

  async #json(res: Response, what: string): Promise<unknown> {
    if (!res.ok) {
      throw new ApiError(502, 'DISCORD_ERROR', `Discord answered ${res.status} to the ${what} request`, res.status === 429 ? 'Discord is rate limiting us; retry shortly.' : 'Retry in a moment.');
    }
    return res.json();
  }
}

/** Discord's JSON error codes that mean "the bot is not in that guild" (Unknown Guild, Unknown Member, Missing Access). */
const NOT_THERE_CODES = new Set([10004, 10007, 50001]);

async function isNotThere(res: Response): Promise<boolean> {
  if (res.status !== 404 && res.status !== 403) return false;
  const body = (await res.clone().json().catch(() => null)) as { code?: unknown } | null;
  return typeof body?.code === 'number' && NOT_THERE_CODES.has(body.code);
}
