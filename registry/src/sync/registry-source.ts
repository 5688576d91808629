/**
 * Where a runner pulls plugins from: the registry's signed index and one version's signed
 * tarball. Nothing a source returns is trusted; PluginSync verifies it against the operator's
 * trust store before it is cached or loaded. The HTTP client implements this too (with the
 * routes); `serviceSource` is the in-process adapter over a RegistryService.
 */
import type { RegistryService } from '../service/registry-service.ts';
import type { SignedIndex } from '../signed-index/registry-index.ts';
import type { SignedTarball } from '../verified/verified-plugin.ts';

export interface RegistrySource {
  /** The registry's current signed index (check it with IndexGuard). */
  index(): Promise<SignedIndex>;
  /** One version's tarball with its integrity and both signatures. Throws when unreachable or unknown. */
  download(name: string, version: string): Promise<SignedTarball>;
}

export interface ServiceSourceOptions {
  /** How long an index built for this source stays valid, in milliseconds. Default one hour. */
  indexValidForMs?: number;
}

const DEFAULT_INDEX_VALID_FOR_MS = 60 * 60 * 1000;

/** A source over a RegistryService in the same process. */
export function serviceSource(service: RegistryService, options: ServiceSourceOptions = {}): RegistrySource {
  const validForMs = options.indexValidForMs ?? DEFAULT_INDEX_VALID_FOR_MS;
  return {
    index: () => service.buildIndex({ validForMs }),
    async download(name, version) {
      const d = await service.download(name, version);
      return { name: d.name, version: d.version, integrity: d.integrity, tarball: d.tarball, publisher: d.publisher, registry: d.registry };
    },
  };
}
