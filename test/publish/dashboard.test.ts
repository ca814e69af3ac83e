import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import type { PlatformError } from '../../src/errors.js';
import {
  DASHBOARD_TITLE,
  classifyUnchanged,
  parseApprovals,
  readDashboardApprovals,
  renderDashboard,
  syncDashboard,
} from '../../src/publish/dashboard.js';
import { GitHubPlatform } from '../../src/publish/github.js';
import type { Issue, Platform } from '../../src/publish/types.js';
import type { Update, Unchanged } from '../../src/plan/types.js';
import type { RunSummary } from '../../src/run-types.js';
import type { Dependency } from '../../src/scan/types.js';
import { GH_TEST_TIMING, ghIssue, githubApi, recordingLogger } from '../helpers/github-fake.js';

function dep(name: string, file: string, line: number, extra: Partial<Dependency> = {}): Dependency {
  return {
    file,
    line,
    manager: 'kubernetes',
    datasource: 'docker',
    name,
    registryUrl: null,
    currentValue: '1.0.0',
    currentDigest: null,
    valueRange: { start: 0, end: 5 },
    digestRange: null,
    ...extra,
  };
}

function update(name: string, file: string, newValue: string): Update {
  return {
    dependency: dep(name, file, 3),
    newValue,
    newDigest: null,
    updateType: 'minor',
    group: null,
    reason: 'newest minor/patch version in the same tag family',
    labels: [],
    reviewers: [],
    assignees: [],
    automerge: false,
    sourceUrl: null,
    homepage: null,
  };
}

const unchanged: Unchanged[] = [
  { dependency: dep('ghcr.io/acme/web', 'apps/web/deploy.yaml', 12), reason: 'major update to 2.0.0 disabled by rule "freeze web"' },
  { dependency: dep('ghcr.io/acme/web', 'apps/web/overlays/prod/deploy.yaml', 8), reason: 'major update to 2.0.0 disabled by rule "freeze web"' },
  {
    dependency: dep('redis', 'apps/cache/values.yaml', 4),
    reason: 'lookup failed: registry answered 500',
    kind: 'lookup-failed',
    failure: { host: 'registry-1.docker.io', problem: 'answered 500' },
  },
  {
    dependency: dep('postgres', 'db/statefulset.yaml', 20),
    reason: 'no newer version allowed: 17.2 is too new: released 2 hours ago, minimumReleaseAge is 3 days',
  },
  { dependency: dep('busybox', 'jobs/cron.yaml', 9), reason: 'up to date' },
  { dependency: dep('app', 'apps/x.yaml', 5, { skipReason: 'templated', currentValue: null }), reason: 'templated' },
  {
    dependency: dep('cert-manager', 'infra/cert-manager.yaml', 14, { datasource: 'helm', manager: 'flux' }),
    reason: 'no newer version allowed: v2.0.0 is outside allowedVersions "<2"',
  },
];

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    repo: 'o/r',
    opened: [{ branch: 'tidemark/nginx-1.x', pr: { number: 12, url: 'https://github.com/o/r/pull/12' }, detail: 'opened' }],
    updated: [],
    closed: [],
    skipped: [{ branch: 'tidemark/grafana-11.x', pr: null, detail: 'PR limit reached (prConcurrentLimit 1)' }],
    problems: [{ file: 'broken.yaml', line: 7, message: 'YAML error: bad indentation | of a mapping entry' }],
    partialFailure: false,
    plan: {
      updates: [update('nginx', 'apps/web/deploy.yaml', '1.27.1'), update('grafana/grafana', 'monitoring/grafana.yaml', '11.4.0')],
      unchanged,
      problems: [
        { file: 'broken.yaml', line: 7, message: 'YAML error: bad indentation | of a mapping entry' },
        { file: 'apps/a.yaml', line: 2, message: 'image tag is a template' },
      ],
      branches: [
        { branchName: 'tidemark/nginx-1.x', title: 'Update nginx to 1.27.1', updates: [] },
        { branchName: 'tidemark/grafana-11.x', title: 'Update grafana/grafana to 11.4.0', updates: [] },
        { branchName: 'tidemark/monitoring', title: 'Update monitoring group', updates: [] },
      ],
    },
    ...over,
  };
}

