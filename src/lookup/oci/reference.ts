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
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/**
 * Splits an image name (no tag, no digest) into registry and repository, the way Docker does:
 * the first component is a host when it has a `.` or `:` or is `localhost` (`ghcr.io/acme/web`, `localhost:5000/x`),
 * otherwise the image is on Docker Hub, where one-component names are official images (`nginx` → `library/nginx`).
 * A registry configured with `mirrorOf` is looked up at the registry it mirrors.
 */
export function locateImage(name: string, registries: Record<string, RegistryConfig>): ImageLocation {
  const clean = name.replace(/^[a-z]+:\/\//i, '');
  const slash = clean.indexOf('/');
  const first = slash === -1 ? '' : clean.slice(0, slash);
  const isHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = isHost ? first.toLowerCase() : DOCKER_HUB;
  let repository = isHost ? clean.slice(slash + 1) : clean;
  const mirrorOf = registries[registry]?.mirrorOf;
  if (mirrorOf) registry = mirrorOf.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase();
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = DOCKER_HUB;
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  const apiHost = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
  const scheme = isLoopback(registry) || registries[registry]?.insecure ? 'http' : 'https';
  return { registry, apiHost, baseUrl: `${scheme}://${apiHost}`, repository };
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
