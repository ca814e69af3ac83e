/**
 * What publishing needs from a code host. One interface; github.ts, gitlab.ts and git.ts implement it.
 * The repository's branches and PRs are the bot's only memory between runs: implementations keep no state
 * beyond a single run's caches.
 */
export type PlatformKind = 'github' | 'gitlab' | 'git';

export interface CommitInfo {
  sha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  /** When it was committed (ISO 8601); set by plain git, where it dates a branch for `prHourlyLimit`. */
  committedAt?: string;
}

export interface RemoteBranch {
  name: string;
  /** Head commit. */
  sha: string;
  /** Commits on the branch that are not on the base branch, newest first. */
  commits: CommitInfo[];
  /** True when the branch's first own commit sits on the current base head (no rebase needed). */
  upToDateWithBase: boolean;
}

export interface FileChange {
  path: string;
  content: string;
}

export interface CommitRequest {
  branch: string;
  /** The base commit the new commit's parent is: the branch is (re)created as base + this one commit. */
  baseSha: string;
  message: string;
  files: FileChange[];
  author: { name: string; email: string };
}

export type PrState = 'open' | 'closed' | 'merged';

export interface PullRequest {
  number: number;
  branch: string;
  state: PrState;
  title: string;
  body: string;
  url: string;
  /** ISO 8601 creation time when the platform tells it; used for `prHourlyLimit`. */
  createdAt?: string | null;
  /**
   * Set by `createPr` when the PR asked for automerge and the platform could not turn it on: why, in words a user
   * can act on (`the repository does not allow auto-merge …`). The PR itself is open; it waits for a manual merge.
   */
  automergeProblem?: string;
}

export interface PrRequest {
  branch: string;
  base: string;
  title: string;
  body: string;
  labels: string[];
  reviewers: string[];
  assignees: string[];
  automerge: boolean;
}

export interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
}

export interface Platform {
  readonly kind: PlatformKind;
  /** False for plain git: branches are pushed, no PR is opened. */
  readonly supportsPullRequests: boolean;
  baseBranch(name: string | null): Promise<{ name: string; sha: string }>;
  /** Null when the branch does not exist. */
  getBranch(name: string, baseName: string): Promise<RemoteBranch | null>;
  /** Creates or force-moves `branch` to a new commit on `baseSha`. Returns the new commit sha. */
  commitFiles(req: CommitRequest): Promise<string>;
  deleteBranch(name: string): Promise<void>;
  /** Branches whose name starts with `prefix`; lets platforms without PRs (plain git) find stale branches. */
  listBranches?(prefix: string): Promise<string[]>;
  /**
   * A file's exact text at a commit of the base branch. When offered, edits start from the base commit rather than
   * the local checkout, so a stale checkout can never revert someone else's change (the edit is refused instead).
   */
  readFile?(sha: string, path: string): Promise<string>;
  /** The newest PR for that head branch in any state, or null. */
  findPr(branch: string): Promise<PullRequest | null>;
  /** Open PRs whose head branch starts with `prefix`. */
  listOpenPrs(prefix: string): Promise<PullRequest[]>;
  createPr(req: PrRequest): Promise<PullRequest>;
  updatePr(number: number, fields: { title: string; body: string }): Promise<void>;
  closePr(number: number, comment: string): Promise<void>;
  comment(number: number, body: string): Promise<void>;
  /** Dashboard support: find an open issue by exact title. */
  findIssue(title: string): Promise<Issue | null>;
  createIssue(title: string, body: string): Promise<Issue>;
  updateIssue(number: number, body: string): Promise<void>;
}
