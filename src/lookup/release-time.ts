/**
 * Reproducible builds stamp a fixed time instead of the build time: the epoch (ko, Nix `1970-01-01T00:00:01Z`),
 * Buildpacks' `1980-01-01T00:00:01Z`, Go's zero time `0001-01-01T00:00:00Z`. None is when the version was released,
 * and a minimum release age must treat them as unknown, not as "decades old". No container image predates 2000.
 */
const EARLIEST_PLAUSIBLE = Date.UTC(2000, 0, 1);

/** A release time from a registry or index (`2024-05-01T10:00:00.123456789+02:00`), or null when unknown or a placeholder. */
export function knownReleaseTime(value: unknown): Date | null {
  const d = value instanceof Date ? value : typeof value === 'string' && value.trim() !== '' ? new Date(value) : null;
  if (!d || Number.isNaN(d.getTime()) || d.getTime() < EARLIEST_PLAUSIBLE) return null;
  return d;
}
