/**
 * Pack a built plugin folder into its npm-style tarball. Only the files a runner needs go in
 * (package.json, the built manifest, the bundled entry, README.md and LICENSE when present):
 * sources, tests and node_modules stay out, and so does anything a symlink points at.
 */
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { PluginManifest } from '@townesdev/plugin-contract';
import { checkRelativePath, PACKAGE_ROOT } from './archive-path.ts';
import { integrityOf } from './integrity.ts';
import { checkPackageJsonMatches, MANIFEST_FILE, OPTIONAL_FILES, PACKAGE_JSON, parseManifestFile, parsePackageJson } from './plugin-files.ts';
import { packTarGz } from './tar.ts';
import { unpackPlugin } from './unpack.ts';

export interface PackedPlugin {
  name: string;
  version: string;
  /** The gzip'd tarball; the same folder always packs to the same bytes. */
  tarball: Buffer;
  /** `sha512-<base64>` of the tarball. */
  integrity: string;
  manifest: PluginManifest;
  /** The packed files' paths inside the package, sorted (`dist/plugin.js`, `package.json`...). */
  files: string[];
}

const BUILD_HINT = 'build the plugin first (`townes plugin build`, or buildPlugin from @townesdev/sdk/build)';

/**
 * A file of the folder, or undefined when it does not exist. O_NOFOLLOW refuses a symlink in
 * the same step as opening (no window to swap the file), so a link to ~/.npmrc is never packed.
 */
async function readRegularFile(dir: string, path: string): Promise<Buffer | undefined> {
  const full = join(dir, path);
  let handle;
  try {
    handle = await open(full, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new Error(`${full} is a symbolic link; a plugin package holds regular files only`, { cause: error });
    throw error;
  }
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`${full} is not a regular file; a plugin package holds regular files only`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

async function requiredFile(dir: string, path: string, hint: string): Promise<Buffer> {
  const bytes = await readRegularFile(dir, path);
  if (!bytes) throw new Error(`${join(dir, path)} does not exist; ${hint}`);
  return bytes;
}

/**
 * Pack the built plugin in `dir`. The manifest comes from townes.plugin.json (what the build
 * validated and wrote), package.json must name the same plugin version, and the result is run
 * through unpackPlugin before it is returned: a package the registry would refuse is refused
 * here, at the author's desk, with the same error.
 */
export async function packPlugin(dir: string): Promise<PackedPlugin> {
  // Each file is read once: what was checked is what gets packed.
  const manifestFile = await requiredFile(dir, MANIFEST_FILE, BUILD_HINT);
  const manifest = parseManifestFile(manifestFile);
  const packageJson = await requiredFile(dir, PACKAGE_JSON, 'a plugin is an npm-style package');
  checkPackageJsonMatches(parsePackageJson(packageJson), manifest);
  checkRelativePath(manifest.entry, 'the manifest entry');

  const files = new Map<string, Buffer>([
    [PACKAGE_JSON, packageJson],
    [MANIFEST_FILE, manifestFile],
    [manifest.entry, await requiredFile(dir, manifest.entry, `the manifest names it as the entry; ${BUILD_HINT}`)],
  ]);
  for (const path of OPTIONAL_FILES) {
    const bytes = await readRegularFile(dir, path);
    if (bytes) files.set(path, bytes);
  }

  const tarball = packTarGz([...files].map(([path, data]) => ({ path: `${PACKAGE_ROOT}/${path}`, data })));
  unpackPlugin(tarball);
  return {
    name: manifest.name,
    version: manifest.version,
    tarball,
    integrity: integrityOf(tarball),
    manifest,
    files: [...files.keys()].sort(),
  };
}
