/**
 * Reads the message part of a create-message, interaction-callback or webhook body the way
 * Discord validates it: content up to 2000 characters, at most 10 embeds, and not empty.
 */
import { emptyMessage, invalidFormBody } from './discord-errors.ts';

export interface MessageInput {
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  nonce: string | null;
  enforceNonce: boolean;
}

/** Message flag EPHEMERAL (1 << 6): only the invoking user sees the message. */
export const EPHEMERAL_FLAG = 64;

export function readMessageInput(body: unknown, options: { allowEmpty?: boolean } = {}): MessageInput {
  const data = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const content = data.content ?? '';
  if (typeof content !== 'string') throw invalidFormBody('content', 'STRING_TYPE_CONVERT', 'Could not interpret the value as a string.');
  if (content.length > 2000) throw invalidFormBody('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  const embeds = data.embeds ?? [];
  if (!Array.isArray(embeds)) throw invalidFormBody('embeds', 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
  if (embeds.length > 10) throw invalidFormBody('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  const components = Array.isArray(data.components) ? data.components : [];
  const nonce = typeof data.nonce === 'string' || typeof data.nonce === 'number' ? String(data.nonce) : null;
  if (nonce !== null && nonce.length > 25) throw invalidFormBody('nonce', 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  const flags = typeof data.flags === 'number' ? data.flags : 0;
  if (!options.allowEmpty && content.trim() === '' && embeds.length === 0 && components.length === 0) throw emptyMessage();
  return { content, embeds, components, flags, nonce, enforceNonce: data.enforce_nonce === true };
}
