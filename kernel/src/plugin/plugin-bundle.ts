import type { PluginManifest } from '@townesdev/plugin-contract';

/** What the kernel loads: a validated manifest and the bundled sandbox code it names. */
export interface PluginBundle {
  manifest: PluginManifest;
  code: string;
}

/**
 * Where bundles come from. The kernel does not know the registry: the binary gives it a source
 * that has already verified integrity and signatures (or, in development, serves bundles the
 * SDK just built).
 */
export interface BundleSource {
  fetch(name: string, version: string): Promise<PluginBundle>;
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
