import type { UpdateType } from '../config/types.js';
import type { Dependency, Problem } from '../scan/types.js';
import type { CandidateVerdict } from '../versions/pick.js';

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
  /** Release-notes links, when the registry told us. */
  sourceUrl: string | null;
  homepage: string | null;
}

export interface Unchanged {
  dependency: Dependency;
  reason: string;
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
}
