/**
 * XP cooldown and award rolls. Time comes from the message's own `createdAt` (the sandbox has
 * no clock), stored as epoch milliseconds.
 */

/** Epoch milliseconds of an ISO timestamp, or `null` if it does not parse. */
export function toEpochMs(iso: string): number | null {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Whether a message at `nowMs` may earn XP when the last award was at `lastAwardAt` (null: never).
 * A message older than the last award (events can arrive out of order) does not earn XP.
 */
export function cooldownElapsed(lastAwardAt: number | null, nowMs: number, cooldownSeconds: number): boolean {
  if (lastAwardAt === null) return true;
  return nowMs - lastAwardAt >= Math.max(0, cooldownSeconds) * 1000;
}

/** A whole number of XP, uniformly in [min, max] (the bounds may come in either order). */
export function rollXp(min: number, max: number, random: () => number = Math.random): number {
  const lo = Math.ceil(Math.min(min, max));
  const hi = Math.floor(Math.max(min, max));
  if (hi <= lo) return Math.max(0, lo);
  const r = Math.min(Math.max(random(), 0), 0.9999999999999999);
  return Math.max(0, lo + Math.floor(r * (hi - lo + 1)));
}