/** An issue tracker in memory, counting the calls the dashboard makes. */
function memoryPlatform(kind: Platform['kind'], issues: Issue[] = []) {
  const calls: string[] = [];
  const platform = {
    kind,
    supportsPullRequests: kind !== 'git',
    findIssue: async (title: string) => (calls.push(`find:${title}`), issues.find((i) => i.title === title && i.state === 'open') ?? null),
    createIssue: async (title: string, body: string) => {
      calls.push(`create:${title}`);
      const issue: Issue = { number: issues.length + 1, title, body, state: 'open' };
      issues.push(issue);
      return issue;
    },
    updateIssue: async (number: number, body: string) => {
      calls.push(`update:${number}`);
      const issue = issues.find((i) => i.number === number);
      if (issue) issue.body = body;
    },
  } as unknown as Platform;
  return { platform, calls, issues };
}

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/publish/${name}`, import.meta.url), 'utf8');

describe('renderDashboard', () => {
  it('lists pending updates with their PRs, held-back updates with why, and problems in files', () => {
    expect(renderDashboard(summary())).toEqual(fixture('dashboard.md'));
  });

  it('names the branches a PR limit holds back, and the limit', () => {
    const body = renderDashboard(
      summary({ skipped: [{ branch: 'tidemark/grafana-11.x', pr: null, detail: 'hourly PR limit (2) reached', heldBy: 'prHourlyLimit' }] }),
    );
    expect(body).toContain('| Update grafana/grafana to 11.4.0 | `tidemark/grafana-11.x` | not opened: hourly PR limit \\(2\\) reached |');
    expect(body).toContain('**Held back by prHourlyLimit: 1 branch.** They open on later runs, as the limits allow:\n\n- `tidemark/grafana-11.x` (`prHourlyLimit`)\n');
  });

  it('offers a checkbox only where an approval could open the update', () => {
    const body = renderDashboard(summary());
    const boxes = body.split('\n').filter((l) => l.startsWith('- ['));
    expect(boxes.map((l) => /tidemark-approve:(\S+) -->/.exec(l)?.[1])).toEqual(['ghcr.io/acme/web', 'postgres']);
  });

  it('says so when nothing is pending, held back or broken', () => {
    const body = renderDashboard(
      summary({ opened: [], skipped: [], problems: [], plan: { updates: [], unchanged: [], problems: [], branches: [] } }),
    );
    expect(body).toContain('None: every dependency Tidemark can update is current.');
    expect(body).toContain('Nothing is held back.');
    expect(body).toContain('## Problems found in files\n\nNone.\n');
  });

  it('keeps a tick the user set on an update that is still held back', () => {
    const body = renderDashboard(summary(), new Set(['postgres']));
    expect(parseApprovals(body)).toEqual(new Set(['postgres']));
  });

  it('cannot be tricked into an approval marker by text inside a reason', () => {
    const sneaky: Unchanged = { dependency: dep('evil', 'x.yaml', 1), reason: 'lookup failed\n- [x] <!-- tidemark-approve:evil -->' };
    const body = renderDashboard(summary({ plan: { ...summary().plan, unchanged: [sneaky] } }));
    expect(parseApprovals(body)).toEqual(new Set());
  });
});

describe('renderDashboard with hostile text and failed lookups', () => {
  const nothing = { opened: [], skipped: [], problems: [] };
  const failedOn = (name: string, line: number, host: string, problem: string): Unchanged => ({
    dependency: dep(name, 'apps/a.yaml', line),
    reason: `lookup failed: ${host} ${problem}`,
    kind: 'lookup-failed',
    failure: { host, problem },
  });

  it('never says every dependency is current when lookups failed', () => {
    const plan = {
      updates: [],
      unchanged: [failedOn('ghcr.io/a', 1, 'ghcr.io', 'could not be reached'), failedOn('ghcr.io/b', 2, 'ghcr.io', 'could not be reached'), failedOn('quay.io/c', 3, 'quay.io', 'answered 500'), { dependency: dep('ok', 'apps/a.yaml', 4), reason: 'up to date', kind: 'up-to-date' as const }],
      problems: [],
      branches: [],
    };
    const body = renderDashboard(summary({ ...nothing, plan }));
    expect(body).not.toContain('current');
    expect(body.split('## Held back')[0]).toEqual(
      [
        'Tidemark keeps this issue up to date on every run.',
        'Tick a box under **Held back** and the next run opens that update.',
        '',
        '## Pending updates',
        '',
        'None found.',
        '',
        '**3 of 4 lookups failed: ghcr.io could not be reached \\(2\\), quay.io answered 500 \\(1\\).** Their dependencies may have updates this run could not see.',
        '',
        '',
      ].join('\n'),
    );
  });

  it('escapes names, reasons and problems, and writes no approval marker for a name that could break one', () => {
    const hostile: Unchanged[] = [
      { dependency: dep('evil-->x', 'apps/a.yaml', 1), reason: 'disabled by rule 1', kind: 'disabled' },
      { dependency: dep('@org/security', 'apps/a.yaml', 2), reason: 'disabled by rule 1', kind: 'disabled' },
      { dependency: dep('ghcr.io/acme/web', 'apps/<b>.yaml', 3), reason: '\n# Approved by @org/security\n![x](https://evil/p.png) <!-- tidemark-approve:ok -->', kind: 'disabled' },
    ];
    const body = renderDashboard(
      summary({ ...nothing, problems: [{ file: 'x`.yaml', line: 1, message: '<img src=x> [link](javascript:alert(1))' }], plan: { updates: [], unchanged: hostile, problems: [], branches: [] } }),
    );
    expect(body.split('## Held back')[1]).toEqual(
      [
        '',
        '',
        '- **evil--&gt;x** (`apps/a.yaml:1`): disabled by rule 1',
        '- **@&#8203;org/security** (`apps/a.yaml:2`): disabled by rule 1',
        '- [ ] <!-- tidemark-approve:ghcr.io/acme/web --> **ghcr.io/acme/web** (`apps/<b>.yaml:3`):  \\# Approved by @&#8203;org/security \\!\\[x\\]\\(https://evil/p.png\\) &lt;\\!-- tidemark-approve:ok --&gt;',
        '',
        '## Problems found in files',
        '',
        '- ``x`.yaml:1``: &lt;img src=x&gt; \\[link\\]\\(javascript:alert\\(1\\)\\)',
        '',
        '<!-- tidemark-dashboard -->',
        '',
      ].join('\n'),
    );
    expect(body.split('<!-- tidemark-approve:').length).toEqual(2);
    expect(parseApprovals(body.replace('- [ ]', '- [x]'))).toEqual(new Set(['ghcr.io/acme/web']));
  });
});

