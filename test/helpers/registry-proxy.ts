import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RegistryProxy {
  port: number;
  requestCount(): number;
  /** `GET /v2/acme/web/tags/list?n=2` for every request received, in order. */
  requests(): string[];
  stop(): Promise<void>;
}

const TAGS_PATH = /^\/v2\/(?<name>.+)\/tags\/list$/;

/**
 * A proxy in front of distribution 2.8 that behaves like Docker Hub, ghcr.io and quay.io do and 2.8 does not:
 * tag lists sorted, `n`/`last` applied with `n` capped at `pageCap`, a `Link: <…>; rel="next"` to the next page,
 * and an `ETag` (304 on `If-None-Match`). Every request can be delayed by `latencyMs`. Counts what it receives.
 */
export async function startRegistryProxy(opts: { upstreamPort: number; pageCap: number | null; latencyMs: number }): Promise<RegistryProxy> {
  let count = 0;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    count++;
    seen.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    const go = (): void => void handle(req, res, opts).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(err));
    });
    if (opts.latencyMs > 0) setTimeout(go, opts.latencyMs);
    else go();
  });
  // Keep-alive sockets would hold close() open; tests want a prompt stop.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    requestCount: () => count,
    requests: () => [...seen],
    stop: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: { upstreamPort: number; pageCap: number | null }): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const tags = TAGS_PATH.exec(url.pathname);
  if (req.method === 'GET' && tags?.groups) return paginate(req, res, url, tags.groups['name'] ?? '', opts);
  await new Promise<void>((resolve, reject) => {
    const up = request(
      { host: '127.0.0.1', port: opts.upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res).on('finish', resolve).on('error', reject);
      },
    );
    up.on('error', reject);
    req.pipe(up);
  });
}

async function paginate(req: IncomingMessage, res: ServerResponse, url: URL, name: string, opts: { upstreamPort: number; pageCap: number | null }): Promise<void> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
  const up = await fetch(`http://127.0.0.1:${opts.upstreamPort}/v2/${name}/tags/list`, { headers });
  const text = await up.text();
  if (up.status !== 200) {
    const pass: Record<string, string> = { 'content-type': up.headers.get('content-type') ?? 'application/json' };
    const challenge = up.headers.get('www-authenticate');
    if (challenge) pass['www-authenticate'] = challenge;
    res.writeHead(up.status, pass).end(text);
    return;
  }
  const all = ((JSON.parse(text) as { tags?: string[] | null }).tags ?? []).slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const asked = Number(url.searchParams.get('n') ?? '') || Infinity;
  const n = Math.min(asked, opts.pageCap ?? Infinity);
  const last = url.searchParams.get('last');
  const from = last === null ? 0 : all.findIndex((t) => t > last);
  const page = from === -1 ? [] : all.slice(from, from + n);
  const body = JSON.stringify({ name, tags: page });
  const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
  const out: Record<string, string> = { 'content-type': 'application/json', etag };
  const lastTag = page[page.length - 1];
  if (from !== -1 && from + n < all.length && lastTag !== undefined) {
    out['link'] = `</v2/${name}/tags/list?last=${encodeURIComponent(lastTag)}&n=${n}>; rel="next"`;
  }
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, out).end();
    return;
  }
  res.writeHead(200, out).end(body);
}
