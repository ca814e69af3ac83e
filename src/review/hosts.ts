import { Octokit } from '@octokit/rest';
import { ProjectReleases, RepositoryFiles } from '@gitbeaker/rest';
import type { SourceRepo } from './sources.js';

/** One release as GitHub (`GET /repos/{owner}/{repo}/releases`) or GitLab (`GET /projects/:id/releases`) lists it. */
export interface RawRelease {
  tag: string;
  name: string | null;
  body: string;
  url: string | null;
  date: string | null;
  draft: boolean;
  prerelease: boolean;
}

/** What the notes reader asks a code host: a page of releases (newest first), the changelog file, a compare URL. */
export interface HostApi {
  releasesPage(page: number): Promise<{ releases: RawRelease[]; next: number | null }>;
  /** `CHANGELOG.md` at the default branch; null when there is none. */
  changelog(): Promise<string | null>;
  compareUrl(fromTag: string, toTag: string): string;
}

/** A failed request to a code host; `rateLimited` when the host said to stop asking (403/429 with rate-limit headers). */
export class NotesHttpError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly rateLimited: boolean,
    /** How long the host asked us to wait (`retry-after`, `x-ratelimit-reset`), when it said. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'NotesHttpError';
  }
}

export const PER_PAGE = 50;
/** The most of a changelog read: the newest sections are at the top. */
const MAX_CHANGELOG = 1024 * 1024;

export interface HostApiOptions {
  /** `https://api.github.com`, a GitHub Enterprise `https://ghe/api/v3`, or `https://gitlab.example.com`. */
  apiBase: string;
  /** Sent only when the caller bound it to this host; null asks anonymously. */
  token: string | null;
  /** GitLab CI's job token (`CI_JOB_TOKEN`): sent as `JOB-TOKEN`, not `PRIVATE-TOKEN`. */
  jobToken?: boolean;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/** GitHub through Octokit, without the retry plugins: a rate limit stops the host for the run instead of waiting. */
export function githubApi(source: Extract<SourceRepo, { kind: 'github' }>, opts: HostApiOptions): HostApi {
  const octokit = new Octokit({
    ...(opts.token ? { auth: opts.token } : {}),
    baseUrl: opts.apiBase,
    userAgent: 'tidemark',
    request: { fetch: opts.fetch, ...(opts.signal && { signal: opts.signal }) },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  const { owner, repo } = source;
  return {
    releasesPage: (page) =>
      githubCall(async () => {
        const res = await octokit.request('GET /repos/{owner}/{repo}/releases', { owner, repo, per_page: PER_PAGE, page });
        const releases = (res.data as unknown[]).map(githubRelease).filter((r): r is RawRelease => r !== null);
        return { releases, next: /<[^>]*>;\s*rel="next"/.test(res.headers.link ?? '') ? page + 1 : null };
      }),
    changelog: () =>
      githubCall(async () => {
        try {
          const res = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path: 'CHANGELOG.md', mediaType: { format: 'raw' } });
          const data: unknown = res.data;
          return typeof data === 'string' ? data.slice(0, MAX_CHANGELOG) : null;
        } catch (err) {
          if (statusOf(err) === 404) return null;
          throw err;
        }
      }),
    compareUrl: (a, b) => `${source.webUrl}/compare/${encodeURIComponent(a)}...${encodeURIComponent(b)}`,
  };
}

function githubRelease(raw: unknown): RawRelease | null {
  const r = raw as Record<string, unknown> | null;
  if (!r || typeof r.tag_name !== 'string') return null;
  return {
    tag: r.tag_name,
    name: str(r.name),
    body: str(r.body) ?? '',
    url: str(r.html_url),
    date: str(r.published_at),
    draft: r.draft === true,
    prerelease: r.prerelease === true,
  };
}

async function githubCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const status = statusOf(err);
    const headers = ((err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {}) as Record<string, string | undefined>;
    const limited = status === 429 || (status === 403 && (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined));
    throw new NotesHttpError(limited ? 'rate limited' : status ? `HTTP ${status}` : messageOf(err), status, limited, waitOf(headers['retry-after'], headers['x-ratelimit-reset']));
  }
}

/**
 * GitLab through Gitbeaker, with a requester that sends each request once: Gitbeaker's own retries a 429 ten times
 * in quick succession, which is the storm a rate limit asks us not to make.
 */
