import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorReply } from '@townesdev/plugin-contract';
import { PublishReply, SignedIndexReply, VersionMetadata, PackageList, PackageVersions } from '../../src/http/schemas.ts';
import { resolveVersion } from '../../src/versions/resolve-version.ts';
import { verifyIndex } from '../../src/signed-index/index.ts';
import { verifyPluginTarball } from '../../src/verified/verified-plugin.ts';
import { HttpRegistrySource } from '../../src/sync/http-registry-source.ts';
import { packVersion, sign } from '../service/fixtures.ts';
import { bearer, makeHttpWorld, versionPath, type HttpWorld } from './fixtures.ts';

let w: HttpWorld;

before(async () => {
  w = await makeHttpWorld();
});
after(async () => {
  await w?.close();
});

async function http(method: string, path: string, options: { token?: string; json?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(options.token ? bearer(options.token) : {}), ...options.headers };
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${w.url}${path}`, { method, headers, ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}) });
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, bytes, json: type.includes('json') ? (JSON.parse(bytes.toString('utf8')) as unknown) : undefined };
}

async function publish(name: string, version: string, options: { token?: string; displayName?: string; code?: string } = {}) {
  const packed = await packVersion(name, version, options);
  const key = name.startsWith('@other/') ? w.keys.other : w.keys.acme;
  const body = { tarball: packed.tarball.toString('base64'), publisher: sign(packed, key) };
  const reply = await http('PUT', versionPath(name, version), { token: options.token ?? (name.startsWith('@other/') ? w.otherToken : w.acmeToken), json: body });
  return { packed, body, reply };
}

function assertError(reply: { status: number; json: unknown; headers: Headers }, status: number, code: string) {
  assert.equal(reply.status, status, JSON.stringify(reply.json));
  const parsed = ErrorReply.parse(reply.json);
  assert.equal(parsed.error.code, code, parsed.error.message);
  assert.ok(parsed.error.message.length > 0);
  assert.equal(reply.headers.get('x-request-id'), parsed.error.requestId, 'the request id is in the header and the body');
  return parsed.error;
}

test('publish with a token in scope: 201 with the countersigned record; the request id is a header', async () => {
  const { packed, reply } = await publish('@acme/greeter', '1.0.0', { displayName: 'Greeter' });
  assert.equal(reply.status, 201, JSON.stringify(reply.json));
  const result = PublishReply.parse(reply.json);
  assert.equal(result.created, true);
  assert.equal(result.version.integrity, packed.integrity);
  assert.equal(result.version.publisher.keyId, w.keys.acme.keyId);
  assert.equal(result.version.registry.keyId, w.keys.registry.keyId);
  assert.match(reply.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('a client-chosen request id is echoed back', async () => {
  const reply = await http('GET', '/packages', { headers: { 'x-request-id': 'trace-42' } });
  assert.equal(reply.headers.get('x-request-id'), 'trace-42');
});

test('publish without a token is 401, with a wrong or revoked token 401, out of scope 403; nothing is stored', async () => {
  const packed = await packVersion('@acme/guarded', '1.0.0');
  const body = { tarball: packed.tarball.toString('base64'), publisher: sign(packed, w.keys.acme) };
  const path = versionPath('@acme/guarded', '1.0.0');
  const none = await http('PUT', path, { json: body });
  assertError(none, 401, 'UNAUTHENTICATED');
  assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
  assertError(await http('PUT', path, { json: body, headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 401, 'UNAUTHENTICATED');
  assertError(await http('PUT', path, { json: body, token: 'townes_rt_AAAAAAAAAAAA_' + 'A'.repeat(43) }), 401, 'INVALID_TOKEN');
  const revoked = await w.tokens.create({ label: 'old CI', scopes: ['@acme/*'] });
  await w.tokens.revoke(revoked.id);
  assertError(await http('PUT', path, { json: body, token: revoked.token }), 401, 'INVALID_TOKEN');
  const outOfScope = assertError(await http('PUT', path, { json: body, token: w.otherToken }), 403, 'TOKEN_OUT_OF_SCOPE');
  assert.match(outOfScope.message, /@other\/\*/);
  assert.ok(outOfScope.hint);
  assertError(await http('GET', versionPath('@acme/guarded', '1.0.0')), 404, 'NOT_FOUND');
  assert.equal(await w.blobs.has(packed.integrity), false);
});

test('a tarball published under another name or version than its URL is refused (PACKAGE_MISMATCH)', async () => {
  const packed = await packVersion('@acme/mismatch', '1.0.0');
  const body = { tarball: packed.tarball.toString('base64'), publisher: sign(packed, w.keys.acme) };
  assertError(await http('PUT', versionPath('@acme/mismatch', '2.0.0'), { json: body, token: w.acmeToken }), 400, 'PACKAGE_MISMATCH');
  assertError(await http('PUT', versionPath('@acme/other-name', '1.0.0'), { json: body, token: w.acmeToken }), 400, 'PACKAGE_MISMATCH');
  assert.equal(await w.blobs.has(packed.integrity), false);
});

test('republish: the same tarball is 200 created=false, another tarball is 409 VERSION_EXISTS', async () => {
  const first = await publish('@acme/immutable', '1.0.0');
  assert.equal(first.reply.status, 201);
  const again = await http('PUT', versionPath('@acme/immutable', '1.0.0'), { token: w.acmeToken, json: first.body });
  assert.equal(again.status, 200);
  assert.equal(PublishReply.parse(again.json).created, false);
  const changed = await publish('@acme/immutable', '1.0.0', { code: 'var __townesPlugin = { default: { changed: 1 } };\n' });
  const error = assertError(changed.reply, 409, 'VERSION_EXISTS');
  assert.match(error.hint ?? '', /bump the version/);
  assert.equal(await w.blobs.has(changed.packed.integrity), false);
});

test('list and search page through packages', async () => {
  for (const n of ['list-a', 'list-b', 'list-c']) assert.equal((await publish(`@acme/${n}`, '1.0.0', { displayName: `Lister ${n}` })).reply.status, 201);
  const page1 = PackageList.parse((await http('GET', '/packages?q=list-&limit=2')).json);
  assert.equal(page1.total, 3);
  assert.deepEqual(page1.packages.map((p) => p.name), ['@acme/list-a', '@acme/list-b']);
  const page2 = PackageList.parse((await http('GET', '/packages?q=list-&limit=2&offset=2')).json);
  assert.deepEqual(page2.packages.map((p) => p.name), ['@acme/list-c']);
  assert.equal(page2.total, 3);
  const byDisplayName = PackageList.parse((await http('GET', `/packages?q=${encodeURIComponent('LISTER LIST-B')}`)).json);
  assert.deepEqual(byDisplayName.packages.map((p) => p.name), ['@acme/list-b']);
  const past = PackageList.parse((await http('GET', '/packages?q=list-&offset=50')).json);
  assert.equal(past.total, 3);
  assert.deepEqual(past.packages, []);
});

test('versions with manifests, one version, and download verified with verifyPluginTarball', async () => {
  await publish('@acme/multi', '1.0.0');
  await publish('@acme/multi', '1.10.0');
  await publish('@acme/multi', '1.2.0');
  const listed = PackageVersions.parse((await http('GET', `/packages/${encodeURIComponent('@acme/multi')}`)).json);
  assert.deepEqual(listed.versions.map((v) => v.version), ['1.0.0', '1.2.0', '1.10.0'], 'semver order');
  assert.equal(listed.versions[0]?.manifest.name, '@acme/multi');

  const one = VersionMetadata.parse((await http('GET', versionPath('@acme/multi', '1.2.0'))).json);
  assert.equal(one.version, '1.2.0');

  const source = new HttpRegistrySource({ url: w.url });
  const download = await source.download('@acme/multi', '1.2.0');
  assert.equal(download.integrity, one.integrity);
  assert.deepEqual(download.publisher, one.publisher);
  assert.deepEqual(download.registry, one.registry);
  const verified = verifyPluginTarball(download, w.trust);
  assert.equal(verified.manifest.version, '1.2.0');
  assert.equal(verified.registryKeyId, w.keys.registry.keyId);
  assertError(await http('GET', `${versionPath('@acme/multi', '9.9.9')}/tarball`), 404, 'NOT_FOUND');
  assertError(await http('GET', `/packages/${encodeURIComponent('@acme/nothing')}`), 404, 'NOT_FOUND');
});

test('yank needs a token in scope; ranges skip a yanked version, an exact pin is still served; unyank restores it', async () => {
  await publish('@acme/yanky', '1.0.0');
  await publish('@acme/yanky', '1.1.0');
  const path = `${versionPath('@acme/yanky', '1.1.0')}/yank`;
  assertError(await http('PUT', path, { json: { reason: 'broken' } }), 401, 'UNAUTHENTICATED');
  assertError(await http('PUT', path, { json: { reason: 'broken' }, token: w.otherToken }), 403, 'TOKEN_OUT_OF_SCOPE');
  assertError(await http('PUT', path, { json: { reason: '  ' }, token: w.acmeToken }), 400, 'VALIDATION_FAILED');
  assertError(await http('PUT', `${versionPath('@acme/yanky', '7.0.0')}/yank`, { json: { reason: 'x' }, token: w.acmeToken }), 404, 'NOT_FOUND');
  const yanked = await http('PUT', path, { json: { reason: 'crashes on start' }, token: w.acmeToken });
  assert.equal(yanked.status, 200, JSON.stringify(yanked.json));
  assert.equal(VersionMetadata.parse(yanked.json).yankedReason, 'crashes on start');

  const versions = PackageVersions.parse((await http('GET', `/packages/${encodeURIComponent('@acme/yanky')}`)).json).versions;
  assert.equal(resolveVersion(versions, '^1.0.0').version, '1.0.0', 'the range skips the yanked 1.1.0');
  assert.equal(resolveVersion(versions, '1.1.0').version, '1.1.0', 'an exact pin still gets it');
  const download = await http('GET', `${versionPath('@acme/yanky', '1.1.0')}/tarball`);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get('x-townes-yanked'), 'true');

  const index = SignedIndexReply.parse((await http('GET', '/index')).json);
  assert.equal(index.index.packages['@acme/yanky']?.versions['1.1.0']?.yanked, true, 'the index after a yank shows it');

  const restored = await http('DELETE', path, { token: w.acmeToken });
  assert.equal(VersionMetadata.parse(restored.json).yanked, false);
  const after = SignedIndexReply.parse((await http('GET', '/index')).json);
  assert.equal(after.index.packages['@acme/yanky']?.versions['1.1.0']?.yanked, false);
  assert.ok(after.index.serial > index.index.serial);
});

test('the signed index verifies against the trust store, and is served from cache between writes', async () => {
  const first = await http('GET', '/index');
  assert.equal(first.headers.get('cache-control'), 'no-store');
  const signed = SignedIndexReply.parse(first.json);
  const index = verifyIndex(signed, w.trust, new Date());
  assert.ok(index.packages['@acme/greeter']?.versions['1.0.0']);
  const again = SignedIndexReply.parse((await http('GET', '/index')).json);
  assert.deepEqual(again, signed, 'no write in between: the same signed bytes');
  await publish('@acme/fresh', '1.0.0');
  const fresh = SignedIndexReply.parse((await http('GET', '/index')).json);
  assert.ok(fresh.index.serial > signed.index.serial);
  assert.ok(fresh.index.packages['@acme/fresh'], 'a publish shows up at once');
});

test("GET /key gives the registry's public key and id", async () => {
  const reply = await http('GET', '/key');
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.json, { keyId: w.keys.registry.keyId, publicKey: w.keys.registry.publicKeyPem });
});
