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
  /**
   * Suffix family, builds written `*`: `alpine` in `1.27-alpine`, `debian-12` in `16.4.0-debian-12-r15`,
   * `master-*` in `3.10-master-777`, `*` in `8.7-923.1669829893`; '' when none.
   */
  compatibility: string;
  /** Bitnami-style revision (`-r15`), a build number (`-ls231`, `-k3s1`, `_7`, a bare `-2`) or a custom `build` group; null when none. */
  revision: number | null;
  /** How the revision is written: `r` in `-r15`, `ls` in `-ls231`, `_` in `17.0.10_7`, '' for a bare `-2`; only the same style compares. */
  revisionStyle?: string;
  /**
   * Build counters, dates and KB numbers read inside the suffix, in order (`22-ea-7-windowsservercore-1809` → [7],
   * `8.7-923.1669829893` → [923, 1669829893]), and an Ubuntu respin (`noble-20241118.1` → [1]); absent when none.
   * They order releases inside a family and compare before the revision.
   */
  build?: number[];
  /** The first part looks like a year (`2024.11.3`) or a date (`20241103`). */
  calendar: boolean;
}

/** Which built-in scheme reads a value: docker tags, or semver for charts. */
export type SchemeName = 'docker' | 'semver';

/** Why a tag is not a version at all. */
export type NotVersionKind = 'floating' | 'commit-hash' | 'signature' | 'pull-request' | 'unreadable';
