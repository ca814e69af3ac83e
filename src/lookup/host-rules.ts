import { readFile } from 'node:fs/promises';
import { didYouMean } from '../config/suggest.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { isEcrHost } from './oci/cloud.js';
import { DOCKER_HUB, DOCKER_HUB_ALIASES, isLoopback } from './oci/reference.js';

/**
 * Operator host rules: the one place that decides which secret may go to which host. Only the operator writes them
 * (`--host-rules FILE`, `TIDEMARK_HOST_RULES`, the Action's `host-rules` input); a repository never can.
 *
 * ```json
 * [{"matchHost":"ghcr.io","pathPrefix":"acme/","usernameEnv":"GHCR_USER","passwordEnv":"GHCR_PAT"},
 *  {"matchHost":"quay.io","tokenEnv":"QUAY_TOKEN"},
 *  {"matchHost":"ghcr.io","platformToken":true},
 *  {"matchHost":"registry.corp","authHosts":["auth.corp"]},
 *  {"matchHost":"registry.corp","concurrency":64},
 *  {"matchHost":"123456789012.dkr.ecr.eu-west-1.amazonaws.com","cloud":"aws"}]
 * ```
 */

/** A secret written in the rule (`"password": "…"`) or named by it (`"passwordEnv": "GHCR_PAT"`). */
export type SecretRef = { value: string } | { env: string };

/** The clouds whose registries Tidemark reads with the operator's cloud credential chain (oci/cloud.ts). */
export type CloudName = 'aws' | 'google' | 'azure';

/**
 * What a rule sends. `platform-token`: the run's platform token, as Basic `x-access-token:<token>`. `cloud`: a
 * credential minted from the operator's cloud credential chain for this host (oci/cloud.ts).
 */
export type RuleCredential =
  | { kind: 'basic'; username: SecretRef; password: SecretRef }
  | { kind: 'token'; token: SecretRef }
  | { kind: 'platform-token' }
  | { kind: 'cloud'; cloud: CloudName };

export interface HostRule {
  /** Lower-case `host[:port]`; Docker Hub's aliases are all `docker.io`. */
  matchHost: string;
  /** `acme/web` (no leading or trailing `/`); `''` matches every path. */
  pathPrefix: string;
  credential: RuleCredential | null;
  /** Token-service hosts (`host[:port]`) besides the usual ones that may receive this host's credentials. */
  authHosts: string[];
  /** Requests in flight to this host at once (1..256), instead of the default; only the operator may raise it. */
  concurrency?: number;
}

/**
 * Basic credentials (also sent to the registry's token service), or a bearer token sent to the registry as is.
 * `cloud`: minted by a cloud's credential chain; such a credential goes to the registry's own host only.
 */
export type Credentials = { username: string; password: string; cloud?: CloudName } | { token: string };

const KEYS = ['matchHost', 'pathPrefix', 'username', 'usernameEnv', 'password', 'passwordEnv', 'token', 'tokenEnv', 'platformToken', 'cloud', 'authHosts', 'concurrency'] as const;
const CLOUDS: readonly CloudName[] = ['aws', 'google', 'azure'];
const MAX_HOST_CONCURRENCY = 256;
const MAX_RULES = 1000;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `ghcr.io`, `registry.example.com:5000`, `127.0.0.1:5000`, `[::1]:5000`. */
const HOST_PORT = /^(?<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(?<port>\d{1,5}))?$/;

/** `Registry-1.Docker.IO` → `docker.io`; `GHCR.io:443` stays as written but lower-case (ports are compared exactly). */
export function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/** Parses and validates the rules; every mistake is a `UsageError` naming `source` and the rule (exit 2). */
export function parseHostRules(text: string, source: string): HostRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // Not the parser's message: it quotes the text around the mistake, which may be a password.
    throw new UsageError(`host rules (${source}): not valid JSON${jsonErrorPosition(text, err)}`);
  }
  if (!Array.isArray(parsed)) throw new UsageError(`host rules (${source}): expected a JSON array of rules`);
  if (parsed.length > MAX_RULES) throw new UsageError(`host rules (${source}): ${parsed.length} rules; at most ${MAX_RULES}`);
  const rules = parsed.map((raw, i) => parseRule(raw, `host rules (${source}) [${i}]`));
  const seen = new Set<string>();
  for (const [i, r] of rules.entries()) {
    const key = `${r.matchHost}/${r.pathPrefix}`;
    if (r.credential && seen.has(key)) {
      throw new UsageError(`host rules (${source}) [${i}]: a second credential for ${r.matchHost}${r.pathPrefix ? ` path ${r.pathPrefix}` : ''}`);
    }
    if (r.credential) seen.add(key);
  }
  return rules;
}

