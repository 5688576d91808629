import { RegistryIndexState } from './registry-index-state.ts';
import { RegistryPackage } from './registry-package.ts';
import { RegistryPublishToken } from './registry-publish-token.ts';
import { RegistryVersion } from './registry-version.ts';

export { INDEX_STATE_ID, REGISTRY_INDEX_STATE_TABLE, RegistryIndexState } from './registry-index-state.ts';
export { REGISTRY_PACKAGE_TABLE, RegistryPackage } from './registry-package.ts';
export { REGISTRY_PUBLISH_TOKEN_TABLE, RegistryPublishToken } from './registry-publish-token.ts';
export { REGISTRY_VERSION_TABLE, RegistryVersion } from './registry-version.ts';

/** Every entity the registry owns, for the ORM config. */
export const registryEntities = [RegistryPackage, RegistryVersion, RegistryIndexState, RegistryPublishToken] as const;
