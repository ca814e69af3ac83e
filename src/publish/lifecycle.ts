import { terminalText } from '../escape.js';
import type { BranchPlan, Plan, Update } from '../plan/types.js';
import { buildBranch, type BranchContent } from './branch-content.js';
import { unifiedDiff } from './diff.js';
import { changesOf, identityOf, parseMarker, parseTrailer, sameIdentity } from './identity.js';
import { HOUR_MS, PrLimits } from './limits.js';
import { BODY_LIMITS, commitMessage, prBody, prTitle } from './pr-body.js';
import type { BranchNotes } from '../review/types.js';
import { fail, holdBack, record, skip, type PublishContext, type PublishSummary, type Session } from './session.js';
import { closeStale, foreignCommits, leaveForeignBranch } from './stale.js';
import type { Platform, PullRequest, RemoteBranch } from './types.js';

export type { PublishContext, PublishSummary } from './session.js';

/**
 * Brings the repository's branches and PRs in line with the plan. Safe to re-run: a branch whose content on
 * today's base is already right is left alone, a PR the user closed stays closed, a branch with someone else's
 * commit is never rewritten, and Tidemark never pushes to the base branch.
 */
export async function publish(platform: Platform, plan: Plan, ctx: PublishContext): Promise<PublishSummary> {
  if (ctx.dryRun) return publishDryRun(plan, ctx);
  const summary: PublishSummary = { opened: [], updated: [], closed: [], skipped: [], problems: [], partialFailure: false };
  const base = await platform.baseBranch(ctx.config.baseBranch);
  const prefix = ctx.config.branchPrefix;
  const openPrs = platform.supportsPullRequests ? await platform.listOpenPrs(prefix) : [];
  const listed = await listOwnBranches(platform, prefix, ctx);
  // With an empty prefix every branch is listed: the base is never a candidate for clean-up or a slot.
  const branches = listed.filter((name) => name !== base.name);
  const existing = platform.supportsPullRequests ? { openCount: openPrs.length, openPrs } : await countUnmerged(platform, branches, base.name);
  const session: Session = { platform, ctx, base, limits: new PrLimits(ctx.config, existing), summary, defaultBranch: await defaultBranchOf(platform, ctx, base.name) };
  ctx.signal?.throwIfAborted();
  await guarded(session, 'closing stale PRs', null, () => closeStale(session, plan, openPrs, branches));
  for (const branch of plan.branches) {
    ctx.signal?.throwIfAborted();
    await guarded(session, branch.branchName, branch.branchName, () => publishBranch(session, branch));
  }
  return summary;
}

/**
 * Branches under the prefix: on plain git the open proposals, on GitHub and GitLab the candidates for pruning a
 * branch left without any PR. There, with an empty prefix (every branch of the repository), none are listed, and a
 * listing that fails only skips the pruning.
 */
async function listOwnBranches(platform: Platform, prefix: string, ctx: PublishContext): Promise<string[]> {
  if (!platform.listBranches) return [];
  if (!platform.supportsPullRequests) return platform.listBranches(prefix);
  if (prefix === '') return [];
  try {
    return await platform.listBranches(prefix);
  } catch (err) {
    ctx.logger.warn('could not list branches; not pruning branches without a PR this run', { error: err instanceof Error ? err.message : String(err) });
    return [];
  }
}

/**
 * With `baseBranch: develop` the repository's default branch is not the base, yet must never be pushed to either
 * (a group or prefix-less branch named `main`). Null when the platform cannot tell; the base is guarded anyway.
 */
async function defaultBranchOf(platform: Platform, ctx: PublishContext, baseName: string): Promise<string | null> {
  if (ctx.config.baseBranch === null) return baseName;
  try {
    return (await platform.baseBranch(null)).name;
  } catch (err) {
    ctx.logger.debug('could not tell the default branch', { error: err instanceof Error ? err.message : String(err) });
    return null;
  }
}

/**
 * Plain git has no PR state: a branch the user merged (nothing on it that the base lacks) stays on the remote
 * but is no longer an open proposal, so it does not hold a `prConcurrentLimit` slot; nor does someone else's
 * branch that merely matches the prefix (every branch, when the prefix is empty). An open one whose Tidemark commit
 * was made in the last hour counts toward `prHourlyLimit`, so runs a minute apart do not each open their share.
 */
