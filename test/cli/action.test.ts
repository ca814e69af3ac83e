import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiEndpoint } from '../../src/cli/action.js';
import { ConfigError } from '../../src/errors.js';
import type { Update } from '../../src/plan/types.js';
import { run } from '../../src/run.js';
import type { RunOptions, RunSummary } from '../../src/run-types.js';
import { ghContent, ghGitCommit, ghPull, ghRef, ghRepo, ghTree, githubApi } from '../helpers/github-fake.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { parseOutputFile, runAction } from '../ship/actions-runner.js';
import { summaryFor } from '../ship/git-repos.js';

let temp = '';
afterEach(() => rmSync(temp, { recursive: true, force: true }));

/** The environment the Actions runner gives a JavaScript action's process. */
function runnerEnv(inputs: Record<string, string>): NodeJS.ProcessEnv {
  temp = mkdtempSync(join(tmpdir(), 'tidemark-action-'));
  const env: NodeJS.ProcessEnv = {
    GITHUB_REPOSITORY: 'acme/gitops',
    GITHUB_WORKSPACE: join(temp, 'workspace'),
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_OUTPUT: join(temp, 'output'),
    GITHUB_STEP_SUMMARY: join(temp, 'summary.md'),
    RUNNER_TEMP: join(temp, 'runner-temp'),
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

function update(name: string, file: string, line: number, from: string, to: string, type: Update['updateType']): Update {
  return {
    dependency: { file, line, manager: 'kubernetes', datasource: 'docker', name, registryUrl: null, currentValue: from, currentDigest: null, valueRange: null, digestRange: null },
    newValue: to,
    newDigest: null,
    updateType: type,
    group: null,
    reason: 'newest minor',
    labels: [],
    reviewers: [],
    assignees: [],
    automerge: false,
    sourceUrl: null,
    homepage: null,
  };
}

function richSummary(): RunSummary {
  const s = summaryFor('acme/gitops');
  s.opened = [{ branch: 'tidemark/nginx-1.x', pr: { number: 7, url: 'https://github.com/acme/gitops/pull/7' }, detail: 'opened' }];
  s.closed = [{ branch: 'tidemark/redis-7.x', pr: { number: 3, url: 'https://github.com/acme/gitops/pull/3' }, detail: 'superseded' }];
  s.problems = [{ file: 'apps/broken.yaml', line: 4, message: 'YAML: bad indentation' }];
  s.plan.branches = [{ branchName: 'tidemark/nginx-1.x', title: 'Update nginx to 1.27.0', updates: [update('nginx', 'apps/web.yaml', 12, '1.25.3', '1.27.0', 'minor')] }];
  return s;
}

describe('actionMain with a fake pipeline', () => {
  it('turns INPUT_* variables into run options, hyphenated names included', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789', config: 'ci/tidemark.yaml', 'dry-run': 'true', 'log-level': 'debug' });
    env.GITHUB_API_URL = 'https://ghe.example.com/api/v3';
    let seen: RunOptions | null = null;
    const code = await runAction({ env, write: () => {}, run: async (opts) => ((seen = opts), summaryFor('acme/gitops')) });
    expect(code).toEqual(0);
    const { logger, print, ...rest } = seen!;
    expect(rest).toEqual({
      dir: join(temp, 'workspace'),
      platform: 'github',
      repo: 'acme/gitops',
      endpoint: 'https://ghe.example.com/api/v3',
      token: 'ghs_0123456789',
      remote: null,
      dryRun: true,
      configPath: 'ci/tidemark.yaml',
      cacheDir: join(temp, 'runner-temp', 'tidemark-cache'),
      planOut: join(temp, 'runner-temp', 'tidemark-plan.json'),
    });
    expect(typeof logger.debug).toEqual('function');
    expect(typeof print).toEqual('function');
  });

  it('masks the token before anything else and never prints it', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const lines: string[] = [];
    await runAction({
      env,
      write: (l) => lines.push(l),
      run: async (opts) => {
        opts.logger.info('calling GitHub with ghs_0123456789', { token: 'ghs_0123456789' });
        opts.print?.('diff mentioning ghs_0123456789');
        return summaryFor('acme/gitops');
      },
    });
    expect(lines[0]).toEqual('::add-mask::ghs_0123456789');
    expect(lines.slice(1).join('\n')).not.toContain('ghs_0123456789');
    expect(lines.slice(1)).toEqual(['INFO  calling GitHub with *** token=***', '::group::diff mentioning ***', 'diff mentioning ***', '::endgroup::']);
  });

  it('writes the counts and plan path as outputs, problems as warnings, and the plan table as the job summary', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const lines: string[] = [];
    const code = await runAction({ env, write: (l) => lines.push(l), run: async () => richSummary() });
    expect(code).toEqual(0);
    expect(parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8'))).toEqual({
      opened: '1',
      updated: '0',
      closed: '1',
      skipped: '0',
      'would-open': '0',
      problems: '1',
      'partial-failure': 'false',
      plan: join(temp, 'runner-temp', 'tidemark-plan.json'),
    });
    expect(lines.filter((l) => l.startsWith('::warning'))).toEqual(['::warning title=Tidemark,file=apps/broken.yaml,line=4::YAML: bad indentation']);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toEqual(
      [
        '## Tidemark: acme/gitops',
        '',
        'Opened 1 · updated 0 · closed 1 · left alone 0',
        '',
        '| Package | File | Update | Type | Branch | PR |',
        '| --- | --- | --- | --- | --- | --- |',
        '| `nginx` | `apps/web.yaml:12` | `1.25.3` → `1.27.0` | minor | `tidemark/nginx-1.x` | [\\#7](https://github.com/acme/gitops/pull/7) |',
        '',
        '### Closed',
        '',
        '- `tidemark/redis-7.x`: superseded ([\\#3](https://github.com/acme/gitops/pull/3))',
        '',
        '### Problems',
        '',
        '- `apps/broken.yaml:4` YAML: bad indentation',
        '',
      ].join('\n'),
    );
  });

  it('says in the job summary how many branches the PR limits held back', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const s = richSummary();
    s.skipped = [{ branch: 'tidemark/redis-7.x', pr: null, detail: 'hourly PR limit (2) reached', heldBy: 'prHourlyLimit' }];
    await runAction({ env, write: () => {}, run: async () => s });
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8').split('\n').slice(2, 5)).toEqual([
      'Opened 1 · updated 0 · closed 1 · left alone 1',
      '',
      'Held back by prHourlyLimit: 1 branch: they open on later runs.',
    ]);
  });

  it('fails the step with exit code 1 on a partial failure, after reporting', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const code = await runAction({ env, write: () => {}, run: async () => summaryFor('acme/gitops', { opened: 1 }, true) });
    expect(code).toEqual(1);
    expect(parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8')).opened).toEqual('1');
  });

  it('annotates each config error at its file and line and explains it in the summary', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const lines: string[] = [];
    const code = await runAction({
      env,
      write: (l) => lines.push(l),
      run: async () => {
        throw new ConfigError('.tidemark.yaml is invalid', [
          { file: '.tidemark.yaml', line: 3, message: 'rules[0].matchPackages: expected a list, got "nginx"' },
          { file: '.tidemark.yaml', line: 9, message: 'unknown key "schedul": did you mean\n"schedule"? 100%' },
        ]);
      },
    });
    expect(code).toEqual(2);
    expect(lines.slice(1)).toEqual([
      '::error title=Tidemark config,file=.tidemark.yaml,line=3::rules[0].matchPackages: expected a list, got "nginx"',
      '::error title=Tidemark config,file=.tidemark.yaml,line=9::unknown key "schedul": did you mean%0A"schedule"? 100%25',
    ]);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toEqual(
      [
        '## Tidemark: configuration error',
        '',
        '.tidemark.yaml is invalid',
        '',
        '- `.tidemark.yaml:3` rules\\[0\\].matchPackages: expected a list, got "nginx"',
        '- `.tidemark.yaml:9` unknown key "schedul": did you mean "schedule"? 100%',
        '',
      ].join('\n'),
    );
  });

  it.each([
    [{ token: 'ghs_0123456789', 'dry-run': 'yes' }, {}, '::error title=Tidemark::input "dry-run": "yes" is not a boolean (true or false)'],
    [{ token: 'ghs_0123456789', 'log-level': 'loud' }, {}, '::error title=Tidemark::--log-level "loud": expected debug, info, warn or error'],
    [{ token: '' }, {}, '::error title=Tidemark::no token: set the `token` input (it defaults to the workflow token, github.token), or TIDEMARK_TOKEN, GITHUB_TOKEN or GH_TOKEN'],
    [{ token: 'ghs_0123456789' }, { GITHUB_REPOSITORY: '' }, '::error title=Tidemark::GITHUB_REPOSITORY is not set: run Tidemark as a step of a GitHub Actions job'],
  ])('rejects bad inputs %j with an error annotation and exit code 2', async (inputs, extraEnv, expected) => {
    const env = { ...runnerEnv(inputs), ...extraEnv };
    const lines: string[] = [];
    const code = await runAction({ env, write: (l) => lines.push(l), run: async () => summaryFor('x') });
    expect(code).toEqual(2);
    expect(lines.filter((l) => l.startsWith('::error'))).toEqual([expected]);
  });

  it('reports an unexpected failure as an error annotation and exit code 1, token masked', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const lines: string[] = [];
    const code = await runAction({ env, write: (l) => lines.push(l), run: async () => Promise.reject(new Error('GET failed with ghs_0123456789')) });
    expect(code).toEqual(1);
    expect(lines.slice(1)).toEqual(['::error title=Tidemark::GET failed with ***']);
  });

  it('lets no log line or printed text issue a workflow command, while its own commands go through', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const lines: string[] = [];
    const code = await runAction({
      env,
      write: (l) => lines.push(l),
      run: async (opts) => {
        opts.logger.warn('lookup failed', { package: 'evil\n::set-output name=x::y', error: '##[error]x' });
        opts.print?.('diff --git a/x b/x\n  ::add-mask::nothing\n##[error]forged\n+::stop-commands::t\n');
        const s = summaryFor('acme/gitops');
        s.problems = [{ file: 'a.yaml', line: 1, message: 'bad\n::error::forged' }];
        return s;
      },
    });
    expect(code).toEqual(0);
    expect(lines).toEqual([
      '::add-mask::ghs_0123456789',
      'WARN  lookup failed package=evil ::set-output name=x::y error=##\\[error]x',
      '::group::diff --git a/x b/x',
      'diff --git a/x b/x',
      '  \\::add-mask::nothing',
      '##\\[error]forged',
      '+::stop-commands::t',
      '::endgroup::',
      '::warning title=Tidemark,file=a.yaml,line=1::bad%0A::error::forged',
      '::group::Tidemark: 1 problem',
      'a.yaml:1 bad',
      '\\::error::forged',
      '::endgroup::',
    ]);
  });

  it('counts failed lookups by host in the job summary and escapes what registries and repositories wrote', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const s = summaryFor('acme/gitops', {}, true);
    const dep = (name: string, line: number): Update['dependency'] => ({ ...update(name, 'apps/a.yaml', line, '1.0.0', '1.0.0', 'minor').dependency });
    s.plan.unchanged = [
      { dependency: dep('ghcr.io/a', 1), reason: 'lookup failed: ghcr.io could not be reached', kind: 'lookup-failed', failure: { host: 'ghcr.io', problem: 'could not be reached' } },
      { dependency: dep('quay.io/b', 2), reason: 'lookup failed: quay.io answered 500', kind: 'lookup-failed', failure: { host: 'quay.io', problem: 'answered 500' } },
      { dependency: dep('ok', 3), reason: 'up to date', kind: 'up-to-date' },
    ];
    s.problems = [{ file: 'apps/a.yaml', line: 1, message: '![x](https://evil/p.png) @org/security <!-- tidemark:update {} -->' }];
    const code = await runAction({ env, write: () => {}, run: async () => s });
    expect(code).toEqual(1);
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toEqual(
      [
        '## Tidemark: acme/gitops',
        '',
        'Opened 0 · updated 0 · closed 0 · left alone 0',
        '',
        '**2 of 3 lookups failed: ghcr.io could not be reached \\(1\\), quay.io answered 500 \\(1\\).**',
        '',
        'No updates found.',
        '',
        '### Problems',
        '',
        '- `apps/a.yaml:1` \\!\\[x\\]\\(https://evil/p.png\\) @&#8203;org/security &lt;\\!-- tidemark:update {} --&gt;',
        '',
      ].join('\n'),
    );
  });

  it('calls current only what was looked up and found current, not skipped or held-back dependencies', async () => {
    const dep = (name: string, line: number): Update['dependency'] => ({ ...update(name, 'apps/a.yaml', line, '1.0.0', '1.0.0', 'minor').dependency });
    const summaryOf = async (unchanged: RunSummary['plan']['unchanged']): Promise<string | undefined> => {
      const env = runnerEnv({ token: 'ghs_0123456789' });
      const s = summaryFor('acme/gitops');
      s.plan.unchanged = unchanged;
      await runAction({ env, write: () => {}, run: async () => s });
      return readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8').split('\n').find((l) => l.startsWith('No updates'));
    };
    expect([
      await summaryOf([]),
      await summaryOf([
        { dependency: dep('nginx', 1), reason: 'not pinned: "latest" is a floating tag', kind: 'skipped' },
        { dependency: dep('{{ .Values.image }}', 2), reason: 'templated value, not a version', kind: 'skipped' },
      ]),
      await summaryOf([
        { dependency: dep('ok', 1), reason: 'up to date', kind: 'up-to-date' },
        { dependency: dep('postgres', 2), reason: 'newer versions are not allowed', kind: 'not-allowed' },
        { dependency: dep('off', 3), reason: 'disabled by a rule', kind: 'disabled' },
      ]),
    ]).toEqual([
      'No updates: no dependencies found.',
      'No updates: 0 dependencies are current; 2 were not looked up (unpinned, templated or disabled).',
      'No updates: 1 dependency is current; 1 is held back; 1 was not looked up (unpinned, templated or disabled).',
    ]);
  });

  describe('fail-on', () => {
    const clean = () => summaryFor('acme/gitops', { opened: 1 });
    const withProblems = () => ({ ...clean(), problems: [{ file: 'apps/broken.yaml', line: 4, message: 'YAML: bad indentation' }] });
    const partial = () => summaryFor('acme/gitops', { opened: 1 }, true);
    const codeOf = async (failOn: string, summary: () => RunSummary | Promise<RunSummary>) => {
      const env = runnerEnv({ token: 'ghs_0123456789', 'fail-on': failOn });
      return runAction({ env, write: () => {}, run: async () => summary() });
    };

    it.each([
      ['error', [0, 0, 1]],
      ['', [0, 0, 1]],
      ['problems', [0, 1, 1]],
      ['never', [0, 0, 0]],
    ] as const)('under %j exits %j for a clean run, one with problems in files, and a partial failure', async (failOn, codes) => {
      expect([await codeOf(failOn, clean), await codeOf(failOn, withProblems), await codeOf(failOn, partial)]).toEqual(codes);
    });

    it('lets a run that failed outright pass under never, still annotated and reported as a partial failure', async () => {
      const env = runnerEnv({ token: 'ghs_0123456789', 'fail-on': 'never' });
      const lines: string[] = [];
      const code = await runAction({ env, write: (l) => lines.push(l), run: async () => Promise.reject(new Error('api.github.com could not be reached')) });
      expect(code).toEqual(0);
      expect(lines.slice(1)).toEqual(['::error title=Tidemark::api.github.com could not be reached']);
      expect(parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8'))).toEqual({
        opened: '0',
        updated: '0',
        closed: '0',
        skipped: '0',
      'would-open': '0',
        problems: '0',
        'partial-failure': 'true',
        plan: '',
      });
    });

    it('fails on an invalid config and on a bad input under every choice, exit 2', async () => {
      const configError = () => Promise.reject(new ConfigError('.tidemark.yaml is invalid', [{ file: '.tidemark.yaml', line: 2, message: 'unknown key "schedul"' }]));
      expect(await Promise.all(['error', 'problems', 'never'].map((f) => codeOf(f, configError)))).toEqual([2, 2, 2]);
      const env = runnerEnv({ token: 'ghs_0123456789', 'fail-on': 'never', 'dry-run': 'maybe' });
      expect(await runAction({ env, write: () => {}, run: async () => clean() })).toEqual(2);
      expect(parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8'))['partial-failure']).toEqual('false');
    });

    it('rejects a value it does not know, naming the choices', async () => {
      const env = runnerEnv({ token: 'ghs_0123456789', 'fail-on': 'warnings' });
      const lines: string[] = [];
      let ran = false;
      const code = await runAction({ env, write: (l) => lines.push(l), run: async () => ((ran = true), clean()) });
      expect({ code, ran, errors: lines.filter((l) => l.startsWith('::error')) }).toEqual({
        code: 2,
        ran: false,
        errors: ['::error title=Tidemark::input "fail-on": "warnings" is not one of problems, error, never'],
      });
    });
  });

  describe('inputs and file names an attacker could shape', () => {
    it.each([
      ['never\n::add-mask::x', 'never%0A::add-mask::x'],
      ['never%0A::warning::forged', 'never%250A::warning::forged'],
      ['NEVER', 'NEVER'],
      ['never,error', 'never,error'],
    ])('a fail-on of %j is a usage error echoed as command data, never a command, and never taken as "never"', async (value, shown) => {
      const env = runnerEnv({ token: 'ghs_0123456789', 'fail-on': value });
      const lines: string[] = [];
      const code = await runAction({ env, write: (l) => lines.push(l), run: async () => summaryFor('acme/gitops', {}, true) });
      expect({ code, lines: lines.slice(1) }).toEqual({ code: 2, lines: [`::error title=Tidemark::input "fail-on": "${shown}" is not one of problems, error, never`] });
    });

    it('keeps a file name with ",", ":" and a line break inside its annotation property, where it cannot set another property or end the command', async () => {
      const env = runnerEnv({ token: 'ghs_0123456789' });
      const lines: string[] = [];
      const s = summaryFor('acme/gitops');
      s.problems = [{ file: 'apps/a.yaml,line=99,title=ok::\n::error::x', line: 3, message: '100% bad' }];
      expect(await runAction({ env, write: (l) => lines.push(l), run: async () => s })).toEqual(0);
      expect(lines.filter((l) => l.startsWith('::warning'))).toEqual(['::warning title=Tidemark,file=apps/a.yaml%2Cline=99%2Ctitle=ok%3A%3A%0A%3A%3Aerror%3A%3Ax,line=3::100%25 bad']);
      expect(lines.filter((l) => l.startsWith('::error'))).toEqual([]);
    });

    it('masks the workflow token in a log line, an annotation, the job summary and the outputs', async () => {
      const env = runnerEnv({ token: 'ghp_operator_0123', 'workflow-token': 'ghs_workflow_4567' });
      const lines: string[] = [];
      const code = await runAction({
        env,
        write: (l) => lines.push(l),
        run: async (opts) => {
          opts.logger.error('push refused', { remote: 'https://x-access-token:ghs_workflow_4567@github.com/acme/gitops' });
          const s = summaryFor('acme/gitops');
          s.problems = [{ file: 'a.yaml', line: 1, message: 'auth ghs_workflow_4567 ghp_operator_0123' }];
          return s;
        },
      });
      expect(code).toEqual(0);
      const everything = lines.join('\n') + readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8') + readFileSync(env.GITHUB_OUTPUT!, 'utf8');
      expect(lines.slice(0, 2).sort()).toEqual(['::add-mask::ghp_operator_0123', '::add-mask::ghs_workflow_4567']);
      expect(everything.replace(/::add-mask::\S+/g, '')).not.toMatch(/ghs_workflow_4567|ghp_operator_0123/);
    });
  });

  it('annotates the first 10 of 25 problems, says how many more there are, and keeps all 25 in the log and the summary', async () => {
    const env = runnerEnv({ token: 'ghs_0123456789' });
    const s = summaryFor('acme/gitops');
    s.problems = Array.from({ length: 25 }, (_, i) => ({ file: `apps/f${i}.yaml`, line: i + 1, message: `broken ${i}` }));
    const lines: string[] = [];
    await runAction({ env, write: (l) => lines.push(l), run: async () => s });
    expect(lines.filter((l) => l.startsWith('::warning'))).toEqual([
      ...s.problems.slice(0, 10).map((p, i) => `::warning title=Tidemark,file=apps/f${i}.yaml,line=${p.line}::broken ${i}`),
      '::warning title=Tidemark::and 15 more problems: every one is in the job summary and in the log',
    ]);
    const group = lines.slice(lines.indexOf('::group::Tidemark: 25 problems') + 1, lines.indexOf('::endgroup::'));
    expect(group).toEqual(s.problems.map((p, i) => `apps/f${i}.yaml:${p.line} broken ${i}`));
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8').split('\n').filter((l) => l.startsWith('- `apps/f'))).toHaveLength(25);
    expect(parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8')).problems).toEqual('25');
  });

  it('treats github.com as the default API and keeps an Enterprise URL', () => {
    expect(apiEndpoint('https://api.github.com')).toEqual(null);
    expect(apiEndpoint(undefined)).toEqual(null);
    expect(apiEndpoint('https://ghe.example.com/api/v3/')).toEqual('https://ghe.example.com/api/v3');
  });
});

describe('actionMain end to end: the real pipeline, a local registry and the GitHub fake', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
    await registry.pushImage('team/app', '1.0.0');
    await registry.pushImage('team/app', '1.4.2');
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await registry?.stop();
  });

  it('opens a pull request for a newer image and reports it in the outputs and the job summary', async () => {
    const env = runnerEnv({ token: 'ghs_e2e_token_0001', 'dry-run': 'false', 'log-level': 'info' });
    const workspace = env.GITHUB_WORKSPACE!;
    mkdirSync(join(workspace, 'apps'), { recursive: true });
    mkdirSync(env.RUNNER_TEMP!, { recursive: true });
    const manifest = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${registry.host}/team/app:1.0.0\n`;
    writeFileSync(join(workspace, 'apps/app.yaml'), manifest);
    const branch = `tidemark/127.0.0.1-${registry.host.split(':')[1]}-team-app-1.x`;
    const bodies: Record<string, unknown> = {};
    const api = githubApi()
      .get('/repos/acme/gitops')
      .reply(200, ghRepo('acme', 'gitops'))
      .get('/repos/acme/gitops/git/ref/heads%2Fmain')
      .reply(200, ghRef('acme', 'gitops', 'main', 'base1'))
      .get('/repos/acme/gitops/contents/apps/app.yaml')
      .query({ ref: 'base1' })
      .reply(200, ghContent('apps/app.yaml', manifest))
      .get('/repos/acme/gitops/pulls')
      .query(true)
      .reply(200, [])
      .get('/repos/acme/gitops/pulls')
      .query(true)
      .reply(200, [])
      .get('/repos/acme/gitops/git/matching-refs/heads%2Ftidemark%2F')
      .reply(200, [])
      .get('/repos/acme/gitops/git/commits/base1')
      .reply(200, ghGitCommit('base1', 'tree0'))
      .get('/repos/acme/gitops/git/trees/tree0')
      .query({ recursive: 'true' })
      .reply(200, ghTree('tree0', { 'apps/app.yaml': '100644' }))
      .post('/repos/acme/gitops/git/trees', (b) => ((bodies.tree = b), true))
      .reply(201, { sha: 'tree1', tree: [] })
      .post('/repos/acme/gitops/git/commits')
      .reply(201, ghGitCommit('new1', 'tree1', 'Update', ['base1']))
      .post('/repos/acme/gitops/git/refs', (b) => ((bodies.ref = b), true))
      .reply(201, ghRef('acme', 'gitops', branch, 'new1'))
      .post('/repos/acme/gitops/pulls', (b) => ((bodies.pull = b), true))
      .reply(201, ghPull({ number: 42, branch, owner: 'acme', repo: 'gitops' }));

    const lines: string[] = [];
    const code = await runAction({ env, write: (l) => lines.push(l), run });
    expect({ code, errors: lines.filter((l) => l.startsWith('::error')) }).toEqual({ code: 0, errors: [] });
    api.done();

    expect(bodies.tree).toEqual({
      base_tree: 'tree0',
      tree: [{ path: 'apps/app.yaml', mode: '100644', type: 'blob', content: manifest.replace('app:1.0.0', 'app:1.4.2') }],
    });
    expect(bodies.ref).toEqual({ ref: `refs/heads/${branch}`, sha: 'new1' });
    expect(bodies.pull).toMatchObject({ head: branch, base: 'main' });
    expect(parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8'))).toEqual({
      opened: '1',
      updated: '0',
      closed: '0',
      skipped: '0',
      'would-open': '0',
      problems: '0',
      'partial-failure': 'false',
      plan: join(env.RUNNER_TEMP!, 'tidemark-plan.json'),
    });
    expect(readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain(
      `| \`${registry.host}/team/app\` | \`apps/app.yaml:10\` | \`1.0.0\` → \`1.4.2\` | minor | \`${branch}\` | [\\#42](https://github.com/acme/gitops/pull/42) |`,
    );
    expect(lines[0]).toEqual('::add-mask::ghs_e2e_token_0001');
    expect(lines.slice(1).join('\n')).not.toContain('ghs_e2e_token_0001');
  });

  it('reads a private registry with the credentials docker/login-action left in ~/.docker/config.json, and only with them', async () => {
    const privateRegistry = await startRegistry({ auth: 'basic' });
    try {
      await privateRegistry.pushImage('team/private', '2.0.0');
      await privateRegistry.pushImage('team/private', '2.1.0');
      const dryRun = async (dockerConfig: object | null) => {
        const env = runnerEnv({ token: 'ghs_e2e_token_0001', 'dry-run': 'true' });
        env.HOME = join(temp, 'home');
        mkdirSync(join(env.GITHUB_WORKSPACE!, 'apps'), { recursive: true });
        mkdirSync(env.RUNNER_TEMP!, { recursive: true });
        writeFileSync(join(env.GITHUB_WORKSPACE!, 'apps/app.yaml'), `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      image: ${privateRegistry.host}/team/private:2.0.0\n`);
        if (dockerConfig) {
          mkdirSync(join(env.HOME, '.docker'), { recursive: true });
          writeFileSync(join(env.HOME, '.docker', 'config.json'), JSON.stringify(dockerConfig));
        }
        const code = await runAction({ env, write: () => {}, run });
        const outputs = parseOutputFile(readFileSync(env.GITHUB_OUTPUT!, 'utf8'));
        const summary = readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8');
        rmSync(temp, { recursive: true, force: true });
        return { code, partialFailure: outputs['partial-failure'], bumped: summary.includes('`2.0.0` → `2.1.0`') };
      };
      // What `docker login` writes: the registry's host as the key, base64 of user:password.
      const { username, password } = privateRegistry.credentials!;
      const loggedIn = { auths: { [privateRegistry.host]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } } };
      expect(await dryRun(loggedIn)).toEqual({ code: 0, partialFailure: 'false', bumped: true });
      expect(await dryRun(null)).toEqual({ code: 1, partialFailure: 'true', bumped: false });
    } finally {
      await privateRegistry.stop();
    }
  });

  it('annotates a real config mistake at its line in .tidemark.yaml, before any API call', async () => {
    const env = runnerEnv({ token: 'ghs_e2e_token_0001' });
    const workspace = env.GITHUB_WORKSPACE!;
    mkdirSync(workspace, { recursive: true });
    writeFileSync(join(workspace, '.tidemark.yaml'), 'rules:\n  - matchPackages: [nginx]\n    allowedVersions: "<2"\n    automerge: sometimes\n');
    const lines: string[] = [];
    const code = await runAction({ env, write: (l) => lines.push(l), run });
    expect(code).toEqual(2);
    const annotations = lines.slice(1).map((l) => /^(?<head>::error [^:]+::)(?<message>.*)$/.exec(l)?.groups);
    expect(annotations.map((a) => a?.head)).toEqual([
      '::error title=Tidemark config,file=.tidemark.yaml,line=2::',
      '::error title=Tidemark config,file=.tidemark.yaml,line=4::',
    ]);
    expect(annotations[0]?.message).toContain('"matchPackages"');
    expect(annotations[1]?.message).toContain('automerge');
    const summary = readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8');
    expect(summary.split('\n').slice(0, 2)).toEqual(['## Tidemark: configuration error', '']);
    expect(summary).toContain('- `.tidemark.yaml:4` rules\\[0\\].automerge');
  });
});
