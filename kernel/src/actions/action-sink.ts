import type { PluginAction } from './plugin-action.ts';

/**
 * Where performed actions go. The runner implements it with discord.js (interaction replies at
 * once, the rest through a queue); the SDK harness records them. `key` is stable for a given
 * event, plugin and action index, so a sink can drop a duplicate after a retry.
 */
export interface ActionEnvelope {
  key: string;
  plugin: string;
  version: string;
  guildId: string;
  action: PluginAction;
}

/**
 * The kernel checks that an action is well formed and that the plugin may take it in this guild;
 * it does not know which channels and members belong to the guild. A sink that performs actions
 * on Discord must check that the target channel, member or role belongs to `guildId` before it
 * acts, so that a plugin granted a capability in one guild cannot reach into another.
 */
export interface ActionSink {
  perform(actions: readonly ActionEnvelope[]): Promise<void>;
}

/** Keeps every action in memory, in order: for the harness, tests and benchmarks. */
export class RecordingActionSink implements ActionSink {
  readonly actions: ActionEnvelope[] = [];
  async perform(actions: readonly ActionEnvelope[]): Promise<void> {
    this.actions.push(...actions);
  }
}
