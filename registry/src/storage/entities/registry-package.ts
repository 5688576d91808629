import { defineEntity, p } from '@mikro-orm/core';

export const REGISTRY_PACKAGE_TABLE = 'registry_package';

/** A package name the registry has accepted at least one version of. */
export const RegistryPackage = defineEntity({
  name: 'RegistryPackage',
  tableName: REGISTRY_PACKAGE_TABLE,
  properties: {
    name: p.text().primary(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
