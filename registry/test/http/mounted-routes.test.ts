/**
 * The routes as the API server will use them: mounted under a prefix in a host server with its
 * own genReqId and error handler, and described in an OpenAPI document by @fastify/swagger.
 * (@fastify/swagger is the API's dependency; the registry only needs it here, in a test.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import swagger from '@fastify/swagger';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { ErrorReply } from '@townesdev/plugin-contract';
import { REGISTRY_SECURITY_SCHEMES, registryRoutes } from '../../src/http/index.ts';
import { PublishTokens } from '../../src/service/publish-tokens.ts';
import { makeRegistryWorld, type RegistryWorld } from '../service/fixtures.ts';

let world: RegistryWorld;
let host: FastifyInstance;
let counter = 0;

before(async () => {
  world = await makeRegistryWorld();
  host = Fastify({ logger: false, genReqId: () => `host-${++counter}` });
  await host.register(swagger, {
    openapi: { openapi: '3.1.0', info: { title: 'host', version: '1' }, components: { securitySchemes: { ...REGISTRY_SECURITY_SCHEMES } } },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  host.setErrorHandler((_error, _request, reply) => reply.status(418).send({ host: true }));
  host.get('/v1/other', async () => {
    throw new Error('host route');
  });
  await host.register(registryRoutes, { prefix: '/v1/registry', service: world.service, tokens: new PublishTokens(world.orm) });
  await host.ready();
});
after(async () => {
  await host?.close();
  await world?.close();
});

test("mounted under a prefix: the host's request ids, the registry's error shape, the host's own routes untouched", async () => {
  const missing = await host.inject({ url: `/v1/registry/packages/${encodeURIComponent('@acme/nope')}` });
  assert.equal(missing.statusCode, 404);
  const { error } = ErrorReply.parse(missing.json());
  assert.equal(error.code, 'NOT_FOUND');
  assert.match(error.requestId, /^host-\d+$/);
  assert.equal(missing.headers['x-request-id'], error.requestId);

  const ok = await host.inject({ url: '/v1/registry/packages' });
  assert.equal(ok.statusCode, 200);
  assert.match(String(ok.headers['x-request-id']), /^host-\d+$/);

  const hostRoute = await host.inject({ url: '/v1/other' });
  assert.equal(hostRoute.statusCode, 418, "the registry's error handler does not leak into the host");
  assert.equal(hostRoute.headers['x-request-id'], undefined, "nor its request-id hook");

  const unknown = await host.inject({ url: '/v1/registry/nothing-here' });
  assert.equal(ErrorReply.parse(unknown.json()).error.code, 'ROUTE_NOT_FOUND');
});

test('the OpenAPI document has every route, tagged, with operation ids, error replies and schema components', async () => {
  const doc = host.swagger() as unknown as {
    paths: Record<string, Record<string, { tags?: string[]; operationId?: string; responses: Record<string, unknown>; security?: unknown[] }>>;
    components: { schemas: Record<string, unknown> };
  };
  const operations = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/registry'))
    .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, ...op })));
  assert.deepEqual(
    operations.map((o) => o.operationId).sort(),
    ['registryDownloadTarball', 'registryGetIndex', 'registryGetKey', 'registryGetPackage', 'registryGetVersion', 'registryListPackages', 'registryPublishVersion', 'registryUnyankVersion', 'registryYankVersion'],
  );
  for (const o of operations) assert.deepEqual(o.tags, ['registry'], `${o.method} ${o.path}`);
  const publish = operations.find((o) => o.operationId === 'registryPublishVersion');
  assert.ok(publish?.responses['409'] && publish.responses['401'] && publish.responses['403'] && publish.responses['413']);
  assert.deepEqual(publish.security, [{ registryToken: [] }]);
  for (const id of ['ErrorReply', 'RegistryVersion', 'RegistryPublishRequest', 'RegistrySignedIndex', 'KeySignature']) assert.ok(doc.components.schemas[id], `component ${id}`);
  assert.ok(JSON.stringify(publish.responses['409']).includes('#/components/schemas/ErrorReply'));
  const validation = await new Validator().validate(JSON.parse(JSON.stringify(doc)) as Parameters<Validator['validate']>[0]);
  assert.ok(validation.valid, `the document is valid OpenAPI: ${JSON.stringify(validation.errors)?.slice(0, 500)}`);
});
