import { createHash } from 'node:crypto';
import { RegistryError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { mayCarryCredentials, realmRefusal, type Credentials } from '../host-rules.js';
import { onThisMachine } from '../http-guards.js';
import type { HttpClient } from '../http.js';
import { isLoopback } from './reference.js';

export type Challenge =
  | { scheme: 'bearer'; realm: string; service: string | null; scope: string | null }
  | { scheme: 'basic' };

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"`. */
export function parseChallenge(header: string | null): Challenge | null {
  if (!header) return null;
  const m = /^\s*(?<scheme>\w+)\s*(?<rest>.*)$/s.exec(header);
  const scheme = m?.groups?.['scheme']?.toLowerCase();
  if (scheme === 'basic') return { scheme: 'basic' };
  if (scheme !== 'bearer') return null;
  const params: Record<string, string> = {};
  for (const p of (m?.groups?.['rest'] ?? '').matchAll(/(?<key>\w+)\s*=\s*(?:"(?<quoted>[^"]*)"|(?<bare>[^,\s]+))/g)) {
    const key = p.groups?.['key']?.toLowerCase();
    if (key) params[key] = p.groups?.['quoted'] ?? p.groups?.['bare'] ?? '';
  }
  const realm = params['realm'];
  if (!realm) return null;
  return { scheme: 'bearer', realm, service: params['service'] ?? null, scope: params['scope'] ?? null };
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Who is asking: the registry as named, the host its API is on, and the token hosts the operator trusts beyond the usual. */
export interface AuthTarget {
  registry: string;
  apiHost: string;
  authHosts: readonly string[];
}

/**
 * Turns a challenge into an `Authorization` value. Bearer tokens are cached per registry, scope and credential until
 * shortly before they expire; anonymous tokens are fetched the same way, without credentials. Credentials go to a
 * token service only when `realmRefusal` (host-rules.ts) allows its realm; otherwise the token is asked anonymously.
 */
export class TokenAuthority {
  private readonly tokens = new Map<string, Promise<CachedToken>>();
  private readonly refusedRealms = new Set<string>();

  constructor(private readonly http: HttpClient, private readonly now: () => number, private readonly logger: Logger) {}

  async authorization(target: AuthTarget, challenge: Challenge, scope: string, creds: Credentials | null): Promise<string | null> {
    if (creds && 'token' in creds) return `Bearer ${creds.token}`;
    if (challenge.scheme === 'basic') return creds ? basic(creds) : null;
    const realm = parseRealm(target.registry, challenge.realm);
    // A realm on this machine named by a registry elsewhere would have us read a local service (a secrets agent, a
    // metadata proxy) and send its `token` back to that registry as our Bearer token.
    if (onThisMachine(realm) && !isLoopback(target.apiHost)) {
      throw new RegistryError(`${target.registry}: refusing a token service on this machine (${realm.host}) for a registry elsewhere`, { host: target.apiHost });
    }
    const sent = creds && this.mayReceive(target, realm, creds.cloud !== undefined) ? creds : null;
    const key = tokenKey(target.registry, challenge, scope, sent);
    const cached = this.tokens.get(key);
    if (cached) {
      const t = await cached.catch(() => null);
      if (t && t.expiresAt > this.now()) return `Bearer ${t.value}`;
    }
    const pending = this.fetchToken(target.registry, realm, challenge.service, scope, sent);
    this.tokens.set(key, pending);
    try {
      return `Bearer ${(await pending).value}`;
    } catch (err) {
      this.tokens.delete(key);
      throw err;
    }
  }

  /** Forget a token the registry refused (revoked early, or scope too narrow). */
  forget(registry: string, challenge: Challenge, scope: string, creds: Credentials | null): void {
    if (challenge.scheme !== 'bearer') return;
    this.tokens.delete(tokenKey(registry, challenge, scope, creds));
    this.tokens.delete(tokenKey(registry, challenge, scope, null));
  }

  private mayReceive(target: AuthTarget, realm: URL, cloud: boolean): boolean {
    const why = realmRefusal(realm, target.apiHost, target.authHosts, cloud);
    if (!why) return true;
    const key = `${target.registry} ${realm.host}`;
    if (!this.refusedRealms.has(key)) {
      this.refusedRealms.add(key);
      this.logger.warn('credentials withheld from a token service the registry named; asking it anonymously', {
        registry: target.registry, realm: realm.host, reason: why,
        hint: 'a host rule\'s authHosts lists token services trusted with that registry\'s credentials',
      });
    }
    return false;
  }

  private async fetchToken(
    registry: string,
    realm: URL,
    service: string | null,
    scope: string,
    creds: { username: string; password: string } | null,
  ): Promise<CachedToken> {
    if (!mayCarryCredentials(realm)) {
      throw new RegistryError(`${registry}: refusing token realm over plain HTTP (${realm.host})`, { host: realm.host });
    }
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const started = this.now();
    const res = await this.http.request({ url: url.toString(), authorization: creds ? basic(creds) : null });
    if (res.status !== 200) {
      throw new RegistryError(`${registry}: token service ${realm.host} answered ${res.status}`, { host: realm.host, status: res.status });
    }
    let body: { token?: string; access_token?: string; expires_in?: number };
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch (err) {
      throw new RegistryError(`${registry}: token service ${realm.host} sent invalid JSON`, { host: realm.host, status: res.status, cause: err });
    }
    const value = body.token ?? body.access_token;
    if (typeof value !== 'string' || !value) throw new RegistryError(`${registry}: token service ${realm.host} sent no token`, { host: realm.host, status: res.status });
    // The spec's default lifetime is 60 s; renew 10 s early so a token never expires mid-request.
    const lifetime = Math.max(typeof body.expires_in === 'number' ? body.expires_in : 60, 20);
    return { value, expiresAt: started + (lifetime - 10) * 1000 };
  }
}

function parseRealm(registry: string, realm: string): URL {
  try {
    return new URL(realm);
  } catch (err) {
    throw new RegistryError(`${registry}: token realm is not a URL`, { host: registry, cause: err });
  }
}

/** A token is cached per credential too: two path-prefix rules on one registry must never share one. */
function tokenKey(registry: string, challenge: Extract<Challenge, { scheme: 'bearer' }>, scope: string, creds: Credentials | null): string {
  const who = creds ? createHash('sha256').update(JSON.stringify(creds)).digest('hex') : 'anonymous';
  return `${registry} ${challenge.realm} ${scope} ${who}`;
}

function basic(creds: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}
