import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { HttpClient, type HttpOptions } from '../../src/lookup/http.js';
import { type HostileServer, startSilentServer } from '../helpers/hostile-servers.js';

/** A fetch that answers from a script: an Error is thrown (a refused connection), a number is that status. */
function scriptedFetch(script: (Error | number | string)[]): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  const fake = async (): Promise<Response> => {
    const next = script[Math.min(calls, script.length - 1)];
    calls++;
    if (next instanceof Error) throw next;
    if (typeof next === 'string') return new Response(next, { status: 200 });
    return new Response('', { status: next ?? 500 });
  };
  return { fetch: fake as typeof fetch, calls: () => calls };
}

const refused = (): Error => new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

function client(opts: Partial<HttpOptions> = {}): { http: HttpClient; waits: number[] } {
  const waits: number[] = [];
  const http = new HttpClient({ logger: silentLogger, backoffMs: 100, sleep: async (ms) => void waits.push(ms), ...opts });
  return { http, waits };
}

const failure = (p: Promise<unknown>): Promise<RegistryError> =>
  p.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (err: unknown) => {
      expect(err).toBeInstanceOf(RegistryError);
      return err as RegistryError;
    },
  );

describe('the per-host circuit breaker', () => {
  it('fails every later request to a host at once after three connection failures in a row', async () => {
    const { fetch, calls } = scriptedFetch([refused()]);
    const { http } = client({ fetch, retries: 1 });
    const first = await failure(http.request({ url: 'https://ghcr.io/v2/a/tags/list' }));
    const second = await failure(http.request({ url: 'https://ghcr.io/v2/b/tags/list' }));
    const third = await failure(http.request({ url: 'https://ghcr.io/v2/c/tags/list' }));
    const fourth = await failure(http.request({ url: 'https://ghcr.io/v2/d/tags/list' }));
    // The first two ask (2 + 1 attempts: the third attempt in a row opens the breaker); the others do not ask at all.
    expect([first.message, second.message, third.message, fourth.message]).toEqual([
      'ghcr.io could not be reached',
      'ghcr.io could not be reached',
      'ghcr.io could not be reached (3 attempts in a row failed; not asking it again this run)',
      'ghcr.io could not be reached (3 attempts in a row failed; not asking it again this run)',
    ]);
    expect(calls()).toEqual(3);
    expect(third).toMatchObject({ host: 'ghcr.io', status: null });
  });

  it('starts counting again after a success', async () => {
    const { fetch, calls } = scriptedFetch([refused(), refused(), '{}', refused(), refused(), '{}']);
    const { http } = client({ fetch, retries: 0 });
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      results.push(await http.request({ url: 'https://quay.io/v2/x/tags/list' }).then((r) => String(r.status), (e: Error) => e.message));
    }
    expect(results).toEqual(['quay.io could not be reached', 'quay.io could not be reached', '200', 'quay.io could not be reached', 'quay.io could not be reached', '200']);
    expect(calls()).toEqual(6);
  });

  it('is not tripped by HTTP statuses: a registry answering 503 is up', async () => {
    const { fetch, calls } = scriptedFetch([503]);
    const { http } = client({ fetch, retries: 1 });
    for (let i = 0; i < 3; i++) {
      expect((await failure(http.request({ url: 'https://gcr.io/v2/p/tags/list' }))).message).toEqual('gcr.io answered 503 for /v2/p/tags/list');
    }
    expect(calls()).toEqual(6);
  });

  it('keeps other hosts going when one host is open', async () => {
    const refusing = scriptedFetch([refused()]);
    const fetch = (async (url: URL, init?: RequestInit) =>
      url.host === 'down.example' ? refusing.fetch(url, init) : new Response('{"tags":[]}', { status: 200 })) as typeof globalThis.fetch;
    const { http } = client({ fetch, retries: 2 });
    await failure(http.request({ url: 'https://down.example/v2/a/tags/list' }));
    expect((await http.request({ url: 'https://up.example/v2/a/tags/list' })).status).toEqual(200);
  });
});