/** ` at line 3, column 14`, from V8's `… at position 40 …`; empty when it gives none. */
function jsonErrorPosition(text: string, err: unknown): string {
  const m = /position (?<pos>\d+)/.exec(err instanceof Error ? err.message : '');
  if (!m?.groups) return '';
  const before = text.slice(0, Number(m.groups['pos']));
  const lines = before.split('\n');
  return ` at line ${lines.length}, column ${(lines.at(-1) ?? '').length + 1}`;
}

function parseRule(raw: unknown, where: string): HostRule {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`${where}: expected an object`);
  const rule = raw as Record<string, unknown>;
  for (const key of Object.keys(rule)) {
    if ((KEYS as readonly string[]).includes(key)) continue;
    const guess = didYouMean(key, KEYS);
    throw new UsageError(`${where}: unknown key "${key}"${guess ? `; did you mean "${guess}"?` : `; known keys: ${KEYS.join(', ')}`}`);
  }
  const str = (key: string): string | undefined => {
    const v = rule[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') throw new UsageError(`${where}: ${key} must be a non-empty string`);
    return v;
  };
  const matchHost = str('matchHost');
  if (!matchHost) throw new UsageError(`${where}: matchHost is required (a host[:port] such as ghcr.io)`);
  const parsed: HostRule = {
    matchHost: canonicalHost(hostOrThrow(matchHost, `${where}: matchHost`)),
    pathPrefix: trimSlashes(str('pathPrefix') ?? ''),
    credential: parseCredential(rule, str, where),
    authHosts: parseAuthHosts(rule['authHosts'], where),
  };
  const concurrency = rule['concurrency'];
  if (concurrency !== undefined) {
    if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_HOST_CONCURRENCY) {
      throw new UsageError(`${where}: concurrency must be a whole number from 1 to ${MAX_HOST_CONCURRENCY}`);
    }
    parsed.concurrency = concurrency;
  }
  if (!parsed.credential && parsed.authHosts.length === 0 && parsed.concurrency === undefined) {
    throw new UsageError(`${where}: gives no credential, no authHosts and no concurrency`);
  }
  return parsed;
}

function parseCredential(rule: Record<string, unknown>, str: (key: string) => string | undefined, where: string): RuleCredential | null {
  const envName = (key: string): string | undefined => {
    const v = str(key);
    if (v !== undefined && !ENV_NAME.test(v)) throw new UsageError(`${where}: ${key} is not an environment variable name (letters, digits and _)`);
    return v;
  };
  const ref = (literal: string, env: string): SecretRef | null => {
    const [value, name] = [str(literal), envName(env)];
    if (value !== undefined && name !== undefined) throw new UsageError(`${where}: give ${literal} or ${env}, not both`);
    return value !== undefined ? { value } : name !== undefined ? { env: name } : null;
  };
  const username = ref('username', 'usernameEnv');
  const password = ref('password', 'passwordEnv');
  const token = ref('token', 'tokenEnv');
  const platform = rule['platformToken'];
  if (platform !== undefined && typeof platform !== 'boolean') throw new UsageError(`${where}: platformToken must be true or false`);
  const cloud = rule['cloud'];
  if (cloud !== undefined && !(CLOUDS as readonly unknown[]).includes(cloud)) throw new UsageError(`${where}: cloud must be one of ${CLOUDS.join(', ')}`);
  const kinds = [username || password ? 'username/password' : null, token ? 'token' : null, platform ? 'platformToken' : null, cloud ? 'cloud' : null].filter(Boolean);
  if (kinds.length > 1) throw new UsageError(`${where}: give one credential, not ${kinds.join(' and ')}`);
  if (platform) return { kind: 'platform-token' };
  if (cloud === 'aws' && !isEcrHost(String(rule['matchHost']).toLowerCase())) {
    throw new UsageError(`${where}: cloud "aws" needs an ECR host such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com (the token is asked for in its region)`);
  }
  if (cloud) return { kind: 'cloud', cloud: cloud as CloudName };
  if (token) return { kind: 'token', token };
  if (!username && !password) return null;
  if (!username) throw new UsageError(`${where}: a password needs username or usernameEnv`);
  if (!password) throw new UsageError(`${where}: a username needs password or passwordEnv`);
  return { kind: 'basic', username, password };
}

