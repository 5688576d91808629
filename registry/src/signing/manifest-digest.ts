/**
 * The manifest digest that both signatures cover.
 *
 * It hashes the *parsed* manifest (after `parseManifest`, so with every default filled in),
 * written as canonical JSON (see canonical-json.ts). Two consequences, both wanted:
 * - reformatting `townes.plugin.json`, reordering its keys, or spelling out a default
 *   (`"description": ""`) does not change the digest: the runner loads the same plugin;
 * - changing anything the runner would act on does, including a field the author left to its
 *   default: a manifest signed without `limits` and later edited to
 *   `"limits": { "cpuMsPerEvent": 1000 }` has another digest, because the signed one holds the
 *   default 50.
 * A kernel whose manifest schema gains a new defaulted field would change the digest of every
 * old manifest; the schema is part of the contract, so such a change needs a new document
 * version (`townes-plugin-signature-v2`), not a silent one.
 */
import { createHash } from 'node:crypto';
import { parseManifest } from '@townesdev/plugin-contract';
import type { PluginManifest } from '@townesdev/plugin-contract';
import { canonicalJson } from './canonical-json.ts';

/** `sha512-<base64>`, the same Subresource-Integrity form as a tarball's integrity. */
export const SHA512_DIGEST = /^sha512-[A-Za-z0-9+/]{86}==$/;

/**
 * The digest of a manifest, as `sha512-<base64>`. Accepts the raw manifest (as read from the
 * package) or an already parsed one: it parses it again either way, so a caller can never hash
 * an unvalidated or default-less object by mistake. Throws `ManifestError` for an invalid one.
 */
export function manifestDigest(manifest: unknown): string {
  const parsed: PluginManifest = parseManifest(manifest);
  return `sha512-${createHash('sha512').update(canonicalJson(parsed), 'utf8').digest('base64')}`;
}

/** The canonical JSON text that `manifestDigest` hashes; for debugging and for the docs. */
export function canonicalManifest(manifest: unknown): string {
  return canonicalJson(parseManifest(manifest));
}
