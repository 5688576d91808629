import { UnsafeArchiveError } from './errors.ts';

/** Every path in a plugin tarball sits under this folder, as in npm's tarballs. */
export const PACKAGE_ROOT = 'package';

/**
 * Check a path relative to the package root (`dist/plugin.js`): forward slashes only, no
 * absolute or drive paths, no `..`, `.` or empty segments, no control characters. Nothing is
 * extracted to disk today, but the paths are still held to the rules that would make extraction
 * safe, so no later consumer (a cache, a CLI that unpacks for inspection) can be tricked by them.
 * `label` names the path in the error ("entry" for an archive entry, the manifest field...).
 */
export function checkRelativePath(path: string, label: string): void {
  const quoted = JSON.stringify(path);
  // Control characters include NUL, which would truncate the path for C-string based tools.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new UnsafeArchiveError('BAD_PATH', `${label} ${quoted} contains a control character (NUL, newline...)`, { entry: path });
  // A backslash is a separator on Windows: `package\..\x` is traversal there.
  if (path.includes('\\')) throw new UnsafeArchiveError('BAD_PATH', `${label} ${quoted} contains a backslash; only "/" separates folders`, { entry: path });
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw new UnsafeArchiveError('ABSOLUTE_PATH', `${label} ${quoted} is an absolute path`, { entry: path });
  const segments = path.split('/');
  if (segments.includes('..')) throw new UnsafeArchiveError('PATH_TRAVERSAL', `${label} ${quoted} contains a ".." segment (path traversal)`, { entry: path });
  if (segments.some((s) => s === '' || s === '.')) throw new UnsafeArchiveError('BAD_PATH', `${label} ${quoted} has an empty or "." segment; paths must be canonical`, { entry: path });
}

/** Check an archive entry's full path (`package/dist/plugin.js`) and return it without the root. */
export function checkArchivePath(path: string): string {
  checkRelativePath(path, 'entry');
  const [root, ...rest] = path.split('/');
  if (root !== PACKAGE_ROOT || rest.length === 0) {
    throw new UnsafeArchiveError('OUTSIDE_PACKAGE', `entry ${JSON.stringify(path)} is not inside the "${PACKAGE_ROOT}/" folder`, { entry: path });
  }
  return rest.join('/');
}
