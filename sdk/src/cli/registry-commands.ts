/**
 * The author's commands that talk to a registry: `publish` (a signed tarball, or a built plugin
 * folder packed and signed on the way) and `download` (a version with both signatures, ready for
 * `townes plugin verify`). Exit codes as the other commands, plus 69 when the registry cannot be
 * reached and 77 when it refuses the token or the key.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  HttpRegistrySource,
  RegistryClientError,
  integrityOf,
  packPlugin,
  publishToRegistry,
  signAsPublisher,
  unpackPlugin,
} from '@townesdev/registry';
import type { KeySignature } from '@townesdev/registry';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './cli-io.ts';
import { flag, positional, SignatureFile, tarballName } from './supply-chain-commands.ts';

export const REGISTRY_URL_ENV = 'TOWNES_REGISTRY_URL';
export const REGISTRY_TOKEN_ENV = 'TOWNES_REGISTRY_TOKEN';

interface Target {
  name: string;
  version: string;
  tarball: Buffer;
  publisher: KeySignature;
  /** Where the signature file is (tarball mode), to add the registry's signature to it. */
  sigPath?: string;
}

function registryOf(args: string[], io: CliIo, command: string): string | number {
  const url = flag(args, '--registry') ?? process.env[REGISTRY_URL_ENV];
  if (!url) {
    io.err(`townes plugin ${command}: give the registry with --registry <url> (or ${REGISTRY_URL_ENV}), such as http://127.0.0.1:4873`);
    return EXIT.usage;
  }
  try {
    new URL(url);
  } catch {
    io.err(`townes plugin ${command}: "${url}" is not a URL; write it like http://127.0.0.1:4873 or https://host/v1/registry`);
    return EXIT.usage;
  }
  return url;
}

/** A registry refusal or an unreachable registry, explained, with the exit code it deserves. */
function registryFailure(io: CliIo, error: unknown): number {
  if (!(error instanceof RegistryClientError)) {
    io.err(error instanceof Error ? error.message : String(error));
    return EXIT.failed;
  }
  io.err(error.message);
  if (error.hint) io.err(`hint: ${error.hint}`);
  if (error.requestId) io.err(`request id: ${error.requestId} (give it to the registry operator if you need help)`);
  if (error.code === 'UNREACHABLE') return EXIT.unavailable;
  if (error.status === 401 || error.status === 403) return EXIT.noPerm;
  return EXIT.failed;
}

/** Read what to publish: a tarball and its signature file, or a built plugin folder packed and signed with --key. */
async function readTarget(path: string, args: string[], io: CliIo): Promise<Target | number> {
  const keyPath = flag(args, '--key');
  const privateKeyPem = keyPath ? readFileSync(resolve(io.cwd, keyPath), 'utf8') : undefined;
  if (statSync(path).isDirectory()) {
    if (!privateKeyPem) {
      io.err('publishing a plugin folder packs and signs it on the way: give your publisher key with --key <private.pem>');
      return EXIT.usage;
    }
    const packed = await packPlugin(path);
    const publisher = signAsPublisher({ name: packed.name, version: packed.version, integrity: packed.integrity, manifest: packed.manifest, privateKeyPem });
    return { name: packed.name, version: packed.version, tarball: packed.tarball, publisher };
  }
  const tarball = readFileSync(path);
  const { manifest } = unpackPlugin(tarball);
  const integrity = integrityOf(tarball);
  if (privateKeyPem) {
    return { name: manifest.name, version: manifest.version, tarball, publisher: signAsPublisher({ name: manifest.name, version: manifest.version, integrity, manifest, privateKeyPem }) };
  }
  const sigPath = resolve(io.cwd, flag(args, '--sig') ?? `${path}.sig.json`);
  if (!existsSync(sigPath)) {
    io.err(`no signature at ${sigPath}; sign the tarball first (townes plugin sign ${path} --key <private.pem>), or pass --key to sign while publishing`);
    return EXIT.noInput;
  }
  const sig = SignatureFile.parse(JSON.parse(readFileSync(sigPath, 'utf8')));
  if (sig.integrity !== integrity || sig.name !== manifest.name || sig.version !== manifest.version) {
    io.err(`${sigPath} was made for ${sig.name}@${sig.version} (${sig.integrity}), not this tarball (${manifest.name}@${manifest.version}, ${integrity}); sign it again`);
    return EXIT.dataError;
  }
  return { name: manifest.name, version: manifest.version, tarball, publisher: sig.publisher, sigPath };
}

export async function publish(args: string[], io: CliIo): Promise<number> {
  const file = positional(args);
  if (!file) {
    io.err('townes plugin publish: give the tarball (or a built plugin folder with --key)');
    return EXIT.usage;
  }
  const url = registryOf(args, io, 'publish');
  if (typeof url === 'number') return url;
  const token = flag(args, '--token') ?? process.env[REGISTRY_TOKEN_ENV];
  if (!token) {
    io.err(`townes plugin publish: give your publish token with --token <token> or ${REGISTRY_TOKEN_ENV}; the registry operator issues it (townes registry token create --scope '@your-scope/*')`);
    return EXIT.usage;
  }
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) {
    io.err(`${path} does not exist`);
    return EXIT.noInput;
  }
  let target: Target | number;
  try {
    target = await readTarget(path, args, io);
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return EXIT.dataError;
  }
  if (typeof target === 'number') return target;
  try {
    const result = await publishToRegistry({ url, token }, target);
    const v = result.version;
    io.out(result.created ? `Published ${v.name}@${v.version} to ${url}` : `${v.name}@${v.version} was already published with this exact tarball: nothing changed`);
    io.out(`integrity ${v.integrity}\npublisher ${v.publisher.keyId}\nregistry  ${v.registry.keyId}`);
    if (target.sigPath) {
      writeFileSync(target.sigPath, JSON.stringify({ name: v.name, version: v.version, integrity: v.integrity, publisher: v.publisher, registry: v.registry }, null, 2) + '\n');
      io.out(`Added the registry's signature to ${target.sigPath}`);
    }
    return EXIT.ok;
  } catch (error) {
    return registryFailure(io, error);
  }
}

export async function download(args: string[], io: CliIo): Promise<number> {
  const spec = positional(args);
  const at = spec ? spec.lastIndexOf('@') : -1;
  if (!spec || at <= 0) {
    io.err('townes plugin download: give an exact version, such as @acme/greeter@1.0.0');
    return EXIT.usage;
  }
  const url = registryOf(args, io, 'download');
  if (typeof url === 'number') return url;
  const [name, version] = [spec.slice(0, at), spec.slice(at + 1)];
  try {
    const signed = await new HttpRegistrySource({ url }).download(name, version);
    const out = resolve(io.cwd, flag(args, '--out') ?? '.');
    const file = join(out, tarballName(name, version));
    mkdirSync(out, { recursive: true });
    writeFileSync(file, signed.tarball);
    writeFileSync(`${file}.sig.json`, JSON.stringify({ name, version, integrity: signed.integrity, publisher: signed.publisher, registry: signed.registry }, null, 2) + '\n');
    io.out(`Downloaded ${name}@${version}: ${file} and ${file}.sig.json (not verified yet: run townes plugin verify ${file} --trust <trust.json>)`);
    return EXIT.ok;
  } catch (error) {
    return registryFailure(io, error);
  }
}
