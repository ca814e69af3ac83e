import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chartArchive } from './chart-archive.js';

/**
 * Chart name → versions, newest first as Helm writes them; a bare string is a version without `created`. Every
 * version is served as a real archive: a Chart.yaml-only one at `<url>/<name>-<version>.tgz`, or the given `archive`
 * at `charts/<name>-<version>.tgz` (listed relative to the index, as `helm repo index` writes it), with the archive's
 * sha256 as `digest` unless `digest` says otherwise (null: none); `url` replaces the listed URL.
 */
export type HelmCharts = Record<string, (string | HelmVersion)[]>;

export interface HelmVersion {
  version: string;
  created?: string;
  archive?: Buffer;
  digest?: string | null;
  url?: string;
}

export interface TestHelmRepo {
  /** `http://127.0.0.1:P` — the repository URL users put in `repoURL`/`repository`. */
  url: string;
  /** Replace what the index lists (the ETag changes with it). */
  setCharts(charts: HelmCharts): void;
  /** Requests received (index.yaml and anything else). */
  requestCount(): number;
  stop(): Promise<void>;
}

/**
 * A static HTTP Helm repository on loopback: `GET /index.yaml` with an `ETag` (304 on `If-None-Match`),
 * `home`/`sources` per chart and a deterministic `digest` per version.
 */
export async function startHelmRepo(charts: HelmCharts): Promise<TestHelmRepo> {
  let count = 0;
  let index = '';
  let etag = '';
  let archives = new Map<string, Buffer>();
  const server = createServer((req, res) => {
    count++;
    const archive = archives.get(req.url?.split('?')[0] ?? '');
    if (archive) return void res.writeHead(200, { 'content-type': 'application/gzip' }).end(archive);
    if (req.url?.split('?')[0] !== '/index.yaml') return void res.writeHead(404).end('not found');
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'application/x-yaml', etag });
    res.end(req.method === 'HEAD' ? undefined : index);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const setCharts = (c: HelmCharts): void => {
    index = renderIndex(c, url);
    archives = new Map();
    for (const [name, versions] of Object.entries(c)) {
      for (const v of versions) {
        if (typeof v !== 'string' && v.archive) archives.set(`/charts/${name}-${v.version}.tgz`, v.archive);
        else {
          const version = typeof v === 'string' ? v : v.version;
          archives.set(`/${name}-${version}.tgz`, chartArchive({ name, version }));
        }
      }
    }
    etag = `"${createHash('sha256').update(index).digest('hex').slice(0, 32)}"`;
  };
  setCharts(charts);
  return {
    url,
    setCharts,
    requestCount: () => count,
    stop: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Renders an index.yaml shaped like `helm repo index` output; versions unquoted, as Helm writes them (`version: 1.10`). */
export function renderIndex(charts: HelmCharts, url: string): string {
  const lines = ['apiVersion: v1', 'entries:'];
  for (const [name, versions] of Object.entries(charts)) {
    lines.push(`  ${name}:`);
    for (const v of versions) {
      const { version, created, archive, digest, url: listed } = typeof v === 'string' ? { version: v } as HelmVersion : v;
      lines.push(`  - apiVersion: v2`);
      if (created) lines.push(`    created: "${created}"`);
      const sum = digest !== undefined ? digest : createHash('sha256').update(archive ?? chartArchive({ name, version })).digest('hex');
      if (sum !== null) lines.push(`    digest: ${sum}`);
      lines.push(`    home: https://charts.example.test/${name}`);
      lines.push(`    name: ${name}`);
      lines.push(`    sources:`, `    - https://github.com/example/${name}`);
      lines.push(`    urls:`, `    - ${listed ?? (archive ? `charts/${name}-${version}.tgz` : `${url}/${name}-${version}.tgz`)}`);
      lines.push(`    version: ${version}`);
    }
  }
  lines.push('generated: "2026-01-01T00:00:00Z"', '');
  return lines.join('\n');
}
