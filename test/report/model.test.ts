import { describe, expect, it } from 'vitest';
import { buildReport, packageName, reportRepoName, reportToHtml, reportToJson } from '../../src/report/index.js';
import { dep, plan, sampleFleet, stays, update } from './fleet-fixture.js';

const at = new Date('2026-11-30T10:00:00.456Z');
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

describe('buildReport', () => {
  it('moves each use to its highest target, a digest-only update to its own version, and counts a dependency once', () => {
    const web = dep('apps/prod/web.yaml', 8, 'ghcr.io/acme/web', '1.2.0');
    const worker = { ...dep('apps/prod/web.yaml', 9, 'ghcr.io/acme/worker', '3.1.0'), currentDigest: DIGEST_A };
    const report = buildReport(
      [{ repo: 'fleet-a', plan: plan([update(web, '1.4.0', 'minor'), update(web, '3.0.0', 'major'), { ...update(worker, '3.1.0', 'digest'), newDigest: DIGEST_B }], [stays(web, 'disabled', 'x')]) }],
      at,
    );
    expect(reportToJson(report)).toEqual({
      generatedAt: '2026-11-30T10:00:00Z',
      repositories: [{ repo: 'fleet-a', dependencies: 2, updates: 3, problems: 0 }],
      packages: [
        {
          name: 'ghcr.io/acme/web', datasource: 'docker', newest: '3.0.0', drift: false,
          uses: [{ repo: 'fleet-a', file: 'apps/prod/web.yaml', line: 8, environment: 'prod', currentValue: '1.2.0', currentDigest: null, newValue: '3.0.0' }],
        },
        {
          name: 'ghcr.io/acme/worker', datasource: 'docker', newest: '3.1.0', drift: false,
          uses: [{ repo: 'fleet-a', file: 'apps/prod/web.yaml', line: 9, environment: 'prod', currentValue: '3.1.0', currentDigest: DIGEST_A, newValue: '3.1.0' }],
        },
      ],
    });
    expect(report.packages.map((p) => p.behind)).toEqual([
      { rank: 5, amount: 2, label: '+2 major' },
      { rank: 2, amount: 0, label: 'new digest' },
    ]);
  });

  it('takes the newest version from the lookups that succeeded, and null when none did', () => {
    const a = dep('clusters/prod/api.yaml', 3, 'quay.io/acme/api', '2.0.0');
    const b = dep('clusters/dev/api.yaml', 3, 'quay.io/acme/api', '2.1.0');
    const c = dep('clusters/qa/api.yaml', 3, 'quay.io/acme/api', '2.2.0-rc.1');
    const failure = { host: 'quay.io', problem: 'answered 503' };
    const report = buildReport(
      [
        { repo: 'one', plan: plan([], [stays(a, 'up-to-date', 'up to date'), stays(c, 'not-allowed', 'pre-releases are not allowed')]) },
        { repo: 'two', plan: plan([], [stays(b, 'lookup-failed', 'lookup failed: quay.io answered 503', failure)]) },
      ],
      at,
    );
    const [api] = (reportToJson(report) as { packages: { newest: string | null; drift: boolean }[] }).packages;
    expect([api?.newest, api?.drift]).toEqual(['2.0.0', true]);
    expect(report.packages[0]?.uses.map((u) => [u.environment, u.status, u.note])).toEqual([
      ['prod', 'current', null],
      ['qa', 'held', 'pre-releases are not allowed'],
      ['dev', 'failed', 'lookup failed: quay.io answered 503'],
    ]);
    const onlyFailed = buildReport([{ repo: 'two', plan: plan([], [stays(b, 'lookup-failed', 'lookup failed', failure)]) }], at);
    expect(onlyFailed.packages.map((p) => [p.newest, p.behind.label])).toEqual([[null, 'unknown']]);
  });

  it('ignores digests for drift but not a missing tag, and never takes a floating tag as the newest version', () => {
    const pinned = (file: string, value: string | null, digest: string) => ({ ...dep(file, 1, 'ghcr.io/acme/tool', value), currentDigest: digest });
    const report = buildReport(
      [
        { repo: 'same', plan: plan([], [stays(pinned('a.yaml', 'latest', DIGEST_A), 'up-to-date', 'x'), stays(pinned('b.yaml', 'latest', DIGEST_B), 'up-to-date', 'x')]) },
        { repo: 'other', plan: plan([], [stays(pinned('c.yaml', null, DIGEST_A), 'not-a-version', 'pinned by digest only')]) },
      ],
      at,
    );
    expect(report.packages.map((p) => [p.newest, p.drift])).toEqual([[null, true]]);
    const same = buildReport([{ repo: 'same', plan: plan([], [stays(pinned('a.yaml', '1.0', DIGEST_A), 'up-to-date', 'x'), stays(pinned('b.yaml', '1.0', DIGEST_B), 'up-to-date', 'x')]) }], at);
    expect(same.packages.map((p) => [p.newest, p.drift])).toEqual([['1.0', false]]);
  });

  it('lists a repository that could not run with its error as its one problem', () => {
    const report = buildReport([{ repo: 'gone', error: 'clone failed: not found' }], at);
    expect(reportToJson(report)).toEqual({ generatedAt: '2026-11-30T10:00:00Z', repositories: [{ repo: 'gone', dependencies: 0, updates: 0, problems: 1 }], packages: [] });
    expect(report.repositories[0]?.error).toEqual('clone failed: not found');
  });
});

