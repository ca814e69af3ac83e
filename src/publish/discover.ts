import picomatch from 'picomatch';
import type { Logger } from '../log.js';
import { createGitHubClient, githubStatus, toPlatformError as githubError, type GitHubTiming } from './github/client.js';
import { callGitLab, createGitLabClient, type GitLabTiming } from './gitlab/client.js';

export interface DiscoverOptions {
  platform: 'github' | 'gitlab';
  token: string;
  /** GitHub Enterprise API root or GitLab host; null for the public service. */
  endpoint: string | null;
  /** Globs on `owner/name`, comma-separated; `!` excludes: `acme/*,!acme/legacy-*`. */
  filter?: string;
  logger: Logger;
  fetch?: typeof fetch;
  timing?: GitHubTiming & GitLabTiming;
}

interface Candidate {
  name: string;
  archived: boolean;
  canPush: boolean;
}

/**
 * Every repository the token can push to, not archived, matching the filter; sorted by code unit so the
 * list (and any `--shard i/n` split of it) is the same on every run and every machine.
 */
export async function discoverRepositories(opts: DiscoverOptions): Promise<string[]> {
  const all = opts.platform === 'github' ? await githubCandidates(opts) : await gitlabCandidates(opts);
  const matches = repoFilter(opts.filter);
  const names = all.filter((c) => c.canPush && !c.archived && matches(c.name)).map((c) => c.name);
  const unique = [...new Set(names)].sort();
  opts.logger.info('discovered repositories', { platform: opts.platform, found: all.length, selected: unique.length });
  return unique;
}

/** `acme/*,!acme/legacy-*` → a predicate; no positive glob means everything not excluded. Case-insensitive. */
export function repoFilter(filter: string | undefined): (name: string) => boolean {
  const globs = (filter ?? '').split(',').map((g) => g.trim()).filter((g) => g !== '');
  const include = globs.filter((g) => !g.startsWith('!'));
  const exclude = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  const isIncluded = include.length > 0 ? picomatch(include, { nocase: true }) : () => true;
  const isExcluded = exclude.length > 0 ? picomatch(exclude, { nocase: true }) : () => false;
  return (name) => isIncluded(name) && !isExcluded(name);
}

interface GhRepo {
  full_name: string;
  archived?: boolean;
  permissions?: { push?: boolean; admin?: boolean };
}

async function githubCandidates(opts: DiscoverOptions): Promise<Candidate[]> {
  const octokit = createGitHubClient({ token: opts.token, baseUrl: opts.endpoint, logger: opts.logger, fetch: opts.fetch, timing: opts.timing });
  let repos: GhRepo[];
  try {
    repos = await octokit.paginate('GET /user/repos', { per_page: 100 });
  } catch (err) {
    // GitHub App installation tokens have no user: `GET /user/repos` is 403 "Resource not accessible by integration".
    if (githubStatus(err) !== 403) throw githubError('list repositories', err);
    opts.logger.debug('token has no user; listing the installation repositories');
    try {
      repos = await octokit.paginate('GET /installation/repositories', { per_page: 100 });
    } catch (inner) {
      throw githubError('list installation repositories', inner);
    }
  }
  return repos.map((r) => ({
    name: r.full_name,
    archived: r.archived === true,
    canPush: r.permissions?.push === true || r.permissions?.admin === true,
  }));
}

interface GlProject {
  path_with_namespace: string;
  archived?: boolean;
}

async function gitlabCandidates(opts: DiscoverOptions): Promise<Candidate[]> {
  const api = createGitLabClient(opts.token, opts.endpoint);
  // min_access_level 30 = Developer, the lowest role that may push branches; keyset pagination scales to big instances.
  const projects = await callGitLab(
    'list projects',
    () =>
      api.Projects.all({
        minAccessLevel: 30,
        archived: false,
        pagination: 'keyset',
        orderBy: 'id',
        sort: 'asc',
        perPage: 100,
      }),
    { logger: opts.logger, timing: opts.timing },
  );
  return (projects as unknown as GlProject[]).map((p) => ({
    name: p.path_with_namespace,
    archived: p.archived === true,
    canPush: true,
  }));
}
