import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Logger } from '../../log.js';
import { authHostsFor, canonicalHost, hostHasRuleCredential, matchHostRule, resolveRuleCredential, type CloudName, type Credentials, type HostRule } from '../host-rules.js';
import { CloudCredentials, cloudInEnvironment, cloudOfHost } from './cloud.js';
import { DOCKER_HUB } from './reference.js';

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; registrytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface CredentialOptions {
  /** The operator's host rules (host-rules.ts); never anything a repository wrote. */
  hostRules: readonly HostRule[];
  /** The run's platform token, sent only where a `platformToken: true` rule binds it. */
  platformToken: string | null;
  /** The operator's environment: variables the rules name, `DOCKER_CONFIG`, `HOME`. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** A credential helper gets this long to answer. */
  helperTimeoutMs?: number;
  /** The clock cloud credentials expire by. */
  now?: () => number;
}

/**
 * Finds the operator's credential for a host, in the operator's own sources only: host rules first (the most specific
 * matching rule decides; a `cloud` rule mints one from that cloud's credential chain), then Docker's config.json
 * (`credHelpers`, `auths`, `credsStore`), which already binds each credential to a host, then the cloud credential
 * chain when the host is that cloud's registry and the operator's environment holds the cloud's credentials
 * (oci/cloud.ts). Each answer is looked up once; cloud credentials until they expire.
 */
export class CredentialStore {
  private dockerConfig: Promise<DockerConfig> | null = null;
  private readonly found = new Map<string, Promise<Credentials | null>>();
  private readonly resolved = new Map<HostRule, Credentials | null>();
  private readonly cloud: CloudCredentials;

  constructor(private readonly opts: CredentialOptions) {
    this.cloud = new CloudCredentials(opts.env, opts.now);
  }

  /**
   * The credential for a request to `host` (`ghcr.io`, `registry-1.docker.io`, `127.0.0.1:5000`: the URL's host) and
   * `path` (OCI repository `acme/web`). Callers send it nowhere but that host (see `mayCarryCredentials`).
   */
  get(host: string, path: string): Promise<Credentials | null> {
    const rule = matchHostRule(this.opts.hostRules, host, path);
    if (rule?.credential?.kind === 'cloud') return this.cloud.get(rule.credential.cloud, canonicalHost(host));
    if (rule) return Promise.resolve(this.fromRule(rule));
    const registry = canonicalHost(host);
    let p = this.found.get(registry);
    if (!p) {
      p = this.fromDocker(registry);
      this.found.set(registry, p);
    }
    return p.then((docker) => {
      const cloud = docker ? null : this.cloudFromEnvironment(registry);
      return cloud ? this.cloud.get(cloud, registry) : docker;
    });
  }

  /** Host rules only (Helm repositories: Docker's config is about registries). */
  fromRules(host: string, path: string): Credentials | null {
    const rule = matchHostRule(this.opts.hostRules, host, path);
    return rule ? this.fromRule(rule) : null;
  }

  /** Token services the operator trusts with `host`'s credentials beyond the usual ones (rules' `authHosts`). */
  authHosts(host: string): string[] {
    return authHostsFor(this.opts.hostRules, host);
  }

  /** Whether the operator holds any credential for `host`: then a repository may not make Tidemark speak plain HTTP to it. */
  async holdsAny(host: string): Promise<boolean> {
    if (hostHasRuleCredential(this.opts.hostRules, host)) return true;
    // Without minting one: a failing cloud chain must not fail a check that only asks whether a credential exists.
    if (this.cloudFromEnvironment(canonicalHost(host))) return true;
    return (await this.get(host, '')) !== null;
  }

  /** The cloud whose registry `host` is, when the operator's environment holds that cloud's credentials. */
  private cloudFromEnvironment(host: string): CloudName | null {
    const cloud = cloudOfHost(host);
    return cloud && cloudInEnvironment(cloud, this.opts.env) ? cloud : null;
  }

  private fromRule(rule: HostRule): Credentials | null {
    if (!this.resolved.has(rule)) this.resolved.set(rule, resolveRuleCredential(rule, this.opts.env, this.opts.platformToken, this.opts.logger));
    return this.resolved.get(rule) ?? null;
  }

  private async fromDocker(registry: string): Promise<Credentials | null> {
    const docker = await this.loadDockerConfig();
    const keys = dockerConfigKeys(registry);
    const helper = keys.map((k) => docker.credHelpers?.[k]).find((h) => h);
    if (helper) return this.fromHelper(helper, keys[0] ?? registry);
    for (const key of keys) {
      const entry = docker.auths?.[key];
      if (!entry) continue;
      if (entry.registrytoken) return { token: entry.registrytoken };
      const basic = decodeAuth(entry.auth) ?? (entry.username && entry.password ? { username: entry.username, password: entry.password } : null);
      if (basic) return basic;
    }
    if (docker.credsStore) return this.fromHelper(docker.credsStore, keys[0] ?? registry);
    return null;
  }

  private loadDockerConfig(): Promise<DockerConfig> {
    if (!this.dockerConfig) {
      const dir = this.opts.env['DOCKER_CONFIG'] || join(this.opts.env['HOME'] || homedir(), '.docker');
      this.dockerConfig = readFile(join(dir, 'config.json'), 'utf8')
        .then((text) => JSON.parse(text) as DockerConfig)
        .catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') this.opts.logger.warn('could not read Docker config.json', { dir, error: err.message });
          return {};
        });
    }
    return this.dockerConfig;
  }

  /** `docker-credential-<helper> get` reads the server URL on stdin and prints `{"Username","Secret"}`. */
  private async fromHelper(helper: string, server: string): Promise<Credentials | null> {
    try {
      const out = await runHelper(`docker-credential-${helper}`, server, this.opts.env, this.opts.helperTimeoutMs ?? 10_000);
      const parsed = JSON.parse(out) as { Username?: string; Secret?: string };
      if (!parsed.Secret) return null;
      // `<token>` marks an identity (refresh) token, an OAuth2 flow we do not speak.
      if (!parsed.Username || parsed.Username === '<token>') return null;
      return { username: parsed.Username, password: parsed.Secret };
    } catch (err) {
      this.opts.logger.warn('docker credential helper failed', { helper, server, error: err instanceof Error ? err.message : String(err) });
      return null;
    }
  }
}

/** The spellings a registry goes by in config.json: Docker Hub is `https://index.docker.io/v1/`. */
export function dockerConfigKeys(registry: string): string[] {
  if (registry === DOCKER_HUB) return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'https://docker.io'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

function decodeAuth(auth: string | undefined): { username: string; password: string } | null {
  if (!auth) return null;
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * `docker-credential-<name>` in an absolute directory of the operator's PATH. An empty or relative entry
 * (`PATH=/usr/bin:`, `.`) names the working directory, which is the repository's checkout under `plan .` or in the
 * Action: a file the repository planted there would run with every secret in the environment. Docker skips such
 * entries too (Go's `exec.LookPath` refuses them).
 */
async function findHelper(cmd: string, env: NodeJS.ProcessEnv): Promise<string> {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const file = join(dir, process.platform === 'win32' ? `${cmd}.exe` : cmd);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  throw new Error(`${cmd} is not in any absolute directory of PATH`);
}

async function runHelper(cmd: string, input: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  const file = await findHelper(cmd, env);
  return new Promise((resolve, reject) => {
    const child = spawn(file, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}`))));
    // A helper that exits without reading its input closes the pipe (EPIPE); its exit code says what went wrong.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
