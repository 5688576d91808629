/**
 * Welcome message templates. Pure functions only: this file runs inside the plugin sandbox, so
 * it uses no Node APIs and no globals beyond the language itself.
 *
 * A template is plain text with placeholders in braces: `{name}` or `{name:format}`. The only
 * format is `ordinal` (for numbers: 42 -> "42nd"). Unknown placeholders stay as written, so a
 * typo shows up in the preview instead of vanishing.
 */

/** Discord refuses message content longer than this. */
export const DISCORD_MESSAGE_LIMIT = 2000;

export type TemplateValue = string | number | null;
export type TemplateValues = Readonly<Record<string, TemplateValue>>;

const PLACEHOLDER = /\{([a-zA-Z][a-zA-Z0-9]*)(?::([a-zA-Z]+))?\}/g;

/** English ordinal of an integer: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 101st, 111th. */
export function ordinal(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const i = Math.trunc(n);
  const abs = Math.abs(i);
  const lastTwo = abs % 100;
  let suffix = 'th';
  if (lastTwo < 11 || lastTwo > 13) {
    const last = abs % 10;
    if (last === 1) suffix = 'st';
    else if (last === 2) suffix = 'nd';
    else if (last === 3) suffix = 'rd';
  }
  return `${i}${suffix}`;
}

/**
 * Replace placeholders with values. A `null` value (something the plugin could not know, such as
 * the member count in a preview) renders as `?`.
 */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (match: string, name: string, format: string | undefined) => {
    if (!Object.hasOwn(values, name)) return match;
    const value = values[name] ?? null;
    if (format === undefined) return value === null ? '?' : String(value);
    if (format === 'ordinal') {
      if (value === null) return '?';
      return typeof value === 'number' ? ordinal(value) : String(value);
    }
    return match;
  });
}

/**
 * Make user-controlled text (a username, a server name) safe to drop into a message: it can no
 * longer ping @everyone/@here or mention a user or role, and Discord markdown in it shows
 * literally instead of formatting the rest of the message.
 */
export function sanitizeUserText(text: string): string {
  return text
    .replace(/[\\*_~|`]/g, (c) => `\\${c}`)
    .replace(/@(everyone|here)/gi, '@\u200b$1')
    .replace(/<@/g, '<\u200b@');
}

/**
 * Cap text at `max` characters (UTF-16 units, as Discord counts), ending with an ellipsis when
 * cut, and never splitting a surrogate pair.
 */
export function capLength(text: string, max: number = DISCORD_MESSAGE_LIMIT): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

export interface WelcomeUser {
  id: string;
  username: string;
  globalName: string | null;
}

export interface WelcomeGuild {
  name: string | null;
  memberCount: number | null;
}

/** The placeholder values for a member joining (or previewing a join of) a server. */
export function welcomeValues(user: WelcomeUser, guild: WelcomeGuild): TemplateValues {
  return {
    user: `<@${user.id}>`,
    username: sanitizeUserText(user.username),
    displayName: sanitizeUserText(user.globalName ?? user.username),
    server: guild.name === null ? 'this server' : sanitizeUserText(guild.name),
    memberCount: guild.memberCount,
  };
}

/** Render a welcome message, ready to send: capped at Discord's limit, `''` if nothing is left. */
export function renderWelcome(template: string, values: TemplateValues): string {
  const text = renderTemplate(template, values).trim();
  return text === '' ? '' : capLength(text);
}
