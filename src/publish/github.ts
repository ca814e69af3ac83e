import { PlatformError } from '../errors.js';
import type { Logger } from '../log.js';
import { createGitHubClient, gh, githubErrorText, githubStatus, toPlatformError, type GitHubClient, type GitHubTiming } from './github/client.js';
import { readContent } from './github/contents.js';
import { BranchRefs } from './github/refs.js';
import { isRegularFile, modesOf, notAFile } from './github/tree.js';
import { addPrExtras, mergeMethodOf } from './github/extras.js';
import { PR_EXISTS, toCommitInfo, toIssue, toPullRequest, type GhIssue } from './github/map.js';
import type { CommitRequest, Issue, Platform, PrRequest, PullRequest, RemoteBranch } from './types.js';

const AUTOMERGE_DISALLOWED =
  'the repository does not allow auto-merge (Settings → General → Pull Requests → "Allow auto-merge"); the PR waits for a manual merge';

/** The fields of `GET /repos/{o}/{r}` Tidemark reads; the `allow_*` ones only come with push access. */
interface RepoInfo {
  default_branch: string;
  allow_merge_commit?: boolean;
  allow_squash_merge?: boolean;
  allow_rebase_merge?: boolean;
  allow_auto_merge?: boolean;
}

export interface GitHubPlatformOptions {
  token: string;
  /** `owner/name`. */
  repo: string;
  /** GitHub Enterprise: `https://ghe.example.com/api/v3`; null for api.github.com. */
  baseUrl?: string | null;
  logger: Logger;
  fetch?: typeof fetch;
  /** Retry and throttle waits; tests make them tiny. */
  timing?: GitHubTiming;
}

/**
 * GitHub through the REST API: commits go through the Git Data API (no clone), PRs through pulls/issues,
 * automerge through GraphQL. Only caches for one run: the repository's settings and the token's login.
 */
export class GitHubPlatform implements Platform {
  readonly kind = 'github' as const;
  readonly supportsPullRequests = true;
  private defaultBranch: string | null = null;
  private repoInfo: RepoInfo | null = null;
  private login: string | null | undefined;
  private readonly refs: BranchRefs;

  private constructor(
    private readonly octokit: GitHubClient,
    private readonly owner: string,
    private readonly name: string,
    private readonly logger: Logger,
  ) {
    this.refs = new BranchRefs(octokit, { owner, repo: name });
  }

  static async create(opts: GitHubPlatformOptions): Promise<GitHubPlatform> {
    const match = /^(?<owner>[^/\s]+)\/(?<name>[^/\s]+)$/.exec(opts.repo);
    if (!match?.groups) {
      throw new PlatformError(`GitHub: repository must be owner/name, got "${opts.repo}"`, { platform: 'github' });
    }
    const octokit = createGitHubClient(opts);
    return new GitHubPlatform(octokit, match.groups.owner!, match.groups.name!, opts.logger);
  }

  private get repoArgs(): { owner: string; repo: string } {
    return { owner: this.owner, repo: this.name };
  }

  async baseBranch(name: string | null): Promise<{ name: string; sha: string }> {
    const branch = name ?? (await this.repoDefaultBranch());
    const ref = await this.refs.sha(branch);
    if (ref === null) {
      throw new PlatformError(`GitHub: base branch "${branch}" not found in ${this.owner}/${this.name}`, {
        platform: 'github',
        status: 404,
      });
    }
    return { name: branch, sha: ref };
  }

  async getBranch(name: string, baseName: string): Promise<RemoteBranch | null> {
    const sha = await this.refs.sha(name);
    if (sha === null) return null;
    const { data } = await gh(`compare ${baseName}...${name}`, () =>
      this.octokit.rest.repos.compareCommitsWithBasehead({ ...this.repoArgs, basehead: `${baseName}...${name}` }),
    );
    const commits = data.commits.map(toCommitInfo).reverse();
    return { name, sha, commits, upToDateWithBase: data.behind_by === 0 };
  }