describe('packageName', () => {
  it('names a chart after its repository, without scheme or credentials, and an image as written', () => {
    expect([
      packageName({ datasource: 'helm', name: 'web', registryUrl: 'https://ci:s3cret@charts.example.com/stable/' }),
      packageName({ datasource: 'helm', name: 'redis', registryUrl: 'oci://ghcr.io/acme/charts' }),
      packageName({ datasource: 'helm', name: 'db', registryUrl: 'https://ci:p@ss@charts.example.com/team@x' }),
      packageName({ datasource: 'helm', name: 'common', registryUrl: null }),
      packageName({ datasource: 'docker', name: 'nginx', registryUrl: null }),
    ]).toEqual(['charts.example.com/stable/web', 'ghcr.io/acme/charts/redis', 'charts.example.com/team@x/db', 'common', 'nginx']);
  });
});

describe('reportRepoName', () => {
  it('keeps a platform repository as given and names a plain-git URL by its last segment without .git', () => {
    expect([
      reportRepoName('acme/fleet-a', 'github'),
      reportRepoName('group/sub/fleet-a', 'gitlab'),
      reportRepoName('https://***@git.example.com/team/fleet-b.git', 'git'),
      reportRepoName('git@git.example.com:team/fleet-c.git', 'git'),
      reportRepoName('file:///srv/git/fleet-d/', 'git'),
      reportRepoName('ssh://git.example.com/fleet-e.git?ref=main', 'git'),
    ]).toEqual(['acme/fleet-a', 'group/sub/fleet-a', 'fleet-b', 'fleet-c', 'fleet-d', 'fleet-e']);
  });
});

describe('reportToHtml', () => {
  it('lets no registry- or repository-written text open a tag, a comment or a second script', () => {
    const html = reportToHtml(buildReport(sampleFleet(), at));
    expect([html.split('<script').length - 1, html.split('</script').length - 1, html.split('<!--').length - 1, html.split('<img').length - 1, html.split('<b>').length - 1]).toEqual([1, 1, 0, 0, 0]);
    expect(html).toContain('<span class="name">ghcr.io/acme/&quot;&gt;&lt;img src=x onerror=&quot;document.title=&#39;pwned&#39;&quot;&gt;</span>');
    expect(html).toContain('<td class="loc" data-label="Location">clusters/&lt;/script&gt;&lt;!--/app&quot; onmouseover=&quot;x.yaml:3</td>');
  });
});
