import semver from 'semver';
import type { PluginManifest } from '@townesdev/plugin-contract';
import { KERNEL_API_VERSION, configSchemaToZod } from '@townesdev/plugin-contract';
import type { z } from 'zod';
import type { BundleSource } from '../plugin/plugin-bundle.ts';
import type { HandlerNames } from '../sandbox/plugin-isolate.ts';
import type { SandboxPool } from '../sandbox/sandbox-pool.ts';

export class PluginLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginLoadError';
  }
}

export interface LoadedImage {
  key: string;
  manifest: PluginManifest;
  handlers: HandlerNames;
  /** The manifest's config description compiled once, to validate every guild's config. */
  configSchema: z.ZodObject;
  /** Milliseconds to fetch, create the isolate, compile and run the bundle's first call. */
  coldLoadMs: number;
}

/** Compare what the bundle's code handles with what its manifest declares. */
function checkHandlers(manifest: PluginManifest, handlers: HandlerNames): string[] {
  const problems: string[] = [];
  const declaredEvents = new Set<string>(manifest.events);
  const declaredCommands = new Set(manifest.commands.map((c) => c.name));
  const declaredMigrations = new Set(manifest.migrations.map((m) => m.id));
  for (const e of handlers.events) if (!declaredEvents.has(e)) problems.push(`the code handles event "${e}" that the manifest does not declare`);
  for (const c of handlers.commands) if (!declaredCommands.has(c)) problems.push(`the code handles command "/${c}" that the manifest does not declare`);
  for (const c of declaredCommands) if (!handlers.commands.includes(c)) problems.push(`the manifest declares "/${c}" but the code has no handler for it`);
  for (const m of declaredMigrations) if (!handlers.migrations.includes(m)) problems.push(`the manifest declares migration "${m}" but the code does not define it`);
  for (const m of handlers.migrations) if (!declaredMigrations.has(m)) problems.push(`the code defines migration "${m}" that the manifest does not declare`);
  return problems;
}

/**
 * Plugin images loaded into the sandbox, one per version, shared by every guild that runs it.
 * Loading checks the kernel API range and that the code matches its manifest. Each enablement
 * (and each enable in progress) holds a reference; the image is unloaded when the last goes.
 */
export class ImageCatalog {
  readonly #pool: SandboxPool;
  readonly #bundles: BundleSource;
  readonly #images = new Map<string, Promise<LoadedImage>>();
  readonly #refs = new Map<string, number>();

  constructor(pool: SandboxPool, bundles: BundleSource) {
    this.#pool = pool;
    this.#bundles = bundles;
  }

  /** Load (or share) an image and hold a reference to it; pair every success with release(). */
  async acquire(plugin: string, version: string): Promise<LoadedImage> {
    const key = `${plugin}@${version}`;
    // Counted before any await, so a release elsewhere meanwhile cannot unload it under us.
    this.#refs.set(key, (this.#refs.get(key) ?? 0) + 1);
    let image = this.#images.get(key);
    if (!image) {
      image = this.#load(plugin, version, key);
      this.#images.set(key, image);
    }
    try {
      return await image;
    } catch (error) {
      if (this.#images.get(key) === image) this.#images.delete(key);
      this.release(key);
      throw error;
    }
  }

  release(key: string): void {
    const refs = (this.#refs.get(key) ?? 0) - 1;
    if (refs > 0) {
      this.#refs.set(key, refs);
      return;
    }
    this.#refs.delete(key);
    if (this.#images.delete(key)) this.#pool.unload(key);
  }

  async #load(plugin: string, version: string, key: string): Promise<LoadedImage> {
    const started = performance.now();
    const bundle = await this.#bundles.fetch(plugin, version);
    const { manifest } = bundle;
    if (manifest.name !== plugin || manifest.version !== version) {
      throw new PluginLoadError(`asked for ${key} but the bundle is ${manifest.name}@${manifest.version}`);
    }
    if (!semver.satisfies(KERNEL_API_VERSION, manifest.kernelApi)) {
      throw new PluginLoadError(`${key} needs kernel API ${manifest.kernelApi}; this kernel provides ${KERNEL_API_VERSION}`);
    }
    // The load request goes out now; the config schema is compiled while the hosts build the
    // isolate, once the request has left (messages to a host leave at the end of the microtask
    // turn, and compiling first held it back by 0.5-1 ms).
    const loading = this.#pool.load({ key, name: plugin, version, code: bundle.code, permissions: manifest.permissions, limits: manifest.limits });
    await Promise.resolve();
    let configSchema: z.ZodObject;
    try {
      configSchema = configSchemaToZod(manifest.config);
    } catch (error) {
      void loading.then(() => this.#pool.unload(key), () => {});
      throw error;
    }
    let handlers: HandlerNames;
    try {
      handlers = await loading;
    } catch (error) {
      throw new PluginLoadError(`${key} could not be loaded into the sandbox: ${error instanceof Error ? error.message : String(error)}`);
    }
    const problems = checkHandlers(manifest, handlers);
    if (problems.length > 0) {
      this.#pool.unload(key);
      throw new PluginLoadError(`${key} does not match its manifest:\n  - ${problems.join('\n  - ')}`);
    }
    return { key, manifest, handlers, configSchema, coldLoadMs: performance.now() - started };
  }

  loadedKeys(): string[] {
    return [...this.#images.keys()];
  }
}
