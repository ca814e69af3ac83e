import { createHash } from 'node:crypto';
import { RegistryError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { cachedGet, isCachedBody, type ResponseCache } from '../cache.js';
import { mayCarryCredentials, type Credentials } from '../host-rules.js';
import type { HttpClient, HttpResponse } from '../http.js';
import { TokenAuthority, parseChallenge, type Challenge } from './auth.js';
import type { CredentialStore } from './credentials.js';
import type { ImageLocation } from './reference.js';
import { digestMatches, isDigest, sha256Digest } from '../validate.js';
import { type LookupBudget, TagBudgets, type TagLimits } from './tag-budget.js';

/** Everything a manifest HEAD/GET must accept; distribution 2.8 answers 404 to `*\/*`. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryClientOptions {
  http: HttpClient;
  cache: ResponseCache;
  credentials: CredentialStore;
  logger: Logger;
  now: () => number;
  /** Tag lists are used this long without asking again. */
  ttlMs: number;
  /** `n` asked per tags page; registries may cap it lower. */
  pageSize?: number;
  /** Stop following `Link` after this many pages, with a warning. */
  maxPages?: number;
  /** Tag-list budgets per lookup and for the whole run (see `TagBudgets`); defaults in tag-budget.ts. */
  tagLimits?: Partial<TagLimits>;
}

type Json = Record<string, unknown>;

/** The distribution spec's repository name: `acme/web`, `library/nginx`, `a.b/c_d/e--f`; never `.`/`..` segments. */
const OCI_REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * Manifests, indexes and image configs are KBs; registries commonly refuse manifests over 4 MiB. Parsed JSON can take
 * ten times its bytes (`[{},{},…]`), so a larger one is refused before it is read.
 */
const MAX_JSON_DOCUMENT_BYTES = 4 * 1024 * 1024;

/** An OCI distribution API client for any number of registries; one instance per run. */
export class RegistryClient {
  private readonly tokens: TokenAuthority;
  /** The challenge each registry answered with, so later requests authenticate up front instead of eating a 401. */
  private readonly challenges = new Map<string, Challenge | 'none'>();
  /** Tags kept by this run's lookups, against the per-lookup and per-run budgets. */
  private readonly tagBudgets: TagBudgets;

  constructor(private readonly opts: RegistryClientOptions) {
    this.tokens = new TokenAuthority(opts.http, opts.now, opts.logger);
    this.tagBudgets = new TagBudgets(opts.tagLimits ?? {});
  }

  /**
   * Every tag, following `Link` pagination to the end (ghcr.io and quay.io list oldest first). A list past the
   * per-lookup or per-run budget (bytes or tags, all pages together) fails the lookup rather than being cut short.
   */
  async tags(loc: ImageLocation): Promise<string[]> {
    const budget = this.tagBudgets.lookup(loc);
    try {
      return await this.allPages(loc, budget);
    } catch (err) {
      budget.release();
      throw err;
    }
  }