  async commitFiles(req: CommitRequest): Promise<string> {
    if (this.defaultBranch !== null && req.branch === this.defaultBranch) {
      throw new PlatformError(`GitHub: refusing to commit to the default branch "${req.branch}"`, { platform: 'github' });
    }
    const base = await gh(`read commit ${req.baseSha}`, () =>
      this.octokit.rest.git.getCommit({ ...this.repoArgs, commit_sha: req.baseSha }),
    );
    const entries = await this.treeEntries(req, base.data.tree.sha);
    const tree = await gh('create tree', () =>
      this.octokit.rest.git.createTree({ ...this.repoArgs, base_tree: base.data.tree.sha, tree: entries }),
    );
    const commit = await gh('create commit', () =>
      this.octokit.rest.git.createCommit({
        ...this.repoArgs,
        message: req.message,
        tree: tree.data.sha,
        parents: [req.baseSha],
        author: { name: req.author.name, email: req.author.email },
      }),
    );
    await this.refs.move(req.branch, commit.data.sha);
    this.logger.debug('committed to GitHub branch', { branch: req.branch, sha: commit.data.sha });
    return commit.data.sha;
  }

  /**
   * The commit's tree entries, each with its file's mode on the base (`100755` stays executable). A path that is a
   * symlink there (a scan that followed it inside the repository edits its target under the target's own path too)
   * is left as it is, with a warning; a commit with nothing else to write is refused.
   */
  private async treeEntries(req: CommitRequest, baseTree: string) {
    const modes = await modesOf(this.octokit, this.repoArgs, baseTree, req.files.map((f) => f.path));
    const entries: { path: string; mode: '100644' | '100755'; type: 'blob'; content: string }[] = [];
    for (const f of req.files) {
      const mode = modes.get(f.path) ?? '100644';
      if (isRegularFile(mode)) entries.push({ path: f.path, mode, type: 'blob', content: f.content });
      else this.logger.warn('not writing a path that is not a regular file in the repository', { branch: req.branch, path: f.path, mode });
    }
    const first = req.files[0];
    if (entries.length === 0 && first) throw notAFile(first.path, modes.get(first.path) ?? '100644');
    return entries;
  }

  async deleteBranch(name: string): Promise<void> {
    await this.refs.remove(name);
  }

  async listBranches(prefix: string): Promise<string[]> {
    return this.refs.list(prefix);
  }

  /** The file at a base commit, so edits never start from a stale checkout; a missing file is a 404 PlatformError. */
  async readFile(sha: string, path: string): Promise<string> {
    const text = await readContent(this.octokit, this.repoArgs, sha, path);
    if (text === null) {
      throw new PlatformError(`GitHub: ${path} does not exist at ${sha} of ${this.owner}/${this.name}`, { platform: 'github', status: 404 });
    }
    return text;
  }

  async findPr(branch: string): Promise<PullRequest | null> {
    const { data } = await gh(`find PR for ${branch}`, () =>
      this.octokit.rest.pulls.list({
        ...this.repoArgs,
        head: `${this.owner}:${branch}`,
        state: 'all',
        sort: 'created',
        direction: 'desc',
        per_page: 10,
      }),
    );
    const newest = data[0];
    return newest ? toPullRequest(newest) : null;
  }

