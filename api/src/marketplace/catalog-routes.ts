import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorReply, PluginName } from '@townesdev/plugin-contract';
import { CatalogPage, CatalogPlugin, CatalogQuery } from './catalog-schemas.ts';
import { RegistryError } from '@townesdev/registry/service';
import { ApiError } from '../server/api-error.ts';
import type { ApiDeps } from '../server/api-deps.ts';

/** The marketplace catalog, read from the registry: what can be installed, and what each version asks for. */
export const catalogRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/v1/marketplace/plugins', {
    schema: { tags: ['marketplace'], operationId: 'listCatalog', summary: 'Search the plugins that can be installed', querystring: CatalogQuery, response: { 200: CatalogPage, 400: ErrorReply } },
  }, async (request) => {
    const page = await deps.registry.list(request.query);
    return { total: page.total, plugins: page.packages.map(({ name, displayName, description, latest, versionCount }) => ({ name, displayName, description, latest, versionCount })) };
  });

  app.get('/v1/marketplace/plugins/:plugin', {
    schema: { tags: ['marketplace'], operationId: 'getCatalogPlugin', summary: "A plugin's versions and what each asks for", params: z.object({ plugin: PluginName }), response: { 200: CatalogPlugin, 400: ErrorReply, 404: ErrorReply } },
  }, async (request) => {
    let versions;
    try {
      versions = await deps.registry.versions(request.params.plugin);
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'NOT_FOUND') throw new ApiError(404, 'PLUGIN_NOT_FOUND', `${request.params.plugin} is not in the registry`);
      throw error;
    }
    const newest = versions.at(-1)?.manifest;
    return {
      name: request.params.plugin,
      displayName: newest?.displayName ?? request.params.plugin,
      description: newest?.description ?? '',
      versions: versions.map((v) => ({
        version: v.version,
        yanked: v.yanked,
        publishedAt: v.publishedAt.toISOString(),
        permissions: v.manifest.permissions,
        botPermissions: v.manifest.discord.botPermissions,
        commands: v.manifest.commands.map((c) => ({ name: c.name, description: c.description })),
        config: v.manifest.config,
      })),
    };
  });
};
