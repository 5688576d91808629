/**
 * Shared fixtures for the signed-index tests: keys, a trust store naming them, an index, and
 * temp folders for the runner's cache.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateSigningKey, parseTrustStore } from '../../src/signing/index.ts';
import type { SigningKey, TrustStore } from '../../src/signing/index.ts';
import type { RegistryIndex } from '../../src/signed-index/index.ts';

export const DAY = 24 * 60 * 60 * 1000;
/** Every test index is issued here and valid for 10 days. */
export const ISSUED = new Date('2026-03-01T00:00:00.000Z');
export const EXPIRES = new Date(ISSUED.getTime() + 10 * DAY);

export function integrityOf(content: string): string {
  return `sha512-${createHash('sha512').update(content).digest('base64')}`;
}

export interface IndexWorld {
  registry: SigningKey;
  retired: SigningKey;
  revoked: SigningKey;
  stranger: SigningKey;
  publisher: SigningKey;
  trust: TrustStore;
}

export function makeIndexWorld(): IndexWorld {
  const [registry, retired, revoked, stranger, publisher] = [1, 2, 3, 4, 5].map(() => generateSigningKey()) as [SigningKey, SigningKey, SigningKey, SigningKey, SigningKey];
  const trust = parseTrustStore({
    version: 1,
    registryKeys: [
      { keyId: registry.keyId, publicKey: registry.publicKeyPem, label: 'test registry' },
      { keyId: retired.keyId, publicKey: retired.publicKeyPem, label: 'old registry key', notAfter: '2026-02-01T00:00:00Z' },
      { keyId: revoked.keyId, publicKey: revoked.publicKeyPem, revoked: { at: '2026-02-15T00:00:00Z', reason: 'leaked in a CI log' } },
    ],
    publishers: [{ keyId: publisher.keyId, publicKey: publisher.publicKeyPem, scopes: ['@acme/*'], label: 'Acme' }],
  });
  return { registry, retired, revoked, stranger, publisher, trust };
}

/** An index with two packages; `serial` and anything else can be overridden. */
export function makeIndex(world: IndexWorld, serial: number, overrides: Partial<RegistryIndex> = {}): RegistryIndex {
  return {
    format: 'townes-registry-index-v1',
    serial,
    issuedAt: ISSUED.toISOString(),
    expiresAt: EXPIRES.toISOString(),
    packages: {
      '@acme/greeter': {
        versions: {
          '1.0.0': { integrity: integrityOf('greeter 1.0.0'), yanked: false, publisherKeyId: world.publisher.keyId },
          '1.1.0': { integrity: integrityOf('greeter 1.1.0'), yanked: serial > 5, publisherKeyId: world.publisher.keyId },
        },
      },
      '@acme/dice': { versions: { '0.3.0': { integrity: integrityOf('dice 0.3.0'), yanked: false, publisherKeyId: world.publisher.keyId } } },
    },
    ...overrides,
  };
}

/** A fresh cache folder under the OS temp folder; `cleanup` removes it. */
export async function tempCacheDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-index-guard-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
