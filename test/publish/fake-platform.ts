import type {
  CommitInfo,
  CommitRequest,
  FileChange,
  Issue,
  Platform,
  PrRequest,
  PullRequest,
  RemoteBranch,
} from '../../src/publish/types.js';

interface FakeBranch {
  baseSha: string;
  commits: CommitInfo[];
  files: FileChange[];
}

/** An in-memory code host: branches, PRs and comments, with every write recorded in `calls`. */
export class FakePlatform implements Platform {
  readonly kind = 'github' as const;
  baseSha = 'base-1';
  readonly branches = new Map<string, FakeBranch>();
  readonly prs: PullRequest[] = [];
  readonly comments: { number: number; body: string }[] = [];
  readonly calls: string[] = [];
  readonly created: PrRequest[] = [];
  private seq = 0;

  constructor(readonly supportsPullRequests = true) {}

  async baseBranch(name: string | null) {
    return { name: name ?? 'main', sha: this.baseSha };
  }

  async getBranch(name: string): Promise<RemoteBranch | null> {
    const b = this.branches.get(name);
    if (!b) return null;
    return { name, sha: b.commits[0]?.sha ?? b.baseSha, commits: [...b.commits], upToDateWithBase: b.baseSha === this.baseSha };
  }

  async commitFiles(req: CommitRequest): Promise<string> {
    const sha = `c${++this.seq}`;
    this.calls.push(`push ${req.branch}`);
    const commit = { sha, message: req.message, authorName: req.author.name, authorEmail: req.author.email };
    this.branches.set(req.branch, { baseSha: req.baseSha, commits: [commit], files: req.files });
    return sha;
  }

  async deleteBranch(name: string): Promise<void> {
    this.calls.push(`delete ${name}`);
    this.branches.delete(name);
  }

  async listBranches(prefix: string): Promise<string[]> {
    return [...this.branches.keys()].filter((n) => n.startsWith(prefix)).sort();
  }

  async findPr(branch: string): Promise<PullRequest | null> {
    const all = this.prs.filter((p) => p.branch === branch);
    return all[all.length - 1] ?? null;
  }

  async listOpenPrs(prefix: string): Promise<PullRequest[]> {
    return this.prs.filter((p) => p.state === 'open' && p.branch.startsWith(prefix));
  }

  async createPr(req: PrRequest): Promise<PullRequest> {
    this.calls.push(`create-pr ${req.branch}`);
    this.created.push(req);
    const pr: PullRequest = {
      number: this.prs.length + 1,
      branch: req.branch,
      state: 'open',
      title: req.title,
      body: req.body,
      url: `https://example.test/pr/${this.prs.length + 1}`,
      createdAt: new Date().toISOString(),
    };
    this.prs.push(pr);
    return pr;
  }

  async updatePr(number: number, fields: { title: string; body: string }): Promise<void> {
    this.calls.push(`update-pr ${number}`);
    Object.assign(this.pr(number), fields);
  }

  async closePr(number: number, comment: string): Promise<void> {
    this.calls.push(`close-pr ${number}`);
    this.comments.push({ number, body: comment });
    this.pr(number).state = 'closed';
  }

  async comment(number: number, body: string): Promise<void> {
    this.calls.push(`comment ${number}`);
    this.comments.push({ number, body });
  }

  async findIssue(): Promise<Issue | null> {
    return null;
  }

  async createIssue(title: string, body: string): Promise<Issue> {
    return { number: 99, title, body, state: 'open' };
  }

  async updateIssue(): Promise<void> {}

  /** A person pushes a commit onto the branch. */
  humanCommit(branch: string): void {
    const b = this.branches.get(branch)!;
    b.commits.unshift({ sha: `h${++this.seq}`, message: 'fix values', authorName: 'Dana', authorEmail: 'dana@example.com' });
  }

  pr(number: number): PullRequest {
    return this.prs.find((p) => p.number === number)!;
  }
}

/** A platform that must not be touched (dry runs). */
export function untouchable(): Platform {
  return new Proxy({} as Platform, {
    get(_t, prop) {
      if (prop === 'then') return undefined;
      throw new Error(`dry run touched the platform: ${String(prop)}`);
    },
  });
}
