import { PlatformError } from '../errors.js';
import type { Logger } from '../log.js';
import { enableAutomerge } from './gitlab/automerge.js';
import { hostOf } from './connection.js';
import { callGitLab, createGitLabClient, GITLAB_HOST, gitlabStatus, gitlabErrorText, toPlatformError, type GitLabClient, type GitLabTiming } from './gitlab/client.js';
import { MR_EXISTS, newestFirst, toCommitInfo, toIssue, toPullRequest, type GlCommit, type GlIssue, type GlMergeRequest } from './gitlab/map.js';
import type { CommitRequest, Issue, Platform, PrRequest, PullRequest, RemoteBranch } from './types.js';

export interface GitLabPlatformOptions {
  token: string;
  /** The token is GitLab CI's job token (`CI_JOB_TOKEN`): sent as `JOB-TOKEN`, not `PRIVATE-TOKEN`. */
  jobToken?: boolean;
  /** `group/project` (subgroups allowed: `group/sub/project`). */
  repo: string;
  /** Self-managed instance: `https://gitlab.example.com`; null for gitlab.com. */
  host?: string | null;
  logger: Logger;
  /** Retry waits; tests make them tiny. */
  timing?: GitLabTiming;
}

/**
 * GitLab through the REST API v4: commits through the commits API with `actions` (no clone), merge requests,
 * notes, and issues for the dashboard. Only caches for one run: the default branch, the token's user id,
 * user ids looked up by username, and which files exist at which commit.
 */
export class GitLabPlatform implements Platform {
  readonly kind = 'gitlab' as const;
  readonly supportsPullRequests = true;
  private defaultBranch: string | null = null;
  private userId: number | null | undefined;
  private readonly userIds = new Map<string, number | null>();
  private readonly seenFiles = new Set<string>();

  private constructor(
    private readonly api: GitLabClient,
    private readonly project: string,
    private readonly logger: Logger,
    private readonly timing: GitLabTiming | undefined,
    private readonly host: string,
  ) {}

  static async create(opts: GitLabPlatformOptions): Promise<GitLabPlatform> {
    if (!/^[^/\s]+(\/[^/\s]+)+$/.test(opts.repo)) {
      throw new PlatformError(`GitLab: project must be group/project, got "${opts.repo}"`, { platform: 'gitlab' });
    }
    return new GitLabPlatform(createGitLabClient(opts.token, opts.host, opts.jobToken ?? false), opts.repo, opts.logger, opts.timing, hostOf(opts.host ?? GITLAB_HOST));
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return callGitLab(what, fn, { logger: this.logger, timing: this.timing, host: this.host });
  }

  async baseBranch(name: string | null): Promise<{ name: string; sha: string }> {
    const branch = name ?? (await this.projectDefaultBranch());
    const sha = await this.branchSha(branch);
    if (sha === null) {
      throw new PlatformError(`GitLab: base branch "${branch}" not found in ${this.project}`, { platform: 'gitlab', status: 404 });
    }
    return { name: branch, sha };
  }

  async getBranch(name: string, baseName: string): Promise<RemoteBranch | null> {
    const sha = await this.branchSha(name);
    if (sha === null) return null;
    const ahead = await this.call(`compare ${baseName}...${name}`, () => this.api.Repositories.compare(this.project, baseName, name));
    // The reverse comparison lists base commits the branch lacks: none means it sits on the base head.
    const behind = await this.call(`compare ${name}...${baseName}`, () => this.api.Repositories.compare(this.project, name, baseName));
    const commits = newestFirst((ahead.commits ?? []) as unknown as GlCommit[], sha).map(toCommitInfo);
    return { name, sha, commits, upToDateWithBase: (behind.commits ?? []).length === 0 };
  }

  async commitFiles(req: CommitRequest): Promise<string> {
    if (this.defaultBranch !== null && req.branch === this.defaultBranch) {
      throw new PlatformError(`GitLab: refusing to commit to the default branch "${req.branch}"`, { platform: 'gitlab' });
    }
    const actions: { action: 'create' | 'update'; filePath: string; content: string }[] = [];
    for (const f of req.files) {
      const exists = await this.fileExists(f.path, req.baseSha);
      actions.push({ action: exists ? ('update' as const) : ('create' as const), filePath: f.path, content: f.content });
    }
    const commit = await this.call(`commit to ${req.branch}`, () =>
      this.api.Commits.create(this.project, req.branch, req.message, actions, {
        startSha: req.baseSha,
        force: true,
        authorName: req.author.name,
        authorEmail: req.author.email,
      }),
    );
    this.logger.debug('committed to GitLab branch', { branch: req.branch, sha: commit.id });
    return commit.id;
  }