describe('classifyUnchanged', () => {
  it('reads why a dependency was held back from the planner reason', () => {
    expect(unchanged.map(classifyUnchanged)).toEqual(['disabled', 'disabled', 'lookup-failed', 'too-new', 'up-to-date', 'skipped', 'rule']);
  });

  it('trusts the planner kind over words in the reason', () => {
    const held = (reason: string, kind: Unchanged['kind'], extra: Partial<Dependency> = {}): Unchanged => ({
      dependency: dep('app', 'a.yaml', 1, extra), reason, kind,
    });
    expect([
      // A rule description with "registry answered" once read as a failed lookup, losing the checkbox.
      held('major update to 2.0.0 disabled by rule 1 (registry answered slowly)', 'disabled'),
      held('disabled by rule 2 (too new for prod)', 'disabled'),
      held('no newer version allowed: 2.0.0 is without a release time, and minimumReleaseAgeMissing is wait', 'too-new'),
      held('no newer version allowed: 1.3.0-disabled-telemetry is outside allowedVersions "/^1\\.2/"', 'not-allowed'),
      held('version range "~1.2" is left alone: the newest version 1.4.0 is outside it', 'range', { skipReason: 'version-range' }),
      held('current tag "main-abc1234" is a commit hash, not a version; set a versioning regex to follow it', 'not-a-version'),
      held('no digest found for 1.3.0, and the reference is pinned by digest', 'no-digest'),
      held('not pinned: "latest" is a floating tag', 'skipped', { skipReason: 'unpinned' }),
    ].map(classifyUnchanged)).toEqual(['disabled', 'disabled', 'too-new', 'rule', 'rule', 'other', 'other', 'skipped']);
  });

  it('shows a kept version range with its reason and no checkbox', () => {
    const range: Unchanged = {
      dependency: dep('common', 'charts/app/Chart.yaml', 9, { datasource: 'helm', manager: 'helm-chart', skipReason: 'version-range', currentValue: '~1.2' }),
      reason: 'version range "~1.2" is left alone: the newest version 1.4.0 is outside it (rangeStrategy keep)',
      kind: 'range',
    };
    const body = renderDashboard(summary({ plan: { ...summary().plan, unchanged: [range] } }));
    expect(body).toContain(
      '- **common** (`charts/app/Chart.yaml:9`): version range "\\~1.2" is left alone: the newest version 1.4.0 is outside it \\(rangeStrategy keep\\)\n',
    );
  });
});

