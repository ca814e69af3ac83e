import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { Logger } from '../log.js';
import type { CacheStore } from '../lookup/cache.js';
import type { SharedRateLimits } from '../lookup/redis-store.js';
import { changelogSections } from './changelog.js';
import { githubApi, gitlabApi, NotesHttpError, type HostApi, type RawRelease } from './hosts.js';
import { sourceKey, type SourceHosts, type SourceRepo } from './sources.js';
import type { NotesOutcome, ReleaseNotes, VersionNotes } from './types.js';
import { compareVersions, inRange, isPrerelease, tagVersion } from './versions.js';

/** The platform token and the one host it belongs to; every other host is asked anonymously. */
export interface BoundToken {
  kind: 'github' | 'gitlab';
  /** `github.com`, `ghe.example.com`, `gitlab.example.com`: the source host the token may be sent for. */
  host: string;
  /** The API the token goes to: `https://api.github.com`, `https://ghe.example.com/api/v3`, `https://gitlab.example.com`. */
  apiBase: string;
  token: string;
  /** GitLab CI's job token (`CI_JOB_TOKEN`), which GitLab reads from `JOB-TOKEN`. */
  jobToken?: boolean;
}

export interface ReleaseNotesOptions {
  hosts: SourceHosts;
  token: BoundToken | null;
  /** The lookup cache's store (disk or Redis); null keeps nothing between runs. */
  store: CacheStore | null;
  logger: Logger;
  now?: () => number;
  /** Default 4 hours. */
  ttlMs?: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Requests in flight at once, over all hosts (default 4). */
  concurrency?: number;
  /** Release pages read at most per package (default 4, 50 releases each). */
  maxPages?: number;
  /** Deadline of each request, body included (default 15 s). */
  timeoutMs?: number;
  /** Rate limits shared by every process (Redis): a host one run found exhausted is left alone by the others too. */
  sharedLimits?: SharedRateLimits | null;
  /** GitHub Enterprise API base by host, for hosts in `hosts.github` other than github.com. */
  apiBases?: Readonly<Record<string, string>>;
}

export interface NotesRequest {
  source: SourceRepo;
  packageName: string;
  /** Semver readings of the current and the new version. */
  from: string;
  to: string;
}

const CACHE_VERSION = 'release-notes v1';
/** Kept per version (more than a PR shows: the renderer cuts at 20,000), and versions per range: bounds the cache entry. */
const MAX_BODY = 40_000;
const MAX_VERSIONS = 100;

/**
 * Reads release notes from GitHub and GitLab for one run: each (source, range) once, a bounded number at a time,
 * through the cross-run cache, and never again from a host that rate-limited us this run. Failures are outcomes.
 */
export class ReleaseNotesReader {
  private readonly memo = new Map<string, Promise<NotesOutcome>>();
  private readonly exhausted = new Set<string>();
  private readonly limit;
  private readonly now: () => number;

  constructor(private readonly opts: ReleaseNotesOptions) {
    this.limit = pLimit(opts.concurrency ?? 4);
    this.now = opts.now ?? Date.now;
  }

  notes(req: NotesRequest): Promise<NotesOutcome> {
    const key = `${sourceKey(req.source)} ${req.packageName.toLowerCase()} ${req.from}..${req.to}`;
    let p = this.memo.get(key);
    if (!p) {
      p = this.limit(() => this.read(req, key));
      this.memo.set(key, p);
    }
    return p;
  }

