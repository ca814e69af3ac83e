import { createHash } from 'node:crypto';
import jsYaml from 'js-yaml';
import { RegistryError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { cachedGet, isCachedBody, type ResponseCache } from '../cache.js';
import type { HttpClient } from '../http.js';
import { mayCarryCredentials, ruleHostOf, type Credentials } from '../host-rules.js';
import { knownReleaseTime } from '../release-time.js';
import { countYamlItems } from '../../scan/yaml.js';
import type { PackageReleases } from '../types.js';
import { onThisMachine } from '../http-guards.js';
import { chartDigestOrNull, hasControlCharacters, httpUrlOrNull, isChartVersion, isSafeName, MAX_NAME_LENGTH } from '../validate.js';

/** One chart of an `index.yaml`, reduced to what lookups use. */
export interface HelmChartEntry {
  version: string;
  created: string | null;
  digest: string | null;
  home: string | null;
  sources: string[];
  /** Where the `.tgz` is, as the index writes it (absolute, or relative to the index URL); not yet resolved. */
  urls: string[];
}

export interface HelmRepositoryOptions {
  http: HttpClient;
  cache: ResponseCache;
  logger: Logger;
  now: () => number;
  ttlMs: number;
  /** The operator's credential bound to this host and URL path (host rules), or null. */
  credentials: (host: string, path: string) => Credentials | null;
  /** Whether the operator holds any credential for this host, under any path: then it is never read over plain HTTP. */
  holdsCredentials: (host: string) => Promise<boolean>;
}

/**
 * HTTP Helm repositories: each `index.yaml` is fetched (or revalidated) once per run and parsed with js-yaml,
 * ~9× faster than `yaml` on multi-megabyte indexes (bench/lookup.ts: 3.4 MB in 0.19 s against 1.6 s), with the
 * failsafe schema, which keeps every scalar a string (`version: 1.10` stays `1.10`, not the number 1.1).
 */
export class HelmRepositoryClient {
  private readonly indexes = new Map<string, Promise<Map<string, HelmChartEntry[]>>>();

  constructor(private readonly opts: HelmRepositoryOptions) {}

  async releases(repositoryUrl: string, chart: string): Promise<PackageReleases> {
    const index = await this.index(repositoryUrl);
    const entries = index.get(chart);
    if (!entries) {
      throw new RegistryError(`chart ${chart} not found in ${repositoryUrl}`, { host: new URL(repositoryUrl).host, status: 404 });
    }
    const newest = entries[0];
    return {
      releases: entries.map((e) => ({ version: e.version, digest: e.digest, releaseTimestamp: isoOrNull(e.created) })),
      sourceUrl: newest?.sources[0] ?? null,
      homepage: newest?.home ?? null,
    };
  }

  async entry(repositoryUrl: string, chart: string, version: string): Promise<HelmChartEntry | null> {
    const index = await this.index(repositoryUrl);
    return index.get(chart)?.find((e) => e.version === version) ?? null;
  }

  /** The index's URL (as read: HTTPS when the operator holds credentials for the host), to resolve relative `urls` against. */
  async indexUrl(repositoryUrl: string): Promise<string> {
    return (await this.authorized(repositoryUrl.replace(/\/+$/, ''))).url;
  }

  /**
   * A chart archive's bytes, up to `maxBytes`. Credentials go only where the operator bound them (the archive URL's own
   * host and path, over HTTPS or loopback), never by following the index; an index elsewhere may not point at this machine.
   */
  async download(archiveUrl: string, indexUrl: string, maxBytes: number): Promise<Buffer> {
    const { url, authorization } = await this.archiveRequest(archiveUrl, indexUrl);
    const target = new URL(url);
    const res = await this.opts.http.request({ url, headers: { accept: 'application/gzip, application/octet-stream, */*' }, authorization, binary: true, maxBodyBytes: maxBytes });
    if (res.status !== 200 || !res.bytes) throw new RegistryError(`${target.host} answered ${res.status} for ${target.pathname}`, { host: target.host, status: res.status });
    return res.bytes;
  }

  /** Who reads the archive: a hash of the credential sent with it, or `anonymous`; cache keys of what it held carry it. */
  async archiveIdentity(archiveUrl: string, indexUrl: string): Promise<string> {
    const { authorization } = await this.archiveRequest(archiveUrl, indexUrl);
    return authorization ? createHash('sha256').update(authorization).digest('hex') : 'anonymous';
  }

  private async archiveRequest(archiveUrl: string, indexUrl: string): Promise<{ url: string; authorization: string | null }> {
    const target = new URL(archiveUrl);
    if (onThisMachine(target) && !onThisMachine(new URL(indexUrl))) {
      const host = new URL(indexUrl).host;
      throw new RegistryError(`${host}: index.yaml points a chart archive at this machine (${target.host}); not read`, { host });
    }
    if (!mayCarryCredentials(target) && (await this.opts.holdsCredentials(ruleHostOf(target)))) target.protocol = 'https:';
    const creds = mayCarryCredentials(target) ? this.opts.credentials(target.host, target.pathname) : null;
    return { url: target.toString(), authorization: creds ? authorizationOf(creds) : null };
  }

  private index(repositoryUrl: string): Promise<Map<string, HelmChartEntry[]>> {
    const key = repositoryUrl.replace(/\/+$/, '');
    let p = this.indexes.get(key);
    if (!p) {
      p = this.load(key);
      this.indexes.set(key, p);
    }
    return p;
  }

  private async load(base: string): Promise<Map<string, HelmChartEntry[]>> {
    const { url, authorization } = await this.authorized(base);
    const host = new URL(url).host;
    // A private index is cached per identity (a hash of the credential), so a shared cache never hands it to another.
    const who = authorization ? createHash('sha256').update(authorization).digest('hex') : 'anonymous';
    const got = await cachedGet({
      cache: this.opts.cache, key: `helm-index ${url} ${who}`, ttlMs: this.opts.ttlMs, now: this.opts.now(),
      send: (headers) => this.opts.http.request({ url, headers: { accept: 'application/x-yaml, text/yaml, */*', ...headers }, authorization }),
    });
    if (!isCachedBody(got)) {
      throw new RegistryError(`${url} answered ${got.status}`, { host, status: got.status });
    }
    return parseHelmIndex(got.body, host, this.opts.logger);
  }

  /**
   * Credentials go up front only to the host and path the operator bound them to, and never over plain HTTP: an
   * `http://` repository URL (written by the repository) on a host the operator holds any credential for is read over
   * HTTPS instead, with a warning.
   */
  private async authorized(base: string): Promise<{ url: string; authorization: string | null }> {
    const target = new URL(`${base}/index.yaml`);
    if (!mayCarryCredentials(target) && (await this.opts.holdsCredentials(ruleHostOf(target)))) {
      this.opts.logger.warn('plain HTTP ignored for a Helm repository the operator holds credentials for; using HTTPS', { host: target.host });
      target.protocol = 'https:';
    }
    const creds = this.opts.credentials(target.host, new URL(base).pathname);
    if (!creds || !mayCarryCredentials(target)) return { url: target.toString(), authorization: null };
    return { url: target.toString(), authorization: authorizationOf(creds) };
  }
}

function authorizationOf(creds: Credentials): string {
  return 'token' in creds ? `Bearer ${creds.token}` : `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}

/** Most chart versions read from one `index.yaml`: far above what real indexes (tens of MB) list. */
export const MAX_INDEX_ENTRIES = 100_000;
/**
 * Most YAML items (countYamlItems) an `index.yaml` may have to be parsed: real ones have ~20 lines per chart version,
 * under a million in all; js-yaml holds ~100 bytes per item, and 64 MB of `- {}` took 15 s and 1 GB.
 */
export const MAX_INDEX_ITEMS = 1_500_000;

/**
 * Parses an `index.yaml` into chart name → entries, as listed (Helm writes newest first). Everything is validated at
 * the door (lookup/validate.ts): chart names with control characters and invalid versions are dropped (one warning
 * each per index), a digest that is not 64 lowercase hex is none, `home`/`sources` are kept only as http(s) URLs.
 * More than `MAX_INDEX_ENTRIES` versions in all is an error, not a truncation: which ones would be missing is unknown.
 */
export function parseHelmIndex(text: string, host: string, logger?: Logger): Map<string, HelmChartEntry[]> {
  if (countYamlItems(text, MAX_INDEX_ITEMS) > MAX_INDEX_ITEMS) {
    throw new RegistryError(`${host}: index.yaml has over ${MAX_INDEX_ITEMS} YAML items (lines and flow entries); not parsed`, { host });
  }
  let doc: unknown;
  try {
    doc = jsYaml.load(text, { schema: jsYaml.FAILSAFE_SCHEMA });
  } catch (err) {
    throw new RegistryError(`${host}: index.yaml is not valid YAML`, { host, cause: err });
  }
  const entries = obj(obj(doc)?.['entries']);
  if (!entries) throw new RegistryError(`${host}: index.yaml has no entries`, { host });
  const out = new Map<string, HelmChartEntry[]>();
  const dropped = { names: 0, versions: 0 };
  let total = 0;
  for (const [name, list] of Object.entries(entries)) {
    if (!Array.isArray(list)) continue;
    total += list.length;
    if (total > MAX_INDEX_ENTRIES) {
      throw new RegistryError(`${host}: index.yaml lists more than ${MAX_INDEX_ENTRIES} chart versions`, { host });
    }
    if (!isSafeName(name)) {
      dropped.names++;
      continue;
    }
    const charts: HelmChartEntry[] = [];
    for (const raw of list) {
      const entry = chartEntry(obj(raw));
      if (entry === 'invalid') dropped.versions++;
      else if (entry) charts.push(entry);
    }
    out.set(name, charts);
  }
  if (dropped.names > 0) logger?.warn(`dropped ${dropped.names} chart names with control characters or over ${MAX_NAME_LENGTH} characters`, { host });
  if (dropped.versions > 0) logger?.warn(`dropped ${dropped.versions} chart versions that are not valid chart versions`, { host });
  return out;
}

/** One index entry, validated; null without a version, `invalid` with a version that is not one. */
function chartEntry(e: Record<string, unknown> | null): HelmChartEntry | null | 'invalid' {
  const version = str(e?.['version']);
  if (!e || !version) return null;
  if (!isChartVersion(version)) return 'invalid';
  const rawSources = Array.isArray(e['sources']) ? e['sources'].slice(0, MAX_SOURCES) : [];
  const sources = rawSources.map(httpUrlOrNull).filter((s): s is string => s !== null);
  return {
    version,
    created: str(e['created']),
    digest: chartDigestOrNull(str(e['digest'])),
    home: httpUrlOrNull(e['home']),
    sources,
    urls: (Array.isArray(e['urls']) ? e['urls'].slice(0, MAX_SOURCES) : []).filter(isArchiveUrl),
  };
}

/** An index's `urls` item: a short string without whitespace or control characters (resolved against the index later). */
function isArchiveUrl(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 2048 && !/\s/.test(v) && !hasControlCharacters(v);
}

/** Sources looked at per entry: only the first is used, a few spare for the invalid ones. */
const MAX_SOURCES = 16;

function obj(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** Helm writes nanoseconds and offsets (`2024-05-01T10:00:00.123456789+02:00`); planners want plain ISO 8601. */
export function isoOrNull(v: string | null): string | null {
  return knownReleaseTime(v)?.toISOString() ?? null;
}
