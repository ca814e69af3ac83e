import type { Logger } from '../../log.js';
import type { PrRequest } from '../types.js';
import { toPlatformError, type GitHubClient } from './client.js';
import { splitReviewers } from './map.js';

const AUTOMERGE = `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod) {
  enablePullRequestAutoMerge(input: { pullRequestId: $pullRequestId, mergeMethod: $mergeMethod }) { clientMutationId }
}`;

export type MergeMethod = 'MERGE' | 'SQUASH' | 'REBASE';

/**
 * Auto-merge defaults to a merge commit, which a squash-only repository refuses ("Merge method merge commits are
 * not allowed"). Merge commits when allowed, else squash, else rebase; null when the repository does not say.
 */
export function mergeMethodOf(repo: { allow_merge_commit?: boolean; allow_squash_merge?: boolean; allow_rebase_merge?: boolean }): MergeMethod | null {
  if (repo.allow_merge_commit === undefined && repo.allow_squash_merge === undefined && repo.allow_rebase_merge === undefined) return null;
  if (repo.allow_merge_commit !== false) return 'MERGE';
  if (repo.allow_squash_merge) return 'SQUASH';
  if (repo.allow_rebase_merge) return 'REBASE';
  return null;
}

interface PrTarget {
  owner: string;
  repo: string;
  number: number;
  /** GraphQL id of the PR when known; read with `pulls.get` otherwise. */
  nodeId: string | null;
  /** How auto-merge merges; null leaves it to GitHub. */
  mergeMethod: MergeMethod | null;
}

/**
 * Labels, reviewers (`org/team` → team reviewers), assignees and auto-merge on a PR. They are nice to have:
 * each failure is a warning (a reviewer who is not a collaborator, auto-merge off for the repo), not a failed run.
 * Returns why auto-merge could not be enabled, or null.
 */
export async function addPrExtras(octokit: GitHubClient, logger: Logger, pr: PrTarget, req: PrRequest): Promise<string | null> {
  const repo = { owner: pr.owner, repo: pr.repo };
  const rest = octokit.rest;
  const optional = async (what: string, call: () => Promise<unknown>): Promise<string | null> => {
    try {
      await call();
      return null;
    } catch (err) {
      const message = toPlatformError(what, err).message;
      logger.warn(`could not ${what}`, { pr: pr.number, error: message });
      return message;
    }
  };
  if (req.labels.length > 0) {
    await optional('add labels', () => rest.issues.addLabels({ ...repo, issue_number: pr.number, labels: req.labels }));
  }
  if (req.reviewers.length > 0) {
    const { users, teams } = splitReviewers(req.reviewers);
    await optional('request reviewers', () =>
      rest.pulls.requestReviewers({ ...repo, pull_number: pr.number, reviewers: users, team_reviewers: teams }),
    );
  }
  if (req.assignees.length > 0) {
    await optional('add assignees', () => rest.issues.addAssignees({ ...repo, issue_number: pr.number, assignees: req.assignees }));
  }
  if (!req.automerge) return null;
  return optional('enable automerge', async () => {
    const id = pr.nodeId ?? (await rest.pulls.get({ ...repo, pull_number: pr.number })).data.node_id;
    await octokit.graphql(AUTOMERGE, { pullRequestId: id, ...(pr.mergeMethod ? { mergeMethod: pr.mergeMethod } : {}) });
  });
}
