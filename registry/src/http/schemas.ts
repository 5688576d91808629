/**
 * The registry's wire format: every body, path parameter, query and reply of its HTTP routes,
 * as zod schemas. The routes validate and serialise with them, the OpenAPI document is generated
 * from them (schemas with a `.meta({ id })` become components), and the HTTP clients
 * (HttpRegistrySource, publishToRegistry) parse replies with them. Only zod and the contract are
 * imported here, so the clients can use this file without loading Fastify.
 */
import { PluginManifest, PluginName, SemverVersion } from '@townesdev/plugin-contract';
import { z } from 'zod';
import { KEY_ID } from '../signing/keys.ts';
import { SHA512_DIGEST } from '../signing/manifest-digest.ts';
import { RegistryIndexSchema } from '../signed-index/registry-index.ts';

/** The routes' OpenAPI tag. */
export const REGISTRY_TAG = 'registry';
/** The OpenAPI security scheme the authenticated routes name; the host's swagger config defines it. */
export const REGISTRY_SECURITY_SCHEME = 'registryToken';
/** Add this under `components.securitySchemes` of the OpenAPI document that includes the routes. */
export const REGISTRY_SECURITY_SCHEMES = {
  [REGISTRY_SECURITY_SCHEME]: {
    type: 'http',
    scheme: 'bearer',
    description: 'A publish token issued by the registry operator (`townes registry token create`), limited to scopes such as @acme/*.',
  },
} as const;

/** Headers of a tarball download: what vouches for the bytes, so one request gives a SignedTarball. */
export const DOWNLOAD_HEADERS = {
  integrity: 'x-townes-integrity',
  publisherKeyId: 'x-townes-publisher-key-id',
  publisherSignature: 'x-townes-publisher-signature',
  registryKeyId: 'x-townes-registry-key-id',
  registrySignature: 'x-townes-registry-signature',
  yanked: 'x-townes-yanked',
} as const;

export const Integrity = z.string().regex(SHA512_DIGEST, 'sha512-<base64> (88 characters ending in ==)').meta({ id: 'Integrity', description: "The tarball's SHA-512 in Subresource-Integrity form." });

export const KeySignature = z
  .object({
    keyId: z.string().regex(KEY_ID, 'a key id such as ed25519:<22 base64url characters>'),
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature: 88 base64 characters ending in =='),
  })
  .meta({ id: 'KeySignature', description: 'An Ed25519 signature and the id of the key that made it (registry/SIGNING.md).' });

export const NameParams = z.object({ name: PluginName.describe('The package name; a scoped name is URL-encoded (@acme%2Fgreeter).') });
export const VersionParams = z.object({ name: NameParams.shape.name, version: SemverVersion.describe('An exact semver version.') });

export const ListQuery = z.object({
  q: z.string().max(200).optional().describe('Case-insensitive substring of the package name or display name.'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

export const VersionMetadata = z
  .object({
    name: PluginName,
    version: SemverVersion,
    integrity: Integrity,
    manifest: PluginManifest,
    publisher: KeySignature,
    registry: KeySignature,
    yanked: z.boolean().describe('A yanked version is never chosen by a range, but still served to an exact pin.'),
    yankedReason: z.string().nullable(),
    publishedAt: z.iso.datetime(),
  })
  .meta({ id: 'RegistryVersion', description: 'One published version: its manifest and both signatures.' });
export type VersionMetadata = z.output<typeof VersionMetadata>;

export const PackageVersions = z
  .object({ name: PluginName, versions: z.array(VersionMetadata).describe('Lowest first, yanked ones included.') })
  .meta({ id: 'RegistryPackageVersions' });

export const PackageSummary = z
  .object({
    name: PluginName,
    createdAt: z.iso.datetime(),
    latest: z.string().describe('The highest version that is not yanked (the highest one when all are).'),
    displayName: z.string(),
    description: z.string(),
    versionCount: z.number().int(),
  })
  .meta({ id: 'RegistryPackageSummary' });

export const PackageList = z
  .object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), packages: z.array(PackageSummary) })
  .meta({ id: 'RegistryPackageList' });

/** A publish: the tarball (base64, as npm's publish carries it) and the publisher's signature over it. */
export const PublishBody = z
  .object({
    tarball: z.base64('the tarball as standard base64'),
    publisher: KeySignature,
  })
  .meta({ id: 'RegistryPublishRequest' });
export type PublishBody = z.input<typeof PublishBody>;

export const PublishReply = z
  .object({ created: z.boolean().describe('False when this exact tarball was already published (an idempotent retry).'), version: VersionMetadata })
  .meta({ id: 'RegistryPublishResult' });

export const YankBody = z
  .object({ reason: z.string().trim().min(1, 'say why (operators who run it see the reason)').max(500) })
  .meta({ id: 'RegistryYankRequest' });

export const SignedIndexReply = z
  .object({ index: RegistryIndexSchema, keyId: z.string().regex(KEY_ID), signature: z.string() })
  .meta({ id: 'RegistrySignedIndex', description: 'The signed index of every version (registry/SIGNING.md, "The registry index").' });

export const RegistryKeyReply = z
  .object({ keyId: z.string().regex(KEY_ID), publicKey: z.string().describe('SPKI PEM.') })
  .meta({ id: 'RegistryKey', description: "The registry's countersigning key. Check its id out of band before trusting it." });

/** The tarball bytes (application/octet-stream). */
export const TarballBytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array).meta({ type: 'string', format: 'binary' });
