/**
 * The operator's trust store: which keys may sign which packages, and which keys speak for the
 * registry. It is a JSON document the operator edits (format in SIGNING.md), validated here by
 * one zod schema; the loader refuses an invalid store and lists every problem, because a runner
 * that starts with half a trust store would refuse (or, worse, admit) plugins for reasons nobody
 * can see.
 *
 * Rotation: a publisher may have several keys, each its own entry with its own scopes; add the
 * new key, let versions signed by either load, then revoke or remove the old one.
 * Revocation: `revoked: { at, reason }` on an entry. A revoked key is refused for every version,
 * also for versions signed before `at`: a signature carries no trusted time, and a stolen key
 * can sign "old" versions. `at` and `reason` are there for the operator and the error message.
 */
import { readFile } from 'node:fs/promises';
import { PluginName } from '@townesdev/plugin-contract';
import { z } from 'zod';
import { KEY_ID, keyIdOf } from './keys.ts';

const SCOPE_PREFIX = /^@[a-z0-9][a-z0-9-._]*$/;

/** `@acme/*` (every package of the scope), `@acme/name` or `name` (exactly that package). */
export function isScope(value: string): boolean {
  if (value.endsWith('/*')) return SCOPE_PREFIX.test(value.slice(0, -2));
  return PluginName.safeParse(value).success;
}

/**
 * Whether a package name falls under a scope. `@acme/*` covers `@acme/x` only: the comparison
 * includes the `/`, so `@acmeevil/x` and the unscoped `acme` are not covered.
 */
export function scopeMatches(scope: string, name: string): boolean {
  if (scope.endsWith('/*')) {
    const prefix = scope.slice(0, -1); // '@acme/'
    return name.startsWith(prefix) && name.length > prefix.length && !name.slice(prefix.length).includes('/');
  }
  return scope === name;
}

const Timestamp = z.iso.datetime({ offset: true, error: 'an ISO 8601 date-time such as 2026-11-02T10:00:00Z' });

const Revocation = z.strictObject({
  at: Timestamp,
  reason: z.string().min(1, 'say why the key was revoked').max(500),
});

const keyFields = {
  keyId: z.string().regex(KEY_ID, 'a key id such as ed25519:<22 base64url characters>'),
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`) of an Ed25519 key. */
  publicKey: z.string().min(1),
  /** Whose key this is, for people and error messages ("Acme Inc., CI key 2026"). */
  label: z.string().max(200).optional(),
  revoked: Revocation.optional(),
};

/** A key id is derived from the key; a store that pairs an id with another key is refused. */
function keyIdMatchesKey(entry: { keyId: string; publicKey: string }, ctx: z.RefinementCtx): void {
  let actual: string;
  try {
    actual = keyIdOf(entry.publicKey);
  } catch (error) {
    ctx.addIssue({ code: 'custom', path: ['publicKey'], message: `not an Ed25519 public key in PEM form (${(error as Error).message})` });
    return;
  }
  // A key id of the wrong form already has its own problem; one per field is enough.
  if (actual !== entry.keyId && KEY_ID.test(entry.keyId)) {
    ctx.addIssue({ code: 'custom', path: ['keyId'], message: `${entry.keyId} is not the id of this public key; its id is ${actual}` });
  }
}

export const RegistryKeySchema = z
  .strictObject({
    ...keyFields,
    /** After this moment the registry key is no longer trusted: the end of a rotation window. */
    notAfter: Timestamp.optional(),
  })
  .superRefine(keyIdMatchesKey);

export const PublisherKeySchema = z
  .strictObject({
    ...keyFields,
    scopes: z
      .array(z.string().refine(isScope, 'a scope such as @acme/*, @acme/name or name'))
      .min(1, 'a publisher key needs at least one scope'),
  })
  .superRefine(keyIdMatchesKey);

export const TrustStoreSchema = z
  .strictObject({
    version: z.literal(1),
    registryKeys: z.array(RegistryKeySchema),
    publishers: z.array(PublisherKeySchema),
  })
  // Duplicates are checked even when other entries are broken (`when`), so one pass over a bad
  // store reports everything. The same key may appear once per list: the role line in the
  // signed document keeps its two kinds of signature apart.
  .superRefine(
    (store, ctx) => {
      for (const list of ['registryKeys', 'publishers'] as const) {
        const entries: unknown = (store as Record<string, unknown>)[list];
        if (!Array.isArray(entries)) continue;
        const seen = new Map<string, number>();
        entries.forEach((entry: unknown, i) => {
          const keyId = (entry as { keyId?: unknown } | null)?.keyId;
          if (typeof keyId !== 'string') return;
          const first = seen.get(keyId);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [list, i, 'keyId'], message: `${keyId} is listed twice (also at ${list}.${first}); merge the entries` });
          else seen.set(keyId, i);
        });
      }
    },
    { when: () => true },
  );

export type TrustStore = z.infer<typeof TrustStoreSchema>;
export type TrustStoreInput = z.input<typeof TrustStoreSchema>;
export type RegistryKey = z.infer<typeof RegistryKeySchema>;
export type PublisherKey = z.infer<typeof PublisherKeySchema>;

export class TrustStoreError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[], options?: { cause?: unknown }) {
    super(`invalid trust store${source ? ` ${source}` : ''}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'TrustStoreError';
    this.problems = problems;
  }
}

/** Validate a trust store document (already JSON-parsed); throws TrustStoreError listing every problem. */
export function parseTrustStore(input: unknown, source = ''): TrustStore {
  const result = TrustStoreSchema.safeParse(input);
  if (result.success) return result.data;
  throw new TrustStoreError(source, result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(trust store)'}: ${i.message}`));
}

/** Read and validate the trust store file at `path`. */
export async function loadTrustStore(path: string): Promise<TrustStore> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TrustStoreError(path, [`not valid JSON: ${(error as Error).message}`], { cause: error });
  }
  return parseTrustStore(json, path);
}

/** The publisher entry for a key id, if the store has one. */
export function findPublisherKey(trust: TrustStore, keyId: string): PublisherKey | undefined {
  return trust.publishers.find((k) => k.keyId === keyId);
}

/** The registry entry for a key id, if the store has one. */
export function findRegistryKey(trust: TrustStore, keyId: string): RegistryKey | undefined {
  return trust.registryKeys.find((k) => k.keyId === keyId);
}

/** The scopes of a publisher key that cover `name` (empty when the key may not sign it). */
export function scopesCovering(key: PublisherKey, name: string): string[] {
  return key.scopes.filter((scope) => scopeMatches(scope, name));
}

/**
 * A store built by hand (not through parseTrustStore) could pair a key id with another key.
 * Returns what is wrong with the entry, or null when its id is its key's.
 */
export function keyIdMismatch(entry: PublisherKey | RegistryKey, list: 'publishers' | 'registryKeys'): string | null {
  let actual: string | undefined;
  try {
    actual = keyIdOf(entry.publicKey);
  } catch {
    actual = undefined;
  }
  if (actual === entry.keyId) return null;
  return `the trust store's ${list} entry ${entry.keyId} holds a public key whose id is ${actual ?? 'unreadable'}; load the store with loadTrustStore/parseTrustStore and fix the problems it lists.`;
}

/** A key as messages name it: its id, and its label when it has one. */
export function describeKey(entry: PublisherKey | RegistryKey): string {
  return entry.label ? `${entry.keyId} (${entry.label})` : entry.keyId;
}
