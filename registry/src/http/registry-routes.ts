/**
 * The registry's HTTP routes, as a Fastify plugin. The API server mounts it under a prefix
 * (`app.register(registryRoutes, { prefix: '/v1/registry', service, tokens })`); `townes registry`
 * runs it alone (registry-server.ts). Either way it answers errors in the platform's one shape,
 * with its own (encapsulated) error and not-found handlers and zod compilers, and puts the host's
 * request id (`request.id`, from the server's genReqId) in the `x-request-id` header.
 *
 * Not wrapped in fastify-plugin on purpose: its hooks, compilers and error handler must stay
 * inside its own context and not change the host's other routes.
 */
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ErrorReply, REQUEST_ID_HEADER } from '@townesdev/plugin-contract';
import { maxTarBytes, resolveLimits } from '../package/limits.ts';
import type { UnpackLimits } from '../package/limits.ts';
import type { RegistryService, VersionRecord } from '../service/registry-service.ts';
import { mapError, RegistryHttpError } from './http-errors.ts';
import { IndexCache } from './index-cache.ts';
import type { IndexCacheOptions } from './index-cache.ts';
import { requirePublishToken, requireScope } from './publisher-auth.ts';
import type { TokenAuthenticator } from './publisher-auth.ts';
import {
  DOWNLOAD_HEADERS,
  ListQuery,
  NameParams,
  PackageList,
  PackageVersions,
  PublishBody,
  PublishReply,
  REGISTRY_SECURITY_SCHEME,
  REGISTRY_TAG,
  RegistryKeyReply,
  SignedIndexReply,
  TarballBytes,
  VersionMetadata,
  VersionParams,
  YankBody,
} from './schemas.ts';

export interface RegistryRoutesOptions {
  service: RegistryService;
  /** Who may publish and yank what (PublishTokens). */
  tokens: TokenAuthenticator;
  /** How the served signed index is built and cached. */
  index?: IndexCacheOptions;
  /** The service's unpack limits, when not the defaults: they bound the publish body (413 above them). */
  unpackLimits?: Partial<UnpackLimits>;
}

/** The largest gzip'd tarball that can hold what `limits` allow (gzip adds at most ~0.1% to incompressible data). */
export function maxTarballBytes(limits: Partial<UnpackLimits> = {}): number {
  const tar = maxTarBytes(resolveLimits(limits));
  return tar + Math.ceil(tar / 1000) + 1024;
}

/** The publish body limit: the base64 of the largest tarball, plus room for the JSON around it. */
function publishBodyLimit(tarballBytes: number): number {
  return Math.ceil(tarballBytes / 3) * 4 + 64 * 1024;
}

const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorReply]));

function toWire(record: VersionRecord): VersionMetadata {
  return { ...record, publishedAt: record.publishedAt.toISOString() };
}

/** Answer `error` in the ErrorReply shape with its status; the registry's error handler, exported for the standalone server's root. */
export function sendRegistryError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = mapError(error);
  if (mapped.status >= 500) request.log.error({ err: error }, 'registry request failed');
  else request.log.info({ code: mapped.code, status: mapped.status }, mapped.message);
  const body: ErrorReply = { error: { code: mapped.code, message: mapped.message, ...(mapped.hint ? { hint: mapped.hint } : {}), requestId: String(request.id) } };
  return reply.header(REQUEST_ID_HEADER, request.id).status(mapped.status).type('application/json').send(body);
}

