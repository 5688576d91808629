/**
 * The version of the host API this kernel implements. A manifest names the range it was built
 * against (`kernelApi`); the kernel refuses a plugin whose range does not include this version.
 * Bump the minor for additions (a new capability), the major for anything a plugin could notice.
 */
export const KERNEL_API_VERSION = '1.0.0';
