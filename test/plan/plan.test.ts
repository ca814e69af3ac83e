import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TidemarkConfig } from '../../src/config/types.js';
import { createPlan, explain, explanationText, groupBranches, planToJson } from '../../src/plan/index.js';
import type { Update } from '../../src/plan/types.js';
import { prTitle } from '../../src/publish/pr-body.js';
import type { Dependency } from '../../src/scan/types.js';
import { FakeReleaseSource } from './fake-source.js';

function image(name: string, currentValue: string | null, file: string, line: number, extra: Partial<Dependency> = {}): Dependency {
  return {
    file, line, manager: 'kubernetes', datasource: 'docker', name, registryUrl: null, currentValue, currentDigest: null,
    valueRange: { start: 0, end: 0 }, digestRange: null, digestInsertAt: null, ...extra,
  };
}

function chart(name: string, currentValue: string, file: string, line: number, extra: Partial<Dependency> = {}): Dependency {
  return { ...image(name, currentValue, file, line, extra), manager: 'flux', datasource: 'helm', registryUrl: 'https://charts.example.com', ...extra };
}

const config = (rules: TidemarkConfig['rules'] = []): TidemarkConfig => ({ ...DEFAULT_CONFIG, rules });
const now = new Date('2026-11-10T12:00:00Z');
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const D3 = `sha256:${'3'.repeat(64)}`;

