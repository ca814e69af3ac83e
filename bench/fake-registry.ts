import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A registry that answers tag lists after a fixed latency and costs nothing else, run as its own process
 * (`fork('dist/bench/fake-registry.js', [latencyMs, pageCap, ...tags])`) so its CPU is not charged to the client being
 * measured: on a real network the registry is on another machine. Paginated like Docker Hub: sorted, `n` capped,
 * `Link` to the next page. Over IPC it sends `{ port }` once listening, and answers `'count'` with `{ requests }`.
 */
const [latencyArg, capArg, ...tags] = process.argv.slice(2);
const latencyMs = Number(latencyArg);
const pageCap = Number(capArg);
const sorted = [...tags].sort();
const position = new Map(sorted.map((t, i) => [t, i]));
let requests = 0;

const server = createServer((req, res) => {
  requests++;
  const url = new URL(req.url ?? '/', 'http://x');
  const m = /^\/v2\/(?<name>.+)\/tags\/list$/.exec(url.pathname);
  setTimeout(() => {
    if (!m) return void res.writeHead(url.pathname === '/v2/' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
    const n = Math.min(Number(url.searchParams.get('n') ?? pageCap), pageCap);
    const last = url.searchParams.get('last');
    const from = last ? (position.get(last) ?? -1) + 1 : 0;
    const page = sorted.slice(from, from + n);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (from + n < sorted.length) headers['link'] = `</v2/${m.groups!['name']}/tags/list?last=${page.at(-1)}&n=${n}>; rel="next"`;
    res.writeHead(200, headers).end(JSON.stringify({ name: m.groups!['name'], tags: page }));
  }, latencyMs);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
process.on('message', (msg) => {
  if (msg === 'count') process.send?.({ requests });
});
process.on('disconnect', () => process.exit(0));
