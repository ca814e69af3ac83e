import jsYaml from 'js-yaml';
import { RegistryError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { cachedGet, isCachedBody, type ResponseCache } from '../cache.js';
import type { HttpClient } from '../http.js';
import { mayCarryCredentials, type Credentials } from '../host-rules.js';
import { knownReleaseTime } from '../release-time.js';
import type { PackageReleases } from '../types.js';

/** One chart of an `index.yaml`, reduced to what lookups use. */
export interface HelmChartEntry {
  version: string;
  created: string | null;
  digest: string | null;
  home: string | null;
  sources: string[];
}

export interface HelmRepositoryOptions {
  http: HttpClient;
  cache: ResponseCache;
  logger: Logger;
  now: () => number;
  ttlMs: number;
  /** The operator's credential bound to this host and URL path (host rules), or null. */
  credentials: (host: string, path: string) => Credentials | null;
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
    const { url, authorization } = this.authorized(base);
    const host = new URL(url).host;
    const got = await cachedGet({
      cache: this.opts.cache, key: `helm-index ${url}`, ttlMs: this.opts.ttlMs, now: this.opts.now(),
      send: (headers) => this.opts.http.request({ url, headers: { accept: 'application/x-yaml, text/yaml, */*', ...headers }, authorization }),
    });
    if (!isCachedBody(got)) {
      throw new RegistryError(`${url} answered ${got.status}`, { host, status: got.status });
    }
    return parseHelmIndex(got.body, host);
  }

  /**
   * Credentials go up front only to the host and path the operator bound them to, and never over plain HTTP: an
   * `http://` repository URL (written by the repository) for such a host is read over HTTPS instead, with a warning.
   */
  private authorized(base: string): { url: string; authorization: string | null } {
    const target = new URL(`${base}/index.yaml`);
    const creds = this.opts.credentials(target.host, new URL(base).pathname);
    if (!creds) return { url: target.toString(), authorization: null };
    if (!mayCarryCredentials(target)) {
      this.opts.logger.warn('plain HTTP ignored for a Helm repository the operator holds credentials for; using HTTPS', { host: target.host });
      target.protocol = 'https:';
    }
    const authorization = 'token' in creds ? `Bearer ${creds.token}` : `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    return { url: target.toString(), authorization };
  }
}

/** Parses an `index.yaml` into chart name → entries, as listed (Helm writes newest first). */
export function parseHelmIndex(text: string, host: string): Map<string, HelmChartEntry[]> {
  let doc: unknown;
  try {
    doc = jsYaml.load(text, { schema: jsYaml.FAILSAFE_SCHEMA });
  } catch (err) {
    throw new RegistryError(`${host}: index.yaml is not valid YAML`, { host, cause: err });
  }
  const entries = obj(obj(doc)?.['entries']);
  if (!entries) throw new RegistryError(`${host}: index.yaml has no entries`, { host });
  const out = new Map<string, HelmChartEntry[]>();
  for (const [name, list] of Object.entries(entries)) {
    if (!Array.isArray(list)) continue;
    const charts: HelmChartEntry[] = [];
    for (const raw of list) {
      const e = obj(raw);
      const version = str(e?.['version']);
      if (!e || !version) continue;
      const sources = Array.isArray(e['sources']) ? e['sources'].filter((s): s is string => typeof s === 'string') : [];
      charts.push({ version, created: str(e['created']), digest: str(e['digest']), home: str(e['home']), sources });
    }
    out.set(name, charts);
  }
  return out;
}

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