  private async allPages(loc: ImageLocation, budget: LookupBudget): Promise<string[]> {
    const pageSize = this.opts.pageSize ?? 1000;
    const maxPages = this.opts.maxPages ?? 100;
    const tags: string[] = [];
    // Private tag lists are cached per identity, so a shared cache never shows one user what another may see.
    const who = await this.identity(loc);
    let url: string | null = `${loc.baseUrl}/v2/${loc.repository}/tags/list?n=${pageSize}`;
    for (let page = 0; url !== null; page++) {
      if (page >= maxPages) {
        this.opts.logger.warn('tag list truncated: too many pages; newer tags may be missing', {
          registry: loc.registry, repository: loc.repository, pages: page, tags: tags.length,
        });
        break;
      }
      const pageUrl: string = url;
      // registry.k8s.io redirects to Artifact Registry, whose next pages are on its own host: asked there, without our credentials.
      const home = new URL(pageUrl).origin === new URL(loc.baseUrl).origin;
      const got = await cachedGet({
        cache: this.opts.cache, key: `tags ${pageUrl} ${who}`, ttlMs: this.opts.ttlMs, now: this.opts.now(),
        send: (headers) => {
          const req = { url: pageUrl, headers: { accept: 'application/json', ...headers } };
          return home ? this.send(loc, req) : this.opts.http.request({ ...req, authorization: null });
        },
      });
      if (!isCachedBody(got)) throw this.failure(loc, got, 'listing tags');
      budget.addBytes(got.body.length, page + 1);
      budget.checkValues(got.body, page + 1);
      const body = parseJson(loc, got.body, 'tag list');
      // One loop, not `push(...pageTags)`: spreading a page of >125k tags overflows the call stack.
      let kept = 0;
      for (const tag of Array.isArray(body['tags']) ? (body['tags'] as unknown[]) : []) {
        if (typeof tag !== 'string') continue;
        kept++;
        tags.push(tag);
      }
      budget.addTags(kept, page + 1);
      url = nextPageUrl(got.link, got.url ?? pageUrl, loc.baseUrl);
      if (got.link && url === null && /rel="?next/i.test(got.link)) {
        this.opts.logger.warn('tag list truncated: the next page is on another host', { registry: loc.registry, repository: loc.repository, link: got.link });
      }
    }
    return tags;
  }

  private async identity(loc: ImageLocation): Promise<string> {
    const creds = await this.credentialsFor(loc, loc.baseUrl);
    if (!creds) return 'anonymous';
    const secretish = 'token' in creds ? creds.token : `${creds.username}:${creds.password}`;
    return createHash('sha256').update(secretish).digest('hex');
  }

  /**
   * `Docker-Content-Digest` of a tag: the index digest for multi-arch images. Null when the tag does not exist.
   * Validated at the door: a digest that is not `sha256:`/`sha512:` + lowercase hex fails the lookup (nothing is
   * written), and when the manifest is fetched anyway its bytes must hash to the digest the registry claims.
   */
  async digest(loc: ImageLocation, ref: string): Promise<string | null> {
    const url = `${loc.baseUrl}/v2/${loc.repository}/manifests/${ref}`;
    // Kept like a tag list (per identity, for the TTL): shards sharing Redis read each tag's digest once between them.
    const key = `digest ${url} ${await this.identity(loc)}`;
    const now = this.opts.now();
    const cached = await this.opts.cache.get(key);
    if (cached && now - cached.storedAt < this.opts.ttlMs && isDigest(cached.body)) {
      this.opts.cache.stats.fresh++;
      return cached.body;
    }
    const digest = await this.readDigest(loc, url);
    if (digest) await this.opts.cache.set(key, { storedAt: now, body: digest });
    return digest;
  }

