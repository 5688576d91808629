/** What runners count per guild per UTC day. */
export const USAGE_METRICS = ['events', 'actions', 'ai_tokens'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];
