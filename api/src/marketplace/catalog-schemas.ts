import { z } from 'zod';

export const CatalogQuery = z.object({
  query: z.string().max(100).optional().describe('Part of a plugin name or display name'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const CatalogEntry = z
  .object({ name: z.string(), displayName: z.string(), description: z.string(), latest: z.string(), versionCount: z.number().int() })
  .meta({ id: 'CatalogEntry' });
export const CatalogPage = z.object({ total: z.number().int(), plugins: z.array(CatalogEntry) }).meta({ id: 'CatalogPage' });

export const CatalogVersion = z
  .object({
    version: z.string(),
    yanked: z.boolean(),
    publishedAt: z.iso.datetime(),
    permissions: z.array(z.string()).describe('What an admin must grant'),
    botPermissions: z.array(z.string()).describe('What the bot needs in the guild'),
    commands: z.array(z.object({ name: z.string(), description: z.string() })),
    config: z.record(z.string(), z.unknown()).describe("The manifest's config schema"),
  })
  .meta({ id: 'CatalogVersion' });
export const CatalogPlugin = z.object({ name: z.string(), displayName: z.string(), description: z.string(), versions: z.array(CatalogVersion) }).meta({ id: 'CatalogPlugin' });