async function countUnmerged(platform: Platform, branches: readonly string[], baseName: string): Promise<{ openCount: number; openPrs: []; createdLastHour: number }> {
  let openCount = 0;
  let createdLastHour = 0;
  const now = Date.now();
  for (const name of branches) {
    const remote = await platform.getBranch(name, baseName);
    const own = remote?.commits.filter((c) => parseTrailer(c.message) !== null) ?? [];
    if (own.length === 0) continue;
    openCount++;
    if (own.some((c) => c.committedAt && now - Date.parse(c.committedAt) < HOUR_MS)) createdLastHour++;
  }
  return { openCount, openPrs: [], createdLastHour };
}

/** One failing branch (or the clean-up) is a problem and a partial failure; the rest of the run goes on. */
async function guarded(session: Session, what: string, branch: string | null, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    fail(session, what, branch, err);
  }
}

async function publishBranch(s: Session, branch: BranchPlan): Promise<void> {
  const { platform, ctx, summary } = s;
  const name = branch.branchName;
  if (name === s.base.name) throw new Error(`the branch name is the base branch ${s.base.name}; refusing to push`);
  if (name === s.defaultBranch) throw new Error(`the branch name is the default branch ${name}; refusing to push`);
  const content = await buildBranch(branch, baseReader(s));
  for (const p of content.problems) summary.problems.push(p);
  if (content.files.length === 0) return skip(s, name, null, 'no file could be edited');
  const identity = identityOf(name, content.applied);
  const pr = platform.supportsPullRequests ? await platform.findPr(name) : null;
  if (pr && pr.state !== 'open' && sameIdentity(parseMarker(pr.body), identity)) {
    return skip(s, name, pr, pr.state === 'merged' ? 'already merged' : 'PR closed by the user; not reopened');
  }
  const openPr = pr?.state === 'open' ? pr : null;
  const remote = await platform.getBranch(name, s.base.name);
  if (remote && foreignCommits(remote, ctx.config.author.email).length > 0) {
    return leaveForeignBranch(s, branch, remote, openPr, content);
  }
  const needsNewPr = platform.supportsPullRequests ? openPr === null : remote === null;
  const held = needsNewPr ? s.limits.blocked() : null;
  if (held) return holdBack(s, name, held);
  const pushed = remote !== null && isCurrent(remote, content, branch) ? false : await push(s, branch, content);
  if (!platform.supportsPullRequests) {
    if (remote === null) return record(s, 'opened', name, null, 'branch pushed', () => s.limits.opened());
    return pushed ? record(s, 'updated', name, null, 'branch regenerated') : skip(s, name, null, 'up to date');
  }
  await syncPr(s, branch, content, openPr, pushed);
}

/** Files as they are on the base commit we build on; the local checkout when the platform cannot tell. */
function baseReader(s: Session): (path: string) => Promise<string> {
  const read = s.platform.readFile?.bind(s.platform);
  return read ? (path) => read(s.base.sha, path) : s.ctx.readFile;
}

/** Our single commit, made from the same base files with the same result, and (for automerge) on today's base. */
function isCurrent(remote: RemoteBranch, content: BranchContent, branch: BranchPlan): boolean {
  const [head] = remote.commits;
  if (remote.commits.length !== 1 || !head || parseTrailer(head.message) !== content.key) return false;
  return remote.upToDateWithBase || !automerge(branch.updates);
}

async function push(s: Session, branch: BranchPlan, content: BranchContent): Promise<boolean> {
  const { config } = s.ctx;
  s.ctx.signal?.throwIfAborted();
  await s.platform.commitFiles({
    branch: branch.branchName,
    baseSha: s.base.sha,
    message: commitMessage(branch, content.applied, config, content.key),
    files: changesOf(content.files),
    author: config.author,
  });
  return true;
}