  /** Files known at a commit; a commit's tree never changes, so what `readFile` saw spares a request here. */
  private async fileExists(path: string, sha: string): Promise<boolean> {
    if (this.seenFiles.has(`${sha}\0${path}`)) return true;
    return (await this.fileAt(sha, path)) !== null;
  }

  /** The file at a base commit, so edits never start from a stale checkout; a missing file is a 404 PlatformError. */
  async readFile(sha: string, path: string): Promise<string> {
    const text = await this.fileAt(sha, path);
    if (text === null) {
      throw new PlatformError(`GitLab: ${path} does not exist at ${sha} of ${this.project}`, { platform: 'gitlab', status: 404 });
    }
    return text;
  }

  /**
   * `GET /projects/:id/repository/files/:path?ref=sha`, null on 404. The JSON form carries base64, decoded here
   * byte for byte; the `/raw` form would come back through Gitbeaker as text, which drops a leading BOM.
   */
  private async fileAt(sha: string, path: string): Promise<string | null> {
    try {
      const file = await this.call(`read ${path} at ${sha}`, () => this.api.RepositoryFiles.show(this.project, path, sha));
      this.seenFiles.add(`${sha}\0${path}`);
      return Buffer.from((file as unknown as { content: string }).content, 'base64').toString('utf8');
    } catch (err) {
      if (err instanceof PlatformError && err.status === 404) return null;
      throw err;
    }
  }

  async deleteBranch(name: string): Promise<void> {
    try {
      await this.call(`delete branch ${name}`, () => this.api.Branches.remove(this.project, name));
    } catch (err) {
      if (err instanceof PlatformError && err.status === 404) return; // already gone
      throw err;
    }
  }

  async listBranches(prefix: string): Promise<string[]> {
    // `search` with a leading ^ matches names starting with the text; filter again in case the instance ignores it.
    const branches = await this.call(`list branches ${prefix}*`, () =>
      this.api.Branches.all(this.project, { search: `^${prefix}`, perPage: 100 }),
    );
    return (branches as unknown as { name: string }[]).map((b) => b.name).filter((name) => name.startsWith(prefix));
  }

  async findPr(branch: string): Promise<PullRequest | null> {
    const mrs = await this.call(`find MR for ${branch}`, () =>
      this.api.MergeRequests.all({ projectId: this.project, sourceBranch: branch, orderBy: 'created_at', sort: 'desc', perPage: 100, maxPages: 1 }),
    );
    // The list holds MRs from forks too: anyone may open one from a branch of this name, closed and with a copied marker.
    const newest = (mrs as unknown as GlMergeRequest[]).find(fromThisProject);
    return newest ? toPullRequest(newest) : null;
  }

  async listOpenPrs(prefix: string): Promise<PullRequest[]> {
    const mrs = await this.call('list open MRs', () =>
      this.api.MergeRequests.all({ projectId: this.project, state: 'opened', perPage: 100 }),
    );
    return (mrs as unknown as GlMergeRequest[])
      .filter((mr) => mr.source_branch.startsWith(prefix) && fromThisProject(mr))
      .map(toPullRequest);
  }

  async createPr(req: PrRequest): Promise<PullRequest> {
    const reviewerIds = await this.resolveUsers(req.reviewers, 'reviewer');
    const assigneeIds = await this.resolveUsers(req.assignees, 'assignee');
    const pr = await this.openOrReuse(req, { reviewerIds, assigneeIds });
    if (!req.automerge) return pr;
    const ctx = { api: this.api, project: this.project, logger: this.logger, timing: this.timing, call: <T>(w: string, fn: () => Promise<T>) => this.call(w, fn) };
    const problem = await enableAutomerge(ctx, pr.number);
    return problem ? { ...pr, automergeProblem: problem } : pr;
  }

  private async openOrReuse(req: PrRequest, people: { reviewerIds: number[]; assigneeIds: number[] }): Promise<PullRequest> {
    try {
      const mr = await this.call(`open MR for ${req.branch}`, () =>
        this.api.MergeRequests.create(this.project, req.branch, req.base, req.title, {
          description: req.body,
          removeSourceBranch: true,
          ...(req.labels.length > 0 ? { labels: req.labels.join(',') } : {}),
          ...(people.reviewerIds.length > 0 ? { reviewerIds: people.reviewerIds } : {}),
          ...(people.assigneeIds.length > 0 ? { assigneeIds: people.assigneeIds } : {}),
        }),
      );
      this.logger.info('opened merge request', { number: mr.iid, branch: req.branch });
      return toPullRequest(mr as unknown as GlMergeRequest);
    } catch (err) {
      if (!(err instanceof PlatformError) || err.status !== 409 || !MR_EXISTS.test(err.message)) throw err;
    }
    const existing = await this.findPr(req.branch);
    if (existing === null || existing.state !== 'open') {
      throw new PlatformError(`GitLab: an MR for ${req.branch} exists but could not be found`, { platform: 'gitlab', status: 409 });
    }
    this.logger.info('reusing existing merge request', { number: existing.number, branch: req.branch });
    await this.updatePr(existing.number, { title: req.title, body: req.body });
    return { ...existing, title: req.title, body: req.body };
  }

