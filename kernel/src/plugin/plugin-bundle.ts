import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { PluginManifest } from '@townesdev/plugin-contract';
import { parseManifest } from '@townesdev/plugin-contract';

/** What the kernel loads: a validated manifest and the bundled sandbox code it names. */
export interface PluginBundle {
  manifest: PluginManifest;
  code: string;
}

/**
 * Where bundles come from. The kernel does not know the registry: the binary gives it a source
 * that has already verified integrity and signatures (or, in development, reads a folder).
 */
export interface BundleSource {
  fetch(name: string, version: string): Promise<PluginBundle>;
}

/** Read a built plugin package folder: the manifest from `townes.plugin.json` or package.json's `townes` key. */
export async function readPluginPackage(dir: string): Promise<PluginBundle> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'townes.plugin.json'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { townes?: unknown };
    if (!pkg.townes) throw new Error(`${dir} has neither townes.plugin.json nor a "townes" key in package.json; build the plugin first`, { cause: error });
    raw = pkg.townes;
  }
  const manifest = parseManifest(raw);
  const entry = normalize(manifest.entry);
  if (entry.startsWith('..')) throw new Error(`the manifest entry ${manifest.entry} points outside the package`);
  return { manifest, code: await readFile(join(dir, entry), 'utf8') };
}

/** A source over a fixed set of bundles: the built-in plugins in development, tests. */
export class StaticBundleSource implements BundleSource {
  readonly #bundles = new Map<string, PluginBundle>();

  add(bundle: PluginBundle): this {
    this.#bundles.set(`${bundle.manifest.name}@${bundle.manifest.version}`, bundle);
    return this;
  }

  async fetch(name: string, version: string): Promise<PluginBundle> {
    const bundle = this.#bundles.get(`${name}@${version}`);
    if (!bundle) throw new Error(`plugin ${name}@${version} is not available`);
    return bundle;
  }
}
