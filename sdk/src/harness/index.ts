export { createHarness } from './harness.ts';
export type { Harness, HarnessOptions } from './harness.ts';
export { SimulatedGuild } from './simulated-guild.ts';
export type { CommandResult, EventResult, UserInput } from './simulated-guild.ts';
export { describeAction, messageText } from './describe-action.ts';
