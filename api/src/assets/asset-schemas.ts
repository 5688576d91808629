import { z } from 'zod';
import { TenantView } from '../auth/auth-schemas.ts';
import { InstallView } from '../marketplace/install-schemas.ts';
import { PLAN_IDS } from '../plans/plan.ts';
import { DailyUsageView } from '../usage/usage-schemas.ts';

export const FeatureFlag = z.object({ plugin: z.string(), version: z.string(), enabled: z.boolean() }).meta({ id: 'FeatureFlag' });

export const AssetSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    plan: z.enum(PLAN_IDS),
    canManage: z.boolean().describe('Whether the caller has Manage Server there (per Discord at login)'),
    features: z.array(FeatureFlag),
  })
  .meta({ id: 'AssetSummary' });

export const TenantAssets = z.object({ tenant: TenantView, assets: z.array(AssetSummary) }).meta({ id: 'TenantAssets' });

export const AssetDetail = z
  .object({
    id: z.string(),
    name: z.string(),
    plan: z.enum(PLAN_IDS),
    plugins: z.array(InstallView),
    usage: z.array(DailyUsageView).describe('The last 7 days'),
  })
  .meta({ id: 'AssetDetail' });