describe('createPlan', () => {
  it('plans a minor update, a separate major update, and says why the rest stays', async () => {
    const source = new FakeReleaseSource({
      'ghcr.io/acme/web': { tags: ['1.2.3', '1.3.0', '1.4.0', '2.0.0', '2.1.0-rc.1', 'latest', 'main-abc1234'] },
      nginx: { tags: ['1.27.3', '1.27.3-alpine'] },
      'ghcr.io/acme/broken': { tags: [], fail: 'GET https://ghcr.io/v2/acme/broken/tags/list: 500' },
      'cert-manager': { tags: ['v1.2.0', 'v1.2.3', 'v1.3.0'] },
    });
    const scan = {
      dependencies: [
        image('ghcr.io/acme/web', '1.2.3', 'apps/web.yaml', 17),
        image('nginx', '1.27.3-alpine', 'apps/web.yaml', 30),
        image('busybox', 'latest', 'apps/web.yaml', 40, { skipReason: 'unpinned' }),
        image('ghcr.io/acme/broken', '0.1.0', 'apps/broken.yaml', 9),
        chart('cert-manager', '~1.2', 'charts/app/Chart.yaml', 12, { manager: 'helm-chart', skipReason: 'version-range' }),
      ],
      problems: [{ file: 'apps/bad.yaml', line: 3, message: 'YAML syntax error' }],
    };
    const plan = await createPlan(scan, source, config(), { now });
    expect(planToJson(plan)).toEqual({
      updates: [
        {
          file: 'apps/web.yaml', line: 17, manager: 'kubernetes', name: 'ghcr.io/acme/web', currentValue: '1.2.3', newValue: '1.4.0',
          currentDigest: null, newDigest: null, updateType: 'minor', group: null, risks: [], changes: [],
        },
        {
          file: 'apps/web.yaml', line: 17, manager: 'kubernetes', name: 'ghcr.io/acme/web', currentValue: '1.2.3', newValue: '2.0.0',
          currentDigest: null, newDigest: null, updateType: 'major', group: null, risks: [], changes: [],
        },
      ],
      unchanged: [
        { file: 'apps/broken.yaml', line: 9, name: 'ghcr.io/acme/broken', currentValue: '0.1.0', reason: 'lookup failed: GET https://ghcr.io/v2/acme/broken/tags/list: 500' },
        { file: 'apps/web.yaml', line: 30, name: 'nginx', currentValue: '1.27.3-alpine', reason: 'up to date' },
        { file: 'apps/web.yaml', line: 40, name: 'busybox', currentValue: 'latest', reason: 'not pinned: "latest" is a floating tag' },
        { file: 'charts/app/Chart.yaml', line: 12, name: 'cert-manager', currentValue: '~1.2', reason: 'version range "~1.2" is left alone: the newest version v1.3.0 is outside it' },
      ],
      problems: [{ file: 'apps/bad.yaml', line: 3, message: 'YAML syntax error' }],
    });
    expect(plan.partialFailure).toBe(true);
    expect(plan.unchanged.map((u) => u.kind)).toEqual(['lookup-failed', 'up-to-date', 'skipped', 'range']);
    expect(plan.updates.map((u) => u.reason)).toEqual([
      '1.4.0 is the newest minor/patch version in the same tag family',
      '2.0.0 is the newest major version in the same tag family',
    ]);
    expect(plan.branches.map((b) => [b.branchName, b.title, b.updates.map((u) => u.newValue)])).toEqual([
      ['tidemark/ghcr.io-acme-web-1.x', 'Update ghcr.io/acme/web to 1.4.0', ['1.4.0']],
      ['tidemark/ghcr.io-acme-web-2.x', 'Update ghcr.io/acme/web to 2.0.0', ['2.0.0']],
    ]);
  });

  it('looks up a package once and moves it in one branch across files', async () => {
    const source = new FakeReleaseSource({ 'ghcr.io/acme/web': { tags: ['1.2.3', '1.4.0'] } });
    const scan = {
      dependencies: [image('ghcr.io/acme/web', '1.2.3', 'apps/a.yaml', 5), image('ghcr.io/acme/web', '1.2.3', 'apps/b.yaml', 8)],
      problems: [],
    };
    const plan = await createPlan(scan, source, config(), { now });
    expect(source.calls).toEqual(['releases ghcr.io/acme/web']);
    expect(plan.partialFailure).toBe(false);
    expect(plan.branches).toHaveLength(1);
    expect(plan.branches[0]!.branchName).toEqual('tidemark/ghcr.io-acme-web-1.x');
    expect(plan.branches[0]!.updates.map((u) => u.dependency.file)).toEqual(['apps/a.yaml', 'apps/b.yaml']);
  });

  it('puts a group in one branch, with labels and automerge from the rules', async () => {
    const source = new FakeReleaseSource({
      'grafana/grafana': { tags: ['11.2.0', '11.3.1'] },
      'prom/prometheus': { tags: ['v2.54.0', 'v2.55.1'] },
    });
    const rules = [
      { match: { packageNames: ['grafana/*', 'prom/*'] }, group: 'monitoring', labels: ['monitoring'] },
      { match: { updateTypes: ['patch' as const] }, automerge: true },
    ];
    const scan = {
      dependencies: [image('grafana/grafana', '11.2.0', 'mon/grafana.yaml', 3), image('prom/prometheus', 'v2.54.0', 'mon/prom.yaml', 4)],
      problems: [],
    };
    const plan = await createPlan(scan, source, config(rules), { now });
    expect(plan.branches.map((b) => [b.branchName, b.title, b.updates.length])).toEqual([['tidemark/monitoring', 'Update monitoring images', 2]]);
    expect(plan.updates.map((u) => [u.group, u.labels, u.automerge])).toEqual([
      ['monitoring', ['monitoring'], false],
      ['monitoring', ['monitoring'], false],
    ]);
  });

  it('takes a rule\'s sourceUrl for release notes, and remembers which rule set automerge', async () => {
    const source = new FakeReleaseSource({ 'grafana/grafana': { tags: ['11.2.0', '11.3.1'] } });
    const rules = [{ description: 'dashboards', match: { packageNames: ['grafana/*'] }, automerge: true, sourceUrl: 'https://github.com/grafana/grafana' }];
    const plan = await createPlan({ dependencies: [image('grafana/grafana', '11.2.0', 'mon/grafana.yaml', 3)], problems: [] }, source, config(rules), { now });
    expect(plan.updates.map((u) => [u.sourceUrl, u.automerge, u.automergeFrom])).toEqual([['https://github.com/grafana/grafana', true, 'rule 1 (dashboards)']]);
  });

  it('keeps a pinned digest pinned when bumping the tag, and updates the digest of a rebuilt tag', async () => {
    const source = new FakeReleaseSource({
      'ghcr.io/acme/web': { tags: ['1.2.3', '1.2.4'], digests: { '1.2.3': D1, '1.2.4': D2 } },
      'ghcr.io/acme/worker': { tags: ['3.0.0'], digests: { '3.0.0': D3 } },
    });
    const scan = {
      dependencies: [
        image('ghcr.io/acme/web', '1.2.3', 'a.yaml', 1, { currentDigest: D1 }),
        image('ghcr.io/acme/worker', '3.0.0', 'a.yaml', 2, { currentDigest: D1 }),
      ],
      problems: [],
    };
    const plan = await createPlan(scan, source, config(), { now });
    expect(planToJson(plan)).toMatchObject({
      updates: [
        { name: 'ghcr.io/acme/web', newValue: '1.2.4', currentDigest: D1, newDigest: D2, updateType: 'patch' },
        { name: 'ghcr.io/acme/worker', newValue: '3.0.0', currentDigest: D1, newDigest: D3, updateType: 'digest' },
      ],
    });
    expect(plan.updates.map((u) => u.reason)).toEqual([
      '1.2.4 is the newest minor/patch version in the same tag family (digest kept pinned)',
      '3.0.0 was rebuilt: its digest changed',
    ]);
    expect(plan.branches.map((b) => [b.branchName, b.title])).toEqual([
      ['tidemark/ghcr.io-acme-web-1.x', 'Update ghcr.io/acme/web to 1.2.4'],
      ['tidemark/ghcr.io-acme-worker-3.x', 'Update ghcr.io/acme/worker digest'],
    ]);
  });

  it('pins digests when the rules ask, where the reference has room for one', async () => {
    const source = new FakeReleaseSource({ nginx: { tags: ['1.27.3'], digests: { '1.27.3': D3 } } });
    const scan = {
      dependencies: [image('nginx', '1.27.3', 'a.yaml', 4, { digestInsertAt: 30 }), image('nginx', '1.27.3', 'b.yaml', 4)],
      problems: [],
    };
    const plan = await createPlan(scan, source, config([{ pinDigests: true }]), { now });
    expect(planToJson(plan)).toMatchObject({
      updates: [{ file: 'a.yaml', newValue: '1.27.3', newDigest: D3, updateType: 'pin' }],
      unchanged: [{ file: 'b.yaml', reason: 'up to date' }],
    });
    expect(plan.branches.map((b) => b.branchName)).toEqual(['tidemark/pin-digests']);
  });

  it('waits for the minimum release age, asking only for the versions it would pick', async () => {
    const source = new FakeReleaseSource({
      'ghcr.io/acme/web': {
        tags: ['1.2.3', '1.3.0', '1.4.0', '1.5.0'],
        times: { '1.5.0': '2026-11-09T12:00:00Z', '1.4.0': '2026-11-01T00:00:00Z' },
      },
    });
    const scan = { dependencies: [image('ghcr.io/acme/web', '1.2.3', 'a.yaml', 1)], problems: [] };
    const plan = await createPlan(scan, source, config([{ minimumReleaseAge: '3 days' }]), { now });
    expect(plan.updates.map((u) => [u.newValue, u.reason])).toEqual([['1.4.0', '1.4.0 is the newest minor/patch version in the same tag family']]);
    expect(source.calls).toEqual(['releases ghcr.io/acme/web', 'releaseTime ghcr.io/acme/web:1.5.0', 'releaseTime ghcr.io/acme/web:1.4.0']);
  });

  it('says when every newer version is too new', async () => {
    const source = new FakeReleaseSource({ 'ghcr.io/acme/web': { tags: ['1.2.3', '1.2.4'], times: { '1.2.4': '2026-11-09T12:00:00Z' } } });
    const scan = { dependencies: [image('ghcr.io/acme/web', '1.2.3', 'a.yaml', 1)], problems: [] };
    const plan = await createPlan(scan, source, config([{ minimumReleaseAge: '3 days' }]), { now });
    expect(planToJson(plan)).toMatchObject({
      unchanged: [{ reason: 'no newer version allowed: 1.2.4 is too new: released 1 day ago, minimumReleaseAge is 3 days' }],
    });
    expect(plan.unchanged.map((u) => u.kind)).toEqual(['too-new']);
  });

  it('allows a version without a release time by default and says so; waits when told to', async () => {
    const tags = { tags: ['1.2.3', '1.2.4'] };
    const scan = { dependencies: [image('quay.io/acme/web', '1.2.3', 'a.yaml', 1)], problems: [] };
    const allowed = await createPlan(scan, new FakeReleaseSource({ 'quay.io/acme/web': tags }), config([{ minimumReleaseAge: '3 days' }]), { now });
    expect(allowed.updates.map((u) => u.reason)).toEqual([
      '1.2.4 is the newest minor/patch version in the same tag family (release time unknown, allowed by minimumReleaseAgeMissing: allow)',
    ]);
    const waiting = await createPlan(
      scan, new FakeReleaseSource({ 'quay.io/acme/web': tags }),
      config([{ minimumReleaseAge: '3 days', minimumReleaseAgeMissing: 'wait' }]), { now },
    );
    expect(waiting.unchanged.map((u) => u.reason)).toEqual([
      'no newer version allowed: 1.2.4 is without a release time, and minimumReleaseAgeMissing is wait',
    ]);
  });

  it('uses release times from a Helm index without asking the registry', async () => {
    const source = new FakeReleaseSource({ 'cert-manager': { tags: ['v1.15.3', 'v1.16.2'], indexTimes: { 'v1.16.2': '2026-11-10T00:00:00Z' } } });
    const scan = { dependencies: [chart('cert-manager', 'v1.15.3', 'infra/cm.yaml', 8)], problems: [] };
    const plan = await createPlan(scan, source, config([{ minimumReleaseAge: '1 day' }]), { now });
    expect(plan.unchanged.map((u) => u.reason)).toEqual([
      'no newer version allowed: v1.16.2 is too new: released 12 hours ago, minimumReleaseAge is 1 day',
    ]);
    expect(source.calls).toEqual(['releases cert-manager']);
  });

  it('lets dashboard approval bypass enabled: false and the minimum age', async () => {
    const source = new FakeReleaseSource({
      postgres: { tags: ['16.4', '16.6'], times: { '16.6': '2026-11-10T11:00:00Z' } },
      redis: { tags: ['7.2', '7.4'] },
    });
    const scan = { dependencies: [image('postgres', '16.4', 'db.yaml', 2), image('redis', '7.2', 'db.yaml', 9)], problems: [] };
    const rules = [{ match: { packageNames: ['postgres'] }, enabled: false, description: 'databases by hand' }, { minimumReleaseAge: '3 days' }];
    const plain = await createPlan(scan, source, config(rules), { now });
    expect(plain.unchanged.map((u) => [u.dependency.name, u.reason, u.kind])).toEqual([['postgres', 'disabled by rule 1 (databases by hand)', 'disabled']]);
    expect(plain.updates.map((u) => u.dependency.name)).toEqual(['redis']);
    const approved = await createPlan(scan, source, config(rules), { now, approved: new Set(['postgres']) });
    expect(approved.updates.map((u) => [u.dependency.name, u.newValue, u.reason])).toEqual([
      ['postgres', '16.6', '16.6 is the newest minor/patch version in the same tag family (approved on the dashboard)'],
      ['redis', '7.4', '7.4 is the newest minor/patch version in the same tag family (release time unknown, allowed by minimumReleaseAgeMissing: allow)'],
    ]);
  });

  it('holds back a major update that a rule disables', async () => {
    const source = new FakeReleaseSource({ node: { tags: ['20.18.0-alpine', '22.12.0-alpine'] } });
    const scan = { dependencies: [image('node', '20.18.0-alpine', 'a.yaml', 1)], problems: [] };
    const plan = await createPlan(scan, source, config([{ match: { updateTypes: ['major'] }, enabled: false }]), { now });
    expect(plan.unchanged.map((u) => [u.reason, u.kind])).toEqual([['major update to 22.12.0-alpine disabled by rule 1', 'disabled']]);
  });

  it('tells apart a version held back by allowedVersions, a pre-release, a commit-hash tag and a digest-only reference', async () => {
    const source = new FakeReleaseSource({
      'ghcr.io/acme/web': { tags: ['1.2.3', '2.0.0'] },
      'ghcr.io/acme/api': { tags: ['1.0.0', '1.1.0-rc.1'] },
      'ghcr.io/acme/ci': { tags: ['main-abc1234', 'main-def5678'] },
      'ghcr.io/acme/job': { tags: ['1.0.0'] },
    });
    const scan = {
      dependencies: [
        image('ghcr.io/acme/web', '1.2.3', 'a.yaml', 1, { controls: { allowedVersions: '<2' } }),
        image('ghcr.io/acme/api', '1.0.0', 'a.yaml', 2),
        image('ghcr.io/acme/ci', 'main-abc1234', 'a.yaml', 3),
        image('ghcr.io/acme/job', null, 'a.yaml', 4, { currentDigest: D1 }),
      ],
      problems: [],
    };
    const plan = await createPlan(scan, source, config(), { now });
    expect(plan.unchanged.map((u) => [u.kind, u.reason])).toEqual([
      ['not-allowed', 'no newer version allowed: 2.0.0 is outside allowedVersions "<2"'],
      ['not-allowed', 'no newer version allowed: 1.1.0-rc.1 is a pre-release, and the current version is stable'],
      ['not-a-version', 'current tag "main-abc1234" is a commit hash, not a version; set a versioning regex to follow it'],
      ['not-a-version', 'pinned by digest only; there is no tag to compare'],
    ]);
  });

  it('says a newer version has no digest when the reference is pinned by digest', async () => {
    const source = new FakeReleaseSource({ 'ghcr.io/acme/web': { tags: ['1.2.3', '1.2.4'], digests: { '1.2.3': D1 } } });
    const scan = { dependencies: [image('ghcr.io/acme/web', '1.2.3', 'a.yaml', 1, { currentDigest: D1 })], problems: [] };
    const plan = await createPlan(scan, source, config(), { now });
    expect(plan.unchanged.map((u) => [u.kind, u.reason])).toEqual([['no-digest', 'no digest found for 1.2.4, and the reference is pinned by digest']]);
  });

  it('follows inline allowedVersions', async () => {
    const source = new FakeReleaseSource({ 'registry.k8s.io/kube-proxy': { tags: ['v1.29.4', 'v1.29.10', 'v1.30.6'] } });
    const dep = image('registry.k8s.io/kube-proxy', 'v1.29.4', 'k.yaml', 6, { controls: { allowedVersions: '<1.30' } });
    const plan = await createPlan({ dependencies: [dep], problems: [] }, source, config(), { now });
    expect(plan.updates.map((u) => u.newValue)).toEqual(['v1.29.10']);
  });

  it('plans the same with or without --explain, and lists every candidate only for the asked-for package', async () => {
    const source = new FakeReleaseSource({
      redis: { tags: ['7.2.6-alpine', '7.4.1-alpine', '7.4.1', '8.0-M02-alpine', 'alpine'] },
      nginx: { tags: ['1.27.3', '1.28.0-rc.1', '1.27.4-alpine'] },
      'ghcr.io/acme/web': { tags: ['1.2.3', '1.3.0', '2.0.0', '2.1.0-rc.1', 'latest'] },
    });
    const scan = {
      dependencies: [
        image('redis', '7.2.6-alpine', 'r.yaml', 3), image('nginx', '1.27.3', 'n.yaml', 4), image('ghcr.io/acme/web', '1.2.3', 'w.yaml', 5),
        image('ghcr.io/acme/web', '2.0.0', 'w2.yaml', 5),
      ],
      problems: [],
    };
    const plain = await createPlan(scan, source, config(), { now });
    const explained = await createPlan(scan, source, config(), { now, explain: 'nginx' });
    const { explanations, ...rest } = explained;
    expect(rest).toEqual(plain);
    expect(plain.unchanged.find((u) => u.dependency.name === 'nginx')?.reason).toEqual('no newer version allowed: 1.28.0-rc.1 is a pre-release, and the current version is stable');
    expect(explanations?.map((e) => [e.name, e.candidates.map((c) => `${c.version} ${c.verdict}`)])).toEqual([
      ['nginx', ['1.28.0-rc.1 rejected', '1.27.3 rejected', '1.27.4-alpine rejected']],
    ]);
  });

  it('explains every candidate of the asked-for package', async () => {
    const source = new FakeReleaseSource({ redis: { tags: ['7.2.6-alpine', '7.4.1-alpine', '7.4.1', '8.0-M02-alpine', 'alpine'] } });
    const scan = { dependencies: [image('redis', '7.2.6-alpine', 'r.yaml', 3)], problems: [] };
    const plan = await createPlan(scan, source, config(), { now, explain: 'redis' });
    expect(explain(plan, 'redis')).toEqual([
      {
        file: 'r.yaml', line: 3, name: 'redis', currentValue: '7.2.6-alpine',
        outcome: 'minor update to 7.4.1-alpine: 7.4.1-alpine is the newest minor/patch version in the same tag family',
        candidates: [
          {
            version: '7.4.1-alpine', verdict: 'picked', reason: 'newest minor/patch version in the same tag family',
            reading: { family: 'X.Y.Z-alpine', version: '7.4.1', build: null },
          },
          {
            version: '7.2.6-alpine', verdict: 'rejected', reason: 'the current version', rejectKind: 'older',
            reading: { family: 'X.Y.Z-alpine', version: '7.2.6', build: null },
          },
          {
            version: '7.4.1', verdict: 'rejected', reason: 'suffix none differs from the current "alpine"', rejectKind: 'shape',
            reading: { family: 'X.Y.Z', version: '7.4.1', build: null },
          },
          {
            version: '8.0-M02-alpine', verdict: 'rejected', reason: 'has 2 version parts, the current has 3', rejectKind: 'shape',
            reading: { family: 'X.Y-alpine', version: '8.0-m.2', build: null },
          },
          { version: 'alpine', verdict: 'rejected', reason: 'floating tag, not a version', rejectKind: 'not-version' },
        ],
      },
    ]);
  });
  it('follows build counters and dates inside a family, and says when newer tags are only in another family', async () => {
    const source = new FakeReleaseSource({
      'eclipse-temurin': { tags: ['11.0.16_8-jdk', '11.0.16.1_1-jdk', '21.0.1_12-jdk', '22-jdk', '11.0.16.1_1-jre'] },
      'ghcr.io/acme/worker': { tags: ['3.10-master-777', '3.10-master-781', '3.11-develop-805', 'master'] },
    });
    const scan = {
      dependencies: [
        image('eclipse-temurin', '11.0.16_8-jdk', 'apps/api.yaml', 7, { controls: { allowedVersions: '<12' } }),
        image('eclipse-temurin', '21.0.1_12-jdk', 'apps/batch.yaml', 4),
        image('ghcr.io/acme/worker', '3.10-master-777', 'apps/worker.yaml', 9),
      ],
      problems: [],
    };
    const plan = await createPlan(scan, source, config(), { now, explain: 'eclipse-temurin' });
    expect(planToJson(plan)).toMatchObject({
      updates: [
        { file: 'apps/api.yaml', currentValue: '11.0.16_8-jdk', newValue: '11.0.16.1_1-jdk', updateType: 'patch' },
        { file: 'apps/worker.yaml', currentValue: '3.10-master-777', newValue: '3.10-master-781', updateType: 'patch' },
      ],
      unchanged: [
        { file: 'apps/batch.yaml', currentValue: '21.0.1_12-jdk', reason: 'no newer tag in the X.Y.Z_*-jdk family; newest overall 22-jdk' },
      ],
    });
    expect(plan.unchanged.map((u) => u.kind)).toEqual(['other-family']);
    expect(explanationText(explain(plan, 'eclipse-temurin')).split('\n')).toEqual([
      'apps/api.yaml:7 eclipse-temurin 11.0.16_8-jdk: patch update to 11.0.16.1_1-jdk: 11.0.16.1_1-jdk is the newest minor/patch version in the same tag family',
      '  CANDIDATE        VERDICT   FAMILY         VERSION    BUILD  REASON',
      '  21.0.1_12-jdk    rejected  X.Y.Z_*-jdk    21.0.1     12     outside allowedVersions "<12"',
      '  11.0.16.1_1-jdk  picked    X.Y.Z.W_*-jdk  11.0.16.1  1      newest minor/patch version in the same tag family',
      '  11.0.16_8-jdk    rejected  X.Y.Z_*-jdk    11.0.16    8      the current version',
      '  11.0.16.1_1-jre  rejected  X.Y.Z.W_*-jre  11.0.16.1  1      suffix "jre" differs from the current "jdk"',
      '  22-jdk           rejected  X-jdk          22         -      has 1 version parts, the current has 3',
      '',
      'apps/batch.yaml:4 eclipse-temurin 21.0.1_12-jdk: stays: no newer tag in the X.Y.Z_*-jdk family; newest overall 22-jdk',
      '  CANDIDATE        VERDICT   FAMILY         VERSION    BUILD  REASON',
      '  21.0.1_12-jdk    rejected  X.Y.Z_*-jdk    21.0.1     12     the current version',
      '  11.0.16.1_1-jdk  rejected  X.Y.Z.W_*-jdk  11.0.16.1  1      older than the current version',
      '  11.0.16_8-jdk    rejected  X.Y.Z_*-jdk    11.0.16    8      older than the current version',
      '  11.0.16.1_1-jre  rejected  X.Y.Z.W_*-jre  11.0.16.1  1      suffix "jre" differs from the current "jdk"',
      '  22-jdk           rejected  X-jdk          22         -      has 1 version parts, the current has 3',
      '',
    ]);
  });

  it('explains an image asked for by another spelling of its name', async () => {
    const source = new FakeReleaseSource({ 'docker.io/library/nginx': { tags: ['1.27.2', '1.27.3'] } });
    const scan = { dependencies: [image('docker.io/library/nginx', '1.27.2', 'n.yaml', 4)], problems: [] };
    const plan = await createPlan(scan, source, config(), { now, explain: 'nginx' });
    expect(explain(plan, 'nginx').map((e) => [e.name, e.outcome])).toEqual([
      ['docker.io/library/nginx', 'patch update to 1.27.3: 1.27.3 is the newest minor/patch version in the same tag family'],
    ]);
  });
  it('prints --json keys exactly in the documented order', async () => {
    const source = new FakeReleaseSource({ 'ghcr.io/acme/web': { tags: ['1.2.3', '1.4.0'] }, 'ghcr.io/acme/api': { tags: ['2.0.0'] } });
    const scan = {
      dependencies: [image('ghcr.io/acme/web', '1.2.3', 'a.yaml', 17), image('ghcr.io/acme/api', '2.0.0', 'a.yaml', 9)],
      problems: [{ file: 'b.yaml', line: 2, message: 'YAML syntax error' }],
    };
    const json = planToJson(await createPlan(scan, source, config(), { now })) as Record<string, Record<string, unknown>[]>;
    expect(Object.keys(json)).toEqual(['updates', 'unchanged', 'problems']);
    expect(Object.keys(json['updates']![0]!)).toEqual([
      'file', 'line', 'manager', 'name', 'currentValue', 'newValue', 'currentDigest', 'newDigest', 'updateType', 'group', 'risks', 'changes',
    ]);
    expect(Object.keys(json['unchanged']![0]!)).toEqual(['file', 'line', 'name', 'currentValue', 'reason']);
    expect(Object.keys(json['problems']![0]!)).toEqual(['file', 'line', 'message']);
  });
  it('follows the digest of a floating tag pinned by digest, and pins one only when pinDigests asks', async () => {
    const source = new FakeReleaseSource({
      nginx: { tags: ['latest', '1.27.3'], digests: { latest: D2 } },
      redis: { tags: ['latest'], digests: { latest: D1 } },
      busybox: { tags: ['latest'], digests: { latest: D3 } },
    });
    const scan = {
      dependencies: [
        image('nginx', 'latest', 'f.yaml', 1, { skipReason: 'unpinned', currentDigest: D1, digestRange: { start: 0, end: 0 } }),
        image('redis', 'latest', 'f.yaml', 2, { skipReason: 'unpinned', currentDigest: D1, digestRange: { start: 0, end: 0 } }),
        image('busybox', 'latest', 'f.yaml', 3, { skipReason: 'unpinned', digestInsertAt: 14 }),
      ],
      problems: [],
    };
    const plain = await createPlan(scan, source, config(), { now });
    expect(plain.updates.map((u) => [u.dependency.name, u.newValue, u.newDigest, u.updateType])).toEqual([['nginx', 'latest', D2, 'digest']]);
    expect(plain.unchanged.map((u) => [u.dependency.name, u.kind, u.reason])).toEqual([
      ['redis', 'up-to-date', 'floating tag "latest" is pinned to its current digest'],
      ['busybox', 'skipped', 'not pinned: "latest" is a floating tag'],
    ]);
    const pinned = await createPlan(scan, source, config([{ pinDigests: true }]), { now });
    expect(pinned.updates.map((u) => [u.dependency.name, u.newValue, u.newDigest, u.updateType])).toEqual([
      ['nginx', 'latest', D2, 'digest'],
      ['busybox', 'latest', D3, 'pin'],
    ]);
  });
});

