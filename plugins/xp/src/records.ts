/**
 * The per-member record and the decisions made with it. Storage holds one key per member,
 * `u:<userId>`, so a message costs one read and (when it earns XP) one write.
 */
import { levelForXp } from './level-curve.ts';

export const USER_PREFIX = 'u:';

export function userKey(userId: string): string {
  return `${USER_PREFIX}${userId}`;
}

/** The user id of a `u:<userId>` key, or null for any other key. */
export function userIdOfKey(key: string): string | null {
  return key.startsWith(USER_PREFIX) && key.length > USER_PREFIX.length ? key.slice(USER_PREFIX.length) : null;
}

export interface XpRecord {
  /** Total XP. */
  xp: number;
  /** Level reached (always `levelForXp(xp)`; stored so announcements compare against it). */
  level: number;
  /** Epoch ms of the message that last earned XP; null if none has. */
  lastAwardAt: number | null;
  /** Messages that earned XP. */
  messages: number;
  // An index signature keeps the record assignable to the host's JSON value type.
  [key: string]: number | null;
}

export function emptyRecord(): XpRecord {
  return { xp: 0, level: 0, lastAwardAt: null, messages: 0 };
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

/** Read a stored value defensively: anything malformed counts as zero. */
export function toRecord(value: unknown): XpRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return emptyRecord();
  const v = value as Record<string, unknown>;
  const xp = count(v.xp);
  const last = v.lastAwardAt;
  return {
    xp,
    level: levelForXp(xp),
    lastAwardAt: typeof last === 'number' && Number.isFinite(last) ? last : null,
    messages: count(v.messages),
  };
}

export interface AwardResult {
  record: XpRecord;
  previousLevel: number;
  leveledUp: boolean;
}

/** Add `amount` XP earned at `atMs`. */
export function applyAward(record: XpRecord, amount: number, atMs: number): AwardResult {
  const xp = record.xp + Math.max(0, Math.floor(amount));
  const level = levelForXp(xp);
  return {
    record: { xp, level, lastAwardAt: atMs, messages: record.messages + 1 },
    previousLevel: record.level,
    leveledUp: level > record.level,
  };
}

export interface RoleReward {
  level: number;
  roleId: string;
}

/**
 * Roles a member at `level` should get: every reward for that level or below that the member
 * does not already have, lowest level first, each role once.
 */
export function rolesToGrant(rewards: readonly RoleReward[], level: number, memberRoles: readonly string[]): RoleReward[] {
  const have = new Set(memberRoles);
  const out: RoleReward[] = [];
  for (const reward of [...rewards].sort((a, b) => a.level - b.level)) {
    if (reward.level > level || have.has(reward.roleId)) continue;
    have.add(reward.roleId);
    out.push(reward);
  }
  return out;
}

export interface Standing {
  userId: string;
  xp: number;
}

/** Stored entries as standings (non-member keys and empty records skipped). */
export function standings(entries: ReadonlyArray<{ key: string; value: unknown }>): Standing[] {
  const out: Standing[] = [];
  for (const { key, value } of entries) {
    const userId = userIdOfKey(key);
    if (userId === null) continue;
    const { xp } = toRecord(value);
    if (xp > 0) out.push({ userId, xp });
  }
  return out;
}

/** 1-based rank of a member with `xp` (ties share a rank), or null if they have no XP. */
export function rankOf(all: readonly Standing[], userId: string, xp: number): number | null {
  if (xp <= 0) return null;
  let above = 0;
  for (const s of all) if (s.xp > xp && s.userId !== userId) above++;
  return above + 1;
}

/** Order for the leaderboard: most XP first, ties by user id so the order is stable. */
function before(a: Standing, b: Standing): boolean {
  return a.xp > b.xp || (a.xp === b.xp && a.userId < b.userId);
}

/**
 * The top `n` standings. One pass keeping a small sorted list, so a guild with a hundred
 * thousand members costs a hundred thousand comparisons, not a full sort.
 */
export function topStandings(all: readonly Standing[], n: number): Standing[] {
  const top: Standing[] = [];
  if (n <= 0) return top;
  for (const s of all) {
    if (top.length === n && !before(s, top[n - 1]!)) continue;
    let i = top.length;
    while (i > 0 && before(s, top[i - 1]!)) i--;
    top.splice(i, 0, s);
    if (top.length > n) top.pop();
  }
  return top;
}
