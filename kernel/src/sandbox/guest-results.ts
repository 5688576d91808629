import type { HandlerNames } from './plugin-isolate.ts';
import { SandboxFault } from './sandbox-fault.ts';

/**
 * Most characters of one item's result. The guest runtime enforces the same limit, but it shares
 * the isolate with the plugin, which can subvert it (e.g. with `Array.prototype.toJSON`), so the
 * host checks again before anything leaves the sandbox host.
 */
export const MAX_RESULT_CHARS = 64 * 1024;

/** A fault for a guest runtime the plugin has tampered with (it threw, or answered nonsense). */
export function runtimeSubverted(what: string): SandboxFault {
  return new SandboxFault('isolate-crash', `the plugin broke the sandbox runtime: ${what.slice(0, 300)}`, undefined, 'RUNTIME_TAMPERING');
}

/**
 * Validate what the guest runtime's `collect` returned: a list of [seq, ok (1|0), JSON text].
 * Anything else is a fault; a result over MAX_RESULT_CHARS becomes a RESULT_TOO_LARGE failure.
 */
export function checkGuestResults(text: unknown, maxItems: number): Array<[number, 0 | 1, string]> {
  // Each row is at most a result of MAX_RESULT_CHARS, JSON-quoted (6 characters per character at
  // worst), so anything longer was not produced by the guest runtime: refuse it before parsing.
  if (typeof text === 'string' && text.length > 2 + maxItems * (6 * MAX_RESULT_CHARS + 64)) throw runtimeSubverted('its results are larger than its items could produce');
  let rows: unknown;
  try {
    rows = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    rows = undefined;
  }
  if (!Array.isArray(rows)) throw runtimeSubverted('its results are not a list');
  for (let n = 0; n < rows.length; n++) {
    const row: unknown = rows[n];
    if (!Array.isArray(row) || row.length !== 3 || !Number.isSafeInteger(row[0]) || (row[1] !== 0 && row[1] !== 1) || typeof row[2] !== 'string') {
      throw runtimeSubverted('a result is malformed');
    }
    const value: string = row[2];
    if (value.length > MAX_RESULT_CHARS) {
      rows[n] = [row[0], 0, JSON.stringify({ name: 'HostError', code: 'RESULT_TOO_LARGE', message: `result of ${value.length} characters exceeds ${MAX_RESULT_CHARS}` })];
      continue;
    }
    if (value !== 'null') {
      try {
        JSON.parse(value);
      } catch {
        throw runtimeSubverted('a result is not JSON');
      }
    }
  }
  return rows as Array<[number, 0 | 1, string]>;
}

/** Storage calls the guest runtime hands over in one round, and their characters (the runtime's limits). */
export const MAX_CALLS_PER_ROUND = 4096;
export const MAX_CHARS_PER_ROUND = 1024 * 1024;

export type GuestCall = [seq: number, op: string, key: string, value: string, opId: string];

/**
 * Validate the storage calls the guest runtime's `takeCalls` returned: [seq, op, key, value,
 * opId] flattened, at most MAX_CALLS_PER_ROUND of them and MAX_CHARS_PER_ROUND of keys and values
 * (unless there is one call). Anything else is a fault. What each call asks is checked when it
 * is answered (GuestCalls), like any call from the guest.
 */
export function checkGuestCalls(value: unknown): GuestCall[] {
  if (!Array.isArray(value) || value.length % 5 !== 0 || value.length > 5 * MAX_CALLS_PER_ROUND) throw runtimeSubverted('its storage calls are not a list');
  const calls: GuestCall[] = [];
  let chars = 0;
  for (let n = 0; n < value.length; n += 5) {
    const seq: unknown = value[n];
    const op: unknown = value[n + 1];
    const key: unknown = value[n + 2];
    const text: unknown = value[n + 3];
    const opId: unknown = value[n + 4];
    if (!Number.isSafeInteger(seq) || typeof op !== 'string' || typeof key !== 'string' || typeof text !== 'string' || typeof opId !== 'string') throw runtimeSubverted('a storage call is malformed');
    chars += key.length + text.length;
    calls.push([seq as number, op, key, text, opId]);
  }
  if (calls.length > 1 && chars > MAX_CHARS_PER_ROUND) throw runtimeSubverted('its storage calls are larger than a round carries');
  return calls;
}

/** Validate the handler names the guest runtime reports at load: three lists of short strings. */
export function checkHandlerNames(text: unknown): HandlerNames {
  if (typeof text !== 'string' || text.length > 64 * 1024) throw runtimeSubverted('its handler list is not what the runtime produces');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const names = value as Partial<Record<keyof HandlerNames, unknown>> | undefined;
  const list = (v: unknown): v is string[] => Array.isArray(v) && v.every((n) => typeof n === 'string' && n.length <= 100);
  if (!names || !list(names.events) || !list(names.commands) || !list(names.migrations)) throw runtimeSubverted('its handler list is malformed');
  return { events: names.events, commands: names.commands, migrations: names.migrations };
}
