/**
 * The registry's core, without HTTP: accept a signed plugin version (publish), serve it back
 * (download), yank and unyank, list and search, and sign the index of everything it serves.
 *
 * Publish order: safe unpack, integrity, the publisher signature against the registry's own
 * trust store, then (only for a version that does not exist yet) the blob, the countersignature
 * and the rows, the rows in one transaction. A refused publish stores nothing.
 *
 * Re-publishing: a version is immutable. The same name@version with a different tarball is
 * refused (VERSION_EXISTS). The same tarball again (same integrity, and a publisher signature
 * that verifies) is idempotent: it returns the existing record unchanged with `created: false`,
 * so a client that retries after a lost response does not see an error. The existing record keeps
 * its original signatures and yank state.
 */
import { createPublicKey } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager, InferEntity, Transaction } from '@mikro-orm/core';
import type { PluginManifest } from '@townesdev/plugin-contract';
import semver from 'semver';
import { integrityOf } from '../package/integrity.ts';
import type { UnpackLimits } from '../package/limits.ts';
import { unpackPlugin } from '../package/unpack.ts';
import { keyIdOfPrivateKey } from '../signing/keys.ts';
import type { TrustStore } from '../signing/trust-store.ts';
import type { KeySignature } from '../signing/verify-package.ts';
import { signAsRegistry, verifyPublisherSignature } from '../signing/verify-package.ts';
import { INDEX_FORMAT, signIndex } from '../signed-index/registry-index.ts';
import type { RegistryIndex, SignedIndex } from '../signed-index/registry-index.ts';
import type { SignedTarball } from '../verified/verified-plugin.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { INDEX_STATE_ID, REGISTRY_INDEX_STATE_TABLE, REGISTRY_PACKAGE_TABLE, REGISTRY_VERSION_TABLE, RegistryVersion } from '../storage/entities/index.ts';
import type { RegistryOrm } from '../storage/registry-orm.ts';
import { RegistryError } from './registry-errors.ts';

export interface RegistryServiceOptions {
  orm: RegistryOrm;
  blobs: BlobStore;
  /** The registry's trust store: which publisher keys may publish which scopes. */
  trust: TrustStore;
  /** The key the registry countersigns versions and signs indexes with. */
  registryKey: { privateKeyPem: string };
  /** Bounds for unpacking uploaded tarballs; the defaults otherwise. */
  unpackLimits?: Partial<UnpackLimits>;
  /** The clock (tests). */
  now?: () => Date;
}

/** One published version as the registry records it (the tarball is in the blob store). */
export interface VersionRecord {
  name: string;
  version: string;
  integrity: string;
  manifest: PluginManifest;
  publisher: KeySignature;
  registry: KeySignature;
  yanked: boolean;
  yankedReason: string | null;
  publishedAt: Date;
}

export interface PublishInput {
  /** The gzip'd plugin tarball, as packPlugin makes it. */
  tarball: Uint8Array;
  /** The publisher's signature over this tarball's name, version, integrity and manifest. */
  publisher: KeySignature;
  /**
   * The name@version the caller authorised (the HTTP route's path, whose scope the publish token
   * was checked against): a tarball of another package or version is refused (PACKAGE_MISMATCH).
   */
  expected?: { name: string; version: string };
}

export interface PublishResult {
  version: VersionRecord;
  /** False when this exact tarball was already published (an idempotent retry). */
  created: boolean;
}

/** What download returns: everything verifyPluginTarball needs, plus the yank state. */
export interface Download extends SignedTarball {
  tarball: Buffer;
  yanked: boolean;
  yankedReason: string | null;
}

export interface ListOptions {
  /** Case-insensitive substring of the package name or of a version's displayName. */
  query?: string;
  /** 1 to 100; default 20. */
  limit?: number;
  /** Default 0. */
  offset?: number;
}

export interface PackageSummary {
  name: string;
  createdAt: Date;
  /** The highest non-yanked version; the highest version when every one is yanked. */
  latest: string;
  displayName: string;
  description: string;
  versionCount: number;
}

export interface PackageList {
  /** How many packages match in all (for paging). */
  total: number;
  packages: PackageSummary[];
}

export interface BuildIndexOptions {
  /** How long the index stays valid from now, in milliseconds (> 0). */
  validForMs: number;
}

const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;