describe('timeouts against a server that accepts connections and never answers', () => {
  let silent: HostileServer;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(() => silent.stop());

  it('gives up when no response headers arrive within the headers timeout, long before the attempt timeout', async () => {
    const { http } = client({ headersTimeoutMs: 200, timeoutMs: 60_000, retries: 0 });
    const started = performance.now();
    const err = await failure(http.request({ url: `http://${silent.host}/v2/a/tags/list` }));
    expect(err.message).toEqual(`${silent.host} timed out (no response headers within 0.2 s)`);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('fails requests queued behind the per-host limit without connecting once the breaker opens', async () => {
    const { http } = client({ headersTimeoutMs: 200, retries: 0, breakerThreshold: 2, perHostConcurrency: 2 });
    const before = silent.hits();
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const errors = await Promise.all(names.map((n) => failure(http.request({ url: `http://${silent.host}/v2/${n}/tags/list` }))));
    // One or two queued requests may connect in the instants between the first timeouts on a loaded machine; the
    // breaker then aborts them too, and the rest never connect.
    expect(silent.hits() - before).toBeLessThanOrEqual(4);
    expect(errors.slice(4).map((e) => e.message)).toEqual(
      Array(4).fill(`${silent.host} could not be reached (2 attempts in a row failed; not asking it again this run)`),
    );
  });

  it('cuts an attempt short when the request budget runs out first, and does not retry past it', async () => {
    const { http } = client({ headersTimeoutMs: 30_000, timeoutMs: 30_000, requestBudgetMs: 300, retries: 3 });
    const started = performance.now();
    const err = await failure(http.request({ url: `http://${silent.host}/v2/a/tags/list` }));
    expect(err.message).toEqual(`${silent.host}: gave up after 1 attempt within the 0.3 s request budget (${silent.host} timed out)`);
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('ends a request in flight at once when the run is stopped, with the reason', async () => {
    const controller = new AbortController();
    const { http } = client({ signal: controller.signal, headersTimeoutMs: 60_000, timeoutMs: 60_000 });
    const pending = failure(http.request({ url: `http://${silent.host}/v2/a/tags/list` }));
    setTimeout(() => controller.abort(new Error('timed out after 30m')), 50);
    expect((await pending).message).toEqual(`${silent.host}: request cancelled (timed out after 30m)`);
  });

  it('reports a closed port as could not be reached', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const { http } = client({ retries: 0 });
    expect((await failure(http.request({ url: `http://127.0.0.1:${port}/v2/` }))).message).toEqual(`127.0.0.1:${port} could not be reached`);
  });
});

describe('the request budget', () => {
  it('stops backing off once the next wait would pass the budget', async () => {
    const { fetch, calls } = scriptedFetch([503]);
    const waits: number[] = [];
    const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, waits.push(ms) && ms));
    const { http } = client({ fetch, retries: 10, backoffMs: 1000, requestBudgetMs: 2500, sleep });
    const err = await failure(http.request({ url: 'https://gcr.io/v2/p/tags/list' }));
    // 1 s waited, and the next 2 s wait would end past 2.5 s.
    expect(err.message).toEqual('gcr.io: gave up after 2 attempts within the 2.5 s request budget (gcr.io answered 503 for /v2/p/tags/list)');
    expect([waits, calls()]).toEqual([[1000], 2]);
  });

  it('does not wait for a Retry-After that would pass the budget', async () => {
    const fetch = (async () => new Response('', { status: 429, headers: { 'retry-after': '50' } })) as typeof globalThis.fetch;
    const { http, waits } = client({ fetch, requestBudgetMs: 30_000 });
    const err = await failure(http.request({ url: 'https://quay.io/v2/x/tags/list' }));
    expect(err.message).toEqual('quay.io: gave up after 1 attempt within the 30 s request budget (quay.io answered 429 for /v2/x/tags/list)');
    expect(waits).toEqual([]);
  });
});

describe('the memory budget for bodies being read', () => {
  /** A body of `size` bytes in chunks of `chunk`, generated as read. */
  function streamed(size: number, chunk: number): Response {
    let left = size;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (left <= 0) return controller.close();
        const n = Math.min(chunk, left);
        left -= n;
        controller.enqueue(new Uint8Array(n).fill(0x31));
      },
    });
    return new Response(body, { status: 200 });
  }

  it('fails a body that would take the bodies in memory past the budget, then frees what it held', async () => {
    const sizes = [3000, 500];
    const fetch = (async () => streamed(sizes.shift() ?? 0, 100)) as typeof globalThis.fetch;
    const { http } = client({ fetch, maxBufferedBytes: 1000, maxBodyBytes: 10_000 });
    const err = await failure(http.request({ url: 'https://big.example/v2/x/tags/list' }));
    expect(err.message).toEqual('big.example: response bodies being read at once would pass the 1000 bytes memory budget; not reading this one');
    expect((await http.request({ url: 'https://big.example/v2/y/tags/list' })).body).toEqual('1'.repeat(500));
    expect(http.peakBufferedBytes()).toEqual(1000);
  });

  it('shares the budget between bodies read side by side', async () => {
    const fetch = (async () => streamed(600, 50)) as typeof globalThis.fetch;
    const { http } = client({ fetch, maxBufferedBytes: 1000 });
    const results = await Promise.allSettled([1, 2, 3].map((i) => http.request({ url: `https://big.example/v2/${i}/tags/list` })));
    expect(results.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);
    expect(http.peakBufferedBytes()).toBeLessThanOrEqual(1000);
  });
});
