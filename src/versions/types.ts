/**
 * A version read from a tag or chart version. Two versions are comparable only when they share a shape:
 * the same prefix, number of release parts, separator, suffix (compatibility) and revision presence.
 */
export interface ParsedVersion {
  raw: string;
  /** `v` in `v1.16.1`, `jammy-` in `jammy-20241017`; '' when none. */
  prefix: string;
  /** Numeric parts: `1.27.3` → [1, 27, 3]; a compact date `20241103` → [20241103]. */
  release: number[];
  /** Separator between release parts: `.` almost always. */
  separator: string;
  /** `rc.10` → ['rc', 10]; null for a stable release. */
  prerelease: (string | number)[] | null;
  /** Suffix family: `alpine` in `1.27-alpine`, `debian-12` in `16.4.0-debian-12-r15`; '' when none. */
  compatibility: string;
  /** Bitnami-style revision (`-r15`), a build number (`-ls231`, `-k3s1`, `_7`, a bare `-2`) or a custom `build` group; null when none. */
  revision: number | null;
  /** How the revision is written: `r` in `-r15`, `ls` in `-ls231`, `_` in `17.0.10_7`, '' for a bare `-2`; only the same style compares. */
  revisionStyle?: string;
  /** The first part looks like a year (`2024.11.3`) or a date (`20241103`). */
  calendar: boolean;
}

/** Which built-in scheme reads a value: docker tags, or semver for charts. */
export type SchemeName = 'docker' | 'semver';

/** Why a tag is not a version at all. */
export type NotVersionKind = 'floating' | 'commit-hash' | 'signature' | 'pull-request' | 'unreadable';
