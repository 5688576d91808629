/**
 * The level curve (the one MEE6 made familiar): going from level L to L+1 takes
 * 5·L² + 50·L + 100 XP, so level 1 needs 100 XP, level 2 needs 255, level 3 needs 475, and so on.
 * Pure functions; they run inside the plugin sandbox.
 */

/** Levels beyond this are not reachable with any XP a guild could hold; it bounds every loop. */
export const MAX_LEVEL = 10_000;

/** XP needed to go from `level` to `level + 1`. */
export function xpToNextLevel(level: number): number {
  const l = Math.max(0, Math.floor(level));
  return 5 * l * l + 50 * l + 100;
}

/** Total XP needed to reach `level` from zero (0 for level 0). */
export function xpForLevel(level: number): number {
  const n = Math.max(0, Math.min(MAX_LEVEL, Math.floor(level)));
  // Sum over l = 0..n-1 of 5l² + 50l + 100, in closed form.
  return (5 * (n - 1) * n * (2 * n - 1)) / 6 + 25 * n * (n - 1) + 100 * n;
}

/** The level a member with `xp` total XP is at. */
export function levelForXp(xp: number): number {
  if (!(xp > 0)) return 0;
  // The cubic's inverse gives a close guess; step to the exact answer from there.
  let level = Math.min(MAX_LEVEL, Math.max(0, Math.floor(Math.cbrt((xp * 6) / 10))));
  while (level > 0 && xpForLevel(level) > xp) level--;
  while (level < MAX_LEVEL && xpForLevel(level + 1) <= xp) level++;
  return level;
}

export interface LevelProgress {
  level: number;
  /** XP earned since reaching `level`. */
  current: number;
  /** XP the step from `level` to `level + 1` takes. */
  needed: number;
  /** XP still missing to reach the next level. */
  remaining: number;
  /** `current / needed`, from 0 up to (not including) 1. */
  fraction: number;
}

/** Where `xp` sits within its level. */
export function levelProgress(xp: number): LevelProgress {
  const total = xp > 0 ? Math.floor(xp) : 0;
  const level = levelForXp(total);
  const current = total - xpForLevel(level);
  const needed = xpToNextLevel(level);
  return { level, current, needed, remaining: needed - current, fraction: current / needed };
}
