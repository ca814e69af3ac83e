import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request as the proxy saw it: a CONNECT tunnel (`target` is `host:port`) or a forwarded plain-HTTP request (an absolute URL). */
export interface ProxiedRequest {
  kind: 'connect' | 'forward';
  target: string;
  headers: Record<string, string>;
}

export interface TestProxy {
  /** `http://127.0.0.1:P`. */
  url: string;
  requests: ProxiedRequest[];
  stop(): Promise<void>;
}

/**
 * A real forward proxy on loopback, as corporate networks run them: CONNECT tunnels (what https, and undici's http,
 * go through) and absolute-form plain HTTP forwarding. It records every request, then reaches the target where
 * `route` sends it (`registry.test:443` → a loopback port), so tests can use host names that do not resolve.
 */
export async function startProxy(route: (host: string, port: number) => { host: string; port: number } = (host, port) => ({ host, port })): Promise<TestProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push({ kind: 'forward', target: req.url ?? '', headers: flat(req) });
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    const to = route(url.hostname, Number(url.port) || 80);
    const up = request({ host: to.host, port: to.port, method: req.method, path: url.pathname + url.search, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    requests.push({ kind: 'connect', target: req.url ?? '', headers: flat(req) });
    const [host = '', port = '443'] = (req.url ?? '').split(/:(?=\d+$)/);
    const to = route(host, Number(port));
    const upstream = connect(to.port, to.host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream).add(client);
    const drop = (): void => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    client.on('error', drop);
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function flat(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
  return out;
}

/** A self-signed certificate for `name` (and its key), made with openssl for one test run. */
export function selfSignedCert(name: string): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-cert-'));
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
