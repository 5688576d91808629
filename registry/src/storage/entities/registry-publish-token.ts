import { defineEntity, p } from '@mikro-orm/core';

export const REGISTRY_PUBLISH_TOKEN_TABLE = 'registry_publish_token';

/**
 * A token the registry operator issued to a publisher: it may publish and yank packages within
 * its scopes (`@acme/*`, `@acme/name`, `name`, as in the trust store). Only the SHA-256 of the
 * token is kept, so a leaked database does not leak working tokens; a revoked token stays as a
 * row (who had access when) and is refused.
 */
export const RegistryPublishToken = defineEntity({
  name: 'RegistryPublishToken',
  tableName: REGISTRY_PUBLISH_TOKEN_TABLE,
  properties: {
    /** Public id, shown in listings and used to revoke; not a secret. */
    id: p.text().primary(),
    /** Hex SHA-256 of the whole token string. */
    tokenHash: p.text().unique(),
    scopes: p.json<string[]>(),
    label: p.text(),
    createdAt: p.datetime().defaultRaw('now()'),
    revokedAt: p.datetime().nullable(),
  },
});
