import { join } from 'node:path';
import { oneLine } from '../escape.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { DiskStore, type CacheStore } from '../lookup/cache.js';
import type { SharedRateLimits } from '../lookup/redis-store.js';
import type { PackageRef } from '../lookup/types.js';
import type { PlatformKind } from '../publish/types.js';
import { createNotesProvider, type NotesProvider } from './notes.js';
import { ReleaseNotesReader, type BoundToken } from './release-notes.js';
import type { SourceHosts } from './sources.js';

export { createNotesProvider, notesKey, type NotesProvider } from './notes.js';
export { ReleaseNotesReader } from './release-notes.js';
export type { BranchNotes, NotesOutcome, ReleaseNotes, VersionNotes } from './types.js';

export interface RunNotesOptions {
  platform: PlatformKind;
  /** GitHub Enterprise API URL (`https://ghe.example.com/api/v3`) or GitLab host; null for the public service. */
  endpoint: string | null;
  token: string | null;
  /** The token is GitLab CI's job token (`CI_JOB_TOKEN`). */
  jobToken?: boolean;
  cacheDir: string | null;
  sharedCache?: (CacheStore & Partial<SharedRateLimits>) | null;
  logger: Logger;
  signal?: AbortSignal;
  imageSource?: (pkg: PackageRef, version: string) => Promise<string | null>;
  fetch?: typeof fetch;
}

/**
 * Release notes for one run, bound to the run's platform: its token goes only to that platform's own host (github.com's
 * API for a GitHub token, the configured GitLab host for a GitLab token); every other source is read anonymously.
 */
export function releaseNotesForRun(opts: RunNotesOptions): NotesProvider {
  const endpointHost = opts.endpoint ? hostOf(opts.endpoint) : null;
  const hosts: SourceHosts = {
    github: ['github.com', ...(opts.platform === 'github' && endpointHost ? [endpointHost] : [])],
    gitlab: ['gitlab.com', ...(opts.platform === 'gitlab' && endpointHost ? [endpointHost] : [])],
  };
  const apiBases: Record<string, string> = opts.platform === 'github' && opts.endpoint && endpointHost ? { [endpointHost]: opts.endpoint.replace(/\/+$/, '') } : {};
  const reader = new ReleaseNotesReader({
    hosts,
    apiBases,
    token: boundToken(opts, endpointHost),
    store: opts.sharedCache ?? (opts.cacheDir ? new DiskStore(join(opts.cacheDir, 'lookup')) : null),
    sharedLimits: sharedLimits(opts.sharedCache),
    logger: opts.logger,
    ...(opts.signal && { signal: opts.signal }),
    ...(opts.fetch && { fetch: opts.fetch }),
  });
  return createNotesProvider({ reader, hosts, logger: opts.logger, ...(opts.imageSource && { imageSource: opts.imageSource }) });
}

function boundToken(opts: RunNotesOptions, endpointHost: string | null): BoundToken | null {
  if (!opts.token) return null;
  if (opts.platform === 'github') {
    return { kind: 'github', host: endpointHost ?? 'github.com', apiBase: opts.endpoint?.replace(/\/+$/, '') ?? 'https://api.github.com', token: opts.token };
  }
  if (opts.platform === 'gitlab') {
    return {
      kind: 'gitlab', host: endpointHost ?? 'gitlab.com', apiBase: opts.endpoint?.replace(/\/+$/, '') ?? 'https://gitlab.com', token: opts.token, ...(opts.jobToken && { jobToken: true }),
    };
  }
  return null;
}

function sharedLimits(store: (CacheStore & Partial<SharedRateLimits>) | null | undefined): SharedRateLimits | null {
  if (!store?.isExhausted || !store.markExhausted) return null;
  return { isExhausted: (host) => store.isExhausted!(host), markExhausted: (host, ms) => store.markExhausted!(host, ms) };
}

/**
 * The operator's `TIDEMARK_RELEASE_NOTES`: `off` (or `false`, `0`, `no`) reads no release notes in any repository, for
 * installs that reach no code host; unset, empty, `on` (`true`, `1`, `yes`) leaves them to each repository's config.
 */
export function operatorReleaseNotes(env: NodeJS.ProcessEnv): boolean {
  const value = env['TIDEMARK_RELEASE_NOTES']?.trim().toLowerCase() ?? '';
  if (['', 'on', 'true', '1', 'yes'].includes(value)) return true;
  if (['off', 'false', '0', 'no'].includes(value)) return false;
  throw new UsageError(`TIDEMARK_RELEASE_NOTES must be on or off, not ${JSON.stringify(oneLine(value).slice(0, 40))}`);
}

/** `https://ghe.example.com/api/v3` → `ghe.example.com`; `api.github.com` is github.com's API. */
function hostOf(url: string): string | null {
  try {
    const host = new URL(url.includes('://') ? url : `https://${url}`).hostname.toLowerCase();
    return host === 'api.github.com' ? 'github.com' : host;
  } catch {
    return null;
  }
}
