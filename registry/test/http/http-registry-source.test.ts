/**
 * The runner against a remote registry: HttpRegistrySource under PluginSync and PluginResolver,
 * over real HTTP. A cold sync of several plugins, then the registry goes down and everything
 * is served from the verified cache; the client's failures (unreachable, a non-ErrorReply
 * answer, an oversized reply, a timeout) are clear errors.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { RegistryClientError } from '../../src/client/registry-fetch.ts';
import { HttpRegistrySource } from '../../src/sync/http-registry-source.ts';
import { PluginCache } from '../../src/sync/plugin-cache.ts';
import { PluginResolver } from '../../src/sync/plugin-resolver.ts';
import { PluginSync } from '../../src/sync/plugin-sync.ts';
import { publishVersion } from '../service/fixtures.ts';
import { makeHttpWorld, type HttpWorld } from './fixtures.ts';

let w: HttpWorld;
const dirs: string[] = [];
const PLUGINS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'].map((n) => ({ name: `@acme/${n}`, version: '1.0.0' }));

before(async () => {
  w = await makeHttpWorld();
  for (const p of PLUGINS) await publishVersion(w, p.name, p.version, w.keys.acme, { code: `var __townesPlugin = { default: { ${p.name.slice(6)}: 1 } };\n` });
  await publishVersion(w, '@acme/alpha', '1.1.0');
});
after(async () => {
  await w?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-http-sync-'));
  dirs.push(dir);
  return dir;
}

const isClientError = (code: string) => (error: unknown) => {
  assert.ok(error instanceof RegistryClientError, `expected a RegistryClientError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  return true;
};

/** A throwaway HTTP server answering every request with `handler`. */
async function fakeServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('cold sync of several plugins over HTTP, then the registry goes down: served from the verified cache', async () => {
  const cacheDir = await tempDir();
  const resolver = new PluginResolver({ source: new HttpRegistrySource({ url: w.url }), trust: w.trust, cacheDir, graceMs: 0 });
  const refreshed = await resolver.refresh();
  assert.equal(refreshed.offline, false);
  assert.equal(resolver.resolve('@acme/alpha', '^1.0.0').version, '1.1.0');

  const online = new PluginSync({ source: new HttpRegistrySource({ url: w.url }), cache: new PluginCache(cacheDir), trust: w.trust });
  const results = await online.prefetch(PLUGINS);
  assert.deepEqual(results.map((r) => (r.ok ? r.from : r.error.message)), PLUGINS.map(() => 'registry'));
  const beta = await online.fetch('@acme/beta', '1.0.0');
  assert.match(beta.code, /beta: 1/);

  // the registry is gone: nothing listens on its port any more
  const dead = await fakeServer(() => {});
  await dead.close();
  const deadUrl = dead.url;
  const offlineSource = new HttpRegistrySource({ url: deadUrl, timeoutMs: 2000 });
  await assert.rejects(offlineSource.index(), (error: unknown) => isClientError('UNREACHABLE')(error) && /ECONNREFUSED/.test((error as Error).message));
  const offline = new PluginSync({ source: offlineSource, cache: new PluginCache(cacheDir), trust: w.trust });
  const again = await offline.prefetch(PLUGINS);
  assert.deepEqual(again.map((r) => (r.ok ? r.from : r.error.message)), PLUGINS.map(() => 'cache'));
  const offlineResolver = new PluginResolver({ source: offlineSource, trust: w.trust, cacheDir, graceMs: 0 });
  assert.equal((await offlineResolver.refresh()).offline, true, 'the last accepted index is used');
  assert.equal(offlineResolver.resolve('@acme/alpha', '^1.0.0').version, '1.1.0');
});

test('an unknown version is the registry\'s NOT_FOUND, with its message, hint and request id', async () => {
  const source = new HttpRegistrySource({ url: w.url });
  await assert.rejects(source.download('@acme/alpha', '9.9.9'), (error: unknown) => {
    assert.ok(error instanceof RegistryClientError);
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.status, 404);
    assert.match(error.message, /@acme\/alpha@9\.9\.9 is not published/);
    assert.ok(error.hint);
    assert.ok(error.requestId);
    return true;
  });
});

test('a base URL with a path prefix is kept', async () => {
  const seen: string[] = [];
  const fake = await fakeServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'nope', requestId: 'r1' } }));
  });
  try {
    await assert.rejects(new HttpRegistrySource({ url: `${fake.url}/v1/registry/` }).download('@acme/x', '1.0.0'), isClientError('NOT_FOUND'));
    assert.deepEqual(seen, ['/v1/registry/packages/%40acme%2Fx/versions/1.0.0/tarball']);
  } finally {
    await fake.close();
  }
});

test('a reply that is not an ErrorReply, an oversized tarball, missing headers and a stalled server are clear errors', async () => {
  const proxyError = await fakeServer((_req, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>'));
  const huge = await fakeServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.alloc(2 * 1024 * 1024));
  });
  const noHeaders = await fakeServer((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end('tarball'));
  const stalled = await fakeServer(() => {
    // never answers
  });
  try {
    await assert.rejects(new HttpRegistrySource({ url: proxyError.url }).download('@acme/x', '1.0.0'), (error: unknown) => {
      assert.ok(error instanceof RegistryClientError && error.code === 'HTTP_502' && /not a registry error reply/.test(error.message), String(error));
      return true;
    });
    await assert.rejects(new HttpRegistrySource({ url: huge.url, maxTarballBytes: 1024 * 1024 }).download('@acme/x', '1.0.0'), isClientError('REPLY_TOO_LARGE'));
    await assert.rejects(new HttpRegistrySource({ url: noHeaders.url }).download('@acme/x', '1.0.0'), isClientError('BAD_REPLY'));
    await assert.rejects(new HttpRegistrySource({ url: noHeaders.url }).index(), isClientError('BAD_REPLY'));
    const started = Date.now();
    await assert.rejects(new HttpRegistrySource({ url: stalled.url, timeoutMs: 300 }).index(), isClientError('UNREACHABLE'));
    assert.ok(Date.now() - started < 5000, 'the deadline holds');
  } finally {
    await Promise.all([proxyError.close(), huge.close(), noHeaders.close(), stalled.close()]);
  }
});

test('a bad registry URL is refused at construction', () => {
  assert.throws(() => new HttpRegistrySource({ url: 'not a url' }), TypeError);
});
