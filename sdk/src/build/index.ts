export { buildPlugin } from './build-plugin.ts';
export type { BuildOptions, BuiltPlugin } from './build-plugin.ts';
