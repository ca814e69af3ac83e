import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A server on 127.0.0.1 the test started; `stop` destroys every socket it accepted and closes it. */
export interface HostileServer {
  host: string;
  /** Requests (or, for raw TCP servers, connections) received. */
  hits(): number;
  stop(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>, hits: () => number): Promise<HostileServer> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    hits,
    stop: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Accepts every connection and never sends a byte. */
export async function startSilentServer(): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    socket.on('error', () => {});
  });
  return listen(server, sockets, () => connections);
}

/**
 * Answers each request by dripping one byte every `intervalMs`: `'body'` sends complete headers first (a
 * `Content-Length` it never reaches), `'headers'` drips the status line and headers themselves.
 */
export async function startDripServer(opts: { what: 'body' | 'headers'; intervalMs: number }): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  const server = createNetServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => {
      requests++;
      const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
      const drip = opts.what === 'body' ? '{"tags":["' + '1'.repeat(99_990) : head;
      if (opts.what === 'body') socket.write(head);
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || i >= drip.length) return clearInterval(timer);
        socket.write(drip[i++] ?? '');
      }, opts.intervalMs);
      timers.add(timer);
      socket.on('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
    });
  });
  const started = await listen(server, sockets, () => requests);
  return {
    ...started,
    stop: async () => {
      for (const t of timers) clearInterval(t);
      await started.stop();
    },
  };
}

/** A registry that answers `GET /v2/<name>/tags/list` from a fixed map and 404 to everything else. */
export async function startTagServer(tags: Record<string, readonly string[]>): Promise<HostileServer> {
  return startHttp((req, res) => {
    const name = /^\/v2\/(?<name>.+)\/tags\/list$/.exec(new URL(req.url ?? '/', 'http://x').pathname)?.groups?.['name'];
    const list = name === undefined ? undefined : tags[name];
    if (req.method !== 'GET' || !list) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, tags: list }));
  });
}

export interface FloodOptions {
  /** Bytes of each page's body (no `Content-Length`: chunked, so only counting can stop it). */
  pageBytes: number;
  /** Pages linked with `Link: <…?page=N>; rel="next"`; 1 for a single huge response. */
  pages: number;
  /** `tags`: 120-character tags; `objects`: `{}` entries, the shape that costs `JSON.parse` most per byte. */
  shape?: 'tags' | 'objects';
}

/**
 * Sends tag lists of `pageBytes` per page, generated lazily as the client reads (with backpressure), so the test
 * itself never holds more than one small chunk: `{"tags":["x000…001","x000…002",…]}` with 120-character tags.
 */
export async function startFloodServer(opts: FloodOptions): Promise<HostileServer & { bytesSent(): number }> {
  let sent = 0;
  const server = await startHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const page = Number(url.searchParams.get('page') ?? '1');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (page < opts.pages) headers['link'] = `<${url.pathname}?page=${page + 1}>; rel="next"`;
    res.writeHead(200, headers);
    void streamTags(res, opts.pageBytes, opts.shape ?? 'tags', (n) => (sent += n));
  });
  return { ...server, bytesSent: () => sent };
}

async function streamTags(res: ServerResponse, bytes: number, shape: 'tags' | 'objects', count: (n: number) => void): Promise<void> {
  const tagsPerChunk = 512;
  let written = 0;
  let serial = 0;
  const write = (text: string): Promise<void> => {
    written += text.length;
    count(text.length);
    if (res.write(text)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.once('drain', done);
      res.once('close', done);
    });
  };
  await write('{"tags":[');
  while (written < bytes && !res.destroyed) {
    const chunk: string[] = [];
    for (let i = 0; i < tagsPerChunk; i++) chunk.push(shape === 'tags' ? `"x${String(serial++).padStart(119, '0')}"` : (serial++, '{}'));
    await write((serial > tagsPerChunk ? ',' : '') + chunk.join(','));
  }
  if (!res.destroyed) res.end(']}');
}

async function startHttp(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server = createHttpServer((req, res) => {
    requests++;
    res.on('error', () => {});
    handler(req, res);
  });
  return listen(server, sockets, () => requests);
}
