import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TidemarkConfig } from '../config/types.js';
import { RegistryError } from '../errors.js';
import type { Logger } from '../log.js';
import { type CacheStore, ResponseCache } from './cache.js';
import type { SharedRateLimits } from './redis-store.js';
import { ChartFilesReader, type ChartFiles } from './helm/chart-files.js';
import { HelmRepositoryClient } from './helm/repository.js';
import { HttpClient } from './http.js';
import { RegistryClient } from './oci/client.js';
import { hostConcurrency, ruleHostOf, type HostRule } from './host-rules.js';
import { CredentialStore } from './oci/credentials.js';
import { DOCKER_HUB_API, DockerHubTags } from './oci/docker-hub.js';
import { DOCKER_HUB, isLoopback, locateImage, ociChartImage, type ImageLocation } from './oci/reference.js';
import { imageReleaseInfo, type ImageReleaseInfo } from './oci/release-info.js';
import type { TagLimits } from './oci/tag-budget.js';
import { knownReleaseTime } from './release-time.js';
import type { PackageRef, PackageReleases, ReleaseSource } from './types.js';
import { droppedTagsMessage, filterOciTags } from './validate.js';

export interface ReleaseSourceOptions {
  config: TidemarkConfig;
  /** Directory for the cross-run cache; null keeps nothing on disk. */
  cacheDir: string | null;
  /**
   * A store shared by every process (Redis, `run-all --redis-url`), used instead of `cacheDir`; when it also shares
   * rate-limit state, a registry one process found exhausted is skipped by all.
   */
  sharedCache?: (CacheStore & Partial<SharedRateLimits>) | null;
  logger: Logger;
  /** The operator's host rules (host-rules.ts): which credential goes to which host. Default none. */
  hostRules?: readonly HostRule[];
  /** The run's platform token: sent only to a host a `platformToken: true` rule binds it to. */
  platformToken?: string | null;
  /** The operator's environment (variables host rules name, `DOCKER_CONFIG`); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  now?: () => number;
  /** Aborted when the run must stop (a repository's deadline in `run-all`): every lookup fails at once. */
  signal?: AbortSignal;
  /** Tuning, mostly for tests and benchmarks; defaults in `HttpClient`. */
  headersTimeoutMs?: number;
  timeoutMs?: number;
  requestBudgetMs?: number;
  breakerThreshold?: number;
  maxBodyBytes?: number;
  maxBufferedBytes?: number;
  retries?: number;
  backoffMs?: number;
  concurrency?: number;
  perHostConcurrency?: number;
  /** How long cached tag lists and indexes are used before revalidating (default 15 minutes). */
  cacheTtlMs?: number;
  tagPageSize?: number;
  maxTagPages?: number;
  /** Tag-list budgets per lookup and per run (defaults in `DEFAULT_TAG_LIMITS`). */
  tagLimits?: Partial<TagLimits>;
  /**
   * Docker Hub's web API, asked for release times of Docker Hub tags before any manifest (which Hub counts as a pull).
   * Default `https://hub.docker.com`; null reads manifests only (air-gapped runs behind a Docker Hub mirror).
   */
  dockerHubApiUrl?: string | null;
}

/** A `ReleaseSource` that also reports how much it asked, for logs and benchmarks. */
export interface LookupSource extends ReleaseSource {
  /** Requests sent, by host. */
  requestsByHost(): Map<string, number>;
  cacheStats(): ResponseCache['stats'];
  /** The most response-body bytes held at once while reading (see `HttpClient.peakBufferedBytes`). */
  peakBufferedBytes(): number;
  /** Creation time and source URL of an image tag (or OCI chart version), fetched lazily. */
  imageInfo(pkg: PackageRef, version: string): Promise<ImageReleaseInfo>;
  /**
   * `org.opencontainers.image.source` of a tag, for release notes. Null for Docker Hub images without asking: a manifest
   * GET there counts as a pull against the rate limit, and notes are not worth a pull.
   */
  sourceLabel(pkg: PackageRef, version: string): Promise<string | null>;
  /** `Chart.yaml`, `values.yaml` and `values.schema.json` of one chart version, read from its archive (review/). */
  chartFiles(pkg: PackageRef, version: string): Promise<ChartFiles>;
}

/** `$XDG_CACHE_HOME/tidemark`, else `~/.cache/tidemark`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
  return join(base, 'tidemark');
}

/**
 * The lookup stage for one run: one request chain per unique package however many files use it, concurrency
 * limited overall and per host, and failures thrown as `RegistryError` for the planner to turn into
 * `lookup-failed` for that package alone.
 */
