import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it: everything a client could have put a secret into. */
export interface RecordedRequest {
  /** The server's own `127.0.0.1:P`, whatever the client sent as `Host`. */
  host: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface RecordingServer {
  /** `127.0.0.1:P`. */
  host: string;
  /** `http://127.0.0.1:P`. */
  url: string;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

/** A loopback HTTP server that records every request (URL, headers, body) before `handler` answers it. */
export async function startRecordingServer(handler: Handler): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  let host = '';
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : (v ?? '');
      const recorded = { host, method: req.method ?? 'GET', url: req.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: `http://${host}`,
    requests,
    stop: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/**
 * Every form a secret could travel in, decoded: the request as is, URL-decoded (`%2F`, `+`), and every base64 or
 * base64url run decoded (`Authorization: Basic eC1hY2Nlc3MtdG9rZW46…` holds `x-access-token:<secret>`).
 */
export function decodedForms(req: RecordedRequest): string {
  const raw = [req.method, req.url, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`), req.body].join('\n');
  const forms = [raw, safeDecode(raw), safeDecode(raw.replaceAll('+', ' '))];
  for (const text of [...forms]) {
    for (const m of text.matchAll(/[A-Za-z0-9+/_-]{8,}={0,2}/g)) {
      for (let skip = 0; skip < 4; skip++) {
        const run = m[0].slice(skip);
        forms.push(Buffer.from(run, 'base64').toString('latin1'), Buffer.from(run, 'base64url').toString('latin1'));
      }
    }
  }
  return forms.join('\n');
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%[0-9a-f]{2}/gi, (h) => String.fromCharCode(parseInt(h.slice(1), 16)));
  }
}
