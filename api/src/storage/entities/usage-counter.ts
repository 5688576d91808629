import { defineEntity, p } from '@mikro-orm/core';
import type { UsageMetric } from '../../usage/usage-metric.ts';

export const USAGE_COUNTER_TABLE = 'api_usage_counter';

/** One metric of one guild on one UTC day; runners add to it in batches (upsert + increment). */
export const UsageCounter = defineEntity({
  name: 'UsageCounter',
  tableName: USAGE_COUNTER_TABLE,
  properties: {
    guildId: p.text().primary(),
    day: p.date().primary(),
    metric: p.text().$type<UsageMetric>().primary(),
    value: p.bigint('number'),
  },
  primaryKeys: ['guildId', 'day', 'metric'],
});
