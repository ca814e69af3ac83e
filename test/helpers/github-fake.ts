/**
 * Payload builders for nock fakes of the GitHub REST API, shaped after the documented responses
 * (docs.github.com/rest). Only the fields Tidemark reads plus the ones that make a payload recognisable.
 *
 *   const api = githubApi();                      // nock scope on https://api.github.com
 *   api.get('/repos/o/r/git/ref/heads%2Fmain').reply(200, ghRef('o', 'r', 'main', 'abc'));
 *   api.post('/repos/o/r/pulls').reply(422, ghValidationFailed('A pull request already exists for o:b.'));
 *   ...
 *   api.done();
 */
import { createHash } from 'node:crypto';
import nock from 'nock';
import type { LogMeta, Logger } from '../../src/log.js';

export const GH_API = 'https://api.github.com';

/** Waits for GitHubPlatform.create({ timing }) in tests: 1 ms per second of retry-after, no write spacing. */
export const GH_TEST_TIMING = { retryAfterUnitMs: 1, spaceWrites: false } as const;

/**
 * A nock scope on the API's origin. For GitHub Enterprise pass the API root (`https://ghe.test/api/v3`) and
 * write paths with its prefix: `.get('/api/v3/repos/o/r')`.
 */
export function githubApi(baseUrl: string = GH_API): nock.Scope {
  return nock(new URL(baseUrl).origin);
}

/** `GET /repos/{o}/{r}`. */
export function ghRepo(
  o: string,
  r: string,
  opts: {
    defaultBranch?: string;
    archived?: boolean;
    push?: boolean;
    merge?: { commit: boolean; squash: boolean; rebase: boolean };
    /** Settings → General → "Allow auto-merge" (on unless told; GitHub's own default for a new repository is off). */
    autoMerge?: boolean;
  } = {},
) {
  const merge = opts.merge ?? { commit: true, squash: true, rebase: true };
  return {
    id: 1296269,
    node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
    name: r,
    full_name: `${o}/${r}`,
    owner: { login: o, id: 1, type: 'User' },
    private: false,
    html_url: `https://github.com/${o}/${r}`,
    archived: opts.archived ?? false,
    default_branch: opts.defaultBranch ?? 'main',
    permissions: { admin: false, maintain: false, push: opts.push ?? true, triage: true, pull: true },
    allow_merge_commit: merge.commit,
    allow_squash_merge: merge.squash,
    allow_rebase_merge: merge.rebase,
    allow_auto_merge: opts.autoMerge ?? true,
  };
}

/** `GET /repos/{o}/{r}/git/ref/heads/{branch}`. */
export function ghRef(o: string, r: string, branch: string, sha: string) {
  return {
    ref: `refs/heads/${branch}`,
    node_id: 'MDM6UmVmcmVmcy9oZWFkcy9mZWF0dXJlQQ==',
    url: `${GH_API}/repos/${o}/${r}/git/refs/heads/${branch}`,
    object: { type: 'commit', sha, url: `${GH_API}/repos/${o}/${r}/git/commits/${sha}` },
  };
}

