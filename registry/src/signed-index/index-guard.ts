/**
 * The runner's side of the signed index: rollback and freeze protection.
 *
 * IndexGuard remembers the newest index this runner accepted (its serial, issuedAt and a digest
 * of its signed bytes) in a small JSON file in the runner's cache folder, so the memory survives
 * a restart. `accept` then:
 * 1. verifies the index on its own (verifyIndex: form, trusted registry key, signature, expiry
 *    beyond the grace period → EXPIRED);
 * 2. refuses a serial lower than the highest accepted (ROLLBACK: a replayed older index), and a
 *    serial equal to it whose content differs (ROLLBACK: two indexes with one serial means the
 *    registry or its key is misbehaving);
 * 3. only then records a higher serial (written atomically: temp file, fsync, rename).
 * An index accepted after its expiry (within the grace period) comes with a warning saying
 * until when it will still be accepted; one close to its expiry (the last 10% of its validity)
 * comes with a warning too, so the operator hears about a stuck registry before the runner
 * starts refusing.
 *
 * A missing state file means "nothing accepted yet" (the first index is trusted on first use).
 * A state file that exists but cannot be read is never treated as missing: that would let
 * anyone who can damage the file switch rollback protection off. The guard refuses with
 * STATE_CORRUPT and tells the operator what to do.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { TrustStore } from '../signing/trust-store.ts';
import { IndexError, formatDuration, indexSignedBytes, verifyIndex } from './registry-index.ts';
import type { RegistryIndex, SignedIndex } from './registry-index.ts';

/** The state file's name inside the cache folder. */
export const INDEX_STATE_FILE = 'registry-index-state.json';
const STATE_FORMAT = 'townes-registry-index-state-v1';
/** Warn when less than this share of the index's validity period (expiresAt - issuedAt) is left. */
export const NEAR_EXPIRY_FRACTION = 0.1;

const StateSchema = z.strictObject({
  format: z.literal(STATE_FORMAT),
  serial: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  issuedAt: z.iso.datetime({ offset: true }),
  /** sha512 of the index's signed bytes (header + canonical JSON): "byte-identical" means equal digests. */
  digest: z.string().regex(/^sha512-[A-Za-z0-9+/]{86}==$/),
  acceptedAt: z.iso.datetime({ offset: true }),
});

/** What the guard remembers about the newest index it accepted. */
export type IndexGuardState = z.infer<typeof StateSchema>;

export interface IndexGuardOptions {
  /** The runner's cache folder; the state file is `<cacheDir>/registry-index-state.json`. */
  cacheDir: string;
  trust: TrustStore;
}

export interface AcceptOptions {
  now: Date;
  /** How long after `expiresAt` an index is still accepted, with a warning. */
  graceMs: number;
}

export interface AcceptedIndex {
  index: RegistryIndex;
  /** For the operator's log: the index is stale (within the grace period) or close to expiry. */
  warning?: string;
}

export class IndexGuard {
  readonly statePath: string;
  readonly #cacheDir: string;
  readonly #trust: TrustStore;
  /** accept() calls run one after another, so two of them cannot interleave read and write. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: IndexGuardOptions) {
    this.#cacheDir = options.cacheDir;
    this.#trust = options.trust;
    this.statePath = path.join(options.cacheDir, INDEX_STATE_FILE);
  }

  /** Verify a signed index against the trust store and what this runner accepted before. */
  accept(signed: SignedIndex, options: AcceptOptions): Promise<AcceptedIndex> {
    const run = this.#queue.then(() => this.#accept(signed, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The newest index accepted so far, or undefined when none was. Throws STATE_CORRUPT. */
  async state(): Promise<IndexGuardState | undefined> {
    return this.#readState();
  }

  async #accept(signed: SignedIndex, { now, graceMs }: AcceptOptions): Promise<AcceptedIndex> {
    // Read the state first: with a corrupt state file nothing can be accepted, whatever the index.
    const seen = await this.#readState();
    const index = verifyIndex(signed, this.#trust, now, { graceMs });
    const digest = `sha512-${createHash('sha512').update(indexSignedBytes(index)).digest('base64')}`;

    if (seen && index.serial < seen.serial) {
      throw new IndexError(
        'ROLLBACK',
        `refused registry index serial ${index.serial} (issued ${index.issuedAt}): this runner already accepted serial ${seen.serial} (issued ${seen.issuedAt}). ` +
          `An older index is being replayed (a mirror, cache or attacker serving stale data); it could hide newer versions and yanks. Keep using the newer index and check where this one came from.`,
      );
    }
    if (seen && index.serial === seen.serial && digest !== seen.digest) {
      throw new IndexError(
        'ROLLBACK',
        `refused registry index serial ${index.serial} (issued ${index.issuedAt}): this runner already accepted a different index with the same serial (issued ${seen.issuedAt}). ` +
          `A registry never signs two indexes with one serial, so its signing key or publishing is misbehaving: keep the accepted index and report this to the registry operator.`,
      );
    }
    if (!seen || index.serial > seen.serial) {
      await this.#writeState({ format: STATE_FORMAT, serial: index.serial, issuedAt: index.issuedAt, digest, acceptedAt: now.toISOString() });
    }
    const warning = expiryWarning(index, now, graceMs);
    return warning === undefined ? { index } : { index, warning };
  }

  async #readState(): Promise<IndexGuardState | undefined> {
    let text: string;
    try {
      text = await readFile(this.statePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#corrupt(`it cannot be read (${(error as Error).message})`, error);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw this.#corrupt(`it is not valid JSON (${(error as Error).message})`, error);
    }
    const result = StateSchema.safeParse(json);
    if (!result.success) {
      throw this.#corrupt(`it does not hold the expected record (${result.error.issues.map((i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`).join('; ')})`);
    }
    return result.data;
  }

  #corrupt(problem: string, cause?: unknown): IndexError {
    return new IndexError(
      'STATE_CORRUPT',
      `the registry index state file ${this.statePath} is damaged: ${problem}. It records the newest registry index this runner accepted, which is what ` +
        `protects it against a replayed older index, so the runner refuses every index rather than guess. Restore the file from a backup if you have one; ` +
        `otherwise delete it, and the next index the runner fetches from your registry becomes the new baseline (make sure the runner is talking to the real registry when you do).`,
      cause === undefined ? undefined : { cause },
    );
  }

  async #writeState(state: IndexGuardState): Promise<void> {
    await mkdir(this.#cacheDir, { recursive: true });
    const temp = `${this.statePath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.statePath);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

/** The warning for a stale index (within the grace period) or one close to its expiry. */
function expiryWarning(index: RegistryIndex, now: Date, graceMs: number): string | undefined {
  const issuedAt = Date.parse(index.issuedAt);
  const expiresAt = Date.parse(index.expiresAt);
  const t = now.getTime();
  if (t > expiresAt) {
    const until = new Date(expiresAt + graceMs).toISOString();
    return (
      `registry index serial ${index.serial} is stale: it expired at ${index.expiresAt}. It is still accepted, within the grace period, until ${until}; ` +
      `after that the runner refuses it. Check that the runner can reach the registry and that the registry is publishing fresh indexes.`
    );
  }
  const left = expiresAt - t;
  if (left <= (expiresAt - issuedAt) * NEAR_EXPIRY_FRACTION) {
    return (
      `registry index serial ${index.serial} expires soon, at ${index.expiresAt} (in ${formatDuration(left)}), and no newer index has been accepted. ` +
      `If the registry does not publish a fresh one, the runner will refuse this index after ${new Date(expiresAt + graceMs).toISOString()}.`
    );
  }
  return undefined;
}
