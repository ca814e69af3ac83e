/**
 * Payload builders for nock fakes of the GitLab REST API v4, shaped after docs.gitlab.com/api: snake_case
 * fields, `{"message": …}` error bodies, `Link` + `x-*` pagination headers. Paths use the URL-encoded
 * project path, as Gitbeaker sends it: `/api/v4/projects/g%2Fp/…`.
 *
 *   const api = gitlabApi();
 *   api.get('/api/v4/projects/g%2Fp/repository/branches/main').reply(200, glBranch('main', 'abc'));
 *   api.done();
 */
import { createHash } from 'node:crypto';
import nock from 'nock';

export const GL_HOST = 'https://gitlab.com';

/** Waits for GitLabPlatform.create({ timing }) in tests: 1 ms per second of Retry-After. */
export const GL_TEST_TIMING = { retryAfterUnitMs: 1 } as const;

/** A nock scope on the instance's origin (gitlab.com or a self-managed host). */
export function gitlabApi(host: string = GL_HOST): nock.Scope {
  return nock(new URL(host).origin);
}

/** `/api/v4/projects/<encoded path>` for a `group/project`. */
export function glProjectPath(project: string): string {
  return `/api/v4/projects/${encodeURIComponent(project)}`;
}

/** A commit as the commits, branches and compare endpoints return it. */
export function glCommit(id: string, message: string, author: { name: string; email: string }, parentIds: string[] = []) {
  return {
    id,
    short_id: id.slice(0, 8),
    title: message.split('\n')[0],
    message,
    author_name: author.name,
    author_email: author.email,
    authored_date: '2026-01-01T00:00:00.000Z',
    committer_name: author.name,
    committer_email: author.email,
    committed_date: '2026-01-01T00:00:00.000Z',
    created_at: '2026-01-01T00:00:00.000Z',
    parent_ids: parentIds,
    web_url: `https://gitlab.com/g/p/-/commit/${id}`,
  };
}

/** `GET /projects/:id/repository/branches/:branch`. */
export function glBranch(name: string, sha: string) {
  return {
    name,
    merged: false,
    protected: false,
    default: name === 'main',
    developers_can_push: false,
    developers_can_merge: false,
    can_push: true,
    web_url: `https://gitlab.com/g/p/-/tree/${name}`,
    commit: glCommit(sha, 'head', { name: 'Dev', email: 'dev@example.com' }),
  };
}

/** `GET /projects/:id`. */
export function glProject(pathWithNamespace: string, opts: { defaultBranch?: string | null; archived?: boolean; id?: number } = {}) {
  return {
    id: opts.id ?? 42,
    name: pathWithNamespace.split('/').pop(),
    path_with_namespace: pathWithNamespace,
    default_branch: opts.defaultBranch === undefined ? 'main' : opts.defaultBranch,
    archived: opts.archived ?? false,
    web_url: `https://gitlab.com/${pathWithNamespace}`,
  };
}

/** `GET /projects/:id/repository/compare?from=&to=`: commits oldest first. */
export function glCompare(commits: ReturnType<typeof glCommit>[]) {
  return { commit: commits.at(-1) ?? null, commits, diffs: [], compare_timeout: false, compare_same_ref: false, web_url: 'https://gitlab.com/g/p/-/compare/a...b' };
}

export interface GlMrOpts {
  iid: number;
  branch: string;
  state?: 'opened' | 'closed' | 'merged' | 'locked';
  title?: string;
  description?: string | null;
  /** A fork's MR has a source project that differs from the target. */
  sourceProjectId?: number;
  target?: string;
  createdAt?: string;
}

/** A merge request as the list, create and edit endpoints return it. */
export function glMr(m: GlMrOpts) {
  return {
    id: 5000 + m.iid,
    iid: m.iid,
    project_id: 42,
    title: m.title ?? `Update ${m.branch}`,
    description: m.description === undefined ? 'body' : m.description,
    state: m.state ?? 'opened',
    source_branch: m.branch,
    target_branch: m.target ?? 'main',
    source_project_id: m.sourceProjectId ?? 42,
    target_project_id: 42,
    created_at: m.createdAt ?? '2026-01-01T00:00:00.000Z',
    merge_when_pipeline_succeeds: false,
    web_url: `https://gitlab.com/g/p/-/merge_requests/${m.iid}`,
  };
}