function parseAuthHosts(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 20) throw new UsageError(`${where}: authHosts must be an array of at most 20 hosts`);
  return value.map((h, i) => {
    if (typeof h !== 'string') throw new UsageError(`${where}: authHosts[${i}] must be a string`);
    return hostOrThrow(h, `${where}: authHosts[${i}]`);
  });
}

/** `GHCR.io` → `ghcr.io`; anything but a `host[:port]` (a URL, a path, 300+ characters) is a usage error. */
function hostOrThrow(value: string, where: string): string {
  const lower = value.toLowerCase();
  const m = lower.length <= 300 ? HOST_PORT.exec(lower) : null;
  const port = m?.groups?.['port'];
  if (!m || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    throw new UsageError(`${where} "${value}": expected a host[:port] such as ghcr.io or registry.example.com:5000, without scheme or path`);
  }
  return lower;
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/**
 * The rule that decides credentials for a request to `host` (`host[:port]` as in a URL) and `path` (an OCI repository
 * `acme/web`, or a Helm repository URL's path `/stable`): among rules with a credential, the one whose `pathPrefix` is
 * longest and matches on a `/` boundary (`acme` matches `acme/web`, not `acme-corp/web`). Null: no rule binds one.
 */
export function matchHostRule(rules: readonly HostRule[], host: string, path: string): HostRule | null {
  const target = canonicalHost(host);
  const clean = trimSlashes(path);
  let best: HostRule | null = null;
  for (const rule of rules) {
    if (!rule.credential || rule.matchHost !== target) continue;
    if (rule.pathPrefix !== '' && clean !== rule.pathPrefix && !clean.startsWith(`${rule.pathPrefix}/`)) continue;
    if (!best || rule.pathPrefix.length > best.pathPrefix.length) best = rule;
  }
  return best;
}

/**
 * The operator's per-host request limits, keyed by canonical host (`docker.io` for all of Docker Hub's names); the
 * lowest wins when rules for one host disagree.
 */
export function hostConcurrency(rules: readonly HostRule[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rules) {
    if (r.concurrency !== undefined) out.set(r.matchHost, Math.min(out.get(r.matchHost) ?? Infinity, r.concurrency));
  }
  return out;
}

/** Every `authHosts` entry of the rules for `host`, whatever their path. */
export function authHostsFor(rules: readonly HostRule[], host: string): string[] {
  const target = canonicalHost(host);
  return [...new Set(rules.filter((r) => r.matchHost === target).flatMap((r) => r.authHosts))];
}

/** Whether any rule binds a credential to `host` (any path): a repository cannot turn on plain HTTP there. */
export function hostHasRuleCredential(rules: readonly HostRule[], host: string): boolean {
  const target = canonicalHost(host);
  return rules.some((r) => r.credential !== null && r.matchHost === target);
}

/**
 * The credential a rule binds, read from the operator's environment. An empty variable is a warning and no
 * credential (never a fallback to another secret); a platform-token rule without a platform token likewise.
 */
export function resolveRuleCredential(rule: HostRule, env: NodeJS.ProcessEnv, platformToken: string | null, logger: Logger): Credentials | null {
  const cred = rule.credential;
  if (!cred) return null;
  const missing: string[] = [];
  const read = (ref: SecretRef): string => {
    if ('value' in ref) return ref.value;
    const v = env[ref.env] ?? '';
    if (v === '') missing.push(ref.env);
    return v;
  };
  let out: Credentials | null = null;
  // Minted asynchronously by the credential store; nothing to read here.
  if (cred.kind === 'cloud') return null;
  if (cred.kind === 'platform-token') {
    if (!platformToken) missing.push('platform token');
    out = platformToken ? { username: 'x-access-token', password: platformToken } : null;
  } else if (cred.kind === 'token') {
    out = { token: read(cred.token) };
  } else {
    out = { username: read(cred.username), password: read(cred.password) };
  }
  if (missing.length === 0) return out;
  logger.warn('host rule credential is empty; nothing is sent to this host', { host: rule.matchHost, pathPrefix: rule.pathPrefix, empty: missing });
  return null;
}

/**
 * The host a URL goes to, spelled as host rules spell it: `http://ghcr.io./x`, `http://ghcr.io:80/x` and a full-width
 * `ｇｈｃｒ.io` all go to `ghcr.io` (the URL parser lower-cases, maps full-width letters and drops a default port; the
 * trailing dot of a fully qualified name is dropped here). For refusing plain HTTP to a held host, never for choosing
 * a credential, which needs the host exactly as the rule names it.
 */
export function ruleHostOf(url: URL): string {
  const host = url.hostname.replace(/\.$/, '');
  return url.port ? `${host}:${url.port}` : host;
}

/** A credential travels only over HTTPS, or to a loopback host (where plain HTTP never leaves the machine). */
export function mayCarryCredentials(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.host));
}

