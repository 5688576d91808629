/**
 * `townes registry`: the plugin registry on its own (the API server mounts the same routes under
 * /v1/registry), and the operator's commands for publish tokens and the registry's key.
 *
 *   townes registry [serve]                              serve on REGISTRY_HOST:REGISTRY_PORT
 *   townes registry token create --scope <s>... --label <who>
 *   townes registry token list | token revoke <id>
 *   townes registry key                                  the trust entry runners add under registryKeys
 *
 * State: metadata and tokens in DATABASE_URL (registry_* tables, migrated at start), tarballs,
 * the registry's countersigning key and the built-in plugins' publisher key (each generated once,
 * mode 0600) in REGISTRY_DATA_DIR, and the publisher keys it accepts in REGISTRY_TRUST_STORE
 * (docs/OPERATIONS.md). `townes start` uses openRegistry and publishBuiltinPlugins with the same
 * data folder, so the registry accepts what the built-in publisher signs.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ensureDatabase } from '@townesdev/kernel/postgres';
import { loadTrustStore, parseTrustStore, type TrustStore } from '@townesdev/registry';
import { createRegistryServer } from '@townesdev/registry/http';
import { createRegistryOrm, DiskBlobStore, migrateRegistry, PublishTokens, RegistryError, RegistryService, type RegistryOrm } from '@townesdev/registry/service';
import type { Config } from './config.ts';
import { ensureBuiltinPublisherKey, trustWithBuiltinPublisher } from './builtin-plugins.ts';
import { ensureKeyFile } from './key-file.ts';

export const REGISTRY_KEY_FILE = 'registry-key.pem';
export const REGISTRY_BLOBS_DIR = 'blobs';

const USAGE = `Usage: townes registry [command]

Commands:
  serve (default)                               serve the registry on REGISTRY_HOST:REGISTRY_PORT
  token create --scope <scope>... --label <who> issue a publish token (shown once); scopes like @acme/*
  token list                                    list tokens (never their secrets)
  token revoke <id>                             revoke a token
  key                                           print the registry key's trust-store entry for runners

Configuration: DATABASE_URL, REGISTRY_HOST, REGISTRY_PORT, REGISTRY_DATA_DIR, REGISTRY_TRUST_STORE
(docs/OPERATIONS.md).`;

type Print = (line: string) => void;

/** The registry's state, opened (migrated) from the configuration. */
export interface OpenedRegistry {
  orm: RegistryOrm;
  service: RegistryService;
  tokens: PublishTokens;
  trustStorePath: string;
  trustedPublishers: number;
  keyCreated: boolean;
  close(): Promise<void>;
}

async function loadRegistryTrust(path: string): Promise<TrustStore> {
  // no file yet: a registry that accepts no publisher (every publish is UNTRUSTED_KEY), and says so
  if (!existsSync(path)) return parseTrustStore({ version: 1, registryKeys: [], publishers: [] });
  return loadTrustStore(path);
}

export async function openRegistry(config: Config, logger: Logger): Promise<OpenedRegistry> {
  const dataDir = resolve(config.registryDataDir);
  const { key, created } = await ensureKeyFile(join(dataDir, REGISTRY_KEY_FILE));
  const trustStorePath = resolve(config.registryTrustStore ?? join(dataDir, 'trust.json'));
  // the installation's own built-in plugins (@townesdev/* only) are always accepted: see builtin-plugins.ts
  const trust = trustWithBuiltinPublisher(await loadRegistryTrust(trustStorePath), await ensureBuiltinPublisherKey(dataDir));
  await ensureDatabase(config.databaseUrl);
  const orm = await createRegistryOrm(config.databaseUrl, { logMigrations: false });
  try {
    const applied = await migrateRegistry(orm);
    if (applied.length > 0) logger.info({ applied }, 'registry migrations applied');
  } catch (error) {
    await orm.close(true);
    throw error;
  }
  const service = new RegistryService({ orm, blobs: new DiskBlobStore(join(dataDir, REGISTRY_BLOBS_DIR)), trust, registryKey: { privateKeyPem: key.privateKeyPem } });
  return { orm, service, tokens: new PublishTokens(orm), trustStorePath, trustedPublishers: trust.publishers.length, keyCreated: created, close: () => orm.close(true) };
}

