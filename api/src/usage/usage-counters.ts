import type { EntityManager } from '@mikro-orm/core';
import { USAGE_COUNTER_TABLE } from '../storage/entities/index.ts';
import { USAGE_METRICS, type UsageMetric } from './usage-metric.ts';

export interface UsageIncrement {
  guildId: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  metric: UsageMetric;
  value: number;
}

export type DailyUsage = { day: string } & Record<UsageMetric, number>;

/** Today as a UTC day, YYYY-MM-DD. */
export const utcToday = (): string => new Date().toISOString().slice(0, 10);

/** The UTC day `n` days before `day`. */
export const daysBefore = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);

/** Add runners' counts in one statement (insert, or add to the existing row): batches never lose a count to a race. */
export async function addUsage(em: EntityManager, increments: readonly UsageIncrement[]): Promise<void> {
  // one row per key: PostgreSQL refuses to upsert the same row twice in one statement
  const summed = new Map<string, UsageIncrement>();
  for (const i of increments) {
    const key = `${i.guildId}\u0000${i.day}\u0000${i.metric}`;
    const seen = summed.get(key);
    summed.set(key, seen ? { ...seen, value: seen.value + i.value } : { ...i });
  }
  if (summed.size === 0) return;
  const rows = [...summed.values()];
  const values = rows.map(() => '(?, ?::date, ?, ?)').join(', ');
  const params = rows.flatMap((i) => [i.guildId, i.day, i.metric, i.value]);
  await em.getConnection().execute(
    `insert into "${USAGE_COUNTER_TABLE}" ("guild_id", "day", "metric", "value") values ${values}
     on conflict ("guild_id", "day", "metric") do update set "value" = "${USAGE_COUNTER_TABLE}"."value" + excluded."value"`,
    params,
    'run',
  );
}

/** A guild's counters per day from `from` to `to` (inclusive, UTC), every day present, zeros where nothing was counted. */
export async function dailyUsage(em: EntityManager, guildId: string, from: string, to: string): Promise<DailyUsage[]> {
  const rows: { day: string; metric: UsageMetric; value: string }[] = await em.getConnection().execute(
    `select to_char("day", 'YYYY-MM-DD') as "day", "metric", "value" from "${USAGE_COUNTER_TABLE}" where "guild_id" = ? and "day" between ?::date and ?::date`,
    [guildId, from, to],
  );
  const days = new Map<string, DailyUsage>();
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const day = d.toISOString().slice(0, 10);
    days.set(day, { day, ...(Object.fromEntries(USAGE_METRICS.map((m) => [m, 0])) as Record<UsageMetric, number>) });
  }
  for (const r of rows) {
    const entry = days.get(r.day);
    if (entry) entry[r.metric] = Number(r.value);
  }
  return [...days.values()];
}
