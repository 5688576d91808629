import { z } from 'zod';
import { PLAN_IDS } from '../plans/plan.ts';

export const CallbackBody = z
  .strictObject({
    code: z.string().min(1).max(512).describe('The `code` Discord put on the redirect URL'),
    state: z.string().min(1).max(128).describe('The `state` Discord put on the redirect URL'),
  })
  .meta({ id: 'OAuthCallback' });

export const TenantView = z.object({ id: z.uuid(), name: z.string(), plan: z.enum(PLAN_IDS) }).meta({ id: 'Tenant' });
export const UserView = z.object({ id: z.string(), username: z.string() }).meta({ id: 'User' });

export const LoginReply = z
  .object({
    user: UserView,
    tenant: TenantView,
    newTenant: z.boolean().describe('True on the first login, when the tenant was just created'),
    claimedGuilds: z.array(z.string()).describe('Guilds this login added to the tenant'),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'LoginReply' });

export const SessionReply = z.object({ user: UserView, tenant: TenantView, expiresAt: z.iso.datetime() }).meta({ id: 'SessionReply' });