  private async read(req: NotesRequest, key: string): Promise<NotesOutcome> {
    const { source } = req;
    if (source.kind === 'other') return { notes: { source, from: 'none', versions: [], compareUrl: null } };
    if (this.exhausted.has(source.host) || (await this.sharedExhausted(source.host))) {
      return { failed: `${source.host} rate limit reached earlier in this run`, source };
    }
    const token = this.tokenFor(source);
    const cacheKey = `${CACHE_VERSION} ${key}${token ? ` as ${createHash('sha256').update(token.token).digest('hex').slice(0, 16)}` : ''}`;
    const cached = await this.cached(cacheKey, source);
    if (cached) return { notes: cached };
    try {
      const notes = await this.fetchNotes(req, this.api(source, token));
      await this.opts.store?.set(cacheKey, { storedAt: this.now(), body: JSON.stringify(notes) }).catch(() => undefined);
      return { notes };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof NotesHttpError && err.rateLimited) {
        this.exhausted.add(source.host);
        await this.opts.sharedLimits?.markExhausted(limitKey(source.host), err.retryAfterMs ?? 15 * 60_000).catch(() => undefined);
        this.opts.logger.warn('release notes: rate limited; not asking this host again this run', { host: source.host });
      } else {
        this.opts.logger.warn('release notes could not be read', { source: source.webUrl, error: message });
      }
      return { failed: message, source };
    }
  }

  private async sharedExhausted(host: string): Promise<boolean> {
    return (await this.opts.sharedLimits?.isExhausted(limitKey(host)).catch(() => false)) ?? false;
  }

  private async cached(key: string, source: SourceRepo): Promise<ReleaseNotes | null> {
    const entry = await this.opts.store?.get(key).catch(() => null);
    if (!entry || this.now() - entry.storedAt >= (this.opts.ttlMs ?? 4 * 3600_000)) return null;
    try {
      const notes = JSON.parse(entry.body) as ReleaseNotes;
      return Array.isArray(notes.versions) ? { ...notes, source } : null;
    } catch {
      return null;
    }
  }

  /** The platform token, only for the one host the operator's platform is: github.com's API for a GitHub token. */
  private tokenFor(source: Exclude<SourceRepo, { kind: 'other' }>): BoundToken | null {
    const t = this.opts.token;
    return t && t.kind === source.kind && t.host === source.host ? t : null;
  }

  private api(source: Exclude<SourceRepo, { kind: 'other' }>, token: BoundToken | null): HostApi {
    const base = { token: token?.token ?? null, ...(token?.jobToken && { jobToken: true }), fetch: this.deadlineFetch(), ...(this.opts.signal && { signal: this.opts.signal }) };
    if (source.kind === 'github') {
      const apiBase = token?.apiBase ?? this.opts.apiBases?.[source.host] ?? (source.host === 'github.com' ? 'https://api.github.com' : `https://${source.host}/api/v3`);
      return githubApi(source, { ...base, apiBase });
    }
    return gitlabApi(source, { ...base, apiBase: token?.apiBase ?? `https://${source.host}` });
  }

  /** Every request ends by its deadline or the run's, whichever comes first. */
  private deadlineFetch(): typeof fetch {
    const inner = this.opts.fetch ?? fetch;
    const ms = this.opts.timeoutMs ?? 15_000;
    return (input, init) => {
      const signals = [AbortSignal.timeout(ms), ...(init?.signal ? [init.signal] : []), ...(this.opts.signal ? [this.opts.signal] : [])];
      return inner(input, { ...init, signal: AbortSignal.any(signals) });
    };
  }

  private async fetchNotes(req: NotesRequest, api: HostApi): Promise<ReleaseNotes> {
    const { versions, fromTag, toTag } = await this.fromReleases(req, api);
    const compare = (to: string | null): string | null => (fromTag && to ? api.compareUrl(fromTag, to) : null);
    if (versions.length > 0) return { source: req.source, from: 'releases', versions, compareUrl: compare(toTag) };
    const changelog = await api.changelog();
    const sections = changelog ? changelogSections(changelog, req.packageName, req.from, req.to) : [];
    return { source: req.source, from: sections.length > 0 ? 'changelog' : 'none', versions: sections, compareUrl: compare(toTag) };
  }

  /**
   * Pages newest first until a page reaches the current version (or older), at most `maxPages`. Drafts are skipped;
   * pre-releases only when the new version is one.
   */
  private async fromReleases(req: NotesRequest, api: HostApi): Promise<{ versions: VersionNotes[]; fromTag: string | null; toTag: string | null }> {
    const found = new Map<string, VersionNotes>();
    let fromTag: string | null = null;
    let toTag: string | null = null;
    const withPre = isPrerelease(req.to);
    let page: number | null = 1;
    for (let read = 0; page !== null && read < (this.opts.maxPages ?? 4); read++) {
      const { releases, next } = await api.releasesPage(page);
      let reachedCurrent = false;
      for (const r of releases) {
        const v = versionOf(r, req.packageName);
        if (!v || r.draft) continue;
        if (compareVersions(v, req.from) <= 0) reachedCurrent = true;
        if (compareVersions(v, req.from) === 0) fromTag ??= r.tag;
        if (compareVersions(v, req.to) === 0) toTag ??= r.tag;
        if (!inRange(v, req.from, req.to) || found.has(v) || ((r.prerelease || isPrerelease(v)) && !withPre)) continue;
        if (found.size >= MAX_VERSIONS) continue;
        found.set(v, { version: v, tag: r.tag, title: r.name, body: r.body.slice(0, MAX_BODY), url: r.url, date: r.date?.slice(0, 10) ?? null });
      }
      page = reachedCurrent ? null : next;
    }
    fromTag ??= toTag ? spellLike(toTag, req.from) : null;
    return { versions: [...found.values()].sort((a, b) => compareVersions(b.version, a.version)), fromTag, toTag };
  }
}

/** Apart from the registry of the same name: an exhausted API says nothing about a registry on that host. */
function limitKey(host: string): string {
  return `release-notes ${host}`;
}

function versionOf(r: RawRelease, packageName: string): string | null {
  return tagVersion(r.tag, packageName) ?? (r.name ? tagVersion(r.name, packageName) : null);
}

/** The current version's tag spelt like the new one's: `v1.3.0` for 1.3.0 → `v1.2.0` for 1.2.0. */
function spellLike(toTag: string, from: string): string | null {
  const written = /(?<core>\d+(?:\.\d+){0,3})(?<rest>(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/.exec(toTag);
  if (!written?.groups) return null;
  const parts = from.replace(/-.*$/, '').split('.');
  const count = written.groups.core!.split('.').length;
  if (count < 3 && parts.slice(count).some((p) => p !== '0')) return null;
  return `${toTag.slice(0, written.index)}${parts.slice(0, Math.max(count, 1)).join('.')}`;
}
