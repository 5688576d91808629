import { defineEntity, p } from '@mikro-orm/core';
import type { PluginManifest } from '@townesdev/plugin-contract';

export const REGISTRY_VERSION_TABLE = 'registry_version';

/**
 * One published version: immutable apart from its yank flag. The tarball itself is in the blob
 * store under `integrity`; the row holds what vouches for it (both signatures) and the validated
 * manifest, for search and listings. Its package row is written in the same transaction (no
 * foreign key: versions are never deleted, and the entity model stays a plain composite key).
 */
export const RegistryVersion = defineEntity({
  name: 'RegistryVersion',
  tableName: REGISTRY_VERSION_TABLE,
  properties: {
    name: p.text().primary(),
    version: p.text().primary(),
    integrity: p.text(),
    manifest: p.json<PluginManifest>(),
    publisherKeyId: p.text(),
    publisherSignature: p.text(),
    registryKeyId: p.text(),
    registrySignature: p.text(),
    yanked: p.boolean().default(false),
    yankedReason: p.text().nullable(),
    publishedAt: p.datetime().defaultRaw('now()'),
  },
  primaryKeys: ['name', 'version'],
});
