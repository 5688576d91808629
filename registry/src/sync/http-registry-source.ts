/**
 * A RegistrySource over the registry's HTTP routes, so PluginSync and PluginResolver work
 * against a remote registry: `GET /index` and `GET /packages/:name/versions/:version/tarball`
 * (whose headers carry the integrity and both signatures). Nothing it returns is trusted:
 * PluginSync verifies every tarball and IndexGuard every index. It only bounds what it reads
 * (time and bytes) and reports failures clearly; PluginSync falls back to its cache when the
 * registry is unreachable.
 */
import { maxTarBytes, resolveLimits } from '../package/limits.ts';
import type { UnpackLimits } from '../package/limits.ts';
import type { SignedIndex } from '../signed-index/registry-index.ts';
import type { SignedTarball } from '../verified/verified-plugin.ts';
import { DOWNLOAD_HEADERS, SignedIndexReply } from '../http/schemas.ts';
import { packagePath, parseJsonReply, registryFetch, registryUrl, RegistryClientError } from '../client/registry-fetch.ts';
import type { RegistryFetchOptions } from '../client/registry-fetch.ts';
import type { RegistrySource } from './registry-source.ts';

export interface HttpRegistrySourceOptions extends Omit<RegistryFetchOptions, 'maxBytes'> {
  /** The registry's base URL (`http://127.0.0.1:4873`, or `https://host/v1/registry`). */
  url: string | URL;
  /** The largest tarball accepted: by default what the unpack limits can hold (about 16 MiB). */
  maxTarballBytes?: number;
  /** The unpack limits the runner uses, when not the defaults (they set the default above). */
  unpackLimits?: Partial<UnpackLimits>;
  /** The largest index accepted. Default 32 MiB. */
  maxIndexBytes?: number;
}

const DEFAULT_MAX_INDEX_BYTES = 32 * 1024 * 1024;

export class HttpRegistrySource implements RegistrySource {
  readonly #options: HttpRegistrySourceOptions;
  readonly #maxTarballBytes: number;

  constructor(options: HttpRegistrySourceOptions) {
    // fail at construction on a bad URL, not at the first sync
    registryUrl(options.url, '/');
    this.#options = options;
    const tar = maxTarBytes(resolveLimits(options.unpackLimits));
    this.#maxTarballBytes = options.maxTarballBytes ?? tar + Math.ceil(tar / 1000) + 1024;
  }

  async index(): Promise<SignedIndex> {
    const reply = await registryFetch(registryUrl(this.#options.url, '/index'), { method: 'GET', headers: { accept: 'application/json' } }, { ...this.#options, maxBytes: this.#options.maxIndexBytes ?? DEFAULT_MAX_INDEX_BYTES });
    return parseJsonReply(reply, SignedIndexReply, 'registry index');
  }

  async download(name: string, version: string): Promise<SignedTarball> {
    const what = `download ${name}@${version}`;
    const url = `${registryUrl(this.#options.url, packagePath(name, version))}/tarball`;
    const reply = await registryFetch(url, { method: 'GET', headers: { accept: 'application/octet-stream' } }, { ...this.#options, maxBytes: this.#maxTarballBytes });
    const header = (key: keyof typeof DOWNLOAD_HEADERS) => {
      const value = reply.headers.get(DOWNLOAD_HEADERS[key]);
      if (!value) throw new RegistryClientError('BAD_REPLY', `${what}: the reply has no ${DOWNLOAD_HEADERS[key]} header`, { status: reply.status });
      return value;
    };
    return {
      name,
      version,
      integrity: header('integrity'),
      tarball: reply.body,
      publisher: { keyId: header('publisherKeyId'), signature: header('publisherSignature') },
      registry: { keyId: header('registryKeyId'), signature: header('registrySignature') },
    };
  }
}
