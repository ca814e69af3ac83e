import type { Logger } from '../../log.js';
import { toPlatformError, type GitLabClient, type GitLabTiming } from './client.js';

interface MrState {
  sha?: string | null;
  head_pipeline?: { id: number; status?: string } | null;
}

const NO_PIPELINE =
  'the merge request has no pipeline, and GitLab merges at once what has none: add a CI/CD pipeline that runs for merge requests (or branches); the MR waits for a manual merge';

interface AutomergeContext {
  api: GitLabClient;
  project: string;
  logger: Logger;
  timing: GitLabTiming | undefined;
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
}

/**
 * GitLab's automerge ("merge when pipeline succeeds", `auto_merge` since 17.11). Set right after the MR is
 * opened, GitLab either refuses it (405) or, when no pipeline exists yet, merges at once without any check
 * (gitlab-org/gitlab#37292). So it waits until the MR has a head pipeline, then asks to merge exactly that head
 * commit (`sha`). No pipeline after the waits, or a refusal: a warning, never a failed run or an untested merge.
 */
export async function enableAutomerge(ctx: AutomergeContext, iid: number): Promise<string | null> {
  const unit = ctx.timing?.retryAfterUnitMs ?? 1000;
  const tries = ctx.timing?.pipelineWaits ?? 5;
  try {
    for (let attempt = 0; attempt < tries; attempt++) {
      const mr = (await ctx.call(`read MR !${iid}`, () => ctx.api.MergeRequests.show(ctx.project, iid))) as unknown as MrState;
      if (mr.head_pipeline) {
        await ctx.call(`set automerge on !${iid}`, () =>
          ctx.api.MergeRequests.accept(ctx.project, iid, {
            autoMerge: true,
            // GitLab before 17.11 only knows the old name; later versions still accept it.
            mergeWhenPipelineSucceeds: true,
            shouldRemoveSourceBranch: true,
            ...(mr.sha ? { sha: mr.sha } : {}),
          }),
        );
        return null;
      }
      if (attempt + 1 < tries) await new Promise((resolve) => setTimeout(resolve, 2 * (attempt + 1) * unit));
    }
    ctx.logger.warn('no pipeline on the merge request; automerge not set, so nothing merges untested', { pr: iid });
    return NO_PIPELINE;
  } catch (err) {
    const message = toPlatformError('automerge', err).message;
    ctx.logger.warn('could not enable automerge', { pr: iid, error: message });
    return message;
  }
}
