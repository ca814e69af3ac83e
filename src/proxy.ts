/**
 * Loopback is never proxied, whatever `NO_PROXY` says: plain HTTP to it never leaves the machine, which is why host
 * rules let a credential go there without TLS (lookup/host-rules.ts); through a proxy it would leave.
 */
const ALWAYS_DIRECT = ['localhost', '127.0.0.1', '[::1]'];

export interface ProxySettings {
  httpProxy: string | null;
  httpsProxy: string | null;
  /** `NO_PROXY` plus loopback, comma-separated, as undici reads it (`.corp.example`, `*.corp.example`, `host:port`). */
  noProxy: string;
}

/**
 * The operator's proxy variables, lowercase first as curl reads them: `https_proxy`/`HTTPS_PROXY` for https URLs
 * (falling back to the HTTP proxy), `http_proxy`/`HTTP_PROXY` for http URLs, `no_proxy`/`NO_PROXY` for hosts to reach
 * directly. Null when neither proxy is set.
 */
export function proxySettings(env: NodeJS.ProcessEnv): ProxySettings | null {
  const httpProxy = env['http_proxy'] || env['HTTP_PROXY'] || null;
  const httpsProxy = env['https_proxy'] || env['HTTPS_PROXY'] || null;
  if (!httpProxy && !httpsProxy) return null;
  const given = (env['no_proxy'] ?? env['NO_PROXY'] ?? '').trim();
  // `*` (nothing is proxied) works in undici only alone: loopback is direct then anyway.
  const noProxy = given === '*' ? '*' : [given, ...ALWAYS_DIRECT].filter(Boolean).join(',');
  return { httpProxy, httpsProxy, noProxy };
}

/**
 * Sends every `fetch` of this process (registry and Helm lookups, Octokit, Gitbeaker) through the operator's proxy,
 * by undici's `EnvHttpProxyAgent` as the global dispatcher; returns how to put the previous dispatcher back. A no-op
 * without proxy variables. An https URL (and, undici's default, an http one too) is reached through a CONNECT tunnel:
 * the proxy sees the host and port, and for https never the request's headers, so a registry's credential (sent over
 * plain HTTP only to loopback, which is never proxied) never reaches it; the
 * proxy's own credential (user info in the proxy URL) goes only to the proxy, as `Proxy-Authorization`.
 * `requestTls` is for tests (a CA for a loopback TLS server); operators use `NODE_EXTRA_CA_CERTS`.
 */
export async function installProxy(env: NodeJS.ProcessEnv, opts: { requestTls?: { ca: string } } = {}): Promise<{ settings: ProxySettings | null; restore: () => void }> {
  const settings = proxySettings(env);
  if (!settings) return { settings: null, restore: () => {} };
  // Loaded only behind a proxy: undici takes ~150 ms to load, which no other command should pay.
  const { EnvHttpProxyAgent, getGlobalDispatcher, setGlobalDispatcher } = await import('undici');
  const previous = getGlobalDispatcher();
  const agent = new EnvHttpProxyAgent({
    // Always given ('' for none): unset, undici would read process.env itself; this keeps `env` the one source.
    httpProxy: settings.httpProxy ?? '',
    httpsProxy: settings.httpsProxy ?? settings.httpProxy ?? '',
    noProxy: settings.noProxy,
    ...(opts.requestTls && { requestTls: opts.requestTls }),
  });
  setGlobalDispatcher(agent);
  return {
    settings,
    restore: () => {
      setGlobalDispatcher(previous);
      // destroy, not close: close waits for every request, and a CONNECT to a proxy that never answers is not ended
      // by the request's own timeout, so the process would stay up long after its work is done.
      void agent.destroy().catch(() => {});
    },
  };
}