async function serve(config: Config, logger: Logger, print: Print): Promise<number> {
  const registry = await openRegistry(config, logger);
  const app = await createRegistryServer({ service: registry.service, tokens: registry.tokens, logger });
  const url = await app.listen({ host: config.registryHost, port: config.registryPort });
  print(`TownesDev plugin registry at ${url}`);
  print(`  registry key ${registry.service.registryKeyId}${registry.keyCreated ? ' (generated now)' : ''}: \`townes registry key\` prints the entry runners trust`);
  print(registry.trustedPublishers > 1
    ? `  accepts ${registry.trustedPublishers - 1} publisher key(s) from ${registry.trustStorePath}, and the built-in plugins' key for @townesdev/*`
    : `  accepts only the built-in plugins' key (@townesdev/*) yet: write publishers' keys into ${registry.trustStorePath} (see registry/SIGNING.md) and restart`);
  print('  publish tokens: townes registry token create --scope "@acme/*" --label "Acme"');
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      print(`${signal}: stopping the registry`);
      void app.close().then(() => registry.close()).finally(done);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}

function scopesFrom(args: string[]): string[] {
  const scopes: string[] = [];
  args.forEach((arg, i) => {
    if (arg === '--scope' && args[i + 1]) scopes.push(args[i + 1] as string);
  });
  return scopes;
}

async function token(config: Config, logger: Logger, args: string[], print: Print, printErr: Print): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') {
    printErr(`townes registry token: expected create, list or revoke\n\n${USAGE}`);
    return 64;
  }
  const registry = await openRegistry(config, logger);
  try {
    if (action === 'create') {
      const labelAt = rest.indexOf('--label');
      const created = await registry.tokens.create({ label: labelAt >= 0 ? (rest[labelAt + 1] ?? '') : '', scopes: scopesFrom(rest) });
      print(`Token ${created.id} for ${created.label}, may publish ${created.scopes.join(', ')}:`);
      print(created.token);
      print('It is shown only this once (the registry keeps its hash). Give it to the publisher; they pass it as --token or TOWNES_REGISTRY_TOKEN.');
    } else if (action === 'list') {
      const all = await registry.tokens.list();
      if (all.length === 0) print('No publish tokens.');
      for (const t of all) print(`${t.id}  ${t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active'}  ${t.scopes.join(',')}  ${t.label}  (created ${t.createdAt.toISOString()})`);
    } else {
      const id = rest[0];
      if (!id) {
        printErr('townes registry token revoke: give the token id (townes registry token list shows them)');
        return 64;
      }
      const revoked = await registry.tokens.revoke(id);
      print(`Token ${revoked.id} (${revoked.label}) is revoked since ${revoked.revokedAt?.toISOString() ?? ''}.`);
    }
    return 0;
  } catch (error) {
    if (error instanceof RegistryError) {
      printErr(`townes registry token ${action}: ${error.message}`);
      return error.code === 'NOT_FOUND' ? 66 : 64;
    }
    throw error;
  } finally {
    await registry.close();
  }
}

/** `townes registry …`; returns the exit code. */
export async function registry(config: Config, logger: Logger, args: string[], print: Print, printErr: Print): Promise<number> {
  const [command = 'serve', ...rest] = args;
  switch (command) {
    case 'serve':
      return serve(config, logger, print);
    case 'token':
      return token(config, logger, rest, print, printErr);
    case 'key': {
      const { key } = await ensureKeyFile(join(resolve(config.registryDataDir), REGISTRY_KEY_FILE));
      print(JSON.stringify({ keyId: key.keyId, label: 'townes registry', publicKey: key.publicKeyPem }, null, 2));
      return 0;
    }
    case 'help':
    case '--help':
    case '-h':
      print(USAGE);
      return 0;
    default:
      printErr(`townes registry: unknown command "${command}"\n\n${USAGE}`);
      return 64;
  }
}