/** An issue as the list, create and edit endpoints return it. */
export function glIssue(i: { iid: number; title: string; description?: string; state?: 'opened' | 'closed'; authorId?: number }) {
  return {
    id: 9000 + i.iid,
    iid: i.iid,
    project_id: 42,
    title: i.title,
    description: i.description ?? '',
    state: i.state ?? 'opened',
    author: { id: i.authorId ?? 7, username: 'tidemark-bot' },
    web_url: `https://gitlab.com/g/p/-/issues/${i.iid}`,
  };
}

/** `GET /projects/:id/repository/files/:file_path?ref=`: the file's bytes as base64 plus its blob and commit ids. */
export function glFile(path: string, text: string | Buffer, ref: string, opts: { blobId?: string; commitId?: string } = {}) {
  return {
    file_name: path.split('/').pop(),
    file_path: path,
    size: Buffer.byteLength(text),
    encoding: 'base64',
    content: Buffer.from(text).toString('base64'),
    content_sha256: 'c0ffee',
    ref,
    blob_id: opts.blobId ?? 'blob1',
    commit_id: opts.commitId ?? ref,
    last_commit_id: opts.commitId ?? ref,
    execute_filemode: false,
  };
}

/** `{"message":"404 Branch Not Found"}` and friends. */
export function glNotFound(what = 'Branch') {
  return { message: `404 ${what} Not Found` };
}

/**
 * Offset-pagination headers GitLab sends on page `page` of `totalPages`: `Link` with next/prev/first/last and
 * the `x-*` counters. `path` is the full path (`/api/v4/projects/g%2Fp/merge_requests`).
 */
export function glPageHeaders(path: string, query: Record<string, string>, page: number, totalPages: number, perPage: number, host = GL_HOST) {
  const at = (p: number) => `<${host}${path}?${new URLSearchParams({ ...query, page: String(p), per_page: String(perPage) })}>`;
  const rels: string[] = [];
  if (page > 1) rels.push(`${at(page - 1)}; rel="prev"`);
  if (page < totalPages) rels.push(`${at(page + 1)}; rel="next"`);
  rels.push(`${at(1)}; rel="first"`, `${at(totalPages)}; rel="last"`);
  return {
    link: rels.join(', '),
    'x-page': String(page),
    'x-per-page': String(perPage),
    'x-next-page': page < totalPages ? String(page + 1) : '',
    'x-prev-page': page > 1 ? String(page - 1) : '',
    'x-total-pages': String(totalPages),
  };
}

interface FakeCommit {
  id: string;
  message: string;
  author: { name: string; email: string };
  parentIds: string[];
  /** Every file of the commit's tree: path → text. */
  tree: Map<string, string>;
}

interface FakeMr {
  iid: number;
  branch: string;
  target: string;
  state: 'opened' | 'closed' | 'merged';
  title: string;
  description: string;
  labels: string[];
  reviewerIds: number[];
  assigneeIds: number[];
  /** Set by `PUT …/merge` once the MR has a pipeline: merges when it succeeds. */
  autoMerge: { sha: string | null } | null;
  createdAt: string;
  /** Set for an MR from a fork (any GitLab user can open one against a public project). */
  sourceProjectId?: number;
}

type Reply = [number, unknown] | [number, unknown, Record<string, string>];

/**
 * A stateful fake of one GitLab project over nock: a commit graph with file trees, branches, merge requests and
 * notes, answering the v4 endpoints GitLabPlatform uses with the documented shapes and errors (404 for a missing
 * branch or file, 400 for a commit action on a file in the wrong state, 409 for a second open MR on a branch).
 * It lets a test run the publish lifecycle several times and see what each run changed.
 *
 *   const repo = new GitLabRepoFake('g/p', { 'apps/web.yaml': '…' });
 *   repo.install();            // persistent interceptors on gitlab.com
 *   await publish(platform, plan, ctx);
 *   repo.writes();             // ['POST /repository/commits', 'POST /merge_requests']
 */
export interface GitLabRepoFakeOptions {
  /** Users the instance knows, username → id (`GET /users?username=`). */
  users?: Record<string, number>;
  /** The project has CI: every MR gets a head pipeline, so automerge can be set. Default false. */
  pipelines?: boolean;
}

