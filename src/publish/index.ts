import { UsageError } from '../errors.js';
import type { RunOptions } from '../run-types.js';
import { GitPlatform } from './git.js';
import { GitHubPlatform } from './github.js';
import { GitLabPlatform } from './gitlab.js';
import { missingTokenMessage } from './token.js';
import type { Platform } from './types.js';

export { publish, publishDryRun, type PublishContext, type PublishSummary } from './lifecycle.js';
export type { Platform } from './types.js';

/** The code host a run publishes to, from the run's options; usage mistakes (no token, no repo) exit with 2. */
export async function createPlatform(opts: RunOptions): Promise<Platform> {
  const { logger } = opts;
  switch (opts.platform) {
    case 'github':
      return GitHubPlatform.create({ token: need(opts.token, missingTokenMessage('github')), repo: need(opts.repo, '--repo owner/name is required for GitHub'), baseUrl: opts.endpoint, logger });
    case 'gitlab':
      // GitLab limits job tokens to a few endpoints; committing and opening merge requests are not among them today.
      if (opts.jobToken) logger.warn('publishing with CI_JOB_TOKEN: GitLab may refuse commits and merge requests to a job token; set GITLAB_TOKEN or TIDEMARK_TOKEN to an access token');
      return GitLabPlatform.create({ token: need(opts.token, missingTokenMessage('gitlab')), jobToken: opts.jobToken ?? false, repo: need(opts.repo, '--repo group/project is required for GitLab'), host: opts.endpoint, logger });
    case 'git':
      return GitPlatform.create({ dir: opts.dir, remote: opts.remote, logger });
  }
}

function need(value: string | null, message: string): string {
  if (!value) throw new UsageError(message);
  return value;
}
