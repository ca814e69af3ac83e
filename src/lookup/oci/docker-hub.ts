import type { Logger } from '../../log.js';
import { cachedGet, isCachedBody, type ResponseCache } from '../cache.js';
import type { HttpClient } from '../http.js';
import { knownReleaseTime } from '../release-time.js';
import { DOCKER_HUB, type ImageLocation } from './reference.js';

export const DOCKER_HUB_API = 'https://hub.docker.com';

export interface DockerHubTagsOptions {
  http: HttpClient;
  cache: ResponseCache;
  logger: Logger;
  now: () => number;
  /** How long a tag's answer is used from the disk cache before asking again. */
  ttlMs: number;
  /** `https://hub.docker.com`; tests point it elsewhere. */
  baseUrl?: string;
}

/** What the Hub said about a tag: a time, or nothing usable, so the caller reads the manifest instead. */
export type HubAnswer = { time: Date } | { unavailable: string };

/**
 * Release times of Docker Hub tags from Hub's web API, which does not count against the pull rate limit (manifest GETs
 * on registry-1.docker.io do: 100 per 6 hours anonymous). One request per tag:
 * `GET https://hub.docker.com/v2/namespaces/library/repositories/nginx/tags/1.27.3` →
 * `{"name":"1.27.3","tag_last_pushed":"2024-11-26T18:42:08.1Z","last_updated":"2024-11-26T18:42:08.1Z",…}`.
 *
 * Which time: `tag_last_pushed`, else `last_updated` (older tags may lack the first; both are the same event when
 * present). Both are when the tag last pointed at new content, not when the version first appeared: official images
 * re-push exact version tags when their base image is rebuilt, so `nginx:1.27.3` may look days old when the version is
 * months old. The image config's `created` moves the same way on a rebuild, so the manifest path is no truer; and for a
 * minimum release age the error is on the safe side (a version waits longer, never less). The push time is also
 * what a user pulling the tag today gets, which is what the age gate protects.
 *
 * Politeness: no credentials are sent (hub.docker.com is not registry-1.docker.io; anonymous reads public repositories,
 * and private ones answer 404 and go the manifest way with credentials). A 404 skips Hub for that repository for the
 * rest of the run; a 429, a 5xx after retries, an unreachable host or a body we cannot read skips Hub for the whole
 * run, so a rate-limited or blocked Hub costs one failed request, not one per tag.
 */
export class DockerHubTags {
  private readonly baseUrl: string;
  /** Why Hub is not asked any more this run; null while it answers. */
  private disabled: string | null = null;
  private readonly missingRepos = new Set<string>();
  /** The run's first Hub request, which every other waits for; it never rejects. */
  private probe: Promise<HubAnswer> | null = null;

  constructor(private readonly opts: DockerHubTagsOptions) {
    this.baseUrl = (opts.baseUrl ?? DOCKER_HUB_API).replace(/\/+$/, '');
  }

  /** Whether the Hub API can answer for this image at all: Docker Hub images whose repository is `namespace/name`. */
  static covers(loc: ImageLocation): boolean {
    return loc.registry === DOCKER_HUB && /^[^/]+\/[^/]+$/.test(loc.repository);
  }

  async releaseTime(loc: ImageLocation, tag: string): Promise<HubAnswer> {
    if (!DockerHubTags.covers(loc)) return { unavailable: 'not a Docker Hub repository' };
    // The first question goes alone: when the Hub is rate-limited or unreachable, the packages looked up in parallel
    // learn it from that one answer instead of each spending a request (or a timeout) of their own.
    if (this.probe) await this.probe;
    if (this.disabled) return { unavailable: this.disabled };
    if (this.missingRepos.has(loc.repository)) return { unavailable: 'repository not on the Hub API' };
    const asked = this.ask(loc, tag);
    this.probe ??= asked;
    return asked;
  }

  private async ask(loc: ImageLocation, tag: string): Promise<HubAnswer> {
    const [namespace, name] = loc.repository.split('/') as [string, string];
    const url = `${this.baseUrl}/v2/namespaces/${encodeURIComponent(namespace)}/repositories/${encodeURIComponent(name)}/tags/${encodeURIComponent(tag)}`;
    let got;
    try {
      got = await cachedGet({
        cache: this.opts.cache, key: `hub-tag ${url}`, ttlMs: this.opts.ttlMs, now: this.opts.now(),
        send: (headers) =>
          this.opts.http.request({ url, headers: { accept: 'application/json', ...headers }, authorization: null, noRetryOn: [429] }),
      });
    } catch (err) {
      return this.disable(`Docker Hub API failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!isCachedBody(got)) {
      if (got.status === 404) {
        this.missingRepos.add(loc.repository);
        return { unavailable: 'tag not found on the Hub API' };
      }
      return this.disable(`Docker Hub API answered ${got.status}`);
    }
    const time = pushTime(got.body);
    if (time === undefined) return this.disable('Docker Hub API sent a body that is not a tag');
    return time ? { time } : { unavailable: 'the Hub API gives no push time for this tag' };
  }

  private disable(why: string): HubAnswer {
    if (!this.disabled) this.opts.logger.warn('Docker Hub API unavailable; release times come from manifests for the rest of this run', { reason: why });
    this.disabled = why;
    return { unavailable: why };
  }
}

/** The push time in a Hub tag body; null when the tag has none, undefined when the body is not a tag at all. */
export function pushTime(body: string): Date | null | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const tag = parsed as Record<string, unknown>;
  if (typeof tag['name'] !== 'string') return undefined;
  return knownReleaseTime(tag['tag_last_pushed']) ?? knownReleaseTime(tag['last_updated']);
}
