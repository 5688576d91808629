import semver from 'semver';

export interface PublishedVersion {
  version: string;
  yanked: boolean;
}

export type ResolveErrorCode = 'INVALID_SPEC' | 'NO_MATCH' | 'DOWNGRADE';

export class ResolveError extends Error {
  readonly code: ResolveErrorCode;
  constructor(code: ResolveErrorCode, message: string) {
    super(message);
    this.name = 'ResolveError';
    this.code = code;
  }
}

export interface Resolution {
  version: string;
  /** True when the guild stays on the version it runs although a lower one matched. */
  keptCurrent: boolean;
  /** True when the chosen version is yanked (only an exact pin, or the version already running, can be). */
  yanked: boolean;
}

/**
 * Choose the version a guild runs for an install spec, the way npm resolves a dependency:
 * an exact version is a pin and is honoured even when yanked (yanking stops new installs by
 * range, it does not break the guilds pinned to it); a range picks the highest published version
 * that satisfies it and is not yanked (prereleases only when the range names one).
 *
 * Rollback protection: with `current` (the version the guild runs now), a range never moves the
 * guild below it. If the range still admits the current version, the guild stays there (even if
 * it was yanked meanwhile); if it does not, the change is refused: an admin's explicit pin is the
 * only way down.
 */
export function resolveVersion(published: readonly PublishedVersion[], spec: string, current?: string): Resolution {
  const pin = semver.valid(spec);
  if (pin) {
    const found = published.find((p) => p.version === pin);
    if (!found) throw new ResolveError('NO_MATCH', `version ${pin} was never published`);
    return { version: pin, keptCurrent: false, yanked: found.yanked };
  }
  if (semver.validRange(spec) === null) throw new ResolveError('INVALID_SPEC', `"${spec}" is neither a version nor a semver range (such as ^1.2.0)`);
  const candidates = published.filter((p) => !p.yanked).map((p) => p.version);
  const best = semver.maxSatisfying(candidates, spec);
  if (current === undefined) {
    if (!best) throw new ResolveError('NO_MATCH', `no published, non-yanked version satisfies ${spec}`);
    return { version: best, keptCurrent: false, yanked: false };
  }
  const currentStillAllowed = semver.satisfies(current, spec, { includePrerelease: semver.prerelease(current) !== null });
  if (best && semver.gte(best, current)) return { version: best, keptCurrent: false, yanked: false };
  if (currentStillAllowed) {
    const running = published.find((p) => p.version === current);
    return { version: current, keptCurrent: best !== null, yanked: running?.yanked ?? false };
  }
  throw new ResolveError(
    'DOWNGRADE',
    best
      ? `${spec} would move this server from ${current} down to ${best}; pin ${best} explicitly to roll back`
      : `no published, non-yanked version satisfies ${spec}, and this server runs ${current}`,
  );
}
