import { mkdtempSync, rmSync } from 'node:fs';
import { isOwnCommit } from '../../src/publish/stale.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAction } from '../ship/actions-runner.js';
import { main } from '../../src/cli/main.js';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { UsageError } from '../../src/errors.js';
import { chooseAuthor, DEFAULT_AUTHOR, GITHUB_ACTIONS_BOT, parseGitAuthor } from '../../src/publish/author.js';
import type { RunOptions } from '../../src/run-types.js';
import { summaryFor } from '../ship/git-repos.js';

let temp = '';
afterEach(() => {
  if (temp) rmSync(temp, { recursive: true, force: true });
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the default commit author', () => {
  it('is no GitHub account: a no-reply address on the reserved .invalid domain', () => {
    expect(DEFAULT_CONFIG.author).toEqual({ name: 'Tidemark', email: 'tidemark@users.noreply.invalid' });
    expect(DEFAULT_AUTHOR.email.endsWith('.invalid')).toEqual(true);
    expect(DEFAULT_AUTHOR.email).not.toContain('github.com');
  });
});

describe('parseGitAuthor', () => {
  it('reads "Name <email>"', () => {
    expect(parseGitAuthor('  Acme Bot <bot@acme.example> ', 'TIDEMARK_GIT_AUTHOR')).toEqual({ name: 'Acme Bot', email: 'bot@acme.example' });
    expect(parseGitAuthor('my-app[bot] <123+my-app[bot]@users.noreply.github.com>', 'x')).toEqual({
      name: 'my-app[bot]',
      email: '123+my-app[bot]@users.noreply.github.com',
    });
  });

  it('refuses anything else with a message that shows the form', () => {
    for (const bad of ['bot@acme.example', 'Acme <>', '<bot@acme.example>', 'Acme <bot@acme.example> extra', 'A\nB <b@c.d>', 'Acme <a b@c.d>']) {
      const err = (() => {
        try {
          return parseGitAuthor(bad, 'TIDEMARK_GIT_AUTHOR');
        } catch (e) {
          return e;
        }
      })();
      expect(err, bad).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain('expected "Name <email>"');
    }
  });
});

describe('chooseAuthor', () => {
  const acme = { name: 'Acme', email: 'bot@acme.example' };
  const repo = { name: 'Repo Bot', email: 'repo@acme.example' };

  it("takes the operator's author over everything", () => {
    expect(chooseAuthor(repo, { operator: acme, platform: GITHUB_ACTIONS_BOT })).toEqual(acme);
  });

  it("takes the repository config's author over the platform identity", () => {
    expect(chooseAuthor(repo, { platform: GITHUB_ACTIONS_BOT })).toEqual(repo);
  });

  it('takes the platform identity over the default, and the default when nothing else is known', () => {
    expect(chooseAuthor({ ...DEFAULT_AUTHOR }, { platform: GITHUB_ACTIONS_BOT })).toEqual(GITHUB_ACTIONS_BOT);
    expect(chooseAuthor({ ...DEFAULT_AUTHOR }, {})).toEqual(DEFAULT_AUTHOR);
  });
});

