import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Docker-style token service for tests (the flow Docker Hub and ghcr.io use): `GET /token?service=…&scope=…`
 * answers an RS256 JWT the registry trusts through `rootCertPem`. Anonymous callers get `pull`; callers with the
 * right Basic credentials get what they ask for; wrong credentials get 401.
 */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the self-signed certificate to give the registry as `rootcertbundle`. */
  rootCertPem: string;
  requestCount(): number;
  /** Mint a token directly (for the helper's own pushes). */
  mint(scopes: string[], subject: string): string;
  stop(): Promise<void>;
}

export async function startTokenServer(opts: { username: string; password: string; expiresIn?: number }): Promise<TokenServer> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const kid = libtrustKeyId(spki);
  const service = 'tidemark-test-registry';
  const issuer = 'tidemark-test-issuer';
  const rootCertPem = selfSignedCertPem(spki, privateKey);
  let count = 0;
  const mint = (scopes: string[], subject: string): string =>
    jwt(privateKey, kid, { iss: issuer, sub: subject, aud: service, expiresIn: opts.expiresIn ?? 300, access: scopes.map(parseScope).filter((a) => a !== null) });
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    count++;
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization;
    if (url.pathname !== '/token') return void res.writeHead(404).end();
    if (auth && auth !== expected) return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter(Boolean);
    // Anonymous callers may only pull, as on public registries.
    const granted = auth ? scopes : scopes.map((s) => s.replace(/:(?<actions>[^:]*)$/, (_all, actions: string) => (actions.split(',').includes('pull') ? ':pull' : ':')));
    const token = mint(granted, auth ? opts.username : '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: opts.expiresIn ?? 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertPem,
    requestCount: () => count,
    mint,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:acme/web:pull,push` → the JWT access claim. */
function parseScope(scope: string): Access | null {
  const m = /^(?<type>[^:]+):(?<name>.+):(?<actions>[^:]*)$/.exec(scope);
  if (!m?.groups) return null;
  return { type: m.groups['type'] ?? '', name: m.groups['name'] ?? '', actions: (m.groups['actions'] ?? '').split(',').filter(Boolean) };
}

function jwt(key: KeyObject, kid: string, c: { iss: string; sub: string; aud: string; expiresIn: number; access: Access[] }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', kid };
  const claims = { iss: c.iss, sub: c.sub, aud: c.aud, exp: now + c.expiresIn, nbf: now - 10, iat: now, jti: randomUUID(), access: c.access };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** libtrust key id: base32 of the first 30 bytes of sha256(SPKI DER), in 12 groups of 4 joined by `:`. */
export function libtrustKeyId(spkiDer: Buffer): string {
  const bytes = createHash('sha256').update(spkiDer).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const b of bytes) bits += b.toString(2).padStart(8, '0');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5), 2)];
  return (out.match(/.{4}/g) ?? []).join(':');
}

/** A minimal X.509 v1-style certificate in DER, signed by its own key; the registry only reads its public key. */
function selfSignedCertPem(spki: Buffer, key: KeyObject): string {
  const sha256Rsa = seq(oid([1, 2, 840, 113549, 1, 1, 11]), Buffer.from([0x05, 0x00]));
  const name = seq(set(seq(oid([2, 5, 4, 3]), tlv(0x0c, Buffer.from('tidemark test token issuer')))));
  const validity = seq(utcTime(new Date(Date.now() - 86_400_000)), utcTime(new Date(Date.now() + 10 * 86_400_000)));
  const tbs = seq(tlv(0xa0, tlv(0x02, Buffer.from([2]))), tlv(0x02, Buffer.from([1])), sha256Rsa, name, validity, name, spki);
  const cert = seq(tbs, sha256Rsa, tlv(0x03, Buffer.concat([Buffer.from([0]), sign('sha256', tbs, key)])));
  const b64 = cert.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${b64.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  const head = len < 0x80 ? Buffer.from([tag, len]) : len < 0x100 ? Buffer.from([tag, 0x81, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([head, content]);
}
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));

function oid(parts: number[]): Buffer {
  const [a = 0, b = 0, ...rest] = parts;
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';
  return tlv(0x17, Buffer.from(s));
}
