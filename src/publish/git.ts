import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformError } from '../errors.js';
import { withoutCredentials, type Logger } from '../log.js';
import { git, type GitCallOptions } from './git-cli.js';
import { isOwnCommit } from './stale.js';
import type { CommitInfo, CommitRequest, Issue, Platform, PrRequest, PullRequest, RemoteBranch } from './types.js';

export interface GitPlatformOptions {
  /** A checkout of the repository; objects are fetched into it under `refs/tidemark/`. */
  dir: string;
  /** Remote name or URL; default `origin`. */
  remote: string | null;
  logger: Logger;
}

/** Where fetched remote branches are kept locally, out of the way of the user's own refs. */
const LOCAL_NS = 'refs/tidemark/remote/';

/**
 * Any plain git remote (a bare repo, Gitea, Bitbucket) through the git CLI: branches are pushed, no PR is opened.
 * Commits are built with plumbing on a temporary index, so the checkout's working tree and HEAD never change.
 */
export class GitPlatform implements Platform {
  readonly kind = 'git' as const;
  readonly supportsPullRequests = false;
  private readonly bases = new Set<string>();

  private constructor(
    private readonly dir: string,
    private readonly remote: string,
    /** Path of `dir` inside the repository (`clusters/prod/`), prepended to file paths when committing. */
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  static async create(opts: GitPlatformOptions): Promise<GitPlatform> {
    const prefix = (await git(opts.dir, ['rev-parse', '--show-prefix'])).stdout.trim();
    return new GitPlatform(opts.dir, opts.remote ?? 'origin', prefix, opts.logger);
  }

  async baseBranch(name: string | null): Promise<{ name: string; sha: string }> {
    const branch = name ?? (await this.remoteHead());
    const sha = await this.fetchBranch(branch);
    if (!sha) throw new PlatformError(`base branch ${branch} does not exist on ${withoutCredentials(this.remote)}`, { platform: 'git', status: 404 });
    this.bases.add(branch);
    return { name: branch, sha };
  }

  async getBranch(name: string, baseName: string): Promise<RemoteBranch | null> {
    const sha = await this.fetchBranch(name);
    if (!sha) return null;
    const baseSha = await this.localRef(baseName) ?? (await this.baseBranch(baseName)).sha;
    const commits = await this.commitsBetween(baseSha, sha);
    const isAncestor = await this.git(['merge-base', '--is-ancestor', baseSha, sha], { okCodes: [1] });
    return { name, sha, commits, upToDateWithBase: isAncestor.code === 0 };
  }

  async commitFiles(req: CommitRequest): Promise<string> {
    if (this.bases.has(req.branch)) throw new PlatformError(`refusing to push to the base branch ${req.branch}`, { platform: 'git' });
    const existing = await this.fetchBranch(req.branch);
    if (existing) await this.assertOnlyAuthor(req.branch, req.baseSha, existing, req.author.email);
    const tree = await this.writeTree(req.baseSha, req.files);
    const env = {
      GIT_AUTHOR_NAME: req.author.name,
      GIT_AUTHOR_EMAIL: req.author.email,
      GIT_COMMITTER_NAME: req.author.name,
      GIT_COMMITTER_EMAIL: req.author.email,
    };
    const sha = (await this.git(['commit-tree', '--no-gpg-sign', tree, '-p', req.baseSha, '-F', '-'], { input: req.message, env })).stdout.trim();
    const lease = `--force-with-lease=refs/heads/${req.branch}:${existing ?? ''}`;
    await this.git(['push', '--quiet', '--no-verify', lease, this.remote, `${sha}:refs/heads/${req.branch}`]);
    await this.git(['update-ref', LOCAL_NS + req.branch, sha]);
    this.logger.debug('pushed branch', { branch: req.branch, sha });
    return sha;
  }

  async deleteBranch(name: string): Promise<void> {
    if (this.bases.has(name)) throw new PlatformError(`refusing to delete the base branch ${name}`, { platform: 'git' });
    const sha = await this.lsRemote(`refs/heads/${name}`);
    if (!sha) return;
    await this.git(['push', '--quiet', '--no-verify', `--force-with-lease=refs/heads/${name}:${sha}`, this.remote, `:refs/heads/${name}`]);
    await this.git(['update-ref', '-d', LOCAL_NS + name]);
  }

  /** Branches on the remote whose name starts with `prefix` (`tidemark/`). */
  async listBranches(prefix: string): Promise<string[]> {
    const out = (await this.git(['ls-remote', '--heads', this.remote])).stdout;
    const names: string[] = [];
    for (const line of out.split('\n')) {
      const ref = line.split('\t')[1];
      if (ref?.startsWith(`refs/heads/${prefix}`)) names.push(ref.slice('refs/heads/'.length));
    }
    return names.sort();
  }

  async readFile(sha: string, path: string): Promise<string> {
    return (await this.git(['cat-file', 'blob', `${sha}:${this.prefix}${path}`])).stdout;
  }

  async findPr(branch: string): Promise<PullRequest | null> {
    this.logger.debug('plain git has no pull requests', { branch });
    return null;
  }

  async listOpenPrs(): Promise<PullRequest[]> {
    return [];
  }

  async createPr(req: PrRequest): Promise<PullRequest> {
    throw new PlatformError(`plain git cannot open a pull request for ${req.branch}`, { platform: 'git' });
  }

  async updatePr(number: number): Promise<void> {
    this.logger.debug('plain git has no pull requests', { number });
  }

  async closePr(number: number): Promise<void> {
    this.logger.debug('plain git has no pull requests', { number });
  }

  async comment(number: number): Promise<void> {
    this.logger.debug('plain git has no pull requests', { number });
  }

  async findIssue(): Promise<Issue | null> {
    return null;
  }

  async createIssue(title: string): Promise<Issue> {
    throw new PlatformError(`plain git cannot open an issue (${title})`, { platform: 'git' });
  }

  async updateIssue(number: number): Promise<void> {
    this.logger.debug('plain git has no issues', { number });
  }

  private git(args: string[], opts?: GitCallOptions) {
    return git(this.dir, args, opts);
  }

  /**
   * The remote's default branch: `ref: refs/heads/main\tHEAD` from `ls-remote --symref`. A bare repo made by
   * `git init --bare` may point HEAD at a branch that was never pushed (`master` while `main` exists); then the
   * branch checked out here is taken, when the remote has it.
   */
  private async remoteHead(): Promise<string> {
    const out = (await this.git(['ls-remote', '--symref', this.remote, 'HEAD'])).stdout;
    const m = /^ref: refs\/heads\/(?<branch>\S+)\tHEAD$/m.exec(out);
    if (m?.groups?.branch && (await this.lsRemote(`refs/heads/${m.groups.branch}`))) return m.groups.branch;
    const local = (await this.git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { okCodes: [1, 128] })).stdout.trim();
    if (local && (await this.lsRemote(`refs/heads/${local}`))) return local;
    throw new PlatformError(
      `could not tell the default branch of ${withoutCredentials(this.remote)}: its HEAD names no pushed branch; set baseBranch in .tidemark.yaml`,
      { platform: 'git' },
    );
  }

