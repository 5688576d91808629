import type { Capability, PluginManifest } from '@townesdev/plugin-contract';
import { CAPABILITY_DESCRIPTIONS } from '@townesdev/plugin-contract';

/**
 * A guild admin's grant is checked against the manifest like OAuth scopes: it must cover every
 * permission the manifest asks for (a new version asking for more needs a new grant), and
 * anything granted beyond the manifest is ignored, never passed on.
 */
export function effectiveGrant(manifest: PluginManifest, granted: readonly string[]): { grants: Capability[]; missing: Capability[] } {
  const given = new Set(granted);
  const grants = manifest.permissions.filter((p) => given.has(p));
  const missing = manifest.permissions.filter((p) => !given.has(p));
  return { grants, missing };
}

export function describeMissing(missing: readonly Capability[]): string {
  return missing.map((c) => `"${c}" (${CAPABILITY_DESCRIPTIONS[c]})`).join(', ');
}
