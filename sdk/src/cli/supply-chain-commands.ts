import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  generateSigningKey,
  integrityOf,
  keyIdOfPrivateKey,
  loadTrustStore,
  packPlugin,
  signAsPublisher,
  unpackPlugin,
  verifyPluginTarball,
  verifyPublisherSignature,
} from '@townesdev/registry';
import { z } from 'zod';
import type { CliIo } from './cli-io.ts';
import { EXIT } from './cli-io.ts';

/** A publisher's signature beside a tarball (`<tarball>.sig.json`); the registry adds its own on publish. */
export const SignatureFile = z.strictObject({
  name: z.string(),
  version: z.string(),
  integrity: z.string(),
  publisher: z.strictObject({ keyId: z.string(), signature: z.string() }),
  registry: z.strictObject({ keyId: z.string(), signature: z.string() }).optional(),
});

export function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function positional(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith('--')) i++;
    else return a;
  }
  return undefined;
}

function fail(io: CliIo, error: unknown, code: number = EXIT.failed): number {
  io.err(error instanceof Error ? error.message : String(error));
  return code;
}

/** npm's tarball name: `@acme/greeter@1.0.0` → `acme-greeter-1.0.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

export async function keygen(args: string[], io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, flag(args, '--out') ?? '.');
  const key = generateSigningKey();
  const base = key.keyId.replace(':', '-');
  mkdirSync(dir, { recursive: true });
  const privatePath = join(dir, `${base}.key.pem`);
  if (existsSync(privatePath)) return fail(io, `${privatePath} already exists`, EXIT.cantCreate);
  writeFileSync(privatePath, key.privateKeyPem, { mode: 0o600, flag: 'wx' });
  chmodSync(privatePath, 0o600);
  writeFileSync(join(dir, `${base}.pub.pem`), key.publicKeyPem, { flag: 'wx' });
  io.out(`Key ${key.keyId}\n  private: ${privatePath} (keep it secret)\n  public:  ${join(dir, `${base}.pub.pem`)}`);
  io.out('An operator trusts it for your scope with this entry in the trust store\'s "publishers":');
  io.out(JSON.stringify({ keyId: key.keyId, publicKey: key.publicKeyPem, scopes: ['@your-scope/*'] }, null, 2));
  return EXIT.ok;
}

export async function pack(args: string[], io: CliIo): Promise<number> {
  const dir = resolve(io.cwd, positional(args) ?? '.');
  try {
    const packed = await packPlugin(dir);
    const out = resolve(io.cwd, flag(args, '--out') ?? '.');
    mkdirSync(out, { recursive: true });
    const file = join(out, tarballName(packed.name, packed.version));
    writeFileSync(file, packed.tarball);
    io.out(`Packed ${packed.name}@${packed.version}: ${file} (${packed.tarball.length} bytes, ${packed.files.length} files)\nintegrity ${packed.integrity}`);
    return EXIT.ok;
  } catch (error) {
    return fail(io, error, EXIT.dataError);
  }
}

export async function sign(args: string[], io: CliIo): Promise<number> {
  const file = positional(args);
  const keyPath = flag(args, '--key');
  if (!file || !keyPath) return fail(io, 'usage: townes plugin sign <tarball> --key <private key .pem>', EXIT.usage);
  try {
    const tarball = readFileSync(resolve(io.cwd, file));
    const privateKeyPem = readFileSync(resolve(io.cwd, keyPath), 'utf8');
    const { manifest } = unpackPlugin(tarball);
    const integrity = integrityOf(tarball);
    const publisher = signAsPublisher({ name: manifest.name, version: manifest.version, integrity, manifest, privateKeyPem });
    const out = `${resolve(io.cwd, file)}.sig.json`;
    writeFileSync(out, JSON.stringify({ name: manifest.name, version: manifest.version, integrity, publisher }, null, 2) + '\n');
    io.out(`Signed ${manifest.name}@${manifest.version} with ${keyIdOfPrivateKey(privateKeyPem)}: ${out}`);
    return EXIT.ok;
  } catch (error) {
    return fail(io, error, EXIT.dataError);
  }
}

export async function verify(args: string[], io: CliIo): Promise<number> {
  const file = positional(args);
  const trustPath = flag(args, '--trust');
  if (!file || !trustPath) return fail(io, 'usage: townes plugin verify <tarball> --trust <trust store .json> [--sig <signature .json>]', EXIT.usage);
  try {
    const path = resolve(io.cwd, file);
    const tarball = readFileSync(path);
    const sig = SignatureFile.parse(JSON.parse(readFileSync(resolve(io.cwd, flag(args, '--sig') ?? `${path}.sig.json`), 'utf8')));
    const trust = await loadTrustStore(resolve(io.cwd, trustPath));
    if (sig.registry) {
      const v = verifyPluginTarball({ ...sig, registry: sig.registry, tarball }, trust);
      io.out(`OK ${sig.name}@${sig.version}: integrity, archive, publisher ${v.publisherKeyId} and registry ${v.registryKeyId} signatures verified`);
      return EXIT.ok;
    }
    if (integrityOf(tarball) !== sig.integrity) return fail(io, `${basename(path)} does not match the integrity it was signed with`);
    const { manifest } = unpackPlugin(tarball);
    const v = verifyPublisherSignature({ name: sig.name, version: sig.version, integrity: sig.integrity, manifest, publisher: sig.publisher, trust });
    io.out(`OK ${sig.name}@${sig.version}: integrity, archive and publisher ${v.publisherKeyId} signature verified (no registry signature yet)`);
    return EXIT.ok;
  } catch (error) {
    return fail(io, error);
  }
}
