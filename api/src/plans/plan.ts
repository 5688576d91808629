import type { PluginManifest } from '@townesdev/plugin-contract';

export const PLAN_IDS = ['free', 'pro'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export interface Plan {
  id: PlanId;
  /** How many plugins one guild may have installed. */
  maxPluginsPerGuild: number;
}

/**
 * The plans. Licensing and billing (their own issues) decide which plan a tenant is on; a new
 * tenant starts on free. Paid capabilities (AI tokens, outbound HTTP) will gate here too once the
 * kernel offers them.
 */
export const PLANS: Readonly<Record<PlanId, Plan>> = {
  free: { id: 'free', maxPluginsPerGuild: 3 },
  pro: { id: 'pro', maxPluginsPerGuild: 50 },
};

export type PlanVerdict = { ok: true } | { ok: false; message: string; hint: string };

/** Whether `plan` allows installing `manifest` on a guild that already has `installedCount` plugins. */
export function planAllows(planId: PlanId, manifest: PluginManifest, installedCount: number): PlanVerdict {
  const plan = PLANS[planId];
  if (installedCount >= plan.maxPluginsPerGuild) {
    return {
      ok: false,
      message: `the ${plan.id} plan allows ${plan.maxPluginsPerGuild} plugins per guild, so ${manifest.name} cannot be added`,
      hint: 'Uninstall a plugin from this guild, or upgrade the plan.',
    };
  }
  return { ok: true };
}
