import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authHeader } from '../../src/cli/clone.js';
import { type CronDeps, cronMain } from '../../src/cli/cron.js';
import { main } from '../../src/cli/main.js';
import { UsageError } from '../../src/errors.js';
import { GitLabPlatform } from '../../src/publish/gitlab.js';
import { createPlatform } from '../../src/publish/index.js';
import { missingTokenMessage, resolveToken } from '../../src/publish/token.js';
import type { RunOptions } from '../../src/run-types.js';
import { recordingLogger } from '../helpers/github-fake.js';
import { GL_TEST_TIMING, gitlabApi, glBranch, glProjectPath } from '../helpers/gitlab-fake.js';
import { summaryFor } from '../ship/git-repos.js';

const ALL = ['TIDEMARK_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITLAB_TOKEN', 'CI_JOB_TOKEN'] as const;

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('resolveToken: one order for every command', () => {
  it('takes TIDEMARK_TOKEN first, then GITHUB_TOKEN, then GH_TOKEN for GitHub', () => {
    const env = { TIDEMARK_TOKEN: 'tm', GITHUB_TOKEN: 'gh1', GH_TOKEN: 'gh2', GITLAB_TOKEN: 'gl' };
    expect(resolveToken(env, 'github')).toEqual({ value: 'tm', variable: 'TIDEMARK_TOKEN' });
    expect(resolveToken({ ...env, TIDEMARK_TOKEN: '' }, 'github')).toEqual({ value: 'gh1', variable: 'GITHUB_TOKEN' });
    expect(resolveToken({ GH_TOKEN: 'gh2', GITLAB_TOKEN: 'gl' }, 'github')).toEqual({ value: 'gh2', variable: 'GH_TOKEN' });
    expect(resolveToken({ GITLAB_TOKEN: 'gl', CI_JOB_TOKEN: 'job' }, 'github')).toEqual(null);
  });

  it('takes TIDEMARK_TOKEN first, then GITLAB_TOKEN, then CI_JOB_TOKEN for GitLab', () => {
    expect(resolveToken({ TIDEMARK_TOKEN: 'tm', GITLAB_TOKEN: 'gl', CI_JOB_TOKEN: 'job' }, 'gitlab')).toEqual({ value: 'tm', variable: 'TIDEMARK_TOKEN' });
    expect(resolveToken({ GITLAB_TOKEN: 'gl', CI_JOB_TOKEN: 'job' }, 'gitlab')).toEqual({ value: 'gl', variable: 'GITLAB_TOKEN' });
    expect(resolveToken({ GITHUB_TOKEN: 'gh', CI_JOB_TOKEN: 'job' }, 'gitlab')).toEqual({ value: 'job', variable: 'CI_JOB_TOKEN' });
  });

  it('names every variable it reads when none is set', () => {
    expect(missingTokenMessage('github')).toEqual('--platform github needs a token: set TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN (read in that order)');
    expect(missingTokenMessage('gitlab')).toEqual('--platform gitlab needs a token: set TIDEMARK_TOKEN, GITLAB_TOKEN or CI_JOB_TOKEN (read in that order)');
  });
});

describe('tidemark run reads the same variables', () => {
  async function runWithout(platform: string, repo: string): Promise<{ code: number; stderr: string }> {
    for (const name of ALL) vi.stubEnv(name, '');
    let stderr = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await main(['run', '.', '--platform', platform, '--repo', repo, '--no-cache', '--log-level', 'error']);
    return { code, stderr };
  }

  it('exits 2 naming every GitHub variable when no token is set', async () => {
    const { code, stderr } = await runWithout('github', 'o/r');
    expect(code).toEqual(2);
    expect(stderr).toContain('tidemark: --platform github needs a token: set TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN (read in that order)');
  });

  it('exits 2 naming every GitLab variable when no token is set', async () => {
    const { code, stderr } = await runWithout('gitlab', 'g/p');
    expect(code).toEqual(2);
    expect(stderr).toContain('set TIDEMARK_TOKEN, GITLAB_TOKEN or CI_JOB_TOKEN');
  });
});

describe("GitLab's CI job token", () => {
  it('goes to the API in the JOB-TOKEN header, never as PRIVATE-TOKEN', async () => {
    const api = gitlabApi()
      .get(`${glProjectPath('g/p')}/repository/branches/main`)
      .matchHeader('job-token', 'job-s3cret')
      .matchHeader('private-token', (v) => v === undefined)
      .reply(200, glBranch('main', 'base1'));
    const gl = await GitLabPlatform.create({ token: 'job-s3cret', jobToken: true, repo: 'g/p', logger: recordingLogger(), timing: GL_TEST_TIMING });
    expect(await gl.baseBranch('main')).toEqual({ name: 'main', sha: 'base1' });
    api.done();
  });

  it('warns before publishing with it, since GitLab keeps job tokens from committing', async () => {
    const logger = recordingLogger();
    const base = { dir: '/x', platform: 'gitlab' as const, repo: 'g/p', endpoint: null, token: 'job-s3cret', remote: null, dryRun: false, configPath: null, cacheDir: null, planOut: null, logger };
    await createPlatform({ ...base, jobToken: true });
    await createPlatform({ ...base, token: 'glpat-x' });
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([
      'publishing with CI_JOB_TOKEN: GitLab may refuse commits and merge requests to a job token; set GITLAB_TOKEN or TIDEMARK_TOKEN to an access token',
    ]);
    expect(logger.text()).not.toContain('job-s3cret');
  });

  it('clones as user gitlab-ci-token', () => {
    expect(authHeader('gitlab', 'job-s3cret', true)).toEqual(`Authorization: Basic ${Buffer.from('gitlab-ci-token:job-s3cret').toString('base64')}`);
    expect(authHeader('gitlab', 'glpat-x')).toEqual(`Authorization: Basic ${Buffer.from('oauth2:glpat-x').toString('base64')}`);
  });

  function deps(env: NodeJS.ProcessEnv, ran: RunOptions[]): CronDeps {
    return {
      run: async (opts) => (ran.push(opts), summaryFor(opts.repo!)),
      discover: async () => ['g/p'],
      env,
      signal: new AbortController().signal,
      writeErr: () => {},
      print: () => {},
      isTTY: false,
      clone: async () => {},
    };
  }

  it('reaches run-all as a job token, and a personal token set beside it wins', async () => {
    const ran: RunOptions[] = [];
    await cronMain({ repos: 'g/p', platform: 'gitlab' }, deps({ CI_JOB_TOKEN: 'job-s3cret' }, ran));
    await cronMain({ repos: 'g/p', platform: 'gitlab' }, deps({ CI_JOB_TOKEN: 'job-s3cret', GITLAB_TOKEN: 'glpat-x' }, ran));
    expect(ran.map((o) => [o.token, o.jobToken ?? false])).toEqual([
      ['job-s3cret', true],
      ['glpat-x', false],
    ]);
  });

  it('cannot list projects: run-all --autodiscover with only CI_JOB_TOKEN is a usage error that says what to set', async () => {
    const err = await cronMain({ autodiscover: true, platform: 'gitlab' }, deps({ CI_JOB_TOKEN: 'job-s3cret' }, [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toEqual('--autodiscover cannot list projects with CI_JOB_TOKEN: set TIDEMARK_TOKEN or GITLAB_TOKEN to an access token');
  });

  it('run-all --autodiscover without any token names every variable', async () => {
    const err = await cronMain({ autodiscover: true, platform: 'github' }, deps({}, [])).catch((e: unknown) => e);
    expect((err as Error).message).toEqual('--autodiscover needs a token: set TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN (read in that order)');
  });
});