async function syncPr(s: Session, branch: BranchPlan, content: BranchContent, openPr: PullRequest | null, pushed: boolean): Promise<void> {
  const name = branch.branchName;
  const title = prTitle(branch, s.ctx.config);
  const notes = await notesOf(s.ctx, content.applied);
  const fresh = prBody(branch, content.applied, { notes, limit: s.platform.kind === 'gitlab' ? BODY_LIMITS.gitlab : BODY_LIMITS.github });
  // Notes that could not be read this time (a rate limit) are no reason to take the ones read before out of a PR.
  const body = openPr && !pushed && incomplete(notes) ? openPr.body : fresh;
  s.ctx.signal?.throwIfAborted();
  if (openPr) {
    const stale = openPr.title !== title || normalized(openPr.body) !== normalized(body);
    if (stale) await s.platform.updatePr(openPr.number, { title, body });
    if (!pushed && !stale) return skip(s, name, openPr, 'up to date');
    return record(s, 'updated', name, openPr, pushed ? 'branch regenerated' : 'PR description refreshed');
  }
  const apply = content.applied;
  const created = await s.platform.createPr({
    branch: name,
    base: s.base.name,
    title,
    body,
    labels: union(apply.map((u) => u.labels)),
    reviewers: union(apply.map((u) => u.reviewers)),
    assignees: union(apply.map((u) => u.assignees)),
    automerge: automerge(apply),
  });
  record(s, 'opened', name, created, 'PR opened', () => s.limits.opened());
  // Not a failure of the run (the PR is open), but a rule that cannot do what it says: listed with the problems.
  if (created.automergeProblem) s.summary.problems.push({ file: '', line: 0, message: `${name}: automerge not enabled: ${created.automergeProblem}` });
}

/** Release notes never block a PR: a provider that fails gives none. */
async function notesOf(ctx: PublishContext, applied: readonly Update[]): Promise<BranchNotes> {
  if (!ctx.releaseNotes) return new Map();
  try {
    return await ctx.releaseNotes(applied);
  } catch (err) {
    ctx.logger.warn('release notes skipped', { error: err instanceof Error ? err.message : String(err) });
    return new Map();
  }
}

function incomplete(notes: BranchNotes): boolean {
  return [...notes.values()].some((o) => 'failed' in o);
}

/** Hosts may hand a body back with CRLF or trimmed; that alone is no reason to edit the PR on every run. */
function normalized(text: string): string {
  return text.replace(/\r\n/g, '\n').trim();
}

function automerge(updates: readonly Update[]): boolean {
  return updates.length > 0 && updates.every((u) => u.automerge);
}

function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}

/**
 * Prints each branch's PR title and body (Markdown), then its unified diff; reads the checkout (and release notes)
 * and pushes nothing, so it needs no platform. Every branch with an edit is listed in `wouldOpen`; with no platform
 * read, one whose PR is already open counts there too.
 */
export async function publishDryRun(plan: Plan, ctx: PublishContext): Promise<PublishSummary> {
  const summary: PublishSummary = { opened: [], updated: [], closed: [], skipped: [], wouldOpen: [], problems: [], partialFailure: false };
  for (const branch of plan.branches) {
    const content = await buildBranch(branch, ctx.readFile);
    for (const p of content.problems) summary.problems.push(p);
    if (content.files.length === 0) {
      summary.skipped.push({ branch: branch.branchName, pr: null, detail: 'no file could be edited' });
      continue;
    }
    const diffs = content.files.map((f) => unifiedDiff(f.path, f.before, f.after)).join('');
    const body = prBody(branch, content.applied, { notes: await notesOf(ctx, content.applied), ...(ctx.bodyLimit && { limit: ctx.bodyLimit }) });
    // Repository text on the operator's terminal: escape sequences shown, not run.
    ctx.print(terminalText(`# ${branch.branchName}: ${prTitle(branch, ctx.config)}\n\n${body}\n${diffs}`));
    summary.wouldOpen?.push({ branch: branch.branchName, pr: null, detail: 'dry run: nothing pushed' });
  }
  noteLimits(summary.wouldOpen?.length ?? 0, ctx);
  return summary;
}

/**
 * A dry run reads no platform, so it cannot tell which of its branches a real run would hold back; when it would
 * open more than a limit lets through, it says so rather than promise them all.
 */
function noteLimits(wouldOpen: number, ctx: PublishContext): void {
  const { prHourlyLimit: hourly, prConcurrentLimit: concurrent } = ctx.config;
  const over = [...(hourly > 0 && wouldOpen > hourly ? [`at most ${hourly} new an hour (prHourlyLimit)`] : []), ...(concurrent > 0 && wouldOpen > concurrent ? [`at most ${concurrent} open at once (prConcurrentLimit)`] : [])];
  if (over.length > 0) ctx.logger.info(`a real run opens ${over.join(' and ')}; the rest wait for later runs`, { wouldOpen, prHourlyLimit: hourly, prConcurrentLimit: concurrent });
}
