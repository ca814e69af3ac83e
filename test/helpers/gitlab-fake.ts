/**
 * Payload builders for nock fakes of the GitLab REST API v4, shaped after docs.gitlab.com/api: snake_case
 * fields, `{"message": …}` error bodies, `Link` + `x-*` pagination headers. Paths use the URL-encoded
 * project path, as Gitbeaker sends it: `/api/v4/projects/g%2Fp/…`.
 *
 *   const api = gitlabApi();
 *   api.get('/api/v4/projects/g%2Fp/repository/branches/main').reply(200, glBranch('main', 'abc'));
 *   api.done();
 */
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
