/**
 * Plugin versions for the API tests, packed and signed like real ones (no build: a one-line
 * bundle), with manifests that exercise the marketplace's checks: permissions to grant, a config
 * schema, bot permissions.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packPlugin, signAsPublisher, type SigningKey } from '@townesdev/registry';
import type { RegistryService } from '@townesdev/registry/service';

export interface TestPluginSpec {
  name: string;
  version: string;
  permissions?: string[];
  botPermissions?: string[];
  config?: Record<string, unknown>;
  commands?: Array<{ name: string; description: string }>;
}

export async function publishTestPlugin(registry: RegistryService, key: SigningKey, spec: TestPluginSpec): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'townes-api-plugin-'));
  try {
    const manifest = {
      name: spec.name,
      version: spec.version,
      displayName: `Test ${spec.name.split('/')[1]}`,
      description: `A test plugin (${spec.version})`,
      kernelApi: '^1.0.0',
      entry: 'dist/plugin.js',
      permissions: spec.permissions ?? [],
      config: spec.config ?? {},
      commands: spec.commands ?? [],
      discord: { intents: [], botPermissions: spec.botPermissions ?? [] },
    };
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: spec.name, version: spec.version, type: 'module' }));
    await writeFile(path.join(dir, 'townes.plugin.json'), JSON.stringify(manifest));
    await mkdir(path.join(dir, 'dist'));
    await writeFile(path.join(dir, 'dist', 'plugin.js'), `var __townesPlugin = { default: {} }; // ${spec.name}@${spec.version}\n`);
    const packed = await packPlugin(dir);
    const publisher = signAsPublisher({ name: spec.name, version: spec.version, integrity: packed.integrity, manifest: packed.manifest, privateKeyPem: key.privateKeyPem });
    await registry.publish({ tarball: packed.tarball, publisher });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