type VersionRow = InferEntity<typeof RegistryVersion>;

export class RegistryService {
  readonly #orm: RegistryOrm;
  readonly #blobs: BlobStore;
  readonly #trust: TrustStore;
  readonly #registryPrivateKeyPem: string;
  readonly #unpackLimits: Partial<UnpackLimits> | undefined;
  readonly #now: () => Date;
  /** The registry's key id, for reference (the key id every countersignature and index carries). */
  readonly registryKeyId: string;
  /** The registry's public key (SPKI PEM), for the trust entry runners add under `registryKeys`. */
  readonly registryPublicKeyPem: string;

  constructor(options: RegistryServiceOptions) {
    this.#orm = options.orm;
    this.#blobs = options.blobs;
    this.#trust = options.trust;
    this.#registryPrivateKeyPem = options.registryKey.privateKeyPem;
    this.registryKeyId = keyIdOfPrivateKey(options.registryKey.privateKeyPem);
    this.registryPublicKeyPem = createPublicKey(options.registryKey.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    this.#unpackLimits = options.unpackLimits;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Accept a version. Throws UnsafeArchiveError (a tarball that is not a safe plugin package),
   * SignatureError (publisher key unknown, revoked, out of scope, or a signature that does not
   * match), RegistryError('VERSION_EXISTS') for another tarball under an existing name@version.
   */
  async publish(input: PublishInput): Promise<PublishResult> {
    if (!(input?.tarball instanceof Uint8Array)) throw new RegistryError('INVALID_INPUT', 'publish needs the tarball as bytes');
    const { manifest } = unpackPlugin(input.tarball, this.#unpackLimits);
    const { name, version } = manifest;
    if (input.expected && (input.expected.name !== name || input.expected.version !== version)) {
      throw new RegistryError('PACKAGE_MISMATCH', `the tarball holds ${name}@${version}, but ${show(input.expected.name)}@${show(input.expected.version)} was to be published`);
    }
    const integrity = integrityOf(input.tarball);
    const { publisherKeyId } = verifyPublisherSignature({ name, version, integrity, manifest, publisher: input.publisher, trust: this.#trust });

    const existing = await this.#find(this.#orm.em.fork(), name, version);
    if (existing) return this.#republish(existing, input.tarball, integrity);

    const stored = await this.#blobs.put(input.tarball);
    if (stored !== integrity) throw new Error(`the blob store returned integrity ${stored} for a tarball of integrity ${integrity}`);
    const registry = signAsRegistry({ name, version, integrity, manifest, publisherKeyId, privateKeyPem: this.#registryPrivateKeyPem });
    const publishedAt = this.#now();
    try {
      await this.#transaction(async (em, trx) => {
        await em
          .getConnection()
          .execute(`insert into "${REGISTRY_PACKAGE_TABLE}" ("name", "created_at") values (?, ?) on conflict ("name") do nothing`, [name, publishedAt], 'run', trx);
        await em.insert(RegistryVersion, {
          name,
          version,
          integrity,
          manifest,
          publisherKeyId,
          publisherSignature: input.publisher.signature,
          registryKeyId: registry.keyId,
          registrySignature: registry.signature,
          yanked: false,
          yankedReason: null,
          publishedAt,
        });
      });
    } catch (error) {
      // lost a race with another publish of the same version: judge it like any re-publish.
      // (The blob stays: it is content-addressed, and the winner's blob has the same name if equal.)
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      const winner = await this.#find(this.#orm.em.fork(), name, version);
      if (!winner) throw error;
      return this.#republish(winner, input.tarball, integrity);
    }
    return {
      created: true,
      version: {
        name,
        version,
        integrity,
        manifest,
        publisher: { keyId: publisherKeyId, signature: input.publisher.signature },
        registry,
        yanked: false,
        yankedReason: null,
        publishedAt,
      },
    };
  }

  /** Mark a version yanked: ranges skip it, an exact request still gets it. Yanking again replaces the reason. */
  async yank(name: string, version: string, reason: string): Promise<VersionRecord> {
    if (typeof reason !== 'string' || reason.trim() === '') throw new RegistryError('INVALID_INPUT', `yanking ${name}@${version} needs a reason (it is shown to the operators who run it)`);
    return this.#setYank(name, version, true, reason);
  }

  async unyank(name: string, version: string): Promise<VersionRecord> {
    return this.#setYank(name, version, false, null);
  }

  /** Every version of a package, lowest first (semver order), yanked ones included and flagged. Throws NOT_FOUND for an unknown package. */
  async versions(name: string): Promise<VersionRecord[]> {
    const rows = await this.#orm.em.fork().find(RegistryVersion, { name });
    if (rows.length === 0) throw new RegistryError('NOT_FOUND', `no package ${show(name)} in this registry`);
    return rows.map(toRecord).sort((a, b) => semver.compare(a.version, b.version));
  }

  /** One version's record; throws NOT_FOUND. */
  async version(name: string, version: string): Promise<VersionRecord> {
    const row = await this.#find(this.#orm.em.fork(), name, version);
    if (!row) throw notFound(name, version);
    return toRecord(row);
  }

  /** Packages by name, optionally filtered by a substring of the name or a displayName, paged. */
  async list(options: ListOptions = {}): Promise<PackageList> {
    const limit = options.limit ?? DEFAULT_LIMIT;
    const offset = options.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RegistryError('INVALID_INPUT', `limit must be an integer from 1 to ${MAX_LIMIT}, got ${String(limit)}`);
    if (!Number.isInteger(offset) || offset < 0) throw new RegistryError('INVALID_INPUT', `offset must be a non-negative integer, got ${String(offset)}`);
    const query = options.query?.trim() ?? '';
    if (query.length > 200) throw new RegistryError('INVALID_INPUT', 'a search query is at most 200 characters');
    const pattern = `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const connection = this.#orm.em.fork().getConnection();
    const where = query
      ? `where p."name" ilike ? escape '\\' or exists (select 1 from "${REGISTRY_VERSION_TABLE}" v where v."name" = p."name" and v."manifest"->>'displayName' ilike ? escape '\\')`
      : '';
    const params = query ? [pattern, pattern] : [];
    const page = await connection.execute<{ name: string; created_at: Date; total: string }[]>(
      `select p."name", p."created_at", count(*) over () as "total" from "${REGISTRY_PACKAGE_TABLE}" p ${where} order by p."name" limit ? offset ?`,
      [...params, limit, offset],
    );
    let total = page[0] ? Number(page[0].total) : 0;
    if (page.length === 0 && offset > 0) {
      // past the end: the window function had no row to report the count on
      const [row] = await connection.execute<{ total: string }[]>(`select count(*) as "total" from "${REGISTRY_PACKAGE_TABLE}" p ${where}`, params);
      total = Number(row?.total ?? 0);
    }
    const names = page.map((r) => r.name);
    const rows = names.length ? await this.#orm.em.fork().find(RegistryVersion, { name: { $in: names } }) : [];
    const byName = new Map<string, VersionRow[]>();
    for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row]);
    return {
      total,
      packages: page.map((p) => summary(p.name, new Date(p.created_at), byName.get(p.name) ?? [])),
    };
  }

  /**
   * The tarball of one version with both signatures, checked against its integrity by the blob
   * store on the way out (a corrupted blob throws BlobIntegrityError and is not served). A yanked
   * version is still served: yanking stops resolution by range, not exact installs.
   */
  async download(name: string, version: string): Promise<Download> {
    const row = await this.#find(this.#orm.em.fork(), name, version);
    if (!row) throw notFound(name, version);
    const tarball = await this.#blobs.get(row.integrity);
    if (!tarball) throw new RegistryError('BLOB_MISSING', `${name}@${version} is recorded, but its tarball ${row.integrity} is not in the blob store; restore it from a backup`);
    const record = toRecord(row);
    return {
      name,
      version,
      integrity: record.integrity,
      tarball,
      publisher: record.publisher,
      registry: record.registry,
      yanked: record.yanked,
      yankedReason: record.yankedReason,
    };
  }

  /**
   * Sign a new index of every version. The serial is incremented in the same transaction that
   * reads the versions: concurrent builds queue on the state row, so a higher serial always lists
   * at least what a lower one did, and a serial is never issued twice (a failed build rolls back).
   */
  async buildIndex(options: BuildIndexOptions): Promise<SignedIndex> {
    const validForMs = options?.validForMs;
    if (typeof validForMs !== 'number' || !Number.isSafeInteger(validForMs) || validForMs <= 0) {
      throw new RegistryError('INVALID_INPUT', `validForMs must be a positive whole number of milliseconds, got ${String(validForMs)}`);
    }
    return this.#transaction(async (em, trx) => {
      const issuedAt = this.#now();
      const [state] = await em
        .getConnection()
        .execute<{ serial: string }[]>(`update "${REGISTRY_INDEX_STATE_TABLE}" set "serial" = "serial" + 1, "updated_at" = ? where "id" = ? returning "serial"`, [issuedAt, INDEX_STATE_ID], 'all', trx);
      if (!state) throw new Error(`the ${REGISTRY_INDEX_STATE_TABLE} row is missing; run migrateRegistry`);
      const rows = await em.find(RegistryVersion, {}, { orderBy: { name: 'asc', version: 'asc' } });
      const packages: RegistryIndex['packages'] = {};
      for (const row of rows) {
        const versions = (packages[row.name] ??= { versions: {} }).versions;
        versions[row.version] = { integrity: row.integrity, yanked: row.yanked, publisherKeyId: row.publisherKeyId };
      }
      const index: RegistryIndex = {
        format: INDEX_FORMAT,
        serial: Number(state.serial),
        issuedAt: issuedAt.toISOString(),
        expiresAt: new Date(issuedAt.getTime() + validForMs).toISOString(),
        packages,
      };
      return signIndex(index, this.#registryPrivateKeyPem);
    });
  }

  async #setYank(name: string, version: string, yanked: boolean, reason: string | null): Promise<VersionRecord> {
    const em = this.#orm.em.fork();
    const changed = await em.nativeUpdate(RegistryVersion, { name, version }, { yanked, yankedReason: reason });
    if (changed === 0) throw notFound(name, version);
    const row = await this.#find(em, name, version);
    if (!row) throw notFound(name, version);
    return toRecord(row);
  }

  async #republish(existing: VersionRow, tarball: Uint8Array, integrity: string): Promise<PublishResult> {
    if (existing.integrity !== integrity) {
      throw new RegistryError(
        'VERSION_EXISTS',
        `${existing.name}@${existing.version} is already published with another tarball (${existing.integrity}); published versions never change. Publish a new version instead.`,
      );
    }
    // The same bytes again can put back a blob the store lost (a data folder restored without
    // it): they match the recorded integrity, so nothing about the version changes.
    if (!(await this.#blobs.has(integrity))) await this.#blobs.put(tarball);
    return { version: toRecord(existing), created: false };
  }

  async #find(em: EntityManager, name: string, version: string): Promise<VersionRow | null> {
    if (typeof name !== 'string' || typeof version !== 'string') return null;
    return em.findOne(RegistryVersion, { name, version }, { disableIdentityMap: true });
  }

  async #transaction<T>(fn: (em: EntityManager, trx: Transaction) => Promise<T>): Promise<T> {
    return this.#orm.em.fork().transactional(async (em) => {
      const trx = em.getTransactionContext();
      if (!trx) throw new Error('no transaction context inside transactional()');
      return fn(em, trx);
    });
  }
}

function toRecord(row: VersionRow): VersionRecord {
  return {
    name: row.name,
    version: row.version,
    integrity: row.integrity,
    manifest: row.manifest,
    publisher: { keyId: row.publisherKeyId, signature: row.publisherSignature },
    registry: { keyId: row.registryKeyId, signature: row.registrySignature },
    yanked: row.yanked,
    yankedReason: row.yankedReason ?? null,
    publishedAt: row.publishedAt,
  };
}

function summary(name: string, createdAt: Date, rows: VersionRow[]): PackageSummary {
  const sorted = [...rows].sort((a, b) => semver.rcompare(a.version, b.version));
  const latest = sorted.find((r) => !r.yanked) ?? sorted[0];
  return {
    name,
    createdAt,
    latest: latest?.version ?? '',
    displayName: latest?.manifest.displayName ?? name,
    description: latest?.manifest.description ?? '',
    versionCount: rows.length,
  };
}

function notFound(name: string, version: string): RegistryError {
  return new RegistryError('NOT_FOUND', `${show(name)}@${show(version)} is not published in this registry`);
}

function show(value: unknown): string {
  return typeof value === 'string' && /^[\x21-\x7e]{1,120}$/.test(value) ? value : JSON.stringify(String(value).slice(0, 120));
}
