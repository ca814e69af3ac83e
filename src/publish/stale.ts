import { markdownText } from '../escape.js';
import type { BranchPlan, Plan } from '../plan/types.js';
import type { BranchContent } from './branch-content.js';
import { blockedMarker, parseBlocked, parseFilesTrailer, parseMarker, parseTrailer } from './identity.js';
import { fail, record, skip, type Session } from './session.js';
import type { CommitInfo, PullRequest, RemoteBranch } from './types.js';

/**
 * The author email of Tidemark's commits before 0.1 chose `DEFAULT_AUTHOR`: branches it pushed then are still its own,
 * as long as their commits carry its trailer.
 */
export const PREVIOUS_DEFAULT_EMAIL = 'tidemark@users.noreply.github.com';

/**
 * A commit Tidemark made: by its author email (the configured one, or the previous default) and carrying its
 * `Tidemark-Update` trailer. The email alone is not enough: other workflows commit as `github-actions[bot]` too, and
 * a repository's `author.email` may be a person's, so a commit without the trailer is never taken for ours.
 */
export function isOwnCommit(c: CommitInfo, email: string): boolean {
  const by = c.authorEmail.toLowerCase();
  return (by === email.toLowerCase() || by === PREVIOUS_DEFAULT_EMAIL) && parseTrailer(c.message) !== null;
}

/** Commits on the branch that are not Tidemark's (isOwnCommit): someone else took the branch over. */
export function foreignCommits(remote: RemoteBranch, email: string): CommitInfo[] {
  return remote.commits.filter((c) => !isOwnCommit(c, email));
}

/**
 * Never rewrites a branch someone else committed to. When Tidemark would have changed it, the PR gets one comment
 * per new content (remembered as a hidden marker in the PR body, so re-runs stay quiet).
 */
export async function leaveForeignBranch(s: Session, branch: BranchPlan, remote: RemoteBranch, pr: PullRequest | null, content: BranchContent): Promise<void> {
  const name = branch.branchName;
  const ours = remote.commits.find((c) => parseTrailer(c.message) !== null);
  const wouldChange = !ours || parseTrailer(ours.message) !== content.key;
  const detail = 'branch has commits by someone else; not rewritten';
  s.ctx.logger.warn('leaving a branch with foreign commits alone', { branch: name, commits: foreignCommits(remote, s.ctx.config.author.email).map((c) => c.sha) });
  if (!pr || !wouldChange || parseBlocked(pr.body) === content.key) return skip(s, name, pr, detail);
  const authors = [...new Set(foreignCommits(remote, s.ctx.config.author.email).map((c) => c.authorName))].join(', ');
  await s.platform.comment(
    pr.number,
    `Tidemark has a newer change for this branch (${markdownText(branch.title)}), but the branch has commits by ${markdownText(authors)}, ` +
      'so Tidemark will not rewrite it. Remove those commits, or close this PR and delete the branch, to let Tidemark update it again.',
  );
  const body = pr.body.replace(/\n?<!-- tidemark:blocked [0-9a-f]+ -->/g, '') + `\n${blockedMarker(content.key)}\n`;
  await s.platform.updatePr(pr.number, { title: pr.title, body });
  skip(s, name, pr, `${detail}; commented`);
}

/**
 * Closes Tidemark PRs (and deletes plain-git branches) the plan no longer wants. Only ones carrying Tidemark's
 * marker, only branches without foreign commits are deleted, and nothing is closed when the plan is incomplete
 * (a failed lookup is not a reason to close a PR). A PR whose branch someone committed to stays open: closing it
 * would throw away their work's review; it gets one comment instead. One failure does not stop the others.
 *
 * On GitHub and GitLab `branches` are the prefix's branches: one the plan does not want that never had a PR (a run
 * pushed it, then failed to open the PR) is pruned when it holds only Tidemark's commits. A branch with a PR in any
 * state is kept: a closed PR is what keeps its update skipped and can be reopened only with its branch, and a
 * merged PR's branch is left as the user (or the platform's auto-delete) chose.
 */
