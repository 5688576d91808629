/**
 * The layout of a plugin package and the checks that tie its files together, shared by the
 * packer (on the author's folder) and the unpacker (on an untrusted tarball), so that both
 * apply exactly the same rules.
 */
import { ManifestError, parseManifest } from '@townesdev/plugin-contract';
import type { PluginManifest } from '@townesdev/plugin-contract';
import { UnsafeArchiveError } from './errors.ts';
import type { UnsafeArchiveCode } from './errors.ts';

export const PACKAGE_JSON = 'package.json';
/** The built manifest, written by `townes plugin build` beside package.json. */
export const MANIFEST_FILE = 'townes.plugin.json';
/** Files packed when present; nothing else from the folder is (sources, tests, node_modules). */
export const OPTIONAL_FILES = ['README.md', 'LICENSE'] as const;

export type PackageJson = Record<string, unknown> & { name: string; version: string };

/** Strict UTF-8 (a BOM is dropped): a file that is not text is refused, not mangled. */
export function decodeText(bytes: Uint8Array, file: string, code: UnsafeArchiveCode): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new UnsafeArchiveError(code, `${file} is not valid UTF-8 text`, { entry: file, cause: error });
  }
}

function parseJson(bytes: Uint8Array, file: string, code: UnsafeArchiveCode): unknown {
  const text = decodeText(bytes, file, code);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UnsafeArchiveError(code, `${file} is not valid JSON: ${(error as Error).message}`, { entry: file, cause: error });
  }
}

/** Validate a manifest, turning the contract's ManifestError into a refusal that lists its problems. */
function validManifest(raw: unknown, where: string): PluginManifest {
  try {
    return parseManifest(raw);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    throw new UnsafeArchiveError('INVALID_MANIFEST', `${where} is not a valid plugin manifest:\n${error.problems.map((p) => `  - ${p}`).join('\n')}`, { entry: MANIFEST_FILE, cause: error });
  }
}

export function parsePackageJson(bytes: Uint8Array): PackageJson {
  const pkg = parseJson(bytes, PACKAGE_JSON, 'INVALID_PACKAGE_JSON');
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) {
    throw new UnsafeArchiveError('INVALID_PACKAGE_JSON', `${PACKAGE_JSON} must hold a JSON object`, { entry: PACKAGE_JSON });
  }
  const { name, version } = pkg as Record<string, unknown>;
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new UnsafeArchiveError('INVALID_PACKAGE_JSON', `${PACKAGE_JSON} must have a string "name" and "version"`, { entry: PACKAGE_JSON });
  }
  return pkg as PackageJson;
}

export function parseManifestFile(bytes: Uint8Array): PluginManifest {
  return validManifest(parseJson(bytes, MANIFEST_FILE, 'INVALID_MANIFEST'), MANIFEST_FILE);
}

/**
 * package.json and the manifest must name the same plugin version: the registry indexes one,
 * npm tooling reads the other, and a package that says two things is refused rather than
 * trusted on either. A `townes` key in package.json (the manifest's other home, see DESIGN.md)
 * must say the same as townes.plugin.json, for the same reason.
 */
export function checkPackageJsonMatches(pkg: PackageJson, manifest: PluginManifest): void {
  if (pkg.name !== manifest.name || pkg.version !== manifest.version) {
    throw new UnsafeArchiveError(
      'MANIFEST_MISMATCH',
      `${PACKAGE_JSON} names ${pkg.name}@${pkg.version} but ${MANIFEST_FILE} names ${manifest.name}@${manifest.version}; they must be the same`,
      { entry: PACKAGE_JSON },
    );
  }
  if (pkg.townes !== undefined) {
    const embedded = validManifest(pkg.townes, `the "townes" key of ${PACKAGE_JSON}`);
    // parseManifest fills defaults in schema order, so equal manifests serialise equally.
    if (JSON.stringify(embedded) !== JSON.stringify(manifest)) {
      throw new UnsafeArchiveError('MANIFEST_MISMATCH', `the "townes" key of ${PACKAGE_JSON} differs from ${MANIFEST_FILE}; keep one manifest (the built ${MANIFEST_FILE})`, { entry: PACKAGE_JSON });
    }
  }
}
