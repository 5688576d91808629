import { SandboxFault } from './sandbox-fault.ts';

/**
 * Most characters of one item's result. The guest runtime enforces the same limit, but it shares
 * the isolate with the plugin, which can subvert it (e.g. with `Array.prototype.toJSON`), so the
 * host checks again before anything leaves the sandbox host.
 */
export const MAX_RESULT_CHARS = 64 * 1024;

/** A fault for a guest runtime the plugin has tampered with (it threw, or answered nonsense). */
export function runtimeSubverted(what: string): SandboxFault {
  return new SandboxFault('isolate-crash', `the plugin broke the sandbox runtime: ${what.slice(0, 300)}`);
}

/**
 * Validate what the guest runtime's `collect` returned: a list of [seq, ok (1|0), JSON text].
 * Anything else is a fault; a result over MAX_RESULT_CHARS becomes a RESULT_TOO_LARGE failure.
 */
export function checkGuestResults(text: unknown): Array<[number, 0 | 1, string]> {
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