export function createReleaseSource(opts: ReleaseSourceOptions): LookupSource {
  const now = opts.now ?? Date.now;
  const env = opts.env ?? process.env;
  const ttlMs = opts.cacheTtlMs ?? 15 * 60_000;
  const registries = opts.config.registries;
  const http = new HttpClient({
    logger: opts.logger, now,
    ...(opts.fetch && { fetch: opts.fetch }),
    ...(opts.signal && { signal: opts.signal }),
    ...(opts.headersTimeoutMs !== undefined && { headersTimeoutMs: opts.headersTimeoutMs }),
    ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
    ...(opts.requestBudgetMs !== undefined && { requestBudgetMs: opts.requestBudgetMs }),
    ...(opts.breakerThreshold !== undefined && { breakerThreshold: opts.breakerThreshold }),
    ...(opts.maxBodyBytes !== undefined && { maxBodyBytes: opts.maxBodyBytes }),
    ...(opts.maxBufferedBytes !== undefined && { maxBufferedBytes: opts.maxBufferedBytes }),
    ...(opts.retries !== undefined && { retries: opts.retries }),
    ...(opts.backoffMs !== undefined && { backoffMs: opts.backoffMs }),
    ...(opts.concurrency !== undefined && { concurrency: opts.concurrency }),
    ...(opts.perHostConcurrency !== undefined && { perHostConcurrency: opts.perHostConcurrency }),
    hostConcurrency: hostConcurrency(opts.hostRules ?? []),
    sharedRateLimits: sharedRateLimits(opts.sharedCache),
  });
  const cache = new ResponseCache(opts.sharedCache ?? (opts.cacheDir ? join(opts.cacheDir, 'lookup') : null));
  const credentials = new CredentialStore({ hostRules: opts.hostRules ?? [], platformToken: opts.platformToken ?? null, env, logger: opts.logger, now });
  const oci = new RegistryClient({
    http, cache, credentials, logger: opts.logger, now, ttlMs,
    ...(opts.tagPageSize !== undefined && { pageSize: opts.tagPageSize }),
    ...(opts.maxTagPages !== undefined && { maxPages: opts.maxTagPages }),
    ...(opts.tagLimits && { tagLimits: opts.tagLimits }),
  });
  const helm = new HelmRepositoryClient({
    http, cache, logger: opts.logger, now, ttlMs,
    credentials: (host, path) => credentials.fromRules(host, path),
    holdsCredentials: (host) => credentials.holdsAny(host),
  });
  const charts = new ChartFilesReader({ helm, oci, cache, now, ttlMs });
  const hubApiUrl = opts.dockerHubApiUrl === undefined ? DOCKER_HUB_API : opts.dockerHubApiUrl;
  const hub = hubApiUrl === null ? null : new DockerHubTags({ http, cache, logger: opts.logger, now, ttlMs, baseUrl: hubApiUrl });
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    let p = memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = fn();
      memo.set(key, p);
    }
    return p;
  };
  /** Images, and charts in OCI registries, resolve to an image location. */
  const ociLocation = (pkg: PackageRef): ImageLocation | null => {
    if (pkg.datasource === 'docker') return locateImage(pkg.name, registries);
    if (pkg.registryUrl?.startsWith('oci://')) return locateImage(ociChartImage(pkg.registryUrl, pkg.name), registries);
    return null;
  };
  /** A repository's `insecure: true` cannot take a host the operator holds credentials for off HTTPS. */
  const insecureIgnored = new Set<string>();
  const located = async (pkg: PackageRef): Promise<ImageLocation | null> => {
    const loc = ociLocation(pkg);
    if (!loc || !loc.baseUrl.startsWith('http:') || isLoopback(loc.apiHost)) return loc;
    // However the repository spelled the host (`ghcr.io.`, `ghcr.io:80`), the one the request would reach decides.
    if (!(await credentials.holdsAny(ruleHostOf(new URL(loc.baseUrl))))) return loc;
    if (!insecureIgnored.has(loc.apiHost)) {
      insecureIgnored.add(loc.apiHost);
      opts.logger.warn('insecure ignored: the operator holds credentials for this registry, so it is read over HTTPS', { registry: loc.registry });
    }
    return { ...loc, baseUrl: `https://${loc.apiHost}` };
  };
  /**
   * The package as the registry knows it, so every spelling asks once: `nginx`, `docker.io/library/nginx` and a
   * `mirrorOf` mirror's `mirror.gcr.io/library/nginx` all key as `docker https://registry-1.docker.io library/nginx`.
   */
  const keyOf = (pkg: PackageRef): string => {
    const loc = ociLocation(pkg);
    if (loc) return `${pkg.datasource} ${loc.baseUrl} ${loc.repository}`;
    return `${pkg.datasource} ${(pkg.registryUrl ?? '').replace(/\/+$/, '')} ${pkg.name}`;
  };
  const isChart = (pkg: PackageRef): boolean => pkg.datasource === 'helm';
  // OCI tags cannot hold `+`; Helm pushes `1.2.3+build` as `1.2.3_build`.
  const toTag = (pkg: PackageRef, version: string): string => (isChart(pkg) ? version.replaceAll('+', '_') : version);
  const fromTag = (pkg: PackageRef, tag: string): string => (isChart(pkg) ? tag.replaceAll('_', '+') : tag);

  const releases = (pkg: PackageRef): Promise<PackageReleases> =>
    once(`releases ${keyOf(pkg)}`, async () => {
      const loc = await located(pkg);
      if (loc) {
        const { tags, dropped } = filterOciTags(await oci.tags(loc));
        if (dropped > 0) opts.logger.warn(droppedTagsMessage(dropped), { registry: loc.registry, repository: loc.repository });
        return { releases: tags.map((t) => ({ version: fromTag(pkg, t) })) };
      }
      if (!pkg.registryUrl) throw new RegistryError(`chart ${pkg.name} has no repository URL`, { host: '' });
      return helm.releases(pkg.registryUrl, pkg.name);
    });

  const imageInfo = (pkg: PackageRef, version: string): Promise<ImageReleaseInfo> =>
    once(`info ${keyOf(pkg)} ${version}`, async () => {
      const loc = await located(pkg);
      if (!loc) return { created: null, source: null };
      return imageReleaseInfo(oci, loc, toTag(pkg, version));
    });

  /** Docker Hub tags: the Hub API's push time, which spends no pulls; the manifest path only when the Hub cannot say. */
  const releaseTime = (pkg: PackageRef, version: string): Promise<Date | null> =>
    once(`time ${keyOf(pkg)} ${version}`, async () => {
      const loc = await located(pkg);
      if (hub && loc && DockerHubTags.covers(loc)) {
        const answer = await hub.releaseTime(loc, toTag(pkg, version));
        if ('time' in answer) return answer.time;
        opts.logger.debug('release time from the manifest instead of the Hub API', { repository: loc.repository, tag: version, reason: answer.unavailable });
      }
      return (await imageInfo(pkg, version)).created;
    });

  const sourceLabel = async (pkg: PackageRef, version: string): Promise<string | null> => {
    const loc = await located(pkg);
    if (!loc || loc.registry === DOCKER_HUB) return null;
    return (await imageInfo(pkg, version)).source;
  };
  const chartFiles = (pkg: PackageRef, version: string): Promise<ChartFiles> =>
    once(`chart-files ${keyOf(pkg)} ${version}`, async () => {
      const loc = await located(pkg);
      if (loc) return charts.oci(loc, toTag(pkg, version));
      if (!pkg.registryUrl) throw new RegistryError(`chart ${pkg.name} has no repository URL`, { host: '' });
      return charts.http({ ...pkg, registryUrl: pkg.registryUrl }, version);
    });

  return {
    releases,
    imageInfo,
    sourceLabel,
    chartFiles,
    digest: (pkg, version) =>
      once(`digest ${keyOf(pkg)} ${version}`, async () => {
        const loc = await located(pkg);
        if (loc) return oci.digest(loc, toTag(pkg, version));
        if (!pkg.registryUrl) return null;
        return (await helm.entry(pkg.registryUrl, pkg.name, version))?.digest ?? null;
      }),
    releaseTime: async (pkg, version) => {
      if (pkg.datasource === 'helm' && !pkg.registryUrl?.startsWith('oci://')) {
        if (!pkg.registryUrl) return null;
        return knownReleaseTime((await helm.entry(pkg.registryUrl, pkg.name, version))?.created);
      }
      return releaseTime(pkg, version);
    },
    requestsByHost: () => new Map(http.requestsByHost),
    cacheStats: () => ({ ...cache.stats }),
    peakBufferedBytes: () => http.peakBufferedBytes(),
  };
}

function sharedRateLimits(store: (CacheStore & Partial<SharedRateLimits>) | null | undefined): SharedRateLimits | null {
  if (!store?.isExhausted || !store.markExhausted) return null;
  return { isExhausted: (host) => store.isExhausted!(host), markExhausted: (host, ms) => store.markExhausted!(host, ms) };
}
