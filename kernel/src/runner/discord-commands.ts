import type { SlashCommand } from '@townesdev/plugin-contract';

/** Discord's ApplicationCommandOptionType for the manifest's option type names. */
const OPTION_TYPE = { string: 3, integer: 4, boolean: 5, user: 6, channel: 7, role: 8, number: 10 } as const;
const SUB_COMMAND = 1;
const CHAT_INPUT = 1;

type Option = NonNullable<SlashCommand['options']>[number];

function option(o: Option): Record<string, unknown> {
  return { type: OPTION_TYPE[o.type], name: o.name, description: o.description, ...(o.required !== undefined ? { required: o.required } : {}) };
}

/** A manifest's slash command as Discord's bulk-overwrite body expects it (a CHAT_INPUT command). */
export function toDiscordCommand(command: SlashCommand): Record<string, unknown> {
  const options = command.subcommands?.length
    ? command.subcommands.map((s) => ({ type: SUB_COMMAND, name: s.name, description: s.description, ...(s.options?.length ? { options: s.options.map(option) } : {}) }))
    : command.options?.map(option);
  return { type: CHAT_INPUT, name: command.name, description: command.description, ...(options?.length ? { options } : {}) };
}

/** The body of one guild's bulk overwrite, in a stable order so equal sets compare equal. */
export function guildCommandsBody(commands: readonly SlashCommand[]): Array<Record<string, unknown>> {
  return [...commands].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(toDiscordCommand);
}