  async listOpenPrs(prefix: string): Promise<PullRequest[]> {
    const pulls = await gh('list open PRs', () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, { ...this.repoArgs, state: 'open', per_page: 100 }),
    );
    const ours = `${this.owner}/${this.name}`.toLowerCase();
    return pulls
      // A fork's PR, also once the fork is deleted (`head.repo: null`): anyone can open those with any branch name.
      .filter((p) => p.head.ref.startsWith(prefix) && p.head.repo?.full_name.toLowerCase() === ours)
      .map(toPullRequest);
  }

  /**
   * Opens the PR and sets its extras. Auto-merge is asked for only when the repository allows it (`allow_auto_merge`
   * in `GET /repos/{o}/{r}`, present for tokens with push access); otherwise the PR says why it will not merge itself.
   */
  async createPr(req: PrRequest): Promise<PullRequest> {
    const created = await this.openOrReuse(req);
    const settings = req.automerge ? await this.settings() : null;
    const disallowed = settings?.allow_auto_merge === false;
    const mergeMethod = settings ? mergeMethodOf(settings) : null;
    const extras = { ...this.repoArgs, number: created.number, nodeId: created.nodeId, mergeMethod };
    const failed = await addPrExtras(this.octokit, this.logger, extras, { ...req, automerge: req.automerge && !disallowed });
    if (disallowed) {
      this.logger.warn('automerge asked for, but the repository does not allow auto-merge', { pr: created.number });
      return { ...created.pr, automergeProblem: AUTOMERGE_DISALLOWED };
    }
    return failed ? { ...created.pr, automergeProblem: failed } : created.pr;
  }

  private async openOrReuse(req: PrRequest): Promise<{ pr: PullRequest; number: number; nodeId: string | null }> {
    try {
      const { data } = await this.octokit.rest.pulls.create({
        ...this.repoArgs,
        head: req.branch,
        base: req.base,
        title: req.title,
        body: req.body,
      });
      this.logger.info('opened pull request', { number: data.number, branch: req.branch });
      return { pr: toPullRequest(data), number: data.number, nodeId: data.node_id };
    } catch (err) {
      if (githubStatus(err) !== 422 || !PR_EXISTS.test(githubErrorText(err))) throw toPlatformError(`open PR for ${req.branch}`, err);
    }
    const existing = await this.findPr(req.branch);
    if (existing === null || existing.state !== 'open') {
      throw new PlatformError(`GitHub: a PR for ${req.branch} exists but could not be found`, {
        platform: 'github',
        status: 422,
      });
    }
    this.logger.info('reusing existing pull request', { number: existing.number, branch: req.branch });
    await this.updatePr(existing.number, { title: req.title, body: req.body });
    return { pr: { ...existing, title: req.title, body: req.body }, number: existing.number, nodeId: null };
  }

  async updatePr(number: number, fields: { title: string; body: string }): Promise<void> {
    await gh(`update PR #${number}`, () =>
      this.octokit.rest.pulls.update({ ...this.repoArgs, pull_number: number, title: fields.title, body: fields.body }),
    );
  }

  async closePr(number: number, comment: string): Promise<void> {
    await this.comment(number, comment);
    await gh(`close PR #${number}`, () =>
      this.octokit.rest.pulls.update({ ...this.repoArgs, pull_number: number, state: 'closed' }),
    );
  }

  async comment(number: number, body: string): Promise<void> {
    await gh(`comment on #${number}`, () =>
      this.octokit.rest.issues.createComment({ ...this.repoArgs, issue_number: number, body }),
    );
  }

  async findIssue(title: string): Promise<Issue | null> {
    const creator = await this.tokenLogin();
    let issues: GhIssue[];
    try {
      issues = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, {
        ...this.repoArgs,
        state: 'open',
        per_page: 100,
        ...(creator ? { creator } : {}),
      });
    } catch (err) {
      if (githubStatus(err) === 410) return null; // issues are disabled: there can be no dashboard
      throw toPlatformError('list issues', err);
    }
    // Without a login (app tokens), only a bot's issue: anyone may open one with this title and its boxes ticked.
    const ours = (i: GhIssue) => creator !== null || i.user?.type === 'Bot';
    const found = issues.filter((i) => i.pull_request === undefined && i.title === title && ours(i));
    found.sort((a, b) => a.number - b.number);
    return found[0] ? toIssue(found[0]) : null;
  }

  async createIssue(title: string, body: string): Promise<Issue> {
    const { data } = await gh('create issue', () => this.octokit.rest.issues.create({ ...this.repoArgs, title, body }));
    return toIssue(data);
  }

  async updateIssue(number: number, body: string): Promise<void> {
    await gh(`update issue #${number}`, () =>
      this.octokit.rest.issues.update({ ...this.repoArgs, issue_number: number, body }),
    );
  }

  private async repoDefaultBranch(): Promise<string> {
    return (await this.repository()).default_branch;
  }

  /** The repository as `GET /repos/{o}/{r}` describes it, read once per run. */
  private async repository(): Promise<RepoInfo> {
    if (this.repoInfo !== null) return this.repoInfo;
    const { data } = await gh(`read repository ${this.owner}/${this.name}`, () => this.octokit.rest.repos.get(this.repoArgs));
    this.repoInfo = data;
    this.defaultBranch = data.default_branch;
    return data;
  }

  /** The repository's merge settings; null when they cannot be read (automerge is then tried and may warn). */
  private async settings(): Promise<RepoInfo | null> {
    try {
      return await this.repository();
    } catch (err) {
      this.logger.debug('could not read the allowed merge methods', { error: toPlatformError('read repository', err).message });
      return null;
    }
  }

  /** The token's own login, to find only issues Tidemark wrote; null for app tokens (`GET /user` is 403 for them). */
  private async tokenLogin(): Promise<string | null> {
    if (this.login !== undefined) return this.login;
    try {
      this.login = (await this.octokit.rest.users.getAuthenticated()).data.login;
    } catch (err) {
      this.logger.debug('token has no user; taking only issues a bot opened', { status: githubStatus(err) });
      this.login = null;
    }
    return this.login;
  }
}
