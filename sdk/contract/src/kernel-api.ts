/**
 * The version of the host API this kernel implements. A manifest names the range it was built
 * against (`kernelApi`); the kernel refuses a plugin whose range does not include this version.
 * Bump the minor for additions (a new capability), the major for anything a plugin could notice.
 */
export const KERNEL_API_VERSION = '1.0.0';

/**
 * The global a plugin bundle assigns its exports to (esbuild's `globalName`). The SDK's build
 * writes it and the kernel's sandbox reads it, so both take it from here.
 */
export const BUNDLE_GLOBAL = '__townesPlugin';
