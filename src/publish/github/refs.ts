import { gh, githubStatus, toPlatformError, type GitHubClient } from './client.js';

interface RepoArgs {
  owner: string;
  repo: string;
}

/**
 * Which branches this run knows to be missing, from a 404 for the ref, a deletion, or a prefix listing that did not
 * name them, so a new branch is created with one `POST …/git/refs` instead of a `PATCH` bound to fail first: every
 * write counts toward GitHub's secondary rate limits. Only one run's knowledge; the repository stays the memory.
 */
export class BranchRefs {
  private readonly missing = new Set<string>();
  /** The last prefix listing: a name under `prefix` not in `names` does not exist. */
  private listed: { prefix: string; names: Set<string> } | null = null;

  constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: RepoArgs,
  ) {}

  /** The branch's head, or null (then remembered as missing). One this run already knows to be missing is not asked for. */
  async sha(branch: string): Promise<string | null> {
    if (this.knownMissing(branch)) return null;
    try {
      const { data } = await this.octokit.rest.git.getRef({ ...this.repo, ref: `heads/${branch}` });
      this.exists(branch);
      return data.object.sha;
    } catch (err) {
      if (githubStatus(err) !== 404) throw toPlatformError(`read branch ${branch}`, err);
      this.gone(branch);
      return null;
    }
  }

  /**
   * `GET /repos/{o}/{r}/git/matching-refs/heads/{prefix}` answers every matching ref at once: the endpoint takes no
   * paging parameters. Names under the prefix it does not list are then known to be missing.
   */
  async list(prefix: string): Promise<string[]> {
    const { data } = await gh(`list branches ${prefix}*`, () => this.octokit.rest.git.listMatchingRefs({ ...this.repo, ref: `heads/${prefix}` }));
    const names = data.map((r) => r.ref.replace(/^refs\/heads\//, '')).filter((name) => name.startsWith(prefix));
    this.listed = { prefix, names: new Set(names) };
    return names;
  }

  /**
   * Points `branch` at `sha`: created at once when known to be missing (a 422 "Reference already exists", someone
   * created it meanwhile, falls back to the move); otherwise force-moved, and created when GitHub says it does not
   * exist (422 or 404).
   */
  async move(branch: string, sha: string): Promise<void> {
    if (this.knownMissing(branch)) {
      try {
        await this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/heads/${branch}`, sha });
        this.exists(branch);
        return;
      } catch (err) {
        if (githubStatus(err) !== 422) throw toPlatformError(`create branch ${branch}`, err);
      }
    }
    this.exists(branch);
    try {
      await this.octokit.rest.git.updateRef({ ...this.repo, ref: `heads/${branch}`, sha, force: true });
      return;
    } catch (err) {
      const status = githubStatus(err);
      if (status !== 422 && status !== 404) throw toPlatformError(`move branch ${branch}`, err);
    }
    await gh(`create branch ${branch}`, () => this.octokit.rest.git.createRef({ ...this.repo, ref: `refs/heads/${branch}`, sha }));
  }

  async remove(branch: string): Promise<void> {
    try {
      await this.octokit.rest.git.deleteRef({ ...this.repo, ref: `heads/${branch}` });
    } catch (err) {
      const status = githubStatus(err);
      if (status !== 404 && status !== 422) throw toPlatformError(`delete branch ${branch}`, err); // else already gone
    }
    this.gone(branch);
  }

  private knownMissing(branch: string): boolean {
    if (this.missing.has(branch)) return true;
    return this.listed !== null && branch.startsWith(this.listed.prefix) && !this.listed.names.has(branch);
  }

  private exists(branch: string): void {
    this.missing.delete(branch);
    this.listed?.names.add(branch);
  }

  private gone(branch: string): void {
    this.missing.add(branch);
    this.listed?.names.delete(branch);
  }
}