describe('branch titles', () => {
  const u = (name: string, datasource: 'docker' | 'helm', group: string | null, updateType: 'major' | 'minor' = 'minor') =>
    ({
      dependency: { file: 'a.yaml', line: 1, manager: 'kubernetes', datasource, name, registryUrl: null, currentValue: '1.0.0', currentDigest: null, valueRange: { start: 0, end: 5 }, digestRange: null },
      newValue: updateType === 'major' ? '2.0.0' : '1.1.0', newDigest: null, updateType, group, reason: '', labels: [], reviewers: [], assignees: [], automerge: false, sourceUrl: null, homepage: null,
    }) as Update;

  it('name what a group moves and never the word "group", with branch names unchanged', () => {
    const branches = groupBranches(
      [u('web', 'docker', 'apps'), u('api', 'docker', 'apps'), u('db', 'docker', 'apps', 'major'), u('podinfo', 'helm', 'platform'), u('redis', 'docker', 'platform'), u('x', 'helm', 'infra-charts')],
      'tidemark/',
    );
    expect(branches.map((b) => [b.branchName, b.title])).toEqual([
      ['tidemark/apps', 'Update apps images'],
      ['tidemark/apps-major', 'Update apps images (major)'],
      ['tidemark/infra-charts', 'Update infra-charts'],
      ['tidemark/platform', 'Update platform images and charts'],
    ]);
    expect(prTitle(branches[0]!, { commitMessagePrefix: 'chore(deps)' })).toEqual('chore(deps): update apps images');
  });
});
