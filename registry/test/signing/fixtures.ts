/**
 * Shared fixtures for the signing tests: manifests, keys, a trust store, and a package version
 * signed by a publisher and countersigned by the registry.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import type { PluginManifestInput } from '@townesdev/plugin-contract';
import { generateSigningKey, keyIdOf, parseTrustStore, signAsPublisher, signAsRegistry } from '../../src/signing/index.ts';
import type { KeySignature, SigningKey, TrustStore, TrustStoreInput, VerifyPackageInput } from '../../src/signing/index.ts';

/** `sha512-<base64>` of some bytes: stands in for a tarball's integrity. */
export function integrityOf(content: string): string {
  return `sha512-${createHash('sha512').update(content).digest('base64')}`;
}

export function manifestFor(name: string, version: string, extra: Partial<PluginManifestInput> = {}): PluginManifestInput {
  return { name, version, displayName: 'Greeter', kernelApi: '^1.0.0', permissions: ['discord.messages.send'], ...extra };
}

/**
 * An Ed25519 key from a fixed 32-byte seed (PKCS#8 = a fixed 16-byte prefix + the seed), so a
 * test or a documented example can pin its key id and signatures. Ed25519 signatures are
 * deterministic, so the same key and document always give the same signature.
 */
export function seededKey(label: string): SigningKey {
  const seed = createHash('sha256').update(label).digest();
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return { keyId: keyIdOf(publicKeyPem), publicKeyPem, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export interface World {
  acme: SigningKey;
  acmeNext: SigningKey;
  evil: SigningKey;
  registry: SigningKey;
  trust: TrustStore;
  trustInput: TrustStoreInput;
}

/** Keys once per test file (key generation is the slow part), and a trust store naming them. */
export function makeWorld(): World {
  const acme = generateSigningKey();
  const acmeNext = generateSigningKey();
  const evil = generateSigningKey();
  const registry = generateSigningKey();
  const trustInput: TrustStoreInput = {
    version: 1,
    registryKeys: [{ keyId: registry.keyId, publicKey: registry.publicKeyPem, label: 'test registry' }],
    publishers: [
      { keyId: acme.keyId, publicKey: acme.publicKeyPem, scopes: ['@acme/*'], label: 'Acme' },
      { keyId: acmeNext.keyId, publicKey: acmeNext.publicKeyPem, scopes: ['@acme/*', 'acme-tools'], label: 'Acme, 2027 key' },
    ],
  };
  return { acme, acmeNext, evil, registry, trust: parseTrustStore(trustInput), trustInput };
}

export interface SignedVersion {
  name: string;
  version: string;
  integrity: string;
  manifest: PluginManifestInput;
  publisher: KeySignature;
  registry: KeySignature;
}

/** A version as the registry serves it: publisher signature, then the registry's countersignature. */
export function publish(world: World, name: string, version: string, options: { publisherKey?: SigningKey; manifest?: PluginManifestInput; tarball?: string } = {}): SignedVersion {
  const manifest = options.manifest ?? manifestFor(name, version);
  const integrity = integrityOf(options.tarball ?? `tarball of ${name}@${version}`);
  const publisher = signAsPublisher({ name, version, integrity, manifest, privateKeyPem: (options.publisherKey ?? world.acme).privateKeyPem });
  const registry = signAsRegistry({ name, version, integrity, manifest, publisherKeyId: publisher.keyId, privateKeyPem: world.registry.privateKeyPem });
  return { name, version, integrity, manifest, publisher, registry };
}

/** The runner's verification input for a signed version against the world's trust store. */
export function asInput(world: World, signed: SignedVersion, overrides: Partial<VerifyPackageInput> = {}): VerifyPackageInput {
  return { ...signed, trust: world.trust, ...overrides };
}