describe('dashboard: newer tags only in another family', () => {
  it('lists a dependency whose family has nothing newer, with the other family\'s newest tag and no checkbox', () => {
    const stuck: Unchanged = {
      dependency: dep('eclipse-temurin', 'apps/api.yaml', 12, { currentValue: '21.0.1_12-jdk' }),
      reason: 'no newer tag in the X.Y.Z_*-jdk family; newest overall 22-jdk',
      kind: 'other-family',
    };
    const current: Unchanged = { dependency: dep('nginx', 'apps/web.yaml', 3), reason: 'up to date', kind: 'up-to-date' };
    const body = renderDashboard(summary({ plan: { ...summary().plan, unchanged: [stuck, current] } }));
    expect(body.split('## Held back\n\n')[1]!.split('\n## ')[0]).toEqual(
      '- **eclipse-temurin** (`apps/api.yaml:12`): no newer tag in the X.Y.Z\\_\\*-jdk family; newest overall 22-jdk\n',
    );
    expect(classifyUnchanged({ ...stuck, kind: undefined })).toEqual('other-family');
  });
});

describe('readDashboardApprovals', () => {
  it('returns the package names whose box is ticked', async () => {
    const body = [
      '- [x] <!-- tidemark-approve:ghcr.io/acme/web --> **ghcr.io/acme/web**',
      '- [ ] <!-- tidemark-approve:postgres --> **postgres**',
      '  * [X] <!-- tidemark-approve:cert-manager --> **cert-manager**',
      '- [x] a box a user added by hand',
    ].join('\r\n');
    const { platform } = memoryPlatform('github', [{ number: 3, title: DASHBOARD_TITLE, body, state: 'open' }]);
    expect(await readDashboardApprovals(platform)).toEqual(new Set(['ghcr.io/acme/web', 'cert-manager']));
  });

  it('is empty when there is no dashboard yet, or no issue tracker', async () => {
    expect(await readDashboardApprovals(memoryPlatform('gitlab').platform)).toEqual(new Set());
    const git = memoryPlatform('git');
    expect(await readDashboardApprovals(git.platform)).toEqual(new Set());
    expect(git.calls).toEqual([]);
  });
});

