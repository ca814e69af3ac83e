import type { Datasource, Manager } from '../scan/types.js';

export type UpdateType = 'major' | 'minor' | 'patch' | 'digest' | 'pin';

export type RangeStrategy = 'keep' | 'pin' | 'replace';

/** Which dependencies a rule applies to. Every listed criterion must match; an absent one matches all. */
export interface RuleMatch {
  /** Package-name globs (`ghcr.io/acme/*`) or `/regex/`. */
  packageNames?: string[];
  managers?: Manager[];
  /** File-path globs relative to the repo root. */
  paths?: string[];
  updateTypes?: UpdateType[];
  datasources?: Datasource[];
  /** A semver range or `/regex/` tested against the current version. */
  currentVersion?: string;
}

export interface RuleSettings {
  enabled?: boolean;
  /** A semver range (`<2.0.0`) or `/regex/` the new version must satisfy. */
  allowedVersions?: string;
  /** A regex with named groups major, minor, patch, build, compatibility: for tags no built-in scheme reads. */
  versioning?: string;
  /** Allow pre-releases even when the current version is stable. */
  allowPrerelease?: boolean;
  pinDigests?: boolean;
  /** Offer a major update on its own branch alongside the newest non-major one (default true). */
  separateMajor?: boolean;
  /** `3 days`, `12h`, `30m`, `1 week`. */
  minimumReleaseAge?: string;
  /** What to do when the registry gives no timestamp and a minimum age is set (default `allow`). */
  minimumReleaseAgeMissing?: 'wait' | 'allow';
  /**
   * What to do with a version range (`~1.2`, `1.x.x`, `^2.0.0` in Chart.yaml, a HelmRelease or OCIRepository semver):
   * `keep` reports it, `pin` writes the newest allowed version, `replace` rewrites the range to allow it (default `keep`).
   */
  rangeStrategy?: RangeStrategy;
  /** Several dependencies in one branch named after the group. */
  group?: string;
  labels?: string[];
  reviewers?: string[];
  assignees?: string[];
  automerge?: boolean;
  /** Where release notes for the matched packages live (`https://github.com/acme/web`), when the registry does not say. */
  sourceUrl?: string;
  /** Let `automerge` merge an update the review found risks in (default false). */
  automergeRisky?: boolean;
}

export interface Rule extends RuleSettings {
  description?: string;
  match?: RuleMatch;
}

/**
 * What a repository may say about a registry. No credentials: the operator binds those to hosts (host rules, Docker's
 * config.json); `usernameEnv`/`passwordEnv`/`tokenEnv` in an old file are dropped at load with a warning.
 */
export interface RegistryConfig {
  /** Plain HTTP; ignored (HTTPS kept) for a host the operator holds credentials for. */
  insecure?: boolean;
  /** This host mirrors another: `mirror.gcr.io/x` is looked up as `docker.io/x`. */
  mirrorOf?: string;
}

/** The repo-level config file (`.tidemark.yaml`, or `.github/tidemark.yaml`), with defaults applied. */
export interface TidemarkConfig {
  ignorePaths: string[];
  rules: Rule[];
  registries: Record<string, RegistryConfig>;
  branchPrefix: string;
  /** e.g. `chore(deps)`; null for none. */
  commitMessagePrefix: string | null;
  author: { name: string; email: string };
  prConcurrentLimit: number;
  prHourlyLimit: number;
  dashboard: boolean;
  /** Label for pull requests whose chart updates have risks (review/); null for none. */
  riskLabel: string | null;
  /** Release notes in pull requests (review/); false reads none (air-gapped installs), the operator's `TIDEMARK_RELEASE_NOTES=off` likewise. */
  releaseNotes: boolean;
  /** Base branch for PRs; null means the repository's default branch. */
  baseBranch: string | null;
}

export const DEFAULT_CONFIG: TidemarkConfig = {
  ignorePaths: [],
  rules: [],
  registries: {},
  branchPrefix: 'tidemark/',
  commitMessagePrefix: null,
  // `.invalid` (RFC 2606) can never be anyone's address: see publish/author.ts.
  author: { name: 'Tidemark', email: 'tidemark@users.noreply.invalid' },
  prConcurrentLimit: 10,
  prHourlyLimit: 2,
  dashboard: false,
  riskLabel: 'tidemark:review-risks',
  releaseNotes: true,
  baseBranch: null,
};
