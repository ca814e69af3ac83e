import type { RegistryConfig } from '../../config/types.js';

/** Where an image lives, resolved for the API. */
export interface ImageLocation {
  /** The registry as users name it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`): the key for credentials and config. */
  registry: string;
  /** Host (and port) the API is on: `registry-1.docker.io` for Docker Hub. */
  apiHost: string;
  /** `http://127.0.0.1:5000` or `https://ghcr.io`. */
  baseUrl: string;
  /** Repository path: `library/nginx`, `acme/web`. */
  repository: string;
}

export const DOCKER_HUB = 'docker.io';
/** The names Docker Hub goes by as a host; all mean `docker.io`. */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/**
 * Splits an image name (no tag, no digest) into registry and repository, the way Docker does:
 * the first component is a host when it has a `.` or `:` or is `localhost` (`ghcr.io/acme/web`, `localhost:5000/x`),
 * otherwise the image is on Docker Hub, where one-component names are official images (`nginx` → `library/nginx`).
 * A registry configured with `mirrorOf` is looked up at the registry it mirrors.
 */
export function locateImage(name: string, registries: Record<string, RegistryConfig>): ImageLocation {
  const clean = mirrored(name.replace(/^[a-z]+:\/\//i, ''), registries);
  const slash = clean.indexOf('/');
  const first = slash === -1 ? '' : clean.slice(0, slash);
  const isHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = isHost ? first.toLowerCase() : DOCKER_HUB;
  let repository = isHost ? clean.slice(slash + 1) : clean;
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = DOCKER_HUB;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  const apiHost = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
  const scheme = isLoopback(registry) || registries[registry]?.insecure ? 'http' : 'https';
  return { registry, apiHost, baseUrl: `${scheme}://${apiHost}`, repository };
}

/**
 * The name at the registry a configured mirror stands for. A key may be a host (`mirror.gcr.io`) or a host and path,
 * as pull-through caches are (`harbor.example.com/dockerhub-proxy`, `123.dkr.ecr.eu-west-1.amazonaws.com/docker-hub`);
 * the longest matching key wins. Example: `harbor.example.com/dockerhub-proxy/library/nginx` → `docker.io/library/nginx`.
 */
function mirrored(name: string, registries: Record<string, RegistryConfig>): string {
  let best: { key: string; mirrorOf: string } | null = null;
  for (const [rawKey, cfg] of Object.entries(registries)) {
    if (!cfg.mirrorOf) continue;
    const key = trimUrl(rawKey);
    const matches = name.toLowerCase() === key.toLowerCase() || name.toLowerCase().startsWith(`${key.toLowerCase()}/`);
    if (matches && (!best || key.length > best.key.length)) best = { key, mirrorOf: trimUrl(cfg.mirrorOf) };
  }
  if (!best) return name;
  const rest = name.slice(best.key.length + 1);
  // A mirror of Docker Hub names `nginx` as `docker.io/nginx`: keep the host so `rest` is never read as one.
  return `${best.mirrorOf}/${rest}`;
}

function trimUrl(value: string): string {
  return value.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

/** `oci://ghcr.io/stefanprodan/charts` + `podinfo` → the image `ghcr.io/stefanprodan/charts/podinfo`. */
export function ociChartImage(registryUrl: string, chart: string): string {
  const base = registryUrl.replace(/^oci:\/\//i, '').replace(/\/+$/, '');
  return `${base}/${chart}`;
}

/** Docker talks plain HTTP to loopback registries without being told; so do we. */
export function isLoopback(hostPort: string): boolean {
  const host = hostPort.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
