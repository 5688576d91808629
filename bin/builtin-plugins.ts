/**
 * The built-in plugins (plugins/welcome, plugins/xp) go through the same supply chain as any
 * third-party plugin: built with the SDK, packed, signed by this installation's built-in
 * publisher key, published to the registry, and loaded by runners only after both signatures
 * verify. The key is generated once into the data folder (mode 0600) and may publish only
 * `@townesdev/*`.
 *
 * Idempotent: every call builds and packs (deterministic: the same sources give the same bytes),
 * and publishing identical bytes again is a no-op in the registry, so a second start publishes
 * nothing new. A built-in plugin whose code changed without a version bump is reported as a
 * conflict (the registry keeps serving the published version; versions are immutable).
 *
 * Built into a private staging folder, never into plugins/: the installation may be read-only.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fetchRegistryKey, packPlugin, parseTrustStore, publishToRegistry, RegistryClientError, signAsPublisher } from '@townesdev/registry';
import type { KeySignature, PackedPlugin, SigningKey, TrustStore, TrustStoreInput } from '@townesdev/registry';
import { RegistryError, type RegistryService } from '@townesdev/registry/service';
import { buildPlugin } from '@townesdev/sdk/build';
import { ensureKeyFile } from './key-file.ts';

export const BUILTIN_SCOPE = '@townesdev/*';
export const BUILTIN_KEY_FILE = 'builtin-publisher-key.pem';
export const BUILTIN_PLUGINS: readonly string[] = ['welcome', 'xp'];
const PLUGINS_DIR = new URL('../plugins/', import.meta.url).pathname;

type PublisherEntry = TrustStoreInput['publishers'][number];
type RegistryKeyEntry = TrustStoreInput['registryKeys'][number];

export interface BuiltinPublisherKey {
  key: SigningKey;
  path: string;
  /** True when this call generated it. */
  created: boolean;
  /** The trust-store entry: this key, for `@townesdev/*` only. */
  trustEntry: PublisherEntry;
}

/** The installation's built-in publisher key, generated on first use into `dataDir`. */
export async function ensureBuiltinPublisherKey(dataDir: string): Promise<BuiltinPublisherKey> {
  const path = join(dataDir, BUILTIN_KEY_FILE);
  const { key, created } = await ensureKeyFile(path);
  return { key, path, created, trustEntry: { keyId: key.keyId, label: 'TownesDev built-in plugins (this installation)', publicKey: key.publicKeyPem, scopes: [BUILTIN_SCOPE] } };
}

/** `trust` plus the built-in key (for the registry's own trust store); unchanged if it is already there. */
export function trustWithBuiltinPublisher(trust: TrustStore, builtin: BuiltinPublisherKey): TrustStore {
  if (trust.publishers.some((p) => p.keyId === builtin.key.keyId)) return trust;
  return parseTrustStore({ ...trust, publishers: [...trust.publishers, builtin.trustEntry] });
}

export type BuiltinTarget = { service: RegistryService } | { url: string; token: string; timeoutMs?: number };

export interface PublishBuiltinOptions {
  /** The registry: in process (its trust store must include the built-in key, see trustWithBuiltinPublisher), or over HTTP with a token for `@townesdev/*`. */
  target: BuiltinTarget;
  /** The installation's data folder, where the built-in key lives. */
  dataDir: string;
  /** Folder names under plugins/ (default welcome and xp), or absolute paths. */
  plugins?: readonly string[];
}

export interface BuiltinPublished {
  name: string;
  version: string;
  integrity: string;
  /** `published`: new in the registry; `unchanged`: these bytes were already there; `conflict`: another tarball holds this version. */
  status: 'published' | 'unchanged' | 'conflict';
  /** For a conflict: what to do. */
  message?: string;
}

export interface BuiltinPublishResult {
  plugins: BuiltinPublished[];
  publisherKey: { keyId: string; path: string; created: boolean };
  /** What a runner's trust store needs for the built-in plugins: the built-in key for `@townesdev/*` and the registry's key. */
  trust: { publishers: PublisherEntry[]; registryKeys: RegistryKeyEntry[] };
}