export const registryRoutes: FastifyPluginAsync<RegistryRoutesOptions> = async (instance, options) => {
  const { service } = options;
  const tarballLimit = maxTarballBytes(options.unpackLimits);
  const indexCache = new IndexCache(service, options.index);
  const authenticate = requirePublishToken(options.tokens);

  instance.setValidatorCompiler(validatorCompiler);
  instance.setSerializerCompiler(serializerCompiler);
  instance.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  instance.setErrorHandler((error: FastifyError, request, reply) => sendRegistryError(error, request, reply));
  instance.setNotFoundHandler((request, reply) =>
    sendRegistryError(new RegistryHttpError(404, 'ROUTE_NOT_FOUND', `no registry route ${request.method} ${request.url.split('?')[0]}`, 'See the registry section of the OpenAPI document for the routes.'), request, reply),
  );

  const app = instance.withTypeProvider<ZodTypeProvider>();
  const tags = [REGISTRY_TAG];
  const security = [{ [REGISTRY_SECURITY_SCHEME]: [] }];

  app.get('/packages', {
    schema: {
      tags,
      operationId: 'registryListPackages',
      summary: 'List and search packages',
      querystring: ListQuery,
      response: { 200: PackageList, ...errors(400) },
    },
  }, async (request) => {
    const { q, limit, offset } = request.query;
    const list = await service.list({ ...(q === undefined ? {} : { query: q }), limit, offset });
    return { total: list.total, limit, offset, packages: list.packages.map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })) };
  });

  app.get('/packages/:name', {
    schema: {
      tags,
      operationId: 'registryGetPackage',
      summary: "A package's versions and their manifests",
      params: NameParams,
      response: { 200: PackageVersions, ...errors(400, 404) },
    },
  }, async (request) => {
    const versions = await service.versions(request.params.name);
    return { name: request.params.name, versions: versions.map(toWire) };
  });

  app.get('/packages/:name/versions/:version', {
    schema: {
      tags,
      operationId: 'registryGetVersion',
      summary: "One version's manifest, integrity, signatures and yank state",
      params: VersionParams,
      response: { 200: VersionMetadata, ...errors(400, 404) },
    },
  }, async (request) => toWire(await service.version(request.params.name, request.params.version)));

  app.get('/packages/:name/versions/:version/tarball', {
    schema: {
      tags,
      operationId: 'registryDownloadTarball',
      summary: 'Download a version',
      description:
        `The tarball bytes; yanked versions are still served (to exact pins). Headers: ${DOWNLOAD_HEADERS.integrity} (sha512 SRI), ` +
        `${DOWNLOAD_HEADERS.publisherKeyId} and ${DOWNLOAD_HEADERS.publisherSignature}, ${DOWNLOAD_HEADERS.registryKeyId} and ` +
        `${DOWNLOAD_HEADERS.registrySignature}, ${DOWNLOAD_HEADERS.yanked} (true/false). Verify all of them before use.`,
      params: VersionParams,
      response: {
        200: { description: 'The gzip\'d plugin tarball.', content: { 'application/octet-stream': { schema: TarballBytes } } },
        ...errors(400, 404),
      },
    },
  }, async (request, reply) => {
    const d = await service.download(request.params.name, request.params.version);
    const file = `${d.name.replace(/^@/, '').replace('/', '-')}-${d.version}.tgz`;
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${file}"`)
      .header(DOWNLOAD_HEADERS.integrity, d.integrity)
      .header(DOWNLOAD_HEADERS.publisherKeyId, d.publisher.keyId)
      .header(DOWNLOAD_HEADERS.publisherSignature, d.publisher.signature)
      .header(DOWNLOAD_HEADERS.registryKeyId, d.registry.keyId)
      .header(DOWNLOAD_HEADERS.registrySignature, d.registry.signature)
      .header(DOWNLOAD_HEADERS.yanked, String(d.yanked))
      .send(d.tarball);
  });

  app.put('/packages/:name/versions/:version', {
    bodyLimit: publishBodyLimit(tarballLimit),
    onRequest: authenticate,
    schema: {
      tags,
      operationId: 'registryPublishVersion',
      summary: 'Publish a version',
      description:
        'Needs a publish token whose scopes cover the name. The publisher signature must verify against the registry trust store for this name. ' +
        'Versions are immutable: another tarball under an existing version is refused (409); the same tarball again answers 200 with created=false.',
      security,
      params: VersionParams,
      body: PublishBody,
      response: { 200: PublishReply, 201: PublishReply, ...errors(400, 401, 403, 409, 413, 415) },
    },
  }, async (request, reply) => {
    const { name, version } = request.params;
    requireScope(request, name);
    const tarball = Buffer.from(request.body.tarball, 'base64');
    if (tarball.length > tarballLimit) {
      throw new RegistryHttpError(413, 'PAYLOAD_TOO_LARGE', `the tarball is ${tarball.length} bytes; this registry accepts at most ${tarballLimit}`, 'Keep only the bundled entry, the manifest and a README in the package.');
    }
    const result = await service.publish({ tarball, publisher: request.body.publisher, expected: { name, version } });
    if (result.created) indexCache.invalidate();
    return reply.status(result.created ? 201 : 200).send({ created: result.created, version: toWire(result.version) });
  });

  app.put('/packages/:name/versions/:version/yank', {
    onRequest: authenticate,
    schema: {
      tags,
      operationId: 'registryYankVersion',
      summary: 'Yank a version',
      description: 'Ranges stop choosing it; exact pins are still served. Yanking again replaces the reason.',
      security,
      params: VersionParams,
      body: YankBody,
      response: { 200: VersionMetadata, ...errors(400, 401, 403, 404, 415) },
    },
  }, async (request) => {
    requireScope(request, request.params.name);
    const record = await service.yank(request.params.name, request.params.version, request.body.reason);
    indexCache.invalidate();
    return toWire(record);
  });

  app.delete('/packages/:name/versions/:version/yank', {
    onRequest: authenticate,
    schema: {
      tags,
      operationId: 'registryUnyankVersion',
      summary: 'Undo a yank',
      security,
      params: VersionParams,
      response: { 200: VersionMetadata, ...errors(400, 401, 403, 404) },
    },
  }, async (request) => {
    requireScope(request, request.params.name);
    const record = await service.unyank(request.params.name, request.params.version);
    indexCache.invalidate();
    return toWire(record);
  });

  app.get('/index', {
    schema: {
      tags,
      operationId: 'registryGetIndex',
      summary: 'The signed index of every version',
      description: 'Runners check it with IndexGuard (rollback and freeze protection). Rebuilt at most once a minute, and after every publish or yank.',
      response: { 200: SignedIndexReply },
    },
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return indexCache.get();
  });

  app.get('/key', {
    schema: {
      tags,
      operationId: 'registryGetKey',
      summary: "The registry's countersigning public key",
      response: { 200: RegistryKeyReply },
    },
  }, async () => ({ keyId: service.registryKeyId, publicKey: service.registryPublicKeyPem }));
};