export async function closeStale(s: Session, plan: Plan, openPrs: PullRequest[], branches: string[]): Promise<void> {
  if (plan.partialFailure) {
    s.ctx.logger.warn('the plan is incomplete; not closing any PR this run');
    return;
  }
  const wanted = new Set(plan.branches.map((b) => b.branchName));
  // A file that failed to parse this run hides its dependencies: that is not a reason to call their PRs stale.
  const unreadable = new Set(plan.problems.map((p) => p.file));
  for (const pr of openPrs) {
    const marker = parseMarker(pr.body);
    if (wanted.has(pr.branch) || !marker) continue;
    const hidden = marker.files?.find((f) => unreadable.has(f));
    if (hidden) {
      skip(s, pr.branch, pr, `not closed: ${hidden} could not be read this run`);
      continue;
    }
    await attempt(s, `closing PR #${pr.number}`, () => closeOne(s, pr));
  }
  const withOpenPr = new Set(openPrs.map((pr) => pr.branch));
  for (const name of branches) {
    if (wanted.has(name) || withOpenPr.has(name)) continue;
    await attempt(s, `deleting branch ${name}`, async () => {
      if (s.platform.supportsPullRequests) return pruneOrphan(s, name, unreadable);
      if (await deleteIfOurs(s, name, unreadable)) {
        s.limits.closed();
        record(s, 'closed', name, null, 'no longer needed; branch deleted');
      }
    });
  }
}

/** A branch without any PR, open, closed or merged, and with only Tidemark's commits: deleted. */
async function pruneOrphan(s: Session, name: string, unreadable: ReadonlySet<string>): Promise<void> {
  if ((await s.platform.findPr(name)) !== null) return;
  if (await deleteIfOurs(s, name, unreadable)) record(s, 'closed', name, null, 'no PR and no longer needed; branch deleted');
}

async function attempt(s: Session, what: string, step: () => Promise<void>): Promise<void> {
  // Past the repository's deadline: no more closing or deleting (thrown past the catch below, ending the clean-up).
  s.ctx.signal?.throwIfAborted();
  try {
    await step();
  } catch (err) {
    fail(s, what, null, err);
  }
}

async function closeOne(s: Session, pr: PullRequest): Promise<void> {
  const remote = await s.platform.getBranch(pr.branch, s.base.name);
  if (remote && foreignCommits(remote, s.ctx.config.author.email).length > 0) {
    const detail = 'no longer needed, but the branch has commits by someone else; left open';
    if (!ABANDONED.test(pr.body)) {
      await s.platform.comment(
        pr.number,
        'Tidemark no longer needs this update (the dependency is current, removed, or no longer matches the rules), ' +
          'but this branch has commits by someone else, so Tidemark leaves the PR open. Close it when you are done with it.',
      );
      await s.platform.updatePr(pr.number, { title: pr.title, body: `${pr.body}\n${ABANDONED_MARKER}\n` });
    }
    return skip(s, pr.branch, pr, detail);
  }
  await s.platform.closePr(pr.number, 'Tidemark closed this PR: the update is no longer needed (the dependency is current, removed, or no longer matches the rules).');
  const deleted = await deleteIfOurs(s, pr.branch, new Set(), remote);
  s.limits.closed();
  record(s, 'closed', pr.branch, pr, deleted ? 'no longer needed; PR closed and branch deleted' : 'no longer needed; PR closed');
}

const ABANDONED_MARKER = '<!-- tidemark:abandoned -->';
const ABANDONED = /<!-- tidemark:abandoned -->/;

/**
 * Deletes a branch holding only Tidemark commits (each with its trailer); keeps anything else, and keeps a branch
 * that edits a file which could not be read this run.
 */
async function deleteIfOurs(
  s: Session,
  name: string,
  unreadable: ReadonlySet<string> = new Set(),
  known?: RemoteBranch | null,
): Promise<boolean> {
  // `known`: the caller already fetched the branch this run (undefined: not fetched yet).
  const remote = known === undefined ? await s.platform.getBranch(name, s.base.name) : known;
  if (!remote || remote.commits.length === 0) return false;
  const hidden = remote.commits.flatMap((c) => parseFilesTrailer(c.message)).find((f) => unreadable.has(f));
  if (hidden) {
    skip(s, name, null, `not deleted: ${hidden} could not be read this run`);
    return false;
  }
  const ours = foreignCommits(remote, s.ctx.config.author.email).length === 0 && remote.commits.every((c) => parseTrailer(c.message) !== null);
  if (!ours) return false;
  await s.platform.deleteBranch(name);
  return true;
}
