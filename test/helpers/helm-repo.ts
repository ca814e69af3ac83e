import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Chart name → versions, newest first as Helm writes them; a bare string is a version without `created`. */
export type HelmCharts = Record<string, (string | { version: string; created?: string })[]>;

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
  const server = createServer((req, res) => {
    count++;
    if (req.url?.split('?')[0] !== '/index.yaml') return void res.writeHead(404).end('not found');
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'application/x-yaml', etag });
    res.end(req.method === 'HEAD' ? undefined : index);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const setCharts = (c: HelmCharts): void => {
    index = renderIndex(c, url);
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
      const { version, created } = typeof v === 'string' ? { version: v, created: undefined } : v;
      lines.push(`  - apiVersion: v2`);
      if (created) lines.push(`    created: "${created}"`);
      lines.push(`    digest: ${createHash('sha256').update(`${name}-${version}`).digest('hex')}`);
      lines.push(`    home: https://charts.example.test/${name}`);
      lines.push(`    name: ${name}`);
      lines.push(`    sources:`, `    - https://github.com/example/${name}`);
      lines.push(`    urls:`, `    - ${url}/${name}-${version}.tgz`);
      lines.push(`    version: ${version}`);
    }
  }
  lines.push('generated: "2026-01-01T00:00:00Z"', '');
  return lines.join('\n');
}