export class GitLabRepoFake {
  readonly commits = new Map<string, FakeCommit>();
  readonly issues: { iid: number; title: string; description: string; state: 'opened' | 'closed'; authorId: number }[] = [];
  readonly branches = new Map<string, string>();
  readonly mrs: FakeMr[] = [];
  readonly notes: { iid: number; body: string }[] = [];
  /** Every request, `METHOD /path-under-the-project?query`, with its JSON body. */
  readonly requests: { call: string; body: unknown }[] = [];
  private seq = 0;
  private readonly failures: { call: string; status: number }[] = [];

  constructor(
    readonly project: string,
    files: Record<string, string>,
    readonly defaultBranch = 'main',
    private readonly opts: GitLabRepoFakeOptions = {},
  ) {
    const root = this.addCommit('Initial commit', { name: 'Dev', email: 'dev@example.com' }, [], new Map(Object.entries(files)));
    this.branches.set(defaultBranch, root.id);
  }

  install(host: string = GL_HOST): nock.Scope {
    const scope = gitlabApi(host).persist();
    for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
      scope.intercept(/^\/api\/v4\//, method).reply((uri, body) => this.handle(method, uri, body));
    }
    return scope;
  }

  /** The requests that changed something, in order. */
  writes(): string[] {
    return this.requests.filter((r) => !r.call.startsWith('GET ')).map((r) => r.call.replace(/\?.*$/, ''));
  }

  /** Someone else's commit on a branch (a human, or new work on the base). */
  pushCommit(branch: string, message: string, author: { name: string; email: string }, files: Record<string, string>): string {
    const parent = this.commits.get(this.branches.get(branch) ?? '');
    if (!parent) throw new Error(`no branch ${branch}`);
    const tree = new Map(parent.tree);
    for (const [path, text] of Object.entries(files)) tree.set(path, text);
    const commit = this.addCommit(message, author, [parent.id], tree);
    this.branches.set(branch, commit.id);
    return commit.id;
  }