/** A git commit as `GET /repos/{o}/{r}/git/commits/{sha}` and `POST …/git/commits` return it. */
export function ghGitCommit(sha: string, treeSha: string, message = 'commit', parents: string[] = []) {
  return {
    sha,
    node_id: 'C_kwDO',
    message,
    tree: { sha: treeSha, url: `${GH_API}/repos/o/r/git/trees/${treeSha}` },
    author: { name: 'Mona', email: 'mona@example.com', date: '2026-01-01T00:00:00Z' },
    committer: { name: 'GitHub', email: 'noreply@github.com', date: '2026-01-01T00:00:00Z' },
    parents: parents.map((p) => ({ sha: p, url: `${GH_API}/repos/o/r/git/commits/${p}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  };
}

/** A commit inside a compare or list-commits response. */
export function ghCommit(sha: string, message: string, author: { name: string; email: string }, parents: string[] = []) {
  return {
    sha,
    node_id: 'C_kwDO',
    commit: {
      message,
      author: { ...author, date: '2026-01-01T00:00:00Z' },
      committer: { ...author, date: '2026-01-01T00:00:00Z' },
    },
    parents: parents.map((p) => ({ sha: p, url: `${GH_API}/repos/o/r/commits/${p}` })),
  };
}

/** `GET /repos/{o}/{r}/compare/{base}...{head}`: commits oldest first, as GitHub lists them. */
export function ghCompare(commits: ReturnType<typeof ghCommit>[], behindBy: number) {
  const aheadBy = commits.length;
  const status = aheadBy === 0 && behindBy === 0 ? 'identical' : behindBy === 0 ? 'ahead' : aheadBy === 0 ? 'behind' : 'diverged';
  return { status, ahead_by: aheadBy, behind_by: behindBy, total_commits: aheadBy, commits, files: [] };
}

export interface GhPullOpts {
  number: number;
  branch: string;
  owner?: string;
  repo?: string;
  /** Repository the head branch lives in; a fork when it differs. */
  headRepo?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  title?: string;
  body?: string | null;
  base?: string;
  createdAt?: string;
}

/** A pull request as `GET/POST /repos/{o}/{r}/pulls` return it. */
export function ghPull(p: GhPullOpts) {
  const owner = p.owner ?? 'o';
  const repo = p.repo ?? 'r';
  const full = p.headRepo ?? `${owner}/${repo}`;
  return {
    id: 1000 + p.number,
    node_id: `PR_node_${p.number}`,
    number: p.number,
    state: p.state ?? 'open',
    title: p.title ?? `Update ${p.branch}`,
    body: p.body === undefined ? 'body' : p.body,
    html_url: `https://github.com/${owner}/${repo}/pull/${p.number}`,
    created_at: p.createdAt ?? '2026-01-01T00:00:00Z',
    merged_at: p.merged ? '2026-01-02T00:00:00Z' : null,
    closed_at: p.state === 'closed' || p.merged ? '2026-01-02T00:00:00Z' : null,
    user: { login: 'tidemark-bot', id: 7 },
    head: { label: `${full.split('/')[0]}:${p.branch}`, ref: p.branch, sha: 'headsha', repo: { full_name: full } },
    base: { label: `${owner}:${p.base ?? 'main'}`, ref: p.base ?? 'main', sha: 'basesha', repo: { full_name: `${owner}/${repo}` } },
  };
}

/** An issue as `GET/POST /repos/{o}/{r}/issues` return it; `isPull` adds the `pull_request` key PRs carry there. */
export function ghIssue(i: { number: number; title: string; body?: string; state?: 'open' | 'closed'; user?: string; isPull?: boolean }) {
  return {
    id: 2000 + i.number,
    number: i.number,
    title: i.title,
    body: i.body ?? '',
    state: i.state ?? 'open',
    user: { login: i.user ?? 'tidemark-bot', id: 7, type: i.user?.endsWith('[bot]') ? 'Bot' : 'User' },
    html_url: `https://github.com/o/r/issues/${i.number}`,
    ...(i.isPull ? { pull_request: { url: `${GH_API}/repos/o/r/pulls/${i.number}` } } : {}),
  };
}

/** Base64 wrapped at 60 columns with a trailing newline, as the contents and blobs APIs send it. */
export function ghBase64(text: string | Buffer): string {
  const b64 = Buffer.from(text).toString('base64');
  return (b64.match(/.{1,60}/g) ?? ['']).join('\n') + '\n';
}

/**
 * A file as `GET /repos/{o}/{r}/contents/{path}?ref=` returns it. Over 1 MB (or with `large`) GitHub leaves
 * `content` empty with `encoding: "none"`; the bytes are then only in the blob.
 */
export function ghContent(path: string, text: string | Buffer, opts: { sha?: string; ref?: string; large?: boolean } = {}) {
  const size = Buffer.byteLength(text);
  const sha = opts.sha ?? 'blob1';
  const large = opts.large ?? size > 1024 * 1024;
  const url = `${GH_API}/repos/o/r/contents/${path}?ref=${opts.ref ?? 'main'}`;
  return {
    type: 'file',
    encoding: large ? 'none' : 'base64',
    size,
    name: path.split('/').pop(),
    path,
    content: large ? '' : ghBase64(text),
    sha,
    url,
    git_url: `${GH_API}/repos/o/r/git/blobs/${sha}`,
    html_url: `https://github.com/o/r/blob/${opts.ref ?? 'main'}/${path}`,
    download_url: `https://raw.githubusercontent.com/o/r/${opts.ref ?? 'main'}/${path}`,
    _links: { self: url, git: `${GH_API}/repos/o/r/git/blobs/${sha}`, html: `https://github.com/o/r/blob/main/${path}` },
  };
}

/** `GET /repos/{o}/{r}/git/blobs/{sha}`: always base64. */
export function ghBlob(sha: string, text: string | Buffer) {
  return { sha, node_id: 'B_kwDO', size: Buffer.byteLength(text), url: `${GH_API}/repos/o/r/git/blobs/${sha}`, content: ghBase64(text), encoding: 'base64' };
}

/**
 * `GET /repos/{o}/{r}/git/trees/{sha}?recursive=1`: `modes` maps each file path to its mode (`100644`, `100755`,
 * `120000`); the directories on the way are listed as `040000` tree entries, as GitHub does.
 */
export function ghTree(sha: string, modes: Record<string, string>, opts: { truncated?: boolean } = {}) {
  const dirs = new Set<string>();
  for (const path of Object.keys(modes)) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const blob = (path: string, mode: string) => ({ path, mode, type: mode === '160000' ? 'commit' : 'blob', sha: `blob-${path}`, size: 10, url: `${GH_API}/repos/o/r/git/blobs/blob-${path}` });
  const tree = [...[...dirs].map((d) => ({ path: d, mode: '040000', type: 'tree', sha: `${sha}:${d}`, url: `${GH_API}/repos/o/r/git/trees/${sha}:${d}` })), ...Object.entries(modes).map(([p, m]) => blob(p, m))];
  tree.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { sha, url: `${GH_API}/repos/o/r/git/trees/${sha}`, tree, truncated: opts.truncated ?? false };
}

/** The 422 body GitHub sends for invalid input, e.g. a second PR for the same head. */
export function ghValidationFailed(message: string, resource = 'PullRequest') {
  return {
    message: 'Validation Failed',
    errors: [{ resource, code: 'custom', message }],
    documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
    status: '422',
  };
}

/** `{"message":"Not Found"}` as GitHub sends for missing or invisible resources. */
export function ghNotFound(doc = 'https://docs.github.com/rest') {
  return { message: 'Not Found', documentation_url: doc, status: '404' };
}

/** Secondary rate limit: 403 with `retry-after`, reply with `.reply(...ghSecondaryRateLimit(1))`. */
export function ghSecondaryRateLimit(retryAfterSeconds = 1): [number, object, Record<string, string>] {
  return [
    403,
    {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 1234:5678.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    },
    { 'retry-after': String(retryAfterSeconds), 'content-type': 'application/json; charset=utf-8' },
  ];
}

/** Primary rate limit exhausted: 403 with `x-ratelimit-remaining: 0` and a reset time now. */
export function ghPrimaryRateLimit(): [number, object, Record<string, string>] {
  return [
    403,
    { message: 'API rate limit exceeded for user ID 7.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
    { 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000)) },
  ];
}

/** A `Link` header for page `page` of `last`, on `path` with its other query (`?state=open&per_page=100`). */
export function ghLink(path: string, query: Record<string, string>, page: number, last: number, baseUrl = GH_API): string {
  const at = (p: number) => `<${baseUrl}${path}?${new URLSearchParams({ ...query, page: String(p) })}>`;
  const rels: string[] = [];
  if (page > 1) rels.push(`${at(page - 1)}; rel="prev"`);
  if (page < last) rels.push(`${at(page + 1)}; rel="next"`);
  rels.push(`${at(last)}; rel="last"`, `${at(1)}; rel="first"`);
  return rels.join(', ');
}

/**
 * Paths exactly as Octokit sends them, refs URL-encoded as one segment:
 * ghPath.ref('o/r', 'tidemark/a') → `/repos/o/r/git/ref/heads%2Ftidemark%2Fa` (GET),
 * ghPath.refs('o/r', 'tidemark/a') → `/repos/o/r/git/refs/heads%2Ftidemark%2Fa` (PATCH, DELETE),
 * ghPath.compare('o/r', 'main', 'tidemark/a') → `/repos/o/r/compare/main...tidemark%2Fa`.
 */
export const ghPath = {
  ref: (repo: string, branch: string) => `/repos/${repo}/git/ref/${encodeURIComponent(`heads/${branch}`)}`,
  refs: (repo: string, branch: string) => `/repos/${repo}/git/refs/${encodeURIComponent(`heads/${branch}`)}`,
  /** `/repos/o/r/contents/apps/my%20web/deploy.yaml`: segments encoded, slashes kept. */
  contents: (repo: string, path: string) => `/repos/${repo}/contents/${path.split('/').map(encodeURIComponent).join('/')}`,
  compare: (repo: string, base: string, head: string) => `/repos/${repo}/compare/${encodeURIComponent(`${base}...${head}`).replace(/%2E/g, '.')}`,
};

export interface CommitFlow {
  /** `owner/name`. */
  repo: string;
  branch: string;
  baseSha: string;
  newSha: string;
  /**
   * False: the branch does not exist and the platform already saw it missing this run (a 404 for the ref), so it is
   * created with POST alone. `'unseen'`: it does not exist and the platform did not look: the PATCH answers 422, then POST.
   */
  branchExists?: boolean | 'unseen';
  /** Base tree entries and their modes (`{ 'deploy.sh': '100755' }`); every other path is a new file. */
  baseFiles?: Record<string, string>;
  /** Receives each request body (tree, commit, ref) so a test can check what was written. */
  onBody?: (kind: 'tree' | 'commit' | 'ref', body: Record<string, unknown>) => void;
}

/** Adds the requests GitHubPlatform.commitFiles makes: read base commit, create tree and commit, move or create the ref. */
export function mockCommitFiles(scope: nock.Scope, f: CommitFlow): nock.Scope {
  const see = (kind: 'tree' | 'commit' | 'ref') => (body: Record<string, unknown>) => (f.onBody?.(kind, body), true);
  scope
    .get(`/repos/${f.repo}/git/commits/${f.baseSha}`)
    .reply(200, ghGitCommit(f.baseSha, `tree-${f.baseSha}`))
    .get(`/repos/${f.repo}/git/trees/tree-${f.baseSha}`)
    .query({ recursive: 'true' })
    .reply(200, ghTree(`tree-${f.baseSha}`, f.baseFiles ?? {}))
    .post(`/repos/${f.repo}/git/trees`, see('tree'))
    .reply(201, { sha: `tree-${f.newSha}`, tree: [] })
    .post(`/repos/${f.repo}/git/commits`, see('commit'))
    .reply(201, ghGitCommit(f.newSha, `tree-${f.newSha}`, 'commit', [f.baseSha]));
  const [owner = 'o', name = 'r'] = f.repo.split('/');
  if (f.branchExists === false) {
    scope.post(`/repos/${f.repo}/git/refs`, see('ref')).reply(201, ghRef(owner, name, f.branch, f.newSha));
  } else if (f.branchExists === 'unseen') {
    scope
      .patch(ghPath.refs(f.repo, f.branch))
      .reply(422, { message: 'Reference does not exist', documentation_url: 'https://docs.github.com/rest/git/refs#update-a-reference', status: '422' })
      .post(`/repos/${f.repo}/git/refs`, see('ref'))
      .reply(201, ghRef(owner, name, f.branch, f.newSha));
  } else {
    scope.patch(ghPath.refs(f.repo, f.branch), see('ref')).reply(200, ghRef(owner, name, f.branch, f.newSha));
  }
  return scope;
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  meta: LogMeta | undefined;
}

/** A Logger that keeps every call, raw (no redaction), so tests can check nothing secret was passed to it. */
export function recordingLogger(): Logger & { records: LogRecord[]; text(): string } {
  const records: LogRecord[] = [];
  const at = (level: LogRecord['level']) => (msg: string, meta?: LogMeta) => {
    records.push({ level, msg, meta });
  };
  return {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => records.map((r) => `${r.level} ${r.msg} ${JSON.stringify(r.meta ?? {}, errorReplacer)}`).join('\n'),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, cause: value.cause };
  return value;
}

interface GhFakeCommit {
  sha: string;
  message: string;
  author: { name: string; email: string };
  parents: string[];
  tree: string;
}

interface GhFakePull {
  number: number;
  reviewers: string[];
  teamReviewers: string[];
  assignees: string[];
  /** Set by GraphQL `enablePullRequestAutoMerge`. */
  autoMerge: { mergeMethod: string | null } | null;
  branch: string;
  base: string;
  state: 'open' | 'closed';
  merged: boolean;
  title: string;
  body: string;
  labels: string[];
  createdAt: string;
}

type GhReply = [number, unknown] | [number, unknown, Record<string, string>];

/**
 * A stateful fake of one GitHub repository over nock: trees, commits and refs of the Git Data API, contents,
 * compare, pulls and issue comments, with GitHub's documented answers (404 for a missing ref or file, 422 for a
 * PATCH of a ref that does not exist and for a second open PR on a head). A test can run the publish lifecycle
 * several times and see what each run changed.
 *
 *   const repo = new GitHubRepoFake('o/r', { 'apps/web.yaml': '…' });
 *   repo.install();
 *   await publish(platform, plan, ctx);
 *   repo.writes();   // ['POST /git/trees', 'POST /git/commits', 'PATCH /git/refs/heads/…', 'POST /git/refs', 'POST /pulls']
 */
export interface GitHubRepoFakeOptions {
  /** Modes of files in the first commit (`{ 'bin/deploy.sh': '100755', 'current.yaml': '120000' }`); others are `100644`. */
  modes?: Record<string, string>;
  /** The repository's "Allow auto-merge" setting (default on). */
  autoMerge?: boolean;
  /** Answer recursive tree reads as truncated, as GitHub does past 100,000 entries or 7 MB. */
  truncateTrees?: boolean;
}

export class GitHubRepoFake {
  readonly trees = new Map<string, Map<string, string>>();
  /** File modes per tree sha; a path not listed is `100644`. */
  readonly modes = new Map<string, Map<string, string>>();
  readonly issues: { number: number; title: string; body: string; state: 'open' | 'closed'; user: string }[] = [];
  /** GraphQL mutations received, by name, with their variables. */
  readonly graphql: { mutation: string; variables: Record<string, unknown> }[] = [];
  readonly commits = new Map<string, GhFakeCommit>();
  readonly refs = new Map<string, string>();
  readonly pulls: GhFakePull[] = [];
  readonly comments: { number: number; body: string }[] = [];
  /** Every request, `METHOD /path-under-the-repo?query`, with its JSON body. */
  readonly requests: { call: string; body: unknown }[] = [];
  private seq = 0;
  private readonly failures: { call: string; status: number; headers: Record<string, string> }[] = [];

  constructor(
    readonly repo: string,
    files: Record<string, string>,
    readonly defaultBranch = 'main',
    private readonly opts: GitHubRepoFakeOptions = {},
  ) {
    const tree = this.addTree(new Map(Object.entries(files)), new Map(Object.entries(opts.modes ?? {})));
    this.refs.set(defaultBranch, this.addCommit('Initial commit', { name: 'Dev', email: 'dev@example.com' }, [], tree).sha);
  }

  install(baseUrl: string = GH_API): nock.Scope {
    const scope = githubApi(baseUrl).persist();
    for (const method of ['GET', 'POST', 'PATCH', 'DELETE'] as const) {
      scope.intercept(/^\//, method).reply((uri, body) => this.handle(method, uri, body));
    }
    return scope;
  }

  /** The requests that changed something, in order, without query strings. */
  writes(): string[] {
    return this.requests.filter((r) => !r.call.startsWith('GET ')).map((r) => r.call.replace(/\?.*$/, ''));
  }

  /** Someone else's commit on a branch (a human, or new work on the base). */
  pushCommit(branch: string, message: string, author: { name: string; email: string }, files: Record<string, string>): string {
    const parent = this.commits.get(this.refs.get(branch) ?? '');
    if (!parent) throw new Error(`no branch ${branch}`);
    const tree = new Map(this.trees.get(parent.tree));
    for (const [path, text] of Object.entries(files)) tree.set(path, text);
    const commit = this.addCommit(message, author, [parent.sha], this.addTree(tree));
    this.refs.set(branch, commit.sha);
    return commit.sha;
  }

  fileOn(branch: string, path: string): string | undefined {
    const commit = this.commits.get(this.refs.get(branch) ?? '');
    return commit ? this.trees.get(commit.tree)?.get(path) : undefined;
  }

  /** A user closing the PR in the web UI. */
  closePull(number: number): void {
    const pr = this.pulls.find((p) => p.number === number);
    if (pr) pr.state = 'closed';
  }

  /**
   * A user squash-merging the PR in the web UI: the base gets one new commit with the branch's files, the PR is
   * closed as merged, and (with `deleteBranch`, GitHub's "automatically delete head branches") the branch is gone.
   */
  mergePull(number: number, opts: { deleteBranch?: boolean } = {}): string {
    const pr = this.pulls.find((p) => p.number === number);
    const head = this.commits.get(this.refs.get(pr?.branch ?? '') ?? '');
    if (!pr || !head) throw new Error(`no open PR #${number} with a branch`);
    const before = this.trees.get(this.commits.get(head.parents[0] ?? '')?.tree ?? '') ?? new Map<string, string>();
    const files = Object.fromEntries([...(this.trees.get(head.tree) ?? [])].filter(([path, text]) => before.get(path) !== text));
    const sha = this.pushCommit(pr.base, `${pr.title} (#${number})`, { name: 'Dev', email: 'dev@example.com' }, files);
    pr.state = 'closed';
    pr.merged = true;
    if (opts.deleteBranch) this.refs.delete(pr.branch);
    return sha;
  }

  /**
   * Makes the next matching request fail: `failNext('POST /pulls', 500, 4)` answers the next four PR creations
   * with a server error (Octokit retries 5xx three times, so four fail a call for good).
   */
  failNext(call: string, status: number, times = 1, headers: Record<string, string> = {}): void {
    for (let i = 0; i < times; i++) this.failures.push({ call, status, headers });
  }

  private addTree(files: Map<string, string>, modes: Map<string, string> = new Map()): string {
    const sha = createHash('sha1').update(`tree ${++this.seq}`).digest('hex');
    this.trees.set(sha, files);
    this.modes.set(sha, modes);
    return sha;
  }

  /** A file's mode at the head of `branch`. */
  modeOn(branch: string, path: string): string | undefined {
    const commit = this.commits.get(this.refs.get(branch) ?? '');
    if (!commit || !this.trees.get(commit.tree)?.has(path)) return undefined;
    return this.modes.get(commit.tree)?.get(path) ?? '100644';
  }

  /** `GET /git/trees/{sha}`: the whole tree with `recursive`, else one directory (`{tree}:{dir}` names a subtree). */
  private treeJson(sha: string, recursive: boolean): GhReply {
    const [root = '', dir] = sha.split(':') as [string, string | undefined];
    const files = this.trees.get(root);
    if (!files) return [404, ghNotFound()];
    const modes = this.modes.get(root) ?? new Map<string, string>();
    const all = ghTree(root, Object.fromEntries([...files.keys()].map((p) => [p, modes.get(p) ?? '100644'])));
    if (recursive) return [200, { ...all, truncated: this.opts.truncateTrees ?? false, ...(this.opts.truncateTrees ? { tree: [] } : {}) }];
    const inside = dir === undefined ? '' : `${dir}/`;
    const children = all.tree
      .filter((e) => e.path.startsWith(inside) && !e.path.slice(inside.length).includes('/'))
      .map((e) => ({ ...e, path: e.path.slice(inside.length) }));
    return [200, { sha, url: all.url, tree: children, truncated: false }];
  }

  private addCommit(message: string, author: { name: string; email: string }, parents: string[], tree: string): GhFakeCommit {
    const sha = createHash('sha1').update(`commit ${++this.seq}`).digest('hex');
    const commit = { sha, message, author, parents, tree };
    this.commits.set(sha, commit);
    return commit;
  }

  private ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const todo = [sha];
    while (todo.length > 0) {
      const at = this.commits.get(todo.pop()!);
      if (!at || seen.has(at.sha)) continue;
      seen.add(at.sha);
      todo.push(...at.parents);
    }
    return seen;
  }

  private handle(method: string, uri: string, rawBody: unknown): GhReply {
    const url = new URL(uri, GH_API);
    const prefix = `/repos/${this.repo}`;
    const path = decodeURIComponent(url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname);
    const q = url.searchParams;
    const body = (typeof rawBody === 'string' && rawBody !== '' ? JSON.parse(rawBody) : rawBody) as Record<string, unknown>;
    this.requests.push({ call: `${method} ${path}${url.search}`, body });
    const [owner = 'o', name = 'r'] = this.repo.split('/');
    const route = `${method} ${path}`;
    const failure = this.failures.findIndex((f) => f.call === route);
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      const message = f!.status === 403 ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' : 'Server Error';
      return [f!.status, { message }, { 'content-type': 'application/json; charset=utf-8', ...f!.headers }];
    }
    let m: RegExpExecArray | null;
    if (route === 'GET ') return [200, ghRepo(owner, name, { defaultBranch: this.defaultBranch, autoMerge: this.opts.autoMerge ?? true })];
    if ((m = /^GET \/git\/ref\/heads\/(?<b>.+)$/.exec(route))) {
      const sha = this.refs.get(m.groups!.b!);
      return sha ? [200, ghRef(owner, name, m.groups!.b!, sha)] : [404, ghNotFound()];
    }
    if ((m = /^GET \/compare\/(?<base>.+?)\.\.\.(?<head>.+)$/.exec(route))) {
      const base = this.refs.get(m.groups!.base!) ?? m.groups!.base!;
      const head = this.refs.get(m.groups!.head!) ?? m.groups!.head!;
      const inBase = this.ancestors(base);
      const inHead = this.ancestors(head);
      const ahead = [...inHead].filter((s) => !inBase.has(s)).reverse().map((s) => this.commitJson(this.commits.get(s)!));
      return [200, ghCompare(ahead, [...inBase].filter((s) => !inHead.has(s)).length)];
    }
    if ((m = /^GET \/contents\/(?<path>.+)$/.exec(route))) {
      const commit = this.commits.get(this.refs.get(q.get('ref') ?? '') ?? q.get('ref') ?? '');
      const files = commit ? this.trees.get(commit.tree) : undefined;
      let text = files?.get(m.groups!.path!);
      // A symlink to a file of the repository answers with that file's content (docs: "Get repository content").
      if (text !== undefined && this.modes.get(commit!.tree)?.get(m.groups!.path!) === '120000') text = files?.get(text) ?? text;
      return text === undefined ? [404, ghNotFound()] : [200, ghContent(m.groups!.path!, text, { ref: q.get('ref') ?? 'main' })];
    }
    if ((m = /^GET \/git\/commits\/(?<sha>.+)$/.exec(route))) {
      const c = this.commits.get(m.groups!.sha!);
      return c ? [200, ghGitCommit(c.sha, c.tree, c.message, c.parents)] : [404, ghNotFound()];
    }
    if ((m = /^GET \/git\/trees\/(?<sha>.+)$/.exec(route))) return this.treeJson(m.groups!.sha!, q.has('recursive'));
    if (route === 'POST /git/trees') {
      const tree = new Map(this.trees.get(String(body.base_tree)));
      const modes = new Map(this.modes.get(String(body.base_tree)));
      for (const e of body.tree as { path: string; content: string; mode: string }[]) {
        tree.set(e.path, e.content);
        modes.set(e.path, e.mode);
      }
      return [201, { sha: this.addTree(tree, modes), tree: [] }];
    }
    if ((m = /^GET \/git\/matching-refs\/heads\/(?<prefix>.*)$/.exec(route))) {
      // No paging: every matching ref in one answer, whatever per_page or page say.
      const found = [...this.refs].filter(([b]) => b.startsWith(m!.groups!.prefix!)).sort(([a], [b]) => (a < b ? -1 : 1));
      return [200, found.map(([b, sha]) => ghRef(owner, name, b, sha))];
    }
    if (route === 'POST /git/commits') {
      const author = (body.author as { name: string; email: string } | undefined) ?? { name: 'Token User', email: 'token@example.com' };
      const c = this.addCommit(String(body.message), author, body.parents as string[], String(body.tree));
      return [201, ghGitCommit(c.sha, c.tree, c.message, c.parents)];
    }
    if ((m = /^PATCH \/git\/refs\/heads\/(?<b>.+)$/.exec(route))) {
      if (!this.refs.has(m.groups!.b!)) return [422, { message: 'Reference does not exist', status: '422' }];
      this.refs.set(m.groups!.b!, String(body.sha));
      return [200, ghRef(owner, name, m.groups!.b!, String(body.sha))];
    }
    if (route === 'POST /git/refs') {
      const b = String(body.ref).replace(/^refs\/heads\//, '');
      if (this.refs.has(b)) return [422, { message: 'Reference already exists', status: '422' }];
      this.refs.set(b, String(body.sha));
      return [201, ghRef(owner, name, b, String(body.sha))];
    }
    if ((m = /^DELETE \/git\/refs\/heads\/(?<b>.+)$/.exec(route))) {
      return this.refs.delete(m.groups!.b!) ? [204, ''] : [422, { message: 'Reference does not exist', status: '422' }];
    }
    if (route === 'GET /pulls') {
      const head = q.get('head')?.replace(/^[^:]+:/, '');
      const state = q.get('state') ?? 'open';
      const found = this.pulls.filter((p) => (state === 'all' || p.state === state) && (!head || p.branch === head));
      // GitHub's default: sort=created, direction=desc (newest first).
      return [200, (q.get('direction') === 'asc' ? found : [...found].reverse()).map((p) => this.pullJson(p))];
    }
    if ((m = /^GET \/pulls\/(?<n>\d+)$/.exec(route))) {
      const pr = this.pulls.find((p) => p.number === Number(m!.groups!.n));
      return pr ? [200, this.pullJson(pr)] : [404, ghNotFound()];
    }
    if ((m = /^POST \/pulls\/(?<n>\d+)\/requested_reviewers$/.exec(route))) {
      const pr = this.pulls.find((p) => p.number === Number(m!.groups!.n));
      if (!pr) return [404, ghNotFound()];
      pr.reviewers.push(...((body.reviewers as string[] | undefined) ?? []));
      pr.teamReviewers.push(...((body.team_reviewers as string[] | undefined) ?? []));
      return [201, this.pullJson(pr)];
    }
    if ((m = /^POST \/issues\/(?<n>\d+)\/assignees$/.exec(route))) {
      const pr = this.pulls.find((p) => p.number === Number(m!.groups!.n));
      pr?.assignees.push(...((body.assignees as string[] | undefined) ?? []));
      return [201, { number: Number(m.groups!.n) }];
    }
    if (route === 'POST /graphql') return this.graphqlReply(body);
    if (route === 'GET /user') return [200, { login: 'tidemark-bot', id: 7, type: 'User' }];
    if (route === 'GET /issues') {
      const state = q.get('state') ?? 'open';
      const creator = q.get('creator');
      const found = this.issues.filter((i) => (state === 'all' || i.state === state) && (!creator || i.user === creator));
      const sorted = q.get('direction') === 'asc' ? found : [...found].reverse();
      return [200, sorted.map((i) => ghIssue({ number: i.number, title: i.title, body: i.body, state: i.state, user: i.user }))];
    }
    if (route === 'POST /issues') {
      const issue = { number: this.pulls.length + this.issues.length + 1, title: String(body.title), body: String(body.body ?? ''), state: 'open' as const, user: 'tidemark-bot' };
      this.issues.push(issue);
      return [201, ghIssue(issue)];
    }
    if ((m = /^PATCH \/issues\/(?<n>\d+)$/.exec(route))) {
      const issue = this.issues.find((i) => i.number === Number(m!.groups!.n));
      if (!issue) return [404, ghNotFound()];
      if (typeof body.body === 'string') issue.body = body.body;
      return [200, ghIssue(issue)];
    }
    if (route === 'POST /pulls') return this.openPull(body);
    if ((m = /^PATCH \/pulls\/(?<n>\d+)$/.exec(route))) {
      const pr = this.pulls.find((p) => p.number === Number(m!.groups!.n));
      if (!pr) return [404, ghNotFound()];
      if (typeof body.title === 'string') pr.title = body.title;
      if (typeof body.body === 'string') pr.body = body.body;
      if (body.state === 'closed' || body.state === 'open') pr.state = body.state;
      return [200, this.pullJson(pr)];
    }
    if ((m = /^POST \/issues\/(?<n>\d+)\/comments$/.exec(route))) {
      this.comments.push({ number: Number(m.groups!.n), body: String(body.body) });
      return [201, { id: this.comments.length, body: body.body }];
    }
    if ((m = /^POST \/issues\/(?<n>\d+)\/labels$/.exec(route))) {
      const pr = this.pulls.find((p) => p.number === Number(m!.groups!.n));
      pr?.labels.push(...(body.labels as string[]));
      return [200, (pr?.labels ?? []).map((l, i) => ({ id: i + 1, name: l }))];
    }
    return [404, ghNotFound()];
  }

  /** `enablePullRequestAutoMerge`, refused as GitHub does when the repository does not allow auto-merge. */
  private graphqlReply(body: Record<string, unknown>): GhReply {
    const query = String(body.query ?? '');
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    const mutation = /(?<name>enablePullRequestAutoMerge)/.exec(query)?.groups?.name;
    if (!mutation) return [200, { errors: [{ message: 'unknown query' }] }];
    this.graphql.push({ mutation, variables });
    const pr = this.pulls.find((p) => `PR_node_${p.number}` === variables.pullRequestId);
    if (!pr) return [200, { data: null, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a node with the global id of '${String(variables.pullRequestId)}'` }] }];
    if (this.opts.autoMerge === false) {
      return [200, { data: { enablePullRequestAutoMerge: null }, errors: [{ type: 'UNPROCESSABLE', message: 'Pull request Auto merge is not allowed for this repository' }] }];
    }
    pr.autoMerge = { mergeMethod: typeof variables.mergeMethod === 'string' ? variables.mergeMethod : null };
    return [200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } }];
  }

  private openPull(body: Record<string, unknown>): GhReply {
    const branch = String(body.head).replace(/^[^:]+:/, '');
    if (this.pulls.some((p) => p.branch === branch && p.state === 'open')) {
      return [422, ghValidationFailed(`A pull request already exists for ${this.repo.split('/')[0]}:${branch}.`)];
    }
    if (!this.refs.has(branch)) return [422, ghValidationFailed(`head ${branch} invalid`)];
    const pr: GhFakePull = {
      number: this.pulls.length + this.issues.length + 1,
      branch,
      base: String(body.base),
      state: 'open',
      merged: false,
      title: String(body.title),
      body: String(body.body ?? ''),
      labels: [],
      reviewers: [],
      teamReviewers: [],
      assignees: [],
      autoMerge: null,
      createdAt: new Date().toISOString(),
    };
    this.pulls.push(pr);
    return [201, this.pullJson(pr)];
  }

  private commitJson(c: GhFakeCommit) {
    return ghCommit(c.sha, c.message, c.author, c.parents);
  }

  private pullJson(p: GhFakePull) {
    const [owner, repo] = this.repo.split('/');
    return {
      ...ghPull({ number: p.number, branch: p.branch, owner, repo, state: p.state, merged: p.merged, title: p.title, body: p.body, base: p.base, createdAt: p.createdAt }),
      labels: p.labels.map((name, i) => ({ id: i + 1, name })),
    };
  }
}
