import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import { DOCKER_HUB } from './reference.js';

/** Basic credentials (also sent to the registry's token service), or a bearer token sent to the registry as is. */
export type Credentials = { username: string; password: string } | { token: string };

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; registrytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface CredentialOptions {
  registries: Record<string, RegistryConfig>;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** A credential helper gets this long to answer. */
  helperTimeoutMs?: number;
}

/**
 * Finds credentials for a registry the way users already keep them: Tidemark's config naming environment
 * variables first, then Docker's config.json (`credHelpers`, `auths`, `credsStore`). Looked up once per registry.
 */
export class CredentialStore {
  private dockerConfig: Promise<DockerConfig> | null = null;
  private readonly found = new Map<string, Promise<Credentials | null>>();

  constructor(private readonly opts: CredentialOptions) {}

  /** `registry` as users name it: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  get(registry: string): Promise<Credentials | null> {
    let p = this.found.get(registry);
    if (!p) {
      p = this.lookup(registry);
      this.found.set(registry, p);
    }
    return p;
  }

  private async lookup(registry: string): Promise<Credentials | null> {
    const fromConfig = this.fromEnv(registry);
    if (fromConfig) return fromConfig;
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

  private fromEnv(registry: string): Credentials | null {
    const key = this.opts.registries[registry] || registry !== DOCKER_HUB ? registry : 'index.docker.io';
    return credentialsFromEnv(this.opts.registries, key, this.opts.env, this.opts.logger);
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

/** Credentials named by Tidemark's config (`registries.<host>.usernameEnv`…), read from the environment. */
export function credentialsFromEnv(
  registries: Record<string, RegistryConfig>,
  registry: string,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Credentials | null {
  const cfg = registries[registry];
  if (!cfg) return null;
  const token = cfg.tokenEnv ? env[cfg.tokenEnv] : undefined;
  if (token) return { token };
  const username = cfg.usernameEnv ? env[cfg.usernameEnv] : undefined;
  const password = cfg.passwordEnv ? env[cfg.passwordEnv] : undefined;
  if (username && password) return { username, password };
  if (cfg.usernameEnv || cfg.passwordEnv || cfg.tokenEnv) {
    logger.warn('registry credentials configured but their environment variables are empty', {
      registry,
      variables: [cfg.usernameEnv, cfg.passwordEnv, cfg.tokenEnv].filter(Boolean),
    });
  }
  return null;
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

function runHelper(cmd: string, input: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}`))));
    child.stdin.end(input);
  });
}