  /** Makes the next `times` requests of `call` (`'POST /merge_requests'`) fail with `status` and GitLab's message for it. */
  failNext(call: string, status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ call, status });
  }

  /** The text of `path` at the head of `branch`. */
  fileOn(branch: string, path: string): string | undefined {
    return this.commits.get(this.branches.get(branch) ?? '')?.tree.get(path);
  }

  private addCommit(message: string, author: { name: string; email: string }, parentIds: string[], tree: Map<string, string>): FakeCommit {
    const id = createHash('sha1').update(`commit ${++this.seq}`).digest('hex');
    const commit = { id, message, author, parentIds, tree };
    this.commits.set(id, commit);
    return commit;
  }

  private resolve(ref: string): FakeCommit | undefined {
    return this.commits.get(this.branches.get(ref) ?? ref);
  }

  private ancestors(id: string): Set<string> {
    const seen = new Set<string>();
    const todo = [id];
    while (todo.length > 0) {
      const at = this.commits.get(todo.pop()!);
      if (!at || seen.has(at.id)) continue;
      seen.add(at.id);
      todo.push(...at.parentIds);
    }
    return seen;
  }

  private json(c: FakeCommit) {
    return glCommit(c.id, c.message, c.author, c.parentIds);
  }

  private handle(method: string, uri: string, rawBody: unknown): Reply {
    const url = new URL(uri, GL_HOST);
    const prefix = glProjectPath(this.project);
    const path = decodeURIComponent(url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname);
    const q = url.searchParams;
    const body = (typeof rawBody === 'string' && rawBody !== '' ? JSON.parse(rawBody) : rawBody) as Record<string, unknown>;
    this.requests.push({ call: `${method} ${path}${url.search}`, body });
    const route = `${method} ${path}`;
    const failure = this.failures.findIndex((f) => f.call === route);
    if (failure >= 0) {
      const [f] = this.failures.splice(failure, 1);
      return [f!.status, { message: f!.status === 403 ? '403 Forbidden' : '500 Internal Server Error' }];
    }
    let m: RegExpExecArray | null;
    if (route === 'GET ') return [200, glProject(this.project, { defaultBranch: this.defaultBranch })];
    if ((m = /^GET \/repository\/branches\/(?<name>.+)$/.exec(route))) {
      const sha = this.branches.get(m.groups!.name!);
      return sha ? [200, { ...glBranch(m.groups!.name!, sha), commit: this.json(this.commits.get(sha)!) }] : [404, glNotFound()];
    }
    if (route === 'GET /repository/branches') {
      const search = (q.get('search') ?? '').replace(/^\^/, '');
      return [200, [...this.branches].filter(([n]) => n.startsWith(search)).map(([n, sha]) => glBranch(n, sha))];
    }
    if ((m = /^DELETE \/repository\/branches\/(?<name>.+)$/.exec(route))) {
      return this.branches.delete(m.groups!.name!) ? [204, ''] : [404, glNotFound()];
    }
    if (route === 'GET /repository/compare') {
      const from = this.resolve(q.get('from') ?? '');
      const to = this.resolve(q.get('to') ?? '');
      if (!from || !to) return [404, glNotFound('Ref')];
      const base = this.ancestors(from.id);
      const listed = [...this.ancestors(to.id)].filter((id) => !base.has(id)).map((id) => this.json(this.commits.get(id)!));
      return [200, glCompare(listed.reverse())];
    }
    if ((m = /^GET \/repository\/files\/(?<file>.+)$/.exec(route))) {
      const commit = this.resolve(q.get('ref') ?? '');
      const text = commit?.tree.get(m.groups!.file!);
      return text === undefined || !commit ? [404, glNotFound('File')] : [200, glFile(m.groups!.file!, text, q.get('ref')!, { commitId: commit.id })];
    }
    if (route === 'POST /repository/commits') return this.commit(body);
    if (route === 'GET /merge_requests') {
      const state = q.get('state');
      const source = q.get('source_branch');
      const found = this.mrs.filter((mr) => (!state || mr.state === state) && (!source || mr.branch === source));
      // GitLab's default: order_by=created_at, sort=desc (newest first).
      const sorted = q.get('sort') === 'asc' ? found : [...found].reverse();
      return [200, sorted.map((mr) => this.mrJson(mr))];
    }
    if ((m = /^GET \/merge_requests\/(?<iid>\d+)$/.exec(route))) {
      const mr = this.mrs.find((x) => x.iid === Number(m!.groups!.iid));
      if (!mr) return [404, glNotFound('Merge Request')];
      const sha = this.branches.get(mr.branch) ?? null;
      const pipeline = this.opts.pipelines && sha ? { id: 100 + mr.iid, sha, status: 'running' } : null;
      return [200, { ...this.mrJson(mr), sha, head_pipeline: pipeline }];
    }
    if ((m = /^PUT \/merge_requests\/(?<iid>\d+)\/merge$/.exec(route))) {
      const mr = this.mrs.find((x) => x.iid === Number(m!.groups!.iid));
      if (!mr) return [404, glNotFound('Merge Request')];
      if (!this.opts.pipelines) return [405, { message: '405 Method Not Allowed' }];
      mr.autoMerge = { sha: typeof body.sha === 'string' ? body.sha : null };
      return [200, { ...this.mrJson(mr), merge_when_pipeline_succeeds: true }];
    }
    if (route === 'GET /api/v4/users') {
      const id = this.opts.users?.[q.get('username') ?? ''];
      return [200, id === undefined ? [] : [{ id, username: q.get('username'), state: 'active' }]];
    }
    if (route === 'GET /api/v4/user') return [200, { id: 7, username: 'tidemark-bot' }];
    if (route === 'GET /issues') {
      const state = q.get('state');
      const search = q.get('search') ?? '';
      const author = q.get('author_id');
      const found = this.issues.filter((i) => (!state || i.state === state) && i.title.includes(search) && (!author || i.authorId === Number(author)));
      const sorted = q.get('sort') === 'asc' ? found : [...found].reverse();
      return [200, sorted.map((i) => glIssue(i))];
    }
    if (route === 'POST /issues') {
      const issue = { iid: this.issues.length + 1, title: String(body.title), description: String(body.description ?? ''), state: 'opened' as const, authorId: 7 };
      this.issues.push(issue);
      return [201, glIssue(issue)];
    }
    if ((m = /^PUT \/issues\/(?<iid>\d+)$/.exec(route))) {
      const issue = this.issues.find((i) => i.iid === Number(m!.groups!.iid));
      if (!issue) return [404, glNotFound('Issue')];
      if (typeof body.description === 'string') issue.description = body.description;
      return [200, glIssue(issue)];
    }
    if (route === 'POST /merge_requests') return this.openMr(body);
    if ((m = /^PUT \/merge_requests\/(?<iid>\d+)$/.exec(route))) return this.editMr(Number(m.groups!.iid), body);
    if ((m = /^POST \/merge_requests\/(?<iid>\d+)\/notes$/.exec(route))) {
      this.notes.push({ iid: Number(m.groups!.iid), body: String(body.body) });
      return [201, { id: this.notes.length, body: body.body, noteable_type: 'MergeRequest' }];
    }
    return [404, { error: '404 Not Found' }];
  }

  /** `POST /repository/commits` with `start_sha` and `force`: the branch becomes start_sha + this commit. */
  private commit(body: Record<string, unknown>): Reply {
    const start = this.resolve(String(body.start_sha ?? body.branch));
    if (!start) return [400, { message: 'You can only create or edit files when you are on a branch' }];
    const branch = String(body.branch);
    if (this.branches.has(branch) && body.force !== true && !body.start_sha) return [400, { message: 'A branch called this already exists' }];
    const tree = new Map(start.tree);
    for (const a of body.actions as { action: string; file_path: string; content: string }[]) {
      const exists = tree.has(a.file_path);
      if (a.action === 'update' && !exists) return [400, { message: "A file with this name doesn't exist" }];
      if (a.action === 'create' && exists) return [400, { message: 'A file with this name already exists' }];
      tree.set(a.file_path, a.content);
    }
    const author = { name: String(body.author_name ?? 'Token User'), email: String(body.author_email ?? 'token@example.com') };
    const commit = this.addCommit(String(body.commit_message), author, [start.id], tree);
    this.branches.set(branch, commit.id);
    return [201, this.json(commit)];
  }

  private openMr(body: Record<string, unknown>): Reply {
    const branch = String(body.source_branch);
    const open = this.mrs.find((mr) => mr.branch === branch && mr.state === 'opened' && mr.sourceProjectId === undefined);
    if (open) return [409, { message: [`Another open merge request already exists for this source branch: !${open.iid}`] }];
    if (!this.branches.has(branch)) return [422, { message: ['Source branch does not exist'] }];
    const labels = typeof body.labels === 'string' && body.labels !== '' ? body.labels.split(',') : [];
    const mr: FakeMr = {
      iid: this.mrs.length + 1,
      branch,
      target: String(body.target_branch),
      state: 'opened',
      title: String(body.title),
      description: String(body.description ?? ''),
      labels,
      reviewerIds: (body.reviewer_ids as number[] | undefined) ?? [],
      assigneeIds: (body.assignee_ids as number[] | undefined) ?? [],
      autoMerge: null,
      createdAt: new Date().toISOString(),
    };
    this.mrs.push(mr);
    return [201, this.mrJson(mr)];
  }

  private editMr(iid: number, body: Record<string, unknown>): Reply {
    const mr = this.mrs.find((x) => x.iid === iid);
    if (!mr) return [404, glNotFound('Merge Request')];
    if (typeof body.title === 'string') mr.title = body.title;
    if (typeof body.description === 'string') mr.description = body.description;
    if (body.state_event === 'close') mr.state = 'closed';
    if (body.state_event === 'reopen') mr.state = 'opened';
    return [200, this.mrJson(mr)];
  }

  /** Someone's MR from their fork, whose source branch has the same name as one of this project's. */
  forkMr(m: { branch: string; title: string; description: string; state: 'opened' | 'closed' }): number {
    const iid = this.mrs.length + 1;
    this.mrs.push({ iid, target: this.defaultBranch, labels: [], reviewerIds: [], assigneeIds: [], autoMerge: null, createdAt: new Date().toISOString(), sourceProjectId: 666, ...m });
    return iid;
  }

  /** A user closing the MR in the web UI. */
  closeMr(iid: number): void {
    const mr = this.mrs.find((x) => x.iid === iid);
    if (mr) mr.state = 'closed';
  }

  private mrJson(mr: FakeMr) {
    const source = mr.sourceProjectId === undefined ? {} : { sourceProjectId: mr.sourceProjectId };
    return { ...glMr({ iid: mr.iid, branch: mr.branch, state: mr.state, title: mr.title, description: mr.description, target: mr.target, createdAt: mr.createdAt, ...source }), labels: mr.labels };
  }
}