/**
 * Why a Bearer `realm` must not receive the registry's credentials, or null when it may. Allowed: HTTPS (or loopback)
 * realms on the registry's API host, its parent domain when that still has two labels (`registry.gitlab.com` →
 * `gitlab.com`), `auth.docker.io` for Docker Hub, or a host the operator listed in `authHosts`.
 * Example: `Bearer realm="https://evil.example/token"` for `ghcr.io` → `"realm host evil.example is not …"`.
 */
export function realmRefusal(realm: URL, apiHost: string, authHosts: readonly string[], cloud = false): string | null {
  if (!mayCarryCredentials(realm)) return `realm ${realm.host} is not HTTPS`;
  const host = realm.host.toLowerCase();
  // A cloud registry's token service is the registry itself (ACR's /oauth2/token, GAR's /v2/token): its credential
  // (an ECR password, a Google access token, an ACR refresh token) goes nowhere else, not even to a listed authHost.
  if (cloud) return host === apiHost.toLowerCase() ? null : `realm host ${host} is not ${apiHost}, the only host a cloud registry credential goes to`;
  const allowed = new Set([apiHost.toLowerCase(), ...authHosts]);
  const parent = parentDomain(apiHost);
  if (parent) allowed.add(parent);
  if (canonicalHost(apiHost) === 'docker.io') allowed.add('auth.docker.io');
  if (allowed.has(host)) return null;
  return `realm host ${host} is not ${apiHost}, its parent domain, nor one of the host rule's authHosts`;
}

/** `registry.gitlab.com` → `gitlab.com`; `gitlab.com`, `127.0.0.1:5000` and `[::1]` → null. */
export function parentDomain(hostPort: string): string | null {
  const host = hostPort.toLowerCase().replace(/:\d+$/, '');
  if (host.startsWith('[') || /^[\d.]+$/.test(host)) return null;
  const labels = host.split('.');
  return labels.length >= 3 ? labels.slice(1).join('.') : null;
}

/** Every secret value the rules can send (literal or from the environment), for the logger to mask. */
export function hostRuleSecrets(rules: readonly HostRule[], env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  const add = (ref: SecretRef): void => {
    const v = 'value' in ref ? ref.value : env[ref.env];
    if (v) out.add(v);
  };
  for (const { credential: c } of rules) {
    if (c?.kind === 'token') add(c.token);
    if (c?.kind === 'basic') add(c.password);
  }
  return [...out];
}

/**
 * Where the rules come from: `--host-rules FILE` first, else `TIDEMARK_HOST_RULES` (a file path, or the JSON itself
 * when it starts with `[`). None: no rules. Unreadable or invalid: `UsageError`.
 */
export async function loadHostRules(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<HostRule[]> {
  if (flag) return parseHostRules(await readRulesFile(flag, '--host-rules'), flag);
  const value = env['TIDEMARK_HOST_RULES']?.trim();
  if (!value) return [];
  if (value.startsWith('[')) return parseHostRules(value, 'TIDEMARK_HOST_RULES');
  return parseHostRules(await readRulesFile(value, 'TIDEMARK_HOST_RULES'), value);
}

async function readRulesFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${what} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