/** Build a plugin folder into a private staging folder and pack it there. */
async function buildAndPack(dir: string): Promise<PackedPlugin> {
  const built = await buildPlugin({ dir, write: false });
  const stage = await mkdtemp(join(os.tmpdir(), 'townes-builtin-'));
  try {
    await writeFile(join(stage, 'package.json'), await readFile(join(dir, 'package.json')));
    for (const optional of ['README.md', 'LICENSE']) if (existsSync(join(dir, optional))) await writeFile(join(stage, optional), await readFile(join(dir, optional)));
    await writeFile(join(stage, 'townes.plugin.json'), JSON.stringify(built.manifest, null, 2) + '\n');
    await mkdir(dirname(join(stage, built.manifest.entry)), { recursive: true });
    await writeFile(join(stage, built.manifest.entry), built.code);
    return await packPlugin(stage);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function publishOne(target: BuiltinTarget, packed: PackedPlugin, publisher: KeySignature): Promise<BuiltinPublished> {
  const base = { name: packed.name, version: packed.version, integrity: packed.integrity };
  const conflict = (): BuiltinPublished => ({
    ...base,
    status: 'conflict',
    message: `${packed.name}@${packed.version} is already in the registry with other contents; the built-in plugin changed without a version bump. Bump its version (plugins/*/src/plugin.ts and package.json) to publish it; until then the published version is served.`,
  });
  // The same bytes signed earlier by another built-in key (the data folder with the key was replaced,
  // the database kept): runners trusting this installation's key will refuse what is served.
  const signedBy = (keyId: string): BuiltinPublished | null =>
    keyId === publisher.keyId
      ? null
      : {
          ...base,
          status: 'conflict',
          message: `${packed.name}@${packed.version} was published earlier with another built-in key (${keyId}, not this installation's ${publisher.keyId}): runners that trust this installation will refuse it. Restore the data folder's ${BUILTIN_KEY_FILE} (and registry key) from a backup, or bump the plugin's version.`,
        };
  if ('service' in target) {
    try {
      const result = await target.service.publish({ tarball: packed.tarball, publisher });
      return signedBy(result.version.publisher.keyId) ?? { ...base, status: result.created ? 'published' : 'unchanged' };
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'VERSION_EXISTS') return conflict();
      throw error;
    }
  }
  try {
    const result = await publishToRegistry(target, { name: packed.name, version: packed.version, tarball: packed.tarball, publisher });
    return signedBy(result.version.publisher.keyId) ?? { ...base, status: result.created ? 'published' : 'unchanged' };
  } catch (error) {
    if (error instanceof RegistryClientError && error.code === 'VERSION_EXISTS') return conflict();
    throw error;
  }
}

/** Ensure the built-in key, then build, pack, sign and publish each built-in plugin (idempotent). */
export async function publishBuiltinPlugins(options: PublishBuiltinOptions): Promise<BuiltinPublishResult> {
  const builtin = await ensureBuiltinPublisherKey(options.dataDir);
  const plugins: BuiltinPublished[] = [];
  for (const plugin of options.plugins ?? BUILTIN_PLUGINS) {
    const dir = plugin.startsWith('/') ? plugin : join(PLUGINS_DIR, plugin);
    const packed = await buildAndPack(dir);
    if (!packed.name.startsWith(BUILTIN_SCOPE.slice(0, -1))) throw new Error(`${dir} is ${packed.name}; built-in plugins are published under ${BUILTIN_SCOPE} only`);
    const publisher = signAsPublisher({ name: packed.name, version: packed.version, integrity: packed.integrity, manifest: packed.manifest, privateKeyPem: builtin.key.privateKeyPem });
    plugins.push(await publishOne(options.target, packed, publisher));
  }
  const registryKey = 'service' in options.target
    ? { keyId: options.target.service.registryKeyId, publicKey: options.target.service.registryPublicKeyPem }
    : await fetchRegistryKey(options.target);
  return {
    plugins,
    publisherKey: { keyId: builtin.key.keyId, path: builtin.path, created: builtin.created },
    trust: {
      publishers: [builtin.trustEntry],
      registryKeys: [{ keyId: registryKey.keyId, label: "this installation's registry", publicKey: registryKey.publicKey }],
    },
  };
}