  private async readDigest(loc: ImageLocation, url: string): Promise<string | null> {
    const head = await this.send(loc, { url, method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    if (head.status === 404) return null;
    if (head.status !== 200) throw this.failure(loc, head, 'reading a digest');
    const digest = head.headers.get('docker-content-digest');
    if (digest) return this.validDigest(loc, head, digest);
    // Some registries omit the header on HEAD; the digest of the bytes is the same thing.
    const got = await this.send(loc, { url, headers: { accept: MANIFEST_ACCEPT } });
    if (got.status !== 200) throw this.failure(loc, got, 'reading a manifest');
    const claimed = got.headers.get('docker-content-digest');
    if (claimed === null) return sha256Digest(got.body);
    this.validDigest(loc, got, claimed);
    if (!digestMatches(claimed, got.body)) throw this.mismatch(loc, got, claimed);
    return claimed;
  }

  /** A manifest or index as JSON; by-digest reads are checked against their digest and cached forever. Null on 404. */
  async manifest(loc: ImageLocation, ref: string): Promise<Json | null> {
    return this.getJson(loc, `/v2/${loc.repository}/manifests/${ref}`, MANIFEST_ACCEPT, isDigest(ref) ? ref : null);
  }

  /** A JSON blob (an image config), checked against its digest. Blob storage redirects elsewhere; our credentials do not follow. */
  async jsonBlob(loc: ImageLocation, digest: string): Promise<Json | null> {
    if (!isDigest(digest)) throw new RegistryError(`${loc.registry}/${loc.repository}: invalid blob digest`, { host: loc.apiHost });
    return this.getJson(loc, `/v2/${loc.repository}/blobs/${digest}`, 'application/json, */*', digest);
  }

  /**
   * A blob's bytes (a chart archive layer), at most `maxBytes`, checked against its digest. Not cached: callers keep what
   * they read out of it (by digest), never the archive. Null on 404.
   */
  async blobBytes(loc: ImageLocation, digest: string, maxBytes: number): Promise<Buffer | null> {
    if (!isDigest(digest)) throw new RegistryError(`${loc.registry}/${loc.repository}: invalid blob digest`, { host: loc.apiHost });
    const url = `${loc.baseUrl}/v2/${loc.repository}/blobs/${digest}`;
    const res = await this.send(loc, { url, headers: { accept: 'application/octet-stream, */*' }, maxBodyBytes: maxBytes, binary: true });
    if (res.status === 404) return null;
    if (res.status !== 200 || !res.bytes) throw this.failure(loc, res, 'reading a blob');
    if (!digestMatches(digest, res.bytes)) throw this.mismatch(loc, res, digest);
    return res.bytes;
  }

  /** `digest`: the content address of what is read (by-digest reads), whose bytes must hash to it; null for a tag. */
  private async getJson(loc: ImageLocation, path: string, accept: string, digest: string | null): Promise<Json | null> {
    const url = loc.baseUrl + path;
    const send = async (headers: Record<string, string>): Promise<HttpResponse> => {
      const res = await this.send(loc, { url, headers: { accept, ...headers }, maxBodyBytes: MAX_JSON_DOCUMENT_BYTES });
      // Checked before the cache keeps it: a forged body must not be served from the cache forever.
      if (digest && res.status === 200 && !digestMatches(digest, res.body)) throw this.mismatch(loc, res, digest);
      return res;
    };
    // By identity too: a private blob read with one credential is not served from a shared cache to another.
    const got = digest
      ? await cachedGet({ cache: this.opts.cache, key: `blob ${url} ${await this.identity(loc)}`, ttlMs: Infinity, now: this.opts.now(), send })
      : await send({});
    if (!isCachedBody(got) && got.status === 404) return null;
    if (!isCachedBody(got) && got.status !== 200) throw this.failure(loc, got, 'reading ' + path.split('/').slice(-2, -1)[0]);
    if (digest && isCachedBody(got) && !digestMatches(digest, got.body)) {
      throw new RegistryError(`${loc.registry}/${loc.repository}: cached content does not match ${digest}`, { host: loc.apiHost });
    }
    return parseJson(loc, got.body, path);
  }

  private validDigest(loc: ImageLocation, res: HttpResponse, digest: string): string {
    if (isDigest(digest)) return digest;
    const host = new URL(res.url).host;
    throw new RegistryError(`${host} sent an invalid digest for ${loc.registry}/${loc.repository}`, { host, status: res.status });
  }

  private mismatch(loc: ImageLocation, res: HttpResponse, digest: string): RegistryError {
    const host = new URL(res.url).host;
    return new RegistryError(`${host} sent content that does not match ${digest} for ${loc.registry}/${loc.repository}`, { host, status: res.status });
  }

  /** Sends with whatever authentication the registry asked for, answering a 401 challenge once. */
  private async send(
    loc: ImageLocation,
    req: { url: string; method?: 'GET' | 'HEAD'; headers: Record<string, string>; maxBodyBytes?: number; binary?: boolean },
  ): Promise<HttpResponse> {
    const known = this.challenges.get(loc.registry);
    const scope = registryWideScope(known) ?? `repository:${loc.repository}:pull`;
    const creds = await this.credentialsFor(loc, req.url);
    const target = { registry: loc.registry, apiHost: loc.apiHost, authHosts: this.opts.credentials.authHosts(loc.apiHost) };
    const auth = known && known !== 'none' ? await this.tokens.authorization(target, known, scope, creds) : null;
    const res = await this.opts.http.request({ ...req, authorization: auth });
    if (res.status !== 401) {
      if (!known) this.challenges.set(loc.registry, 'none');
      return res;
    }
    const challenge = parseChallenge(res.headers.get('www-authenticate'));
    if (!challenge) return res;
    this.challenges.set(loc.registry, challenge);
    if (known && known !== 'none') this.tokens.forget(loc.registry, known, scope, creds);
    const wanted = challenge.scheme === 'bearer' && challenge.scope ? challenge.scope : scope;
    const retryAuth = await this.tokens.authorization(target, challenge, wanted, creds);
    if (retryAuth === null) return res;
    return this.opts.http.request({ ...req, authorization: retryAuth });
  }

  /**
   * The operator's credential for the host a request goes to (its URL, not the name the repository wrote), and only
   * when the request goes there over HTTPS or to loopback: nothing else may carry it. A repository path outside the OCI
   * name grammar (`acme/../other/app`, which the URL would resolve to `other/app`) could pick another path's rule: none.
   */
  private async credentialsFor(loc: ImageLocation, url: string): Promise<Credentials | null> {
    const target = new URL(url);
    if (target.host !== loc.apiHost || !mayCarryCredentials(target) || !OCI_REPOSITORY.test(loc.repository)) return null;
    return this.opts.credentials.get(target.host, loc.repository);
  }

  private failure(loc: ImageLocation, res: HttpResponse, doing: string): RegistryError {
    const why = res.status === 401 ? 'unauthorized' : res.status === 404 ? 'not found' : `HTTP ${res.status}`;
    return new RegistryError(`${loc.registry}/${loc.repository}: ${why} while ${doing}`, {
      host: new URL(res.url).host,
      status: res.status,
    });
  }
}

/**
 * A challenge scope that is not a repository's (public.ecr.aws says `scope="aws"`) names one token for the whole
 * registry: reuse it for every repository instead of asking the token service again per repository.
 */
function registryWideScope(challenge: Challenge | 'none' | undefined): string | null {
  if (!challenge || challenge === 'none' || challenge.scheme !== 'bearer' || !challenge.scope) return null;
  return challenge.scope.startsWith('repository:') ? null : challenge.scope;
}

function parseJson(loc: ImageLocation, body: string, what: string): Json {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json;
  } catch (err) {
    throw new RegistryError(`${loc.registry}/${loc.repository}: invalid JSON in ${what}`, { host: loc.apiHost, cause: err });
  }
  throw new RegistryError(`${loc.registry}/${loc.repository}: unexpected ${what}`, { host: loc.apiHost });
}

/**
 * `Link: </v2/acme/web/tags/list?last=1.2&n=100>; rel="next"` → the next page's URL, relative to the URL that served
 * this page (after redirects). Only the registry itself or the host it redirected to may serve the next page, never over
 * plain HTTP when the registry is HTTPS.
 */
export function nextPageUrl(link: string | null, responseUrl: string, baseUrl: string): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<(?<target>[^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    const target = m?.groups?.['target'];
    if (!target) continue;
    const url = new URL(target, responseUrl);
    const base = new URL(baseUrl);
    if (url.origin !== base.origin && url.origin !== new URL(responseUrl).origin) return null;
    if (base.protocol === 'https:' && url.protocol !== 'https:') return null;
    return url.toString();
  }
  return null;
}