  private async lsRemote(ref: string): Promise<string | null> {
    const out = (await this.git(['ls-remote', this.remote, ref])).stdout;
    for (const line of out.split('\n')) {
      const [sha, name] = line.split('\t');
      if (name === ref && sha) return sha;
    }
    return null;
  }

  /** Fetches a remote branch into our namespace; null (and the local copy dropped) when it does not exist. */
  private async fetchBranch(name: string): Promise<string | null> {
    const sha = await this.lsRemote(`refs/heads/${name}`);
    if (!sha) {
      await this.git(['update-ref', '-d', LOCAL_NS + name]);
      return null;
    }
    await this.git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', this.remote, `+refs/heads/${name}:${LOCAL_NS}${name}`]);
    return sha;
  }

  private async localRef(name: string): Promise<string | null> {
    const out = await this.git(['rev-parse', '--verify', '--quiet', LOCAL_NS + name], { okCodes: [1] });
    return out.code === 0 ? out.stdout.trim() : null;
  }

  private async commitsBetween(base: string, head: string): Promise<CommitInfo[]> {
    const out = (await this.git(['log', '--format=%H%x00%an%x00%ae%x00%cI%x00%B%x1e', `${base}..${head}`])).stdout;
    const commits: CommitInfo[] = [];
    for (const record of out.split('\x1e')) {
      const [sha, authorName, authorEmail, committedAt, message] = record.replace(/^\n/, '').split('\x00');
      if (sha && authorName !== undefined && authorEmail !== undefined) {
        const commit: CommitInfo = { sha, authorName, authorEmail, message: (message ?? '').trimEnd() };
        if (committedAt) commit.committedAt = committedAt;
        commits.push(commit);
      }
    }
    return commits;
  }

  /** The last guard before a force push: every commit on the branch must be ours. */
  private async assertOnlyAuthor(branch: string, baseSha: string, head: string, email: string): Promise<void> {
    const foreign = (await this.commitsBetween(baseSha, head)).filter((c) => !isOwnCommit(c, email));
    if (foreign.length > 0) {
      throw new PlatformError(`branch ${branch} has commits by others; not overwriting it`, { platform: 'git', status: 409 });
    }
  }

  /** The tree of `baseSha` with `files` replaced, built in a throw-away index. */
  private async writeTree(baseSha: string, files: CommitRequest['files']): Promise<string> {
    const tmp = await mkdtemp(join(tmpdir(), 'tidemark-index-'));
    const env = { GIT_INDEX_FILE: join(tmp, 'index') };
    try {
      await this.git(['read-tree', baseSha], { env });
      for (const f of files) {
        const path = this.prefix + f.path;
        const blob = (await this.git(['hash-object', '-w', '--stdin'], { input: f.content })).stdout.trim();
        const listed = (await this.git(['ls-tree', baseSha, '--', path])).stdout;
        const mode = /^(?<mode>\d{6}) blob /.exec(listed)?.groups?.mode ?? '100644';
        await this.git(['update-index', '--add', '--cacheinfo', `${mode},${blob},${path}`], { env });
      }
      return (await this.git(['write-tree'], { env })).stdout.trim();
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
