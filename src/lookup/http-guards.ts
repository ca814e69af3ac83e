import { setMaxListeners } from 'node:events';
import { BlockList, isIPv4 } from 'node:net';
import { RegistryError } from '../errors.js';
import { isLoopback } from './oci/reference.js';

interface HostState {
  failures: number;
  open: RegistryError | null;
  /** Aborted when the breaker opens, so attempts in flight to the host end with it. */
  controller: AbortController;
}

/**
 * One circuit breaker per host: after `threshold` consecutive connection failures or timeouts the host is open, and
 * every request to it fails at once with the same error, for the rest of the run. A success closes the count again.
 * HTTP statuses never count: a registry answering 503 is up, and the retry logic deals with it.
 */
export class HostBreakers {
  private readonly hosts = new Map<string, HostState>();

  constructor(private readonly threshold: number) {}

  /** The error every request to `host` fails with; null while the host is still asked. */
  openError(host: string): RegistryError | null {
    return this.hosts.get(host)?.open ?? null;
  }

  /** Aborted (with the open error as reason) the moment the host's breaker opens. */
  signal(host: string): AbortSignal {
    return this.state(host).controller.signal;
  }

  success(host: string): void {
    const s = this.hosts.get(host);
    if (s && !s.open) s.failures = 0;
  }

  /** Counts one failed attempt; returns the open error when this failure opened the breaker (or it already was). */
  failure(host: string, cause: unknown): RegistryError | null {
    const s = this.state(host);
    if (s.open) return s.open;
    s.failures += 1;
    if (s.failures < this.threshold) return null;
    s.open = new RegistryError(`${host} could not be reached (${s.failures} attempts in a row failed; not asking it again this run)`, { host, cause });
    s.controller.abort(s.open);
    return s.open;
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) {
      s = { failures: 0, open: null, controller: new AbortController() };
      // Every request in flight to the host listens: as many as the host's concurrency, which may be above Node's 10.
      setMaxListeners(0, s.controller.signal);
      this.hosts.set(host, s);
    }
    return s;
  }
}

/**
 * Bytes held by response bodies being read at once, against one budget for the whole client: a few hostile
 * registries sending huge bodies side by side fail their requests instead of growing the process past its limit.
 */
export class ByteBudget {
  private held = 0;
  private highest = 0;

  constructor(readonly limit: number) {}

  /** Reserves `n` bytes; false (and nothing reserved) when that would pass the limit. */
  take(n: number): boolean {
    if (this.held + n > this.limit) return false;
    this.held += n;
    if (this.held > this.highest) this.highest = this.held;
    return true;
  }

  release(n: number): void {
    this.held = Math.max(0, this.held - n);
  }

  /** The most bytes ever held at once. */
  peak(): number {
    return this.highest;
  }
}

/**
 * An AbortController that also aborts when any of `sources` does, with that source's reason. `dispose` removes the
 * listeners, so long-lived sources (a host's breaker, the run's deadline) do not collect one per attempt.
 */
export function linkedController(sources: readonly (AbortSignal | undefined)[]): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const unlink: (() => void)[] = [];
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const onAbort = (): void => controller.abort(source.reason);
    source.addEventListener('abort', onAbort, { once: true });
    unlink.push(() => source.removeEventListener('abort', onAbort));
  }
  return { controller, dispose: () => unlink.forEach((u) => u()) };
}

/** Resolves with `promise`, or rejects with the signal's reason as soon as any of `signals` aborts. */
export async function untilAborted<T>(promise: Promise<T>, signals: readonly (AbortSignal | undefined)[]): Promise<T> {
  const { controller, dispose } = linkedController(signals);
  if (controller.signal.aborted) throw controller.signal.reason;
  try {
    return await new Promise<T>((resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      promise.then(resolve, reject);
    });
  } finally {
    dispose();
  }
}

export interface BodyLimits {
  maxBytes: number;
  buffered: ByteBudget;
}

/**
 * Reads a body as UTF-8, giving up as soon as it passes `maxBytes` (whatever `Content-Length` claims) or as soon as
 * the bodies being read at once would pass the client's shared budget.
 */
export async function readBody(res: Response, limits: BodyLimits, host: string): Promise<string> {
  const whole = await readBodyBytes(res, limits, host);
  return whole.toString('utf8');
}

/** `readBody` for binary bodies (chart archives): the bytes, under the same limits. */
export async function readBodyBytes(res: Response, limits: BodyLimits, host: string): Promise<Buffer> {
  const tooLarge = () => new RegistryError(`${host} sent a response larger than ${limits.maxBytes} bytes`, { host, status: res.status });
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > limits.maxBytes) {
    await res.body?.cancel();
    throw tooLarge();
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let held = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      if (held + chunk.byteLength > limits.maxBytes) throw tooLarge();
      if (!limits.buffered.take(chunk.byteLength)) {
        const budget = formatBytes(limits.buffered.limit);
        throw new RegistryError(`${host}: response bodies being read at once would pass the ${budget} memory budget; not reading this one`, { host, status: res.status });
      }
      held += chunk.byteLength;
      chunks.push(chunk);
    }
    // The chunks may go before the caller makes a string of it: two copies of a large body at once, not three.
    const whole = Buffer.concat(chunks, held);
    chunks.length = 0;
    return whole;
  } finally {
    limits.buffered.release(held);
  }
}

/** `268435456` → `256 MiB`; small budgets (tests) in bytes. */
function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Number((n / 1024 / 1024).toFixed(1))} MiB` : `${n} bytes`;
}

/**
 * A URL on this machine: `http://127.0.0.1:8200/v1/token`, `https://localhost/…`, `*.localhost`, `0.0.0.0`, `[::1]`,
 * `[::ffff:127.0.0.1]`, and its link-local neighbours, where clouds serve the machine's own credentials
 * (`169.254.169.254`, `[fd00:ec2::254]`, `[fe80::1]`). A host elsewhere may not send us there (by redirect, as a token
 * realm, or as a chart archive URL): we would read a local service and hand what it answered to that host or to the
 * repository's pull request.
 */
export function onThisMachine(url: URL): boolean {
  const host = url.hostname.replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || isLoopback(host)) return true;
  const local = new BlockList();
  local.addSubnet('127.0.0.0', 8, 'ipv4');
  local.addAddress('0.0.0.0', 'ipv4');
  local.addAddress('::1', 'ipv6');
  local.addAddress('::', 'ipv6');
  local.addSubnet('169.254.0.0', 16, 'ipv4');
  local.addSubnet('fe80::', 10, 'ipv6');
  local.addAddress('fd00:ec2::254', 'ipv6');
  // The URL parser has already turned `2130706433` and `0177.1` into `127.0.0.1`; `[::ffff:7f00:1]` matches 127/8 here.
  if (host.startsWith('[')) return local.check(host.slice(1, -1), 'ipv6');
  return isIPv4(host) && local.check(host, 'ipv4');
}