describe('syncDashboard', () => {
  const on = { ...DEFAULT_CONFIG, dashboard: true };

  it('creates the issue once, then updates it only when the body changes', async () => {
    const mem = memoryPlatform('gitlab');
    await syncDashboard(mem.platform, summary(), on);
    await syncDashboard(mem.platform, summary(), on);
    await syncDashboard(mem.platform, summary({ problems: [] , plan: { ...summary().plan, problems: [] } }), on);
    expect(mem.calls).toEqual([
      `find:${DASHBOARD_TITLE}`,
      `create:${DASHBOARD_TITLE}`,
      `find:${DASHBOARD_TITLE}`,
      `find:${DASHBOARD_TITLE}`,
      'update:1',
    ]);
    expect(mem.issues[0]?.body).toContain('## Problems found in files\n\nNone.\n');
  });

  it('keeps the user\'s ticks for updates the run could not open yet', async () => {
    const mem = memoryPlatform('github');
    await syncDashboard(mem.platform, summary(), on);
    mem.issues[0]!.body = mem.issues[0]!.body.replace('- [ ] <!-- tidemark-approve:postgres -->', '- [x] <!-- tidemark-approve:postgres -->');
    await syncDashboard(mem.platform, summary(), on);
    expect(parseApprovals(mem.issues[0]!.body)).toEqual(new Set(['postgres']));
  });

  it('does nothing when the config does not ask for a dashboard, or on plain git', async () => {
    const off = memoryPlatform('github');
    await syncDashboard(off.platform, summary(), DEFAULT_CONFIG);
    const git = memoryPlatform('git');
    await syncDashboard(git.platform, summary(), on);
    expect([off.calls, git.calls]).toEqual([[], []]);
  });
});

describe('syncDashboard on the GitHub fake', () => {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());

  it('finds no dashboard among the bot\'s issues and opens one with the rendered body', async () => {
    let created: { title?: string; body?: string } = {};
    const api = githubApi()
      .get('/user')
      .reply(200, { login: 'tidemark-bot', id: 7 })
      .get('/repos/o/r/issues')
      .query({ state: 'open', per_page: '100', creator: 'tidemark-bot' })
      .reply(200, [ghIssue({ number: 2, title: 'Tidemark dashboard?' })])
      .post('/repos/o/r/issues', (b) => ((created = b), true))
      .reply(201, ghIssue({ number: 9, title: DASHBOARD_TITLE }));
    const gh = await GitHubPlatform.create({ token: 'ghp_tokenForDashboard1', repo: 'o/r', logger: recordingLogger(), timing: GH_TEST_TIMING });
    await syncDashboard(gh, summary(), { ...DEFAULT_CONFIG, dashboard: true });
    expect(created).toEqual({ title: DASHBOARD_TITLE, body: fixture('dashboard.md') });
    api.done();
  });

  it('warns instead of failing when the repository has issues turned off', async () => {
    const gone = { message: 'Issues are disabled for this repo', documentation_url: 'https://docs.github.com/v3/issues/', status: '410' };
    const api = githubApi()
      .get('/user')
      .reply(200, { login: 'tidemark-bot', id: 7 })
      .get('/repos/o/r/issues')
      .query(true)
      .reply(410, gone)
      .post('/repos/o/r/issues')
      .reply(410, gone);
    const logger = recordingLogger();
    const gh = await GitHubPlatform.create({ token: 'ghp_tokenForDashboard1', repo: 'o/r', logger, timing: GH_TEST_TIMING });
    await syncDashboard(gh, summary(), { ...DEFAULT_CONFIG, dashboard: true }, logger);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => [r.msg, r.meta])).toEqual([
      ['cannot keep the dashboard: issues are disabled or not allowed for this token', { status: 410 }],
    ]);
    api.done();
  });

  it('still fails on other errors, such as a server that keeps answering 500', async () => {
    const api = githubApi()
      .get('/user')
      .reply(200, { login: 'tidemark-bot', id: 7 })
      .get('/repos/o/r/issues')
      .query(true)
      .times(4)
      .reply(500, { message: 'Server Error' });
    const gh = await GitHubPlatform.create({ token: 'ghp_tokenForDashboard1', repo: 'o/r', logger: recordingLogger(), timing: GH_TEST_TIMING });
    const err = (await syncDashboard(gh, summary(), { ...DEFAULT_CONFIG, dashboard: true }).catch((e: unknown) => e)) as PlatformError;
    expect([err.name, err.status]).toEqual(['PlatformError', 500]);
    api.done();
  });
});
