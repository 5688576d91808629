import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { SESSION_SECURITY, sessionGuard } from '../auth/session-guard.ts';
import type { SessionStore } from '../auth/session-store.ts';
import type { GuildSnapshots } from '../read-model/guild-snapshots.ts';
import type { ApiDeps } from '../server/api-deps.ts';
import { ConfigureBody, GuildParams, GuildPluginParams, InstallBody, InstallView, UpgradeBody } from './install-schemas.ts';
import { InstallService } from './install-service.ts';

const errors = { 400: ErrorReply, 401: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 502: ErrorReply };
const tags = ['marketplace'];

/** Install, configure, enable/disable (the seed's feature toggles), upgrade and uninstall plugins per guild. */
export const installRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps; sessions: SessionStore; snapshots: GuildSnapshots }> = async (app, { deps, sessions, snapshots }) => {
  const installs = new InstallService(deps, snapshots);
  app.addHook('preHandler', sessionGuard(sessions));

  app.post('/v1/assets/:guildId/plugins', {
    schema: { tags, operationId: 'installPlugin', security: SESSION_SECURITY, summary: 'Install a plugin on a guild (version range + permission grant)', params: GuildParams, body: InstallBody, response: { 201: InstallView, ...errors } },
  }, async (request, reply) => reply.code(201).send(await installs.install(request, request.params.guildId, request.body)));

  app.put('/v1/assets/:guildId/plugins/:plugin/config', {
    schema: { tags, operationId: 'configurePlugin', security: SESSION_SECURITY, summary: "Replace a plugin's config on a guild", params: GuildPluginParams, body: ConfigureBody, response: { 200: InstallView, ...errors } },
  }, async (request) => installs.configure(request, request.params.guildId, request.params.plugin, request.body.config));

  app.post('/v1/assets/:guildId/plugins/:plugin/upgrade', {
    schema: { tags, operationId: 'upgradePlugin', security: SESSION_SECURITY, summary: 'Move a plugin to another version (a lower one only by an exact pin)', params: GuildPluginParams, body: UpgradeBody, response: { 200: InstallView, ...errors } },
  }, async (request) => installs.upgrade(request, request.params.guildId, request.params.plugin, request.body.version, request.body.grants));

  app.delete('/v1/assets/:guildId/plugins/:plugin', {
    schema: { tags, operationId: 'uninstallPlugin', security: SESSION_SECURITY, summary: 'Remove a plugin from a guild', params: GuildPluginParams, response: { 204: z.undefined(), ...errors } },
  }, async (request, reply) => {
    await installs.uninstall(request, request.params.guildId, request.params.plugin);
    return reply.code(204).send();
  });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    app.post(`/v1/assets/:guildId/features/:plugin/${verb}`, {
      schema: { tags, operationId: `${verb}Feature`, security: SESSION_SECURITY, summary: `${verb === 'enable' ? 'Enable' : 'Disable'} an installed plugin on a guild`, params: GuildPluginParams, response: { 200: InstallView, ...errors } },
    }, async (request) => installs.setEnabled(request, request.params.guildId, request.params.plugin, enabled));
  }
};
