/**
 * A request that never got an HTTP answer. Node's fetch rejects with `TypeError: fetch failed` whose `cause` carries
 * the socket or DNS error (`code: 'ECONNREFUSED'`; an `AggregateError` with one error per address when a name has
 * several). Octokit wraps that as a RequestError with status 500 and the original in `cause`; Gitbeaker lets it through.
 */
export interface ConnectionFailure {
  /** `ECONNREFUSED`, `ENOTFOUND`, `CERT_HAS_EXPIRED`, …; `network error` when the cause names no code. */
  code: string;
  /** Asking again a few seconds later will not help: nothing listens, the name does not resolve, the certificate is bad. */
  permanent: boolean;
}

const PERMANENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const MAX_DEPTH = 4;

/** The connection failure behind `err` (followed through `cause` a few levels deep), or null for any other error. */
export function connectionFailure(err: unknown): ConnectionFailure | null {
  let at: unknown = err;
  let sawFetchFailed = false;
  for (let depth = 0; depth < MAX_DEPTH && at instanceof Error; depth++) {
    const code = codeOf(at);
    if (code !== null) return { code, permanent: PERMANENT.has(code) };
    if (at.name === 'TypeError' && at.message === 'fetch failed') sawFetchFailed = true;
    at = (at as { cause?: unknown }).cause;
  }
  return sawFetchFailed ? { code: 'network error', permanent: false } : null;
}

function codeOf(err: Error): string | null {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) && code !== 'UND_ERR') return code;
  const first = (err as { errors?: unknown[] }).errors?.[0];
  if (first instanceof Error) {
    const inner = (first as { code?: unknown }).code;
    if (typeof inner === 'string') return inner;
  }
  return null;
}

/** `https://api.github.com/api/v3` → `api.github.com`; the host part only, so no path or credentials reach a message. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