export function gitlabApi(source: Extract<SourceRepo, { kind: 'gitlab' }>, opts: HostApiOptions): HostApi {
  const config = { host: opts.apiBase, requesterFn: onceRequester(opts.fetch, opts.signal), ...(opts.token ? (opts.jobToken ? { jobToken: opts.token } : { token: opts.token }) : {}) };
  const releases = new ProjectReleases<false>(config as never);
  const files = new RepositoryFiles<false>(config as never);
  return {
    releasesPage: async (page) => {
      const res = (await releases.all(source.project, { page, perPage: PER_PAGE, showExpanded: true } as never)) as unknown as {
        data: unknown[];
        paginationInfo: { next: number | null };
      };
      return { releases: res.data.map(gitlabRelease).filter((r): r is RawRelease => r !== null), next: res.paginationInfo.next };
    },
    changelog: async () => {
      try {
        const text = (await files.showRaw(source.project, 'CHANGELOG.md', 'HEAD')) as unknown;
        return typeof text === 'string' ? text.slice(0, MAX_CHANGELOG) : null;
      } catch (err) {
        if (err instanceof NotesHttpError && err.status === 404) return null;
        throw err;
      }
    },
    compareUrl: (a, b) => `${source.webUrl}/-/compare/${encodeURIComponent(a)}...${encodeURIComponent(b)}`,
  };
}

function gitlabRelease(raw: unknown): RawRelease | null {
  const r = raw as Record<string, unknown> | null;
  if (!r || typeof r.tag_name !== 'string') return null;
  const links = r._links as Record<string, unknown> | undefined;
  return {
    tag: r.tag_name,
    name: str(r.name),
    body: str(r.description) ?? '',
    url: str(links?.self),
    date: str(r.released_at),
    draft: false,
    prerelease: r.upcoming_release === true,
  };
}

interface ResourceOptions {
  url: string;
  headers: Record<string, string>;
  authHeaders: Record<string, () => Promise<string>>;
}

/** Gitbeaker's requester contract: `get(endpoint, {searchParams})` → `{body, headers, status}`. Only GET is needed. */
function onceRequester(fetchFn: typeof fetch, signal?: AbortSignal) {
  return (resource: ResourceOptions) => {
    const get = async (endpoint: string, options?: { searchParams?: Record<string, unknown> }) => {
      const url = new URL(endpoint, resource.url.endsWith('/') ? resource.url : `${resource.url}/`);
      for (const [k, v] of Object.entries(options?.searchParams ?? {})) {
        if (v !== undefined && v !== null) url.searchParams.set(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), String(v));
      }
      const headers: Record<string, string> = { ...resource.headers, 'user-agent': 'tidemark' };
      const auth: Record<string, string> = {};
      for (const [k, f] of Object.entries(resource.authHeaders)) auth[k] = await f();
      let res: Response;
      try {
        res = await fetchFollowing(fetchFn, url, headers, auth, signal);
      } catch (err) {
        throw new NotesHttpError(messageOf(err), null, false);
      }
      if (!res.ok) {
        await res.body?.cancel();
        const limited = res.status === 429 || (res.status === 403 && (res.headers.get('ratelimit-remaining') === '0' || res.headers.has('retry-after')));
        const wait = waitOf(res.headers.get('retry-after') ?? undefined, res.headers.get('ratelimit-reset') ?? undefined);
        throw new NotesHttpError(limited ? 'rate limited' : `HTTP ${res.status}`, res.status, limited, wait);
      }
      const type = res.headers.get('content-type') ?? '';
      const body = type.includes('json') ? await res.json() : await res.text();
      return { body, headers: Object.fromEntries(res.headers), status: res.status };
    };
    const unsupported = async (): Promise<never> => {
      throw new Error('release notes only read');
    };
    return { get, post: unsupported, put: unsupported, patch: unsupported, delete: unsupported };
  };
}

const MAX_REDIRECTS = 5;

/**
 * Follows redirects itself: fetch drops `Authorization` on a redirect to another origin, but not GitLab's
 * `PRIVATE-TOKEN`/`JOB-TOKEN`, so the token goes only to the API's own origin and a redirect elsewhere is asked anonymously.
 */
async function fetchFollowing(
  fetchFn: typeof fetch,
  start: URL,
  headers: Record<string, string>,
  auth: Record<string, string>,
  signal?: AbortSignal,
): Promise<Response> {
  let url = start;
  for (let hop = 0; ; hop++) {
    const sameOrigin = url.origin === start.origin;
    const res = await fetchFn(url, { headers: sameOrigin ? { ...headers, ...auth } : headers, redirect: 'manual', ...(signal && { signal }) });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) return res;
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
    url = new URL(location, url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('redirect to a non-HTTP URL');
  }
}

/** `retry-after: 60` (seconds) or a reset time in epoch seconds, as milliseconds from now; capped at a day. */
function waitOf(retryAfter: string | undefined, reset: string | undefined, now = Date.now()): number | null {
  const seconds = Number(retryAfter);
  if (retryAfter !== undefined && Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 86_400_000);
  const at = Number(reset) * 1000;
  if (reset !== undefined && Number.isFinite(at) && at > now) return Math.min(at - now, 86_400_000);
  return null;
}

function statusOf(err: unknown): number | null {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : null;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
