/**
 * Unpack a plugin tarball from an untrusted source into memory, checking it on the way: the
 * archive itself (see tar.ts), then that it is a plugin package whose files agree with each
 * other. Nothing is written to disk and no code is run; the result is data for the caller to
 * verify further (integrity, signatures) before anything is loaded.
 */
import type { PluginManifest } from '@townesdev/plugin-contract';
import { checkRelativePath, PACKAGE_ROOT } from './archive-path.ts';
import { UnsafeArchiveError } from './errors.ts';
import type { UnpackLimits } from './limits.ts';
import { checkPackageJsonMatches, decodeText, MANIFEST_FILE, PACKAGE_JSON, parseManifestFile, parsePackageJson } from './plugin-files.ts';
import { readTarGz } from './tar.ts';

export interface UnpackedPlugin {
  /** Every file of the package by its path inside the package (`dist/plugin.js`, no `package/`). */
  files: Map<string, Buffer>;
  manifest: PluginManifest;
  /** The bundled sandbox entry the manifest names, as text (what the kernel's PluginBundle holds). */
  code: string;
}

function required(files: Map<string, Buffer>, path: string, why: string): Buffer {
  const bytes = files.get(path);
  if (!bytes) throw new UnsafeArchiveError('MISSING_FILE', `the package has no ${PACKAGE_ROOT}/${path} (${why})`, { entry: `${PACKAGE_ROOT}/${path}` });
  return bytes;
}

/**
 * Unpack and check a plugin tarball (gzip'd ustar, as made by packPlugin). Throws an
 * UnsafeArchiveError naming the problem; on success every file, the validated manifest and
 * the entry's code. Synchronous and bounded by `limits` in memory and time.
 */
export function unpackPlugin(tarball: Uint8Array, limits?: Partial<UnpackLimits>): UnpackedPlugin {
  const files = new Map<string, Buffer>();
  for (const entry of readTarGz(tarball, limits)) files.set(entry.path.slice(PACKAGE_ROOT.length + 1), entry.data);

  const pkg = parsePackageJson(required(files, PACKAGE_JSON, 'every npm-style package has one'));
  const manifest = parseManifestFile(required(files, MANIFEST_FILE, 'the built plugin manifest'));
  checkPackageJsonMatches(pkg, manifest);
  // The manifest schema allows any `[\w./-]+.js`, so the entry is held to the archive's path rules.
  checkRelativePath(manifest.entry, 'the manifest entry');
  const code = decodeText(required(files, manifest.entry, `the bundled entry named by ${MANIFEST_FILE}`), `${PACKAGE_ROOT}/${manifest.entry}`, 'MALFORMED');
  return { files, manifest, code };
}
