import type { CommitInfo, Issue, PullRequest } from '../types.js';

/** The fields of a REST pull request Tidemark reads. */
export interface GhPull {
  number: number;
  state: string;
  merged_at?: string | null;
  title: string;
  body?: string | null;
  html_url: string;
  created_at?: string;
  node_id?: string;
  head: { ref: string; repo?: { full_name: string } | null };
}

export function toPullRequest(p: GhPull): PullRequest {
  const state = p.merged_at ? 'merged' : p.state === 'open' ? 'open' : 'closed';
  return {
    number: p.number,
    branch: p.head.ref,
    state,
    title: p.title,
    body: p.body ?? '',
    url: p.html_url,
    createdAt: p.created_at ?? null,
  };
}

export interface GhIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  pull_request?: unknown;
  user?: { login: string; type?: string } | null;
}

export function toIssue(i: GhIssue): Issue {
  return { number: i.number, title: i.title, body: i.body ?? '', state: i.state === 'open' ? 'open' : 'closed' };
}

export interface GhCommit {
  sha: string;
  commit: { message: string; author?: { name?: string; email?: string } | null };
}

export function toCommitInfo(c: GhCommit): CommitInfo {
  return {
    sha: c.sha,
    message: c.commit.message,
    authorName: c.commit.author?.name ?? '',
    authorEmail: c.commit.author?.email ?? '',
  };
}

/** `octo/team` → a team slug for `team_reviewers`; anything else is a user login. */
export function splitReviewers(reviewers: string[]): { users: string[]; teams: string[] } {
  const users: string[] = [];
  const teams: string[] = [];
  for (const r of reviewers) {
    const slash = r.indexOf('/');
    if (slash >= 0) teams.push(r.slice(slash + 1));
    else users.push(r.replace(/^@/, ''));
  }
  return { users, teams };
}

/** 422 body text when the head branch already has an open PR: "A pull request already exists for o:b." */
export const PR_EXISTS = /pull request already exists/i;
