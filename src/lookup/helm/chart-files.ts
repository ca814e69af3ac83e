import { RegistryError } from '../../errors.js';
import { type ResponseCache } from '../cache.js';
import type { RegistryClient } from '../oci/client.js';
import type { ImageLocation } from '../oci/reference.js';
import type { PackageRef } from '../types.js';
import { digestMatches, isDigest } from '../validate.js';
import { MAX_ARCHIVE_BYTES, readChartArchive, type ChartFiles } from './archive.js';
import type { HelmRepositoryClient } from './repository.js';

export type { ChartFiles } from './archive.js';

const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
const HELM_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

export interface ChartFilesOptions {
  helm: HelmRepositoryClient;
  oci: RegistryClient;
  cache: ResponseCache;
  now: () => number;
  /** How long files read from an archive known only by URL (no index digest) are kept. */
  ttlMs: number;
}

/**
 * The files of one chart version, fetched from its HTTP repository (the index entry's `urls`, checked against the
 * entry's `digest`) or its OCI registry (the manifest's chart layer, checked against its digest). What was read is
 * kept in the lookup cache by digest (by URL when the index gives none), never the archive itself.
 */
export class ChartFilesReader {
  constructor(private readonly opts: ChartFilesOptions) {}

  async http(pkg: PackageRef & { registryUrl: string }, version: string): Promise<ChartFiles> {
    const entry = await this.opts.helm.entry(pkg.registryUrl, pkg.name, version);
    const host = new URL(pkg.registryUrl).host;
    if (!entry) throw new RegistryError(`${pkg.name} ${version} is not in ${pkg.registryUrl}/index.yaml`, { host, status: 404 });
    const first = entry.urls[0];
    if (!first) throw new RegistryError(`${pkg.name} ${version} has no archive URL in index.yaml`, { host });
    const indexUrl = await this.opts.helm.indexUrl(pkg.registryUrl);
    let url: string;
    try {
      url = new URL(first, indexUrl).toString();
    } catch (err) {
      throw new RegistryError(`${pkg.name} ${version}: archive URL in index.yaml is not a URL`, { host, cause: err });
    }
    if (!/^https?:$/.test(new URL(url).protocol)) throw new RegistryError(`${pkg.name} ${version}: archive URL is not http(s)`, { host });
    const digest = entry.digest ? `sha256:${entry.digest}` : null;
    // Content-addressed when the index gives a digest; else by URL and by who read it, like a private index.
    const key = digest ? `chart-files ${digest}` : `chart-files ${url} ${await this.opts.helm.archiveIdentity(url, indexUrl)}`;
    return this.cached(key, digest ? Infinity : this.opts.ttlMs, async () => {
      const bytes = await this.opts.helm.download(url, indexUrl, MAX_ARCHIVE_BYTES);
      if (digest && !digestMatches(digest, bytes)) {
        throw new RegistryError(`${new URL(url).host} sent a chart archive for ${pkg.name} ${version} that does not match the index digest`, { host: new URL(url).host });
      }
      return readChartArchive(bytes);
    });
  }

  /** Helm 4 writes no top-level `mediaType`: the config's media type says it is a chart. */
  async oci(loc: ImageLocation, tag: string): Promise<ChartFiles> {
    const where = `${loc.registry}/${loc.repository}:${tag}`;
    const manifest = await this.opts.oci.manifest(loc, tag);
    if (!manifest) throw new RegistryError(`${where} not found`, { host: loc.apiHost, status: 404 });
    const config = asObject(manifest['config']);
    if (config?.['mediaType'] !== HELM_CONFIG) throw new RegistryError(`${where} is not a Helm chart (config media type)`, { host: loc.apiHost });
    const layers = Array.isArray(manifest['layers']) ? manifest['layers'].map(asObject) : [];
    const layer = layers.find((l) => l?.['mediaType'] === HELM_LAYER);
    const digest = layer?.['digest'];
    if (typeof digest !== 'string' || !isDigest(digest)) throw new RegistryError(`${where} has no chart layer`, { host: loc.apiHost });
    return this.cached(`chart-files ${digest}`, Infinity, async () => {
      const bytes = await this.opts.oci.blobBytes(loc, digest, MAX_ARCHIVE_BYTES);
      if (!bytes) throw new RegistryError(`${where}: chart layer not found`, { host: loc.apiHost, status: 404 });
      return readChartArchive(bytes);
    });
  }

  private async cached(key: string, ttlMs: number, read: () => Promise<ChartFiles>): Promise<ChartFiles> {
    const hit = await this.opts.cache.get(key);
    const now = this.opts.now();
    const kept = hit && now - hit.storedAt < ttlMs ? parseFiles(hit.body) : null;
    if (kept) {
      this.opts.cache.stats.fresh++;
      return kept;
    }
    const files = await read();
    this.opts.cache.stats.downloaded++;
    await this.opts.cache.set(key, { storedAt: now, body: JSON.stringify(files) });
    return files;
  }
}

function parseFiles(body: string): ChartFiles | null {
  try {
    const v = JSON.parse(body) as Partial<ChartFiles>;
    if (typeof v.chartYaml !== 'string') return null;
    const orNull = (x: unknown): string | null => (typeof x === 'string' ? x : null);
    return { chartYaml: v.chartYaml, valuesYaml: orNull(v.valuesYaml), schemaJson: orNull(v.schemaJson) };
  } catch {
    return null;
  }
}

function asObject(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
