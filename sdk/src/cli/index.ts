export { EXIT, runPluginCli } from './plugin-cli.ts';
export type { CliIo } from './plugin-cli.ts';
