import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { PARALLEL_MIN_BYTES, startSha512 } from '../../src/package/parallel-sha512.ts';

const sha512 = (bytes: Uint8Array) => createHash('sha512').update(bytes).digest();
const large = randomBytes(PARALLEL_MIN_BYTES + 12345);

/** The helper starts on the first large input and is ready some time later: wait for it. */
async function untilParallel(): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const job = startSha512(large);
    const parallel = job.parallel;
    assert.deepEqual(job.digest(), sha512(large), 'every job hashes correctly, on either thread');
    if (parallel) return;
    if (Date.now() > deadline) assert.fail('the helper thread never became ready');
    await sleep(20);
  }
}

test('a small input is hashed on the calling thread and read in place', () => {
  const small = Buffer.from('a small plugin tarball');
  const job = startSha512(small);
  assert.equal(job.parallel, false);
  assert.equal(job.bytes, small);
  assert.deepEqual(job.digest(), sha512(small));
});

test('a large input is hashed on the helper thread; the caller reads the very copy that is hashed', async () => {
  await untilParallel();
  const job = startSha512(large);
  assert.equal(job.parallel, true);
  assert.notEqual(job.bytes.buffer, large.buffer, 'a shared copy, which no other party can change');
  assert.deepEqual(Buffer.from(job.bytes), large);
  const digest = job.digest();
  assert.deepEqual(digest, sha512(large));
  assert.deepEqual(job.digest(), digest, 'asking twice gives the same digest');
});

test('a job started while the helper is reserved is hashed on the calling thread', async () => {
  await untilParallel();
  const first = startSha512(large);
  const other = Buffer.from(large);
  other[0]! ^= 1;
  const second = startSha512(other);
  assert.equal(first.parallel, true);
  assert.equal(second.parallel, false);
  assert.deepEqual(second.digest(), sha512(other));
  assert.deepEqual(first.digest(), sha512(large));
  const third = startSha512(large);
  assert.equal(third.parallel, true, 'free again once the first digest was taken');
  assert.deepEqual(third.digest(), sha512(large));
});

test('back-to-back jobs of different sizes reuse the shared buffer without mixing bytes', async () => {
  await untilParallel();
  for (const size of [PARALLEL_MIN_BYTES * 2, PARALLEL_MIN_BYTES, PARALLEL_MIN_BYTES + 1, PARALLEL_MIN_BYTES * 3]) {
    const bytes = randomBytes(size);
    const job = startSha512(bytes);
    assert.equal(job.bytes.length, size);
    assert.deepEqual(job.digest(), sha512(bytes));
  }
});
