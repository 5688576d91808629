import { z } from 'zod';

/**
 * Slash commands as the manifest declares them. The shape mirrors Discord's application command
 * options closely enough to translate one-to-one, but uses names instead of numeric types so a
 * manifest reads well.
 */
export const OPTION_TYPES = ['string', 'integer', 'number', 'boolean', 'user', 'channel', 'role'] as const;

const CommandName = z.string().regex(/^[-_a-z0-9]{1,32}$/, 'lowercase letters, digits, - or _, 1 to 32 characters');
const Description = z.string().min(1).max(100);

export const CommandOption = z.strictObject({
  type: z.enum(OPTION_TYPES),
  name: CommandName,
  description: Description,
  required: z.boolean().optional(),
});
export type CommandOption = z.infer<typeof CommandOption>;

export const Subcommand = z.strictObject({
  name: CommandName,
  description: Description,
  options: z.array(CommandOption).max(25).optional(),
});

export const SlashCommand = z
  .strictObject({
    name: CommandName,
    description: Description,
    options: z.array(CommandOption).max(25).optional(),
    subcommands: z.array(Subcommand).max(25).optional(),
  })
  .refine((c) => !(c.options?.length && c.subcommands?.length), {
    message: 'a command has either options or subcommands, not both (Discord refuses the mix)',
  });
export type SlashCommand = z.infer<typeof SlashCommand>;
