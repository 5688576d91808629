/**
 * The publisher's side of the registry's HTTP routes: publish a signed tarball, yank and unyank,
 * and read the registry's public key. Used by `townes plugin publish` and by the built-in
 * plugins' publisher when it talks to a remote registry.
 */
import type { KeySignature } from '../signing/verify-package.ts';
import { PublishReply, RegistryKeyReply, VersionMetadata } from '../http/schemas.ts';
import type { PublishBody } from '../http/schemas.ts';
import { packagePath, parseJsonReply, registryFetch, registryUrl } from './registry-fetch.ts';
import type { RegistryFetchOptions } from './registry-fetch.ts';

export interface RegistryConnection extends RegistryFetchOptions {
  /** The registry's base URL: `http://127.0.0.1:4873`, or `https://host/v1/registry` when mounted in the API. */
  url: string | URL;
  /** A publish token (`townes registry token create`); needed to publish and yank. */
  token?: string;
}

export interface PublishRequest {
  name: string;
  version: string;
  tarball: Uint8Array;
  publisher: KeySignature;
}

function authorization(connection: RegistryConnection): Record<string, string> {
  return connection.token ? { authorization: `Bearer ${connection.token}` } : {};
}

/** PUT the version; resolves with the registry's record (created false: this exact tarball was already there). */
export async function publishToRegistry(connection: RegistryConnection, request: PublishRequest) {
  const url = registryUrl(connection.url, packagePath(request.name, request.version));
  const body: PublishBody = { tarball: Buffer.from(request.tarball).toString('base64'), publisher: request.publisher };
  const reply = await registryFetch(url, { method: 'PUT', headers: { 'content-type': 'application/json', ...authorization(connection) }, body: JSON.stringify(body) }, connection);
  return parseJsonReply(reply, PublishReply, `publish ${request.name}@${request.version}`);
}

export async function yankOnRegistry(connection: RegistryConnection, name: string, version: string, reason: string) {
  const url = registryUrl(connection.url, `${packagePath(name, version)}/yank`);
  const reply = await registryFetch(url, { method: 'PUT', headers: { 'content-type': 'application/json', ...authorization(connection) }, body: JSON.stringify({ reason }) }, connection);
  return parseJsonReply(reply, VersionMetadata, `yank ${name}@${version}`);
}

export async function unyankOnRegistry(connection: RegistryConnection, name: string, version: string) {
  const url = registryUrl(connection.url, `${packagePath(name, version)}/yank`);
  const reply = await registryFetch(url, { method: 'DELETE', headers: authorization(connection) }, connection);
  return parseJsonReply(reply, VersionMetadata, `unyank ${name}@${version}`);
}

/** One version's metadata (manifest, integrity, both signatures, yank state). */
export async function fetchVersionMetadata(connection: RegistryConnection, name: string, version: string) {
  const reply = await registryFetch(registryUrl(connection.url, packagePath(name, version)), { method: 'GET' }, connection);
  return parseJsonReply(reply, VersionMetadata, `${name}@${version}`);
}

/** The registry's countersigning key. Trust it only after checking its id out of band. */
export async function fetchRegistryKey(connection: RegistryConnection) {
  const reply = await registryFetch(registryUrl(connection.url, '/key'), { method: 'GET' }, connection);
  return parseJsonReply(reply, RegistryKeyReply, 'registry key');
}
