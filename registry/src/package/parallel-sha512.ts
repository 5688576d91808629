/**
 * sha512 of a large tarball on a helper thread, while the calling thread inflates it.
 *
 * Why: verifying a 1 MB plugin is mostly zlib inflating it (about 4 ms) and sha512 over the
 * compressed bytes (about 1 ms); neither can be made cheaper, but they need not run one after
 * the other. verifyPluginTarball is synchronous and must stay so, which rules out async zlib or
 * WebCrypto (they need the event loop, and an earlier attempt with the async thread pool was
 * slower): instead one helper thread hashes a shared copy of the bytes and the caller blocks
 * on Atomics.wait only if the hash is not done by the time the unpack is.
 *
 * What it costs: one idle thread (started on the first large tarball, never before; unref'd, so
 * it never keeps a process alive) and one retained shared buffer the size of the largest
 * tarball hashed so far, up to MAX_RETAINED_BYTES.
 *
 * What it does not change: the digest is sha512 of exactly the bytes the caller then reads
 * (`job.bytes`, the shared copy; the copy also means no other thread can change them between
 * hash and unpack). Below PARALLEL_MIN_BYTES, before the helper has started, when it is busy or
 * when it fails to answer, the hash is computed on the calling thread as before.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Below this the hash takes less than the hand-off (copy, message, wake-up) would. */
export const PARALLEL_MIN_BYTES = 256 * 1024;
/** A larger shared buffer is allocated for the one tarball and dropped afterwards. */
const MAX_RETAINED_BYTES = 16 * 1024 * 1024;
/** sha512 of 16 MiB takes ~20 ms; a helper silent for 100 times that is broken, not busy. */
const ANSWER_TIMEOUT_MS = 2000;

/** Layout of the shared buffer: [state: Int32][pad][digest: 64 bytes][the tarball's bytes]. */
const STATE = 0;
const DIGEST_AT = 8;
const DIGEST_BYTES = 64;
const DATA_AT = DIGEST_AT + DIGEST_BYTES;
const PENDING = 0;
const DONE = 1;

// CommonJS, node: built-ins only, so the helper needs nothing from the project to start. It
// signals readiness through shared memory: a synchronous caller never lets the event loop
// deliver an 'online' event.
const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ shared, length }) => {
  const digest = createHash('sha512').update(new Uint8Array(shared, ${DATA_AT}, length)).digest();
  new Uint8Array(shared, ${DIGEST_AT}, ${DIGEST_BYTES}).set(digest);
  const state = new Int32Array(shared, ${STATE}, 1);
  Atomics.store(state, 0, ${DONE});
  Atomics.notify(state, 0);
});
const ready = new Int32Array(workerData.ready);
Atomics.store(ready, 0, 1);
`;

interface Helper {
  worker: Worker;
  ready: Int32Array;
  /** Reused from job to job: sized by the largest tarball so far, up to MAX_RETAINED_BYTES. */
  shared: SharedArrayBuffer | undefined;
  busy: boolean;
}

let helper: Helper | undefined;
/** Set for the rest of the process once the helper could not start or failed to answer. */
let helperBroken = false;

/** A hash under way: read `bytes` meanwhile, then ask for the digest (once). */
export interface Sha512Job {
  /** The bytes being hashed: what the caller must read, so that it reads what was hashed. */
  readonly bytes: Uint8Array;
  /** True when the helper thread is hashing (tests use it to reach both paths). */
  readonly parallel: boolean;
  /**
   * The sha512 digest of `bytes`; blocks until the helper is done. Until it is called the helper
   * stays reserved (later calls hash on their own thread), so call it on every path.
   */
  digest(): Buffer;
}

/** Start hashing `bytes`; on the calling thread at once unless they are large and the helper is ready. */
export function startSha512(bytes: Uint8Array): Sha512Job {
  const ready = bytes.length >= PARALLEL_MIN_BYTES ? readyHelper() : undefined;
  if (!ready) {
    const digest = createHash('sha512').update(bytes).digest();
    return { bytes, parallel: false, digest: () => digest };
  }
  const size = DATA_AT + bytes.length;
  const shared = ready.shared && ready.shared.byteLength >= size ? ready.shared : new SharedArrayBuffer(size);
  if (size <= MAX_RETAINED_BYTES) ready.shared = shared;
  const state = new Int32Array(shared, STATE, 1);
  Atomics.store(state, 0, PENDING);
  const copy = new Uint8Array(shared, DATA_AT, bytes.length);
  copy.set(bytes);
  ready.busy = true;
  ready.worker.postMessage({ shared, length: bytes.length });
  let digest: Buffer | undefined;
  const collect = (): Buffer => {
    if (Atomics.wait(state, 0, PENDING, ANSWER_TIMEOUT_MS) === 'timed-out' && Atomics.load(state, 0) !== DONE) {
      // The helper may still write into this buffer later: give both up and hash here.
      retire(ready);
      return createHash('sha512').update(copy).digest();
    }
    // Copied out before the buffer is free for the next job.
    const result = Buffer.from(new Uint8Array(shared, DIGEST_AT, DIGEST_BYTES));
    ready.busy = false;
    return result;
  };
  return { bytes: copy, parallel: true, digest: () => (digest ??= collect()) };
}

/** The helper when it can take a job now; starts it (for a later call) when there is none yet. */
function readyHelper(): Helper | undefined {
  if (helperBroken) return undefined;
  if (!helper) {
    try {
      const ready = new Int32Array(new SharedArrayBuffer(4));
      // No execArgv: the caller's flags (--test, --cpu-prof, loaders) are not the helper's business.
      const worker = new Worker(HELPER_SOURCE, { eval: true, execArgv: [], workerData: { ready: ready.buffer }, name: 'townes-sha512' });
      worker.unref();
      const current: Helper = { worker, ready, shared: undefined, busy: false };
      // An error or exit while idle: the next call hashes here (a pending job times out instead).
      worker.on('error', () => retire(current));
      worker.on('exit', () => retire(current));
      helper = current;
    } catch {
      helperBroken = true;
    }
    return undefined;
  }
  if (helper.busy || Atomics.load(helper.ready, 0) !== 1) return undefined;
  return helper;
}

function retire(broken: Helper): void {
  if (helper !== broken) return;
  helper = undefined;
  helperBroken = true;
  void broken.worker.terminate().catch(() => undefined);
}