describe('the Action', () => {
  function env(inputs: Record<string, string>, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    temp = mkdtempSync(join(tmpdir(), 'tidemark-author-'));
    const e: NodeJS.ProcessEnv = { GITHUB_REPOSITORY: 'acme/gitops', GITHUB_WORKSPACE: temp, GITHUB_OUTPUT: join(temp, 'out'), RUNNER_TEMP: temp, ...extra };
    for (const [name, value] of Object.entries(inputs)) e[`INPUT_${name.toUpperCase()}`] = value;
    return e;
  }

  async function optionsFor(e: NodeJS.ProcessEnv): Promise<RunOptions> {
    let seen: RunOptions | null = null;
    await runAction({ env: e, write: () => {}, run: async (opts) => ((seen = opts), summaryFor('acme/gitops')) });
    return seen!;
  }

  it('commits as github-actions[bot] when the token is the workflow token', async () => {
    const opts = await optionsFor(env({ token: 'ghs_workflow', 'workflow-token': 'ghs_workflow' }));
    expect(opts.platformAuthor).toEqual({ name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' });
  });

  it('claims no bot identity for another token (an App installation token, a PAT)', async () => {
    const opts = await optionsFor(env({ token: 'ghs_app_installation', 'workflow-token': 'ghs_workflow' }));
    expect(opts.platformAuthor).toBeUndefined();
  });

  it('passes TIDEMARK_GIT_AUTHOR from the workflow environment as the operator author', async () => {
    const opts = await optionsFor(env({ token: 'ghs_workflow', 'workflow-token': 'ghs_workflow' }, { TIDEMARK_GIT_AUTHOR: 'my-app[bot] <1+my-app[bot]@users.noreply.github.com>' }));
    expect(opts.author).toEqual({ name: 'my-app[bot]', email: '1+my-app[bot]@users.noreply.github.com' });
  });

  it('masks the workflow token too', async () => {
    const lines: string[] = [];
    await runAction({ env: env({ token: 'ghp_pat', 'workflow-token': 'ghs_workflow' }), write: (l: string) => lines.push(l), run: async () => summaryFor('acme/gitops') });
    expect(lines.slice(0, 2)).toEqual(['::add-mask::ghp_pat', '::add-mask::ghs_workflow']);
  });
});

describe('tidemark run', () => {
  it('exits 2 on a TIDEMARK_GIT_AUTHOR it cannot read', async () => {
    vi.stubEnv('TIDEMARK_GIT_AUTHOR', 'just-an-email@example.com');
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    temp = mkdtempSync(join(tmpdir(), 'tidemark-author-'));
    const code = await main(['run', temp, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'error']);
    expect(code).toEqual(2);
    expect(stderr).toContain('tidemark: TIDEMARK_GIT_AUTHOR "just-an-email@example.com": expected "Name <email>"');
  });
});

describe('which commits are Tidemark\'s own', () => {
  const trailer = 'Update nginx to 1.27.0\n\nTidemark-Update: 0123abcd';
  const commit = (authorEmail: string, message: string) => ({ sha: 'c1', authorName: 'x', authorEmail, message });

  it('needs both its author email and its trailer', () => {
    expect(isOwnCommit(commit(DEFAULT_AUTHOR.email, trailer), DEFAULT_AUTHOR.email)).toEqual(true);
    expect(isOwnCommit(commit(DEFAULT_AUTHOR.email.toUpperCase(), trailer), DEFAULT_AUTHOR.email)).toEqual(true);
    expect(isOwnCommit(commit(DEFAULT_AUTHOR.email, 'style: format YAML'), DEFAULT_AUTHOR.email)).toEqual(false);
    expect(isOwnCommit(commit('dana@example.com', trailer), DEFAULT_AUTHOR.email)).toEqual(false);
  });

  it('still owns branches pushed under the previous default email, so upgrading does not strand them', () => {
    expect(isOwnCommit(commit('tidemark@users.noreply.github.com', trailer), DEFAULT_AUTHOR.email)).toEqual(true);
    expect(isOwnCommit(commit('tidemark@users.noreply.github.com', 'fix values'), DEFAULT_AUTHOR.email)).toEqual(false);
  });
});

describe("a human's commits are never taken for Tidemark's (attacker cases)", () => {
  const commit = (authorEmail: string, message: string) => ({ sha: 'c2', authorName: 'Dana', authorEmail, message });
  // A repository's `author` may name a person: Dana's own commits then share Tidemark's author email.
  const dana = 'dana@example.com';

  it("a repository config that names a person's email as author does not make that person's commits Tidemark's", () => {
    expect(isOwnCommit(commit(dana, 'values: raise replicas to 5'), dana)).toEqual(false);
    expect(isOwnCommit(commit(dana, "Merge branch 'main' into tidemark/nginx"), dana)).toEqual(false);
  });

  it('a Tidemark-Update line in the body, outside the trailer block, is no trailer', () => {
    expect(isOwnCommit(commit(dana, 'tweak\n\nTidemark-Update: 0123abcd\n\nSigned-off-by: Dana <dana@example.com>'), dana)).toEqual(false);
    expect(isOwnCommit(commit(dana, 'Revert "Update nginx"\n\nTidemark-Update: 0123abcd\n\nThis reverts commit 1234.'), dana)).toEqual(false);
  });

  it('a squash of Tidemark commits (its trailers indented under a header) is no trailer block', () => {
    const squash = 'Squashed commit of the following:\n\ncommit 1234\nAuthor: Tidemark <x@y.invalid>\n\n    Update nginx\n\n    Tidemark-Update: 0123abcd';
    expect(isOwnCommit(commit(dana, squash), dana)).toEqual(false);
  });

  it('a last paragraph of prose that quotes the trailer on a line of its own is no trailer block', () => {
    expect(isOwnCommit(commit(dana, 'fix values\n\nI kept what the bot wrote:\nTidemark-Update: 0123abcd\nand changed the replicas.'), dana)).toEqual(false);
  });

  it("still reads Tidemark's own trailer block, and one git extended (cherry-pick -x, Signed-off-by)", () => {
    expect(isOwnCommit(commit(dana, 'Update nginx\n\n- nginx 1.25 → 1.27\n\nTidemark-Files: apps/a.yaml\nTidemark-Update: 0123abcd\n'), dana)).toEqual(true);
    expect(isOwnCommit(commit(dana, 'Update nginx\n\nTidemark-Update: 0123abcd\nSigned-off-by: Tidemark <x@y.invalid>\n(cherry picked from commit 0123456789abcdef)'), dana)).toEqual(true);
  });
});
