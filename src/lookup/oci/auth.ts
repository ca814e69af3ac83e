import { RegistryError } from '../../errors.js';
import type { HttpClient } from '../http.js';
import type { Credentials } from './credentials.js';
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

/**
 * Turns a challenge into an `Authorization` value. Bearer tokens are cached per registry and scope until
 * shortly before they expire; anonymous tokens are fetched the same way, without credentials.
 */
export class TokenAuthority {
  private readonly tokens = new Map<string, Promise<CachedToken>>();

  constructor(private readonly http: HttpClient, private readonly now: () => number) {}

  async authorization(registry: string, challenge: Challenge, scope: string, creds: Credentials | null): Promise<string | null> {
    if (creds && 'token' in creds) return `Bearer ${creds.token}`;
    if (challenge.scheme === 'basic') return creds ? basic(creds) : null;
    const key = `${registry} ${challenge.realm} ${scope}`;
    const cached = this.tokens.get(key);
    if (cached) {
      const t = await cached.catch(() => null);
      if (t && t.expiresAt > this.now()) return `Bearer ${t.value}`;
    }
    const pending = this.fetchToken(registry, challenge, scope, creds);
    this.tokens.set(key, pending);
    try {
      return `Bearer ${(await pending).value}`;
    } catch (err) {
      this.tokens.delete(key);
      throw err;
    }
  }

  /** Forget a token the registry refused (revoked early, or scope too narrow). */
  forget(registry: string, challenge: Challenge, scope: string): void {
    if (challenge.scheme === 'bearer') this.tokens.delete(`${registry} ${challenge.realm} ${scope}`);
  }

  private async fetchToken(
    registry: string,
    challenge: Extract<Challenge, { scheme: 'bearer' }>,
    scope: string,
    creds: { username: string; password: string } | null,
  ): Promise<CachedToken> {
    const realm = new URL(challenge.realm);
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && isLoopback(realm.host))) {
      throw new RegistryError(`${registry}: refusing token realm over plain HTTP (${realm.host})`, { host: realm.host });
    }
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    realm.searchParams.set('scope', scope);
    const started = this.now();
    const res = await this.http.request({ url: realm.toString(), authorization: creds ? basic(creds) : null });
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
    if (!value) throw new RegistryError(`${registry}: token service ${realm.host} sent no token`, { host: realm.host, status: res.status });
    // The spec's default lifetime is 60 s; renew 10 s early so a token never expires mid-request.
    const lifetime = Math.max(typeof body.expires_in === 'number' ? body.expires_in : 60, 20);
    return { value, expiresAt: started + (lifetime - 10) * 1000 };
  }
}

function basic(creds: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}
