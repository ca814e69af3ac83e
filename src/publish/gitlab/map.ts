import type { CommitInfo, Issue, PullRequest } from '../types.js';

/** The fields of a GitLab merge request Tidemark reads (snake_case, as the API sends them). */
export interface GlMergeRequest {
  iid: number;
  state: string;
  title: string;
  description?: string | null;
  web_url: string;
  created_at?: string;
  source_branch: string;
  source_project_id?: number;
  project_id?: number;
}

/** `opened`/`locked` → open; GitLab has no other open-like states. */
export function toPullRequest(mr: GlMergeRequest): PullRequest {
  const state = mr.state === 'merged' ? 'merged' : mr.state === 'closed' ? 'closed' : 'open';
  return {
    number: mr.iid,
    branch: mr.source_branch,
    state,
    title: mr.title,
    body: mr.description ?? '',
    url: mr.web_url,
    createdAt: mr.created_at ?? null,
  };
}

export interface GlIssue {
  iid: number;
  title: string;
  description?: string | null;
  state: string;
}

export function toIssue(i: GlIssue): Issue {
  return { number: i.iid, title: i.title, body: i.description ?? '', state: i.state === 'opened' ? 'open' : 'closed' };
}

export interface GlCommit {
  id: string;
  message: string;
  author_name: string;
  author_email: string;
  parent_ids?: string[];
}

export function toCommitInfo(c: GlCommit): CommitInfo {
  return { sha: c.id, message: c.message, authorName: c.author_name, authorEmail: c.author_email };
}

/**
 * Newest first, following first parents from the branch head, so the answer does not depend on the order
 * the compare endpoint lists commits in. Commits the walk does not reach keep their listed order, reversed.
 */
export function newestFirst(commits: GlCommit[], headSha: string): GlCommit[] {
  const byId = new Map(commits.map((c) => [c.id, c]));
  const out: GlCommit[] = [];
  let at = byId.get(headSha);
  while (at && !out.includes(at)) {
    out.push(at);
    at = at.parent_ids?.map((p) => byId.get(p)).find((c) => c !== undefined);
  }
  const rest = commits.filter((c) => !out.includes(c)).reverse();
  return [...out, ...rest];
}

/** 409 text when the source branch already has an open MR: "Another open merge request already exists for this source branch: !5". */
export const MR_EXISTS = /merge request already exists/i;
