/**
 * The attacks, over real HTTP: each refused with the right status and code, and nothing
 * stored. Then a table of malformed requests for every route: each a 4xx in the ErrorReply
 * shape with the request id, never a 500.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { ErrorReply } from '@townesdev/plugin-contract';
import { integrityOf, unpackPlugin } from '../../src/package/index.ts';
import { signAsPublisher } from '../../src/signing/index.ts';
import { gz, PLUGIN_NAME, PLUGIN_VERSION, packageWith, rawEntry, tar, validEntries } from '../fixtures/tar-craft.ts';
import { packVersion, sign } from '../service/fixtures.ts';
import { bearer, makeHttpWorld, versionPath, type HttpWorld } from './fixtures.ts';

let w: HttpWorld;
let testToken: string;

before(async () => {
  w = await makeHttpWorld();
  testToken = (await w.tokens.create({ label: 'attack tests', scopes: ['@test/*'] })).token;
});
after(async () => {
  await w?.close();
});

async function put(path: string, body: unknown, token: string = w.acmeToken, contentType = 'application/json') {
  const response = await fetch(`${w.url}${path}`, { method: 'PUT', headers: { ...bearer(token), 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, headers: response.headers, json: (await response.json()) as unknown };
}

function refused(reply: { status: number; headers: Headers; json: unknown }, status: number, code: string) {
  assert.equal(reply.status, status, JSON.stringify(reply.json));
  const { error } = ErrorReply.parse(reply.json);
  assert.equal(error.code, code, error.message);
  assert.equal(reply.headers.get('x-request-id'), error.requestId);
  assert.ok(error.hint, `${code} has a hint`);
}

async function nothingStored(name: string, integrity: string) {
  assert.equal(await w.blobs.has(integrity), false, 'no blob');
  assert.equal((await w.service.list({ query: name })).total, 0, 'no package row');
}

const publishBody = (tarball: Uint8Array, publisher: unknown) => ({ tarball: Buffer.from(tarball).toString('base64'), publisher });

test('a tampered tarball (bytes changed after signing) is refused: BAD_SIGNATURE', async () => {
  const packed = await packVersion('@acme/tamper', '1.0.0');
  const signature = sign(packed, w.keys.acme);
  const evil = await packVersion('@acme/tamper', '1.0.0', { code: 'var __townesPlugin = { default: { evil: true } };\n' });
  refused(await put(versionPath('@acme/tamper', '1.0.0'), publishBody(evil.tarball, signature)), 400, 'BAD_SIGNATURE');
  await nothingStored('@acme/tamper', evil.integrity);
});

test('a manifest edited after signing is refused: BAD_SIGNATURE', async () => {
  const packed = await packVersion('@acme/manifest-edit', '1.0.0');
  const signature = sign(packed, w.keys.acme);
  const edited = await packVersion('@acme/manifest-edit', '1.0.0', { description: 'now with more permissions' });
  refused(await put(versionPath('@acme/manifest-edit', '1.0.0'), publishBody(edited.tarball, signature)), 400, 'BAD_SIGNATURE');
  await nothingStored('@acme/manifest-edit', edited.integrity);
});

test('a signature by an untrusted key is refused: 403 UNTRUSTED_KEY', async () => {
  const packed = await packVersion('@acme/stranger', '1.0.0');
  refused(await put(versionPath('@acme/stranger', '1.0.0'), publishBody(packed.tarball, sign(packed, w.keys.stranger))), 403, 'UNTRUSTED_KEY');
  await nothingStored('@acme/stranger', packed.integrity);
});

test('a trusted key outside its scope is refused even with a token for the name: 403 KEY_OUT_OF_SCOPE', async () => {
  const packed = await packVersion('@acme/impersonated', '1.0.0');
  refused(await put(versionPath('@acme/impersonated', '1.0.0'), publishBody(packed.tarball, sign(packed, w.keys.other))), 403, 'KEY_OUT_OF_SCOPE');
  await nothingStored('@acme/impersonated', packed.integrity);
});

test("mix-and-match: one version's signature presented with another version's tarball is refused", async () => {
  const v1 = await packVersion('@acme/mix', '1.0.0');
  const v2 = await packVersion('@acme/mix', '1.0.1');
  refused(await put(versionPath('@acme/mix', '1.0.1'), publishBody(v2.tarball, sign(v1, w.keys.acme))), 400, 'BAD_SIGNATURE');
  await nothingStored('@acme/mix', v2.integrity);
});

test('unsafe archives are refused with the unpacker\'s code and never stored', async () => {
  const path = versionPath(PLUGIN_NAME, PLUGIN_VERSION);
  const cases: [string, Buffer, number, string][] = [
    ['path traversal', packageWith(rawEntry({ name: 'package/../../etc/cron.d/evil' }, 'x')), 400, 'ARCHIVE_PATH_TRAVERSAL'],
    ['absolute path', packageWith(rawEntry({ name: '/etc/passwd' }, 'x')), 400, 'ARCHIVE_ABSOLUTE_PATH'],
    ['symlink', packageWith(rawEntry({ name: 'package/link', type: '2', linkname: '/etc/passwd' })), 400, 'ARCHIVE_SYMLINK'],
    ['hard link', packageWith(rawEntry({ name: 'package/hard', type: '1', linkname: 'package/package.json' })), 400, 'ARCHIVE_HARD_LINK'],
    ['too many files', gz(tar(...validEntries(), ...Array.from({ length: 70 }, (_, i) => rawEntry({ name: `package/f${i}.txt` }, 'x')))), 413, 'ARCHIVE_TOO_MANY_FILES'],
    ['compression bomb', gzipSync(tar(...validEntries(), rawEntry({ name: 'package/zeros.bin' }, Buffer.alloc(20 * 1024 * 1024)))), 413, 'ARCHIVE_COMPRESSION_BOMB'],
    ['not a tarball', Buffer.from('definitely not gzip'), 400, 'ARCHIVE_MALFORMED'],
    ['empty', Buffer.alloc(0), 400, 'ARCHIVE_MALFORMED'],
  ];
  for (const [what, tarball, status, code] of cases) {
    const reply = await put(path, publishBody(tarball, { keyId: w.keys.acme.keyId, signature: 'A'.repeat(86) + '==' }), testToken);
    assert.equal(reply.status, status, `${what}: ${JSON.stringify(reply.json)}`);
    assert.equal(ErrorReply.parse(reply.json).error.code, code, what);
    await nothingStored(PLUGIN_NAME, integrityOf(tarball));
  }
});

test('a body over the publish limit is 413 PAYLOAD_TOO_LARGE, in the error shape', async () => {
  const huge = { tarball: 'A'.repeat(24 * 1024 * 1024), publisher: { keyId: w.keys.acme.keyId, signature: 'A'.repeat(86) + '==' } };
  const reply = await w.app.inject({ method: 'PUT', url: versionPath('@acme/huge', '1.0.0'), headers: { ...bearer(w.acmeToken), 'content-type': 'application/json' }, payload: JSON.stringify(huge) });
  assert.equal(reply.statusCode, 413);
  assert.equal(ErrorReply.parse(reply.json()).error.code, 'PAYLOAD_TOO_LARGE');
  assert.ok(reply.headers['x-request-id']);
});

test('a validly signed version still publishes after all of that (the refusals left no state behind)', async () => {
  const files = unpackPlugin(packageWith()).manifest;
  assert.equal(files.name, PLUGIN_NAME);
  const tarball = packageWith();
  const integrity = integrityOf(tarball);
  const signature = signAsPublisher({ name: PLUGIN_NAME, version: PLUGIN_VERSION, integrity, manifest: files, privateKeyPem: w.keys.acme.privateKeyPem });
  // the acme key is not trusted for @test/*: refused by the trust store, not by the token
  refused(await put(versionPath(PLUGIN_NAME, PLUGIN_VERSION), publishBody(tarball, signature), testToken), 403, 'KEY_OUT_OF_SCOPE');
  const ok = await packVersion('@acme/after-attacks', '1.0.0');
  const reply = await put(versionPath('@acme/after-attacks', '1.0.0'), publishBody(ok.tarball, sign(ok, w.keys.acme)));
  assert.equal(reply.status, 201);
});

const v = (name: string, version: string) => versionPath(name, version);
const goodSig = () => ({ keyId: w.keys.acme.keyId, signature: 'A'.repeat(86) + '==' });

/** [method, path, body (object → JSON, string → raw), content type, expected status, expected code] */
function malformedCases(): [string, string, unknown, string | undefined, number, string][] {
  return [
    ['GET', '/packages?limit=0', undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', '/packages?limit=101', undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', '/packages?limit=abc', undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', '/packages?limit=1&limit=2', undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', '/packages?offset=-1', undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', `/packages?q=${'x'.repeat(201)}`, undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', '/packages/Not_A_Name', undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', `/packages/${encodeURIComponent('@acme/x/y')}`, undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', '/packages/%00', undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', `/packages/${'a'.repeat(300)}`, undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', `/packages/${'a'.repeat(600)}`, undefined, undefined, 414, 'URI_TOO_LONG'],
    ['GET', v('@acme/x', 'v1.0.0'), undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', v('@acme/x', '1.0'), undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', `${v('@acme/x', '1.0.0.0')}/tarball`, undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', `${v('BAD', '1.0.0')}/tarball`, undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['GET', '/packages/%E0%A4%A', undefined, undefined, 400, 'BAD_REQUEST'],
    ['GET', '/no-such-route', undefined, undefined, 404, 'ROUTE_NOT_FOUND'],
    ['POST', '/index', {}, 'application/json', 404, 'ROUTE_NOT_FOUND'],
    ['PUT', v('@acme/x', '1.0.0'), '', 'application/json', 400, 'INVALID_JSON'],
    ['PUT', v('@acme/x', '1.0.0'), '{"tarball":', 'application/json', 400, 'INVALID_JSON'],
    ['PUT', v('@acme/x', '1.0.0'), [], 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', v('@acme/x', '1.0.0'), 'null', 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', v('@acme/x', '1.0.0'), { publisher: goodSig() }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', v('@acme/x', '1.0.0'), { tarball: 'not base64!', publisher: goodSig() }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', v('@acme/x', '1.0.0'), { tarball: 12, publisher: goodSig() }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', v('@acme/x', '1.0.0'), { tarball: 'AAAA' }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', v('@acme/x', '1.0.0'), { tarball: 'AAAA', publisher: { keyId: 'rsa:1', signature: 'x' } }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', v('@acme/x', '1.0.0'), { tarball: 'AAAA', publisher: goodSig() }, 'application/json', 400, 'ARCHIVE_MALFORMED'],
    ['PUT', v('@acme/x', '1.0.0'), 'tarball bytes', 'application/octet-stream', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['PUT', v('@acme/x', '1.0.0'), 'x', 'text/plain', 400, 'VALIDATION_FAILED'],
    ['PUT', v('@acme/x', 'latest'), { tarball: 'AAAA', publisher: goodSig() }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', `${v('@acme/x', '1.0.0')}/yank`, {}, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', `${v('@acme/x', '1.0.0')}/yank`, { reason: 7 }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', `${v('@acme/x', '1.0.0')}/yank`, { reason: 'r'.repeat(501) }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['PUT', `${v('@acme/x', '1.0.0')}/yank`, '[', 'application/json', 400, 'INVALID_JSON'],
    ['PUT', `${v('@acme/x', 'one')}/yank`, { reason: 'x' }, 'application/json', 400, 'VALIDATION_FAILED'],
    ['DELETE', `${v('@acme/x', '1..0')}/yank`, undefined, undefined, 400, 'VALIDATION_FAILED'],
    ['DELETE', `${v('@acme/x', '1.0.0')}/yank`, undefined, undefined, 404, 'NOT_FOUND'],
  ];
}

test('malformed requests to every route answer 4xx in the ErrorReply shape, never 500', async () => {
  for (const [method, path, body, type, status, code] of malformedCases()) {
    const headers: Record<string, string> = { ...bearer(w.acmeToken), ...(type ? { 'content-type': type } : {}) };
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const reply = await w.app.inject({ method: method as 'GET', url: path, headers, ...(payload === undefined ? {} : { payload }) });
    const what = `${method} ${path.slice(0, 80)} ${String(payload).slice(0, 40)}`;
    assert.ok(reply.statusCode < 500, `${what}: ${reply.statusCode} ${reply.body}`);
    assert.equal(reply.statusCode, status, `${what}: ${reply.body}`);
    const parsed = ErrorReply.safeParse(reply.json());
    assert.ok(parsed.success, `${what}: not an ErrorReply: ${reply.body}`);
    assert.equal(parsed.data.error.code, code, `${what}: ${parsed.data.error.message}`);
    assert.equal(reply.headers['x-request-id'], parsed.data.error.requestId, `${what}: request id header`);
  }
});
