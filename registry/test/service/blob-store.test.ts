import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { integrityOf } from '../../src/package/integrity.ts';
import { BlobIntegrityError, blobFileName, DiskBlobStore } from '../../src/storage/blob-store.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'townes-blobs-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('put is content-addressed: the integrity of the bytes, stored once, read back', async () => {
  const store = new DiskBlobStore(dir);
  const bytes = Buffer.from('hello tarball');
  const integrity = await store.put(bytes);
  assert.equal(integrity, integrityOf(bytes));
  assert.equal(await store.put(bytes), integrity);
  assert.equal(await store.has(integrity), true);
  assert.deepEqual(await store.get(integrity), bytes);
  const hex = blobFileName(integrity);
  assert.match(hex, /^[0-9a-f]{128}$/);
  assert.deepEqual(await readdir(path.join(dir, 'sha512', hex.slice(0, 2))), [hex], 'no temp file left behind');
});

test('an unknown blob is undefined; a malformed integrity is refused', async () => {
  const store = new DiskBlobStore(dir);
  const missing = integrityOf(Buffer.from('never stored'));
  assert.equal(await store.get(missing), undefined);
  assert.equal(await store.has(missing), false);
  await assert.rejects(store.get('sha512-../../etc/passwd'), TypeError);
  await assert.rejects(store.get('sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk='), TypeError);
});

test('a corrupted blob is refused on read, and a put of the right bytes repairs it', async () => {
  const store = new DiskBlobStore(dir);
  const bytes = Buffer.from('will be corrupted');
  const integrity = await store.put(bytes);
  const hex = blobFileName(integrity);
  await writeFile(path.join(dir, 'sha512', hex.slice(0, 2), hex), 'evil');
  await assert.rejects(store.get(integrity), (error: unknown) => error instanceof BlobIntegrityError && error.code === 'BLOB_CORRUPT');
  await store.put(bytes);
  assert.deepEqual(await store.get(integrity), bytes);
});