  /** Usernames → ids; an unknown user is skipped with a warning rather than failing the MR. */
  private async resolveUsers(usernames: string[], role: string): Promise<number[]> {
    const ids: number[] = [];
    for (const raw of usernames) {
      const username = raw.replace(/^@/, '');
      if (!this.userIds.has(username)) {
        const found = await this.lookupUser(username);
        this.userIds.set(username, found);
      }
      const id = this.userIds.get(username);
      if (id !== null && id !== undefined) ids.push(id);
      else this.logger.warn(`skipping unknown ${role}`, { username });
    }
    return ids;
  }

  private async lookupUser(username: string): Promise<number | null> {
    try {
      const users = (await this.call(`look up user ${username}`, () => this.api.Users.all({ username }))) as unknown as { id: number }[];
      return users[0]?.id ?? null;
    } catch (err) {
      this.logger.warn('could not look up user', { username, error: toPlatformError('look up user', err).message });
      return null;
    }
  }

  async updatePr(number: number, fields: { title: string; body: string }): Promise<void> {
    await this.call(`update MR !${number}`, () =>
      this.api.MergeRequests.edit(this.project, number, { title: fields.title, description: fields.body }),
    );
  }

  async closePr(number: number, comment: string): Promise<void> {
    await this.comment(number, comment);
    await this.call(`close MR !${number}`, () => this.api.MergeRequests.edit(this.project, number, { stateEvent: 'close' }));
  }

  async comment(number: number, body: string): Promise<void> {
    await this.call(`comment on !${number}`, () => this.api.MergeRequestNotes.create(this.project, number, body));
  }

  async findIssue(title: string): Promise<Issue | null> {
    const authorId = await this.tokenUserId();
    const issues = await this.call('list issues', () =>
      this.api.Issues.all({
        projectId: this.project,
        state: 'opened',
        search: title,
        in: 'title',
        perPage: 100,
        ...(authorId !== null ? { authorId } : {}),
      }),
    );
    const found = (issues as unknown as GlIssue[]).filter((i) => i.title === title).sort((a, b) => a.iid - b.iid);
    return found[0] ? toIssue(found[0]) : null;
  }

  async createIssue(title: string, body: string): Promise<Issue> {
    const issue = await this.call('create issue', () => this.api.Issues.create(this.project, title, { description: body }));
    return toIssue(issue as unknown as GlIssue);
  }

  async updateIssue(number: number, body: string): Promise<void> {
    await this.call(`update issue #${number}`, () => this.api.Issues.edit(this.project, number, { description: body }));
  }

  private async projectDefaultBranch(): Promise<string> {
    if (this.defaultBranch !== null) return this.defaultBranch;
    const project = await this.call(`read project ${this.project}`, () => this.api.Projects.show(this.project));
    const branch = (project as unknown as { default_branch?: string | null }).default_branch;
    if (!branch) throw new PlatformError(`GitLab: project ${this.project} has no default branch (empty repository?)`, { platform: 'gitlab' });
    this.defaultBranch = branch;
    return branch;
  }

  private async branchSha(name: string): Promise<string | null> {
    try {
      const branch = await this.call(`read branch ${name}`, () => this.api.Branches.show(this.project, name));
      return (branch as unknown as { commit: { id: string } }).commit.id;
    } catch (err) {
      if (err instanceof PlatformError && err.status === 404) return null;
      throw err;
    }
  }

  /** The token's own user, to find only issues Tidemark wrote; null when GitLab will not say (job tokens). */
  private async tokenUserId(): Promise<number | null> {
    if (this.userId !== undefined) return this.userId;
    try {
      this.userId = (await this.api.Users.showCurrentUser()).id;
    } catch (err) {
      this.logger.debug('token has no user; matching issues by title alone', { status: gitlabStatus(err), detail: gitlabErrorText(err) });
      this.userId = null;
    }
    return this.userId;
  }
}

/** An MR whose source branch is in this project, not in a fork. */
function fromThisProject(mr: GlMergeRequest): boolean {
  return mr.source_project_id === undefined || mr.source_project_id === mr.project_id;
}
