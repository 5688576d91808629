import { z } from 'zod';
import { USAGE_METRICS } from '../usage/usage-metric.ts';

export const DesiredPlugin = z
  .object({
    plugin: z.string(),
    version: z.string().describe('The exact version to run'),
    range: z.string(),
    enabled: z.boolean(),
    config: z.record(z.string(), z.unknown()),
    grants: z.array(z.string()),
  })
  .meta({ id: 'DesiredPlugin' });

export const DesiredState = z
  .object({
    guildId: z.string(),
    tenantId: z.string().nullable().describe("The tenant that owns the guild (null if no tenant claims it): runners name it when they report an incident"),
    plugins: z.array(DesiredPlugin),
  })
  .meta({ id: 'DesiredState' });
export type DesiredState = z.infer<typeof DesiredState>;

export const RunnerGuildsQuery = z.object({
  after: z.string().regex(/^\d{1,21}$/).optional().describe('Page after this guild id'),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});
export const RunnerGuildsReply = z.object({ guilds: z.array(z.string()), next: z.string().nullable().describe('Pass as `after` for the next page') }).meta({ id: 'RunnerGuilds' });

export const UsageReport = z
  .strictObject({
    counts: z
      .array(z.strictObject({ guildId: z.string().regex(/^\d{15,21}$/), day: z.iso.date(), metric: z.enum(USAGE_METRICS), value: z.number().int().min(0).max(1_000_000_000) }))
      .max(10_000),
  })
  .meta({ id: 'UsageReport' });
