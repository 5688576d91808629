/** Text helpers for announcements and command replies. Pure; they run in the plugin sandbox. */

export const DISCORD_MESSAGE_LIMIT = 2000;

/** 1234567 -> "1,234,567" (no Intl: it is not guaranteed inside the sandbox). */
export function formatNumber(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.floor(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A text progress bar: `fraction` of `width` cells filled. */
export function progressBar(fraction: number, width = 10): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

/** Neutralise pings and markdown in user-controlled text (usernames). */
export function sanitizeUserText(text: string): string {
  return text
    .replace(/[\\*_~|`]/g, (c) => `\\${c}`)
    .replace(/@(everyone|here)/gi, '@\u200b$1')
    .replace(/<@/g, '<\u200b@');
}

/** Cap text at Discord's limit, ending with an ellipsis when cut (never splitting a surrogate pair). */
export function capLength(text: string, max = DISCORD_MESSAGE_LIMIT): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * Render a level-up template. Placeholders: `{user}` (mention), `{username}`, `{level}`, `{xp}`;
 * unknown placeholders stay as written.
 */
export function renderLevelUp(template: string, values: { userId: string; username: string; level: number; xp: number }): string {
  const map: Record<string, string> = {
    user: `<@${values.userId}>`,
    username: sanitizeUserText(values.username),
    level: String(values.level),
    xp: formatNumber(values.xp),
  };
  const text = template.replace(/\{([a-zA-Z]+)\}/g, (match: string, name: string) => (Object.hasOwn(map, name) ? map[name]! : match)).trim();
  return text === '' ? '' : capLength(text);
}
