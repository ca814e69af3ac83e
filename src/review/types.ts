import type { SourceRepo } from './sources.js';

/** One release between the current and the new version, as its project wrote it (raw: sanitised when rendered). */
export interface VersionNotes {
  /** Semver reading of the tag (`1.27.0`). */
  version: string;
  /** The tag or heading as written (`v1.27.0`, `web-1.27.0`, `## [1.27.0] - 2025-01-02`). */
  tag: string;
  title: string | null;
  body: string;
  url: string | null;
  /** ISO 8601 day of the release, when known. */
  date: string | null;
}

/** What was found for one package's move from one version to another. */
export interface ReleaseNotes {
  source: SourceRepo;
  /** Releases (GitHub/GitLab) or a `CHANGELOG.md`; `none` when the source has neither for these versions. */
  from: 'releases' | 'changelog' | 'none';
  /** Newest first. */
  versions: VersionNotes[];
  /** `…/compare/v1.2.0...v1.3.0`, when both tags are known. */
  compareUrl: string | null;
}

/**
 * Notes for one update, or why there are none: `failed` says so in the PR ("could not be read"), `source: null` means
 * no source repository is known. Never an exception: notes never block a PR.
 */
export type NotesOutcome =
  | { notes: ReleaseNotes }
  | { failed: string; source: SourceRepo }
  | { source: null };

/** Notes for the updates of a branch, keyed by `notesKey(update)`. */
export type BranchNotes = ReadonlyMap<string, NotesOutcome>;
