import type { UpdateType } from '../config/types.js';
import type { Dependency, Problem } from '../scan/types.js';
import type { CandidateVerdict } from '../versions/pick.js';
import type { FailedLookup, LookupFailure } from './failures.js';

/** A decision to move one dependency. `newValue` equals `currentValue` for digest and pin updates. */
export interface Update {
  dependency: Dependency;
  newValue: string;
  newDigest: string | null;
  updateType: UpdateType;
  group: string | null;
  /** Why this version: one sentence a reviewer can read. */
  reason: string;
  labels: string[];
  reviewers: string[];
  assignees: string[];
  automerge: boolean;
  /** The rule that set `automerge` (`rule 4 (patches)`), for the PR's configuration section; absent when none did. */
  automergeFrom?: string;
  /** A rule turned automerge on, and the review took it away: the update has risks and no rule sets `automergeRisky`. */
  automergeHeldByRisks?: boolean;
  /** Release-notes links: a rule's `sourceUrl`, else what the registry told us. */
  sourceUrl: string | null;
  homepage: string | null;
  /** What the upgrade may break (chart updates; filled by the review step). Absent means none found or not reviewed. */
  risks?: Risk[];
  /** The chart's `artifacthub.io/changes` entries for every version after the current one up to the new one. */
  changes?: Change[];
}

/**
 * A reason to look twice before merging, found by comparing the user's values with the old and new chart:
 * - `removed-value`: a key the user sets that the current chart's defaults had and the new chart's no longer have
 * - `schema`: the user's values (over the new chart's defaults) fail the new chart's `values.schema.json`
 * - `kube-version`: the new chart's `kubeVersion` constraint differs from the current one
 * `path` is the dotted path of the user's value (`a.b[0]`), when there is one.
 */
export interface Risk {
  kind: 'removed-value' | 'schema' | 'kube-version' | (string & {});
  message: string;
  path?: string;
}

/** One `artifacthub.io/changes` entry; a plain-string entry becomes `{kind: 'changed', description}`. */
export interface Change {
  kind: string;
  description: string;
}

/**
 * Why a dependency stays, as data; `reason` is the sentence for people. Readers (the dashboard) branch on this, never
 * on the words of the reason.
 * - `skipped`: the scanner marked it not updatable (templated, unpinned, local chart, `# tidemark: ignore`…)
 * - `disabled`: `enabled: false` in a rule, for the dependency or for the update type it would get
 * - `up-to-date`: nothing newer in its tag family
 * - `other-family`: nothing newer in its tag family, but newer versions in another (another suffix, precision or build
 *   scheme): the reason names the family and the newest version elsewhere
 * - `not-allowed`: newer versions exist, but allowedVersions or the pre-release rule holds them back
 * - `too-new`: newer versions are younger than minimumReleaseAge (or have no release time and the rules wait)
 * - `lookup-failed`: the registry or Helm repository could not be read
 * - `not-a-version`: the current value (a digest only, a commit hash…) is not a version to compare
 * - `no-digest`: a newer version has no digest, and the reference is pinned by digest
 * - `range`: a version range left alone (`rangeStrategy: keep`, or a form that cannot be rewritten safely)
 */
export type UnchangedKind =
  | 'skipped'
  | 'disabled'
  | 'up-to-date'
  | 'other-family'
  | 'not-allowed'
  | 'too-new'
  | 'lookup-failed'
  | 'not-a-version'
  | 'no-digest'
  | 'range';

export interface Unchanged {
  dependency: Dependency;
  reason: string;
  /** Set by the planner; absent only on values built elsewhere (older plan files, tests). */
  kind?: UnchangedKind;
  /** A lookup failed on the way: which host and how. Internal; `plan --json` does not carry it. */
  failure?: LookupFailure;
}

/** One branch, one PR: an update of one package (in every file it appears in) or a configured group. */
export interface BranchPlan {
  /** Deterministic: `tidemark/<name>-<major>.x`, `tidemark/<group>`. */
  branchName: string;
  title: string;
  updates: Update[];
}

export interface Plan {
  updates: Update[];
  unchanged: Unchanged[];
  problems: Problem[];
  branches: BranchPlan[];
  /** Some lookups failed (their dependencies are in `unchanged` with the reason); exit code 1. */
  partialFailure?: boolean;
  /** Every failed lookup with its host, including a digest held back beside another reason. Internal, not in JSON. */
  failedLookups?: FailedLookup[];
  /** How many dependencies were looked up (not settled by the scanner or a rule first). Internal, not in JSON. */
  lookedUp?: number;
  /** Per-candidate verdicts for the dependencies `createPlan` was asked to explain (`--explain <name>`). */
  explanations?: Explanation[];
}

/** Every candidate version of one dependency and why it was taken or rejected. */
export interface Explanation {
  file: string;
  line: number;
  name: string;
  currentValue: string | null;
  /** What the plan did: the update(s) or why it stays. */
  outcome: string;
  candidates: CandidateVerdict[];
  /**
   * What the chart review found, one entry per update of the dependency (it may get a minor and a major update, each
   * with its own risks and changes); absent when it found nothing for any of them or did not run.
   */
  reviews?: { newValue: string; risks: Risk[]; changes: Change[] }[];
}
