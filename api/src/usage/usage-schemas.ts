import { z } from 'zod';

export const MAX_DAYS = 366;
const Day = z.iso.date().describe('A UTC day, YYYY-MM-DD');
export const DailyUsageView = z.object({ day: z.string(), events: z.number(), actions: z.number(), ai_tokens: z.number() }).meta({ id: 'DailyUsage' });
export const UsageReply = z.object({ guildId: z.string(), days: z.array(DailyUsageView) }).meta({ id: 'UsageReply' });

export const UsageQuery = z.object({ from: Day.optional(), to: Day.optional() });
