import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import ivm from 'isolated-vm';
import type { PluginManifest } from '@townesdev/plugin-contract';
import { BUNDLE_GLOBAL, parseManifest } from '@townesdev/plugin-contract';

export interface BuiltPlugin {
  manifest: PluginManifest;
  code: string;
  /** Where the files were written, when `write` was asked for. */
  files?: { bundle: string; manifest: string };
}

export interface BuildOptions {
  /** The plugin package folder (with src/plugin.ts unless `entry` says otherwise). */
  dir: string;
  entry?: string;
  /** Write dist/plugin.js and townes.plugin.json into the package (default true). */
  write?: boolean;
}

/**
 * Read the manifest out of a bundle by running it in a throwaway isolate: the build never runs
 * plugin code in the host, so building an untrusted package is as safe as loading it.
 */
function extractManifest(code: string): unknown {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  try {
    const context = isolate.createContextSync();
    isolate.compileScriptSync(code, { filename: 'plugin.js' }).runSync(context, { timeout: 1000 });
    const json = context.evalSync(`(() => { const e = globalThis.${BUNDLE_GLOBAL}; const d = e && (e.default || e); return JSON.stringify(d && d.manifest); })()`, { timeout: 1000 }) as string | undefined;
    if (!json) throw new Error('the plugin does not export a definition with a manifest (export default definePlugin({ manifest, ... }))');
    return JSON.parse(json);
  } finally {
    isolate.dispose();
  }
}

/** Bundle a plugin for the sandbox and validate its manifest. */
export async function buildPlugin(options: BuildOptions): Promise<BuiltPlugin> {
  const entry = join(options.dir, options.entry ?? 'src/plugin.ts');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: BUNDLE_GLOBAL,
    platform: 'neutral',
    target: 'es2023',
    mainFields: ['module', 'main'],
    treeShaking: true,
    legalComments: 'none',
    logLevel: 'silent',
  }).catch((error: unknown) => {
    throw new Error(`could not bundle ${entry}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const code = result.outputFiles[0]?.text;
  if (!code) throw new Error(`bundling ${entry} produced no output`);
  const manifest = parseManifest(extractManifest(code));
  const built: BuiltPlugin = { manifest, code };
  if (options.write !== false) {
    const bundlePath = join(options.dir, manifest.entry);
    const manifestPath = join(options.dir, 'townes.plugin.json');
    await mkdir(join(bundlePath, '..'), { recursive: true });
    await writeFile(bundlePath, code);
    await writeFile(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    built.files = { bundle: bundlePath, manifest: manifestPath };
  }
  return built;
}
