import { describe, expect, it } from 'vitest';
import { pickTarget, type PickPolicy, type PickedTarget } from '../../src/versions/index.js';
import { major, minor, patch, tags } from '../helpers/version-tags.js';

interface Case {
  title: string;
  fixture: string;
  current: string;
  policy?: Partial<PickPolicy>;
  targets: PickedTarget[];
  reason?: string | null;
}

const cases: Case[] = [
  { title: 'nginx: a plain tag moves to the newest plain tag', fixture: 'nginx', current: '1.25.3', targets: [minor('1.27.3')] },
  { title: 'nginx: an -alpine tag stays alpine', fixture: 'nginx', current: '1.25.5-alpine', targets: [minor('1.27.3-alpine')] },
  { title: 'nginx: a two-part tag keeps its precision', fixture: 'nginx', current: '1.25-alpine', targets: [minor('1.27-alpine')] },
  { title: 'nginx: the -alpine-perl variant stays in its family', fixture: 'nginx', current: '1.26.2-alpine-perl', targets: [minor('1.27.3-alpine-perl')] },
  { title: 'nginx: the newest plain tag is up to date', fixture: 'nginx', current: '1.27.3', targets: [], reason: 'up to date' },
  {
    title: 'node: a minor/patch update and a separate major update, both alpine',
    fixture: 'node', current: '20.18.0-alpine', targets: [patch('20.18.1-alpine'), major('23.3.0-alpine')],
  },
  {
    title: 'node: with separateMajor off only the newest overall',
    fixture: 'node', current: '20.18.0-alpine', policy: { separateMajor: false }, targets: [major('23.3.0-alpine')],
  },
  {
    title: 'node: -bookworm-slim does not jump to -slim',
    fixture: 'node', current: '20.18.0-bookworm-slim', targets: [patch('20.18.1-bookworm-slim'), major('22.12.0-bookworm-slim')],
  },
  { title: 'node: a major-only tag moves to the newest major-only tag', fixture: 'node', current: '20-alpine', targets: [major('23-alpine')] },
  {
    title: 'node: allowedVersions holds back the major',
    fixture: 'node', current: '20.18.0-alpine', policy: { allowedVersions: '<21' }, targets: [patch('20.18.1-alpine')],
  },
  { title: 'postgres: 15.10 is newer than 15.9', fixture: 'postgres', current: '15.9', targets: [minor('15.10'), major('17.2')] },
  { title: 'postgres: two-part alpine tags', fixture: 'postgres', current: '16.4-alpine', targets: [minor('16.6-alpine'), major('17.2-alpine')] },
  { title: 'redis: a patch tag with alpine', fixture: 'redis', current: '7.2.6-alpine', targets: [minor('7.4.1-alpine')] },
  { title: 'redis: a stable tag skips the 8.0 milestone', fixture: 'redis', current: '7.2', targets: [minor('7.4')] },
  { title: 'redis: a release candidate moves to its release, not to another pre-release', fixture: 'redis', current: '7.4-rc1', targets: [patch('7.4')] },
  {
    title: 'bitnami: a revision-suffixed tag moves to the newest revision of the newest version',
    fixture: 'bitnami-postgresql', current: '16.4.0-debian-12-r13', targets: [minor('16.6.0-debian-12-r10'), major('17.2.0-debian-12-r3')],
  },
  {
    title: 'bitnami: revisions compare as numbers (r10 after r2)',
    fixture: 'bitnami-postgresql', current: '16.6.0-debian-12-r2', policy: { separateMajor: false }, targets: [major('17.2.0-debian-12-r3')],
  },
  {
    title: 'bitnami: a revision-less tag stays revision-less',
    fixture: 'bitnami-postgresql', current: '16.4.0', targets: [minor('16.6.0')],
  },
  { title: 'grafana: 10.4.12 is newer than 10.4.2', fixture: 'grafana', current: '10.4.2', targets: [patch('10.4.12'), major('11.3.1')] },
  { title: 'grafana: the -ubuntu variant stays ubuntu', fixture: 'grafana', current: '11.3.0-ubuntu', targets: [patch('11.3.1-ubuntu')] },
  {
    title: 'cert-manager: keeps the v prefix and skips alphas and arch tags',
    fixture: 'cert-manager-controller', current: 'v1.15.3', targets: [minor('v1.16.2')],
  },
  {
    title: 'cert-manager: the chart keeps its v prefix',
    fixture: 'cert-manager-chart', current: 'v1.15.3', policy: { scheme: 'semver' }, targets: [minor('v1.16.2')],
  },
  {
    title: 'cert-manager: the chart takes pre-releases when the rules allow them',
    fixture: 'cert-manager-chart', current: 'v1.16.2', policy: { scheme: 'semver', allowPrerelease: true }, targets: [minor('v1.17.0-alpha.0')],
  },
  { title: 'calver: home-assistant moves to the newest stable month', fixture: 'home-assistant', current: '2024.11.3', targets: [minor('2024.12.1')] },
  { title: 'calver: a dated ubuntu tag stays on its release name', fixture: 'ubuntu', current: 'noble-20241015', targets: [minor('noble-20241118')] },
  { title: 'ci image: a version tag ignores commit-hash tags', fixture: 'ci-image', current: '1.4.0', targets: [patch('1.4.1')] },
  {
    title: 'ci image: a commit-hash tag is not followed without a versioning regex',
    fixture: 'ci-image', current: 'main-abc1234', targets: [],
    reason: 'current tag "main-abc1234" is a commit hash, not a version; set a versioning regex to follow it',
  },
  {
    title: 'ci image: a versioning regex with a build number follows the newest build',
    fixture: 'ci-image', current: 'main-abc1234-1700000000', policy: { versioning: '^main-[0-9a-f]+-(?<build>\\d+)$' },
    targets: [patch('main-def5678-1700003600')],
  },
  { title: 'rc ordering: rc10 comes after rc9', fixture: 'rc-chart', current: '1.0.0-rc9', policy: { scheme: 'semver' }, targets: [patch('1.0.0-rc10')] },
  {
    title: 'rc spelling: -rc1 moves to -rc2, not to the equal -rc.2', fixture: 'rc-mixed', current: '2.0.0-rc1', targets: [patch('2.0.0-rc2')],
  },
  {
    title: 'rc spelling: -rc.1 moves to -rc.2, not to the equal -rc2', fixture: 'rc-mixed', current: '2.0.0-rc.1', targets: [patch('2.0.0-rc.2')],
  },
  {
    title: 'rc spelling: a chart -rc.1 moves to -rc.2', fixture: 'rc-mixed', current: '2.0.0-rc.1', policy: { scheme: 'semver' },
    targets: [patch('2.0.0-rc.2')],
  },
  {
    title: 'temurin: an underscore build number is read as a build of the version',
    fixture: 'eclipse-temurin', current: '17.0.10_7-jre', targets: [patch('17.0.13_11-jre'), major('23.0.1_11-jre')],
  },
  {
    title: 'temurin: the -jre-jammy variant stays jammy',
    fixture: 'eclipse-temurin', current: '17.0.12_7-jre', policy: { allowedVersions: '<18' }, targets: [patch('17.0.13_11-jre')],
  },
  {
    title: 'temurin: a major-only tag moves to the newest major-only tag', fixture: 'eclipse-temurin', current: '17-jre', targets: [major('21-jre')],
  },
  {
    title: 'linuxserver.io: -ls build numbers compare as numbers and move with the version',
    fixture: 'linuxserver-sonarr', current: '4.0.9.2244-ls254', targets: [patch('4.0.11.2680-ls258')],
  },
  {
    title: 'linuxserver.io: a newer -ls build of the same version is an update',
    fixture: 'linuxserver-sonarr', current: '4.0.10.2544-ls255', policy: { allowedVersions: '<4.0.11' }, targets: [patch('4.0.10.2544-ls256')],
  },
  {
    title: 'k3s: moves to the newest -k3s1 release; arch and rc tags are not candidates',
    fixture: 'k3s', current: 'v1.29.10-k3s1', targets: [minor('v1.31.2-k3s1')],
  },
  {
    title: 'k3s: within one minor, the newest -k3sN build', fixture: 'k3s', current: 'v1.29.9-k3s1', policy: { allowedVersions: '<1.30' },
    targets: [patch('v1.29.10-k3s2')],
  },
  {
    title: 'percona: a bare build number (8.0.39-30) stays on build-numbered tags',
    fixture: 'percona-server', current: '8.0.36-28', targets: [minor('8.4.3-3')],
  },
  {
    title: 'percona: a plain version does not jump to a build-numbered tag', fixture: 'percona-server', current: '8.0.36', targets: [patch('8.0.39')],
  },
  {
    title: 'calver: zero-padded months order numerically (2025.01.10 after 2025.01.2)',
    fixture: 'calver-padded', current: '2024.11.3', targets: [minor('2024.12.1'), major('2025.01.10')],
  },
  {
    title: '0.x: 0.10.0 is newer than 0.9.12, and the v-prefixed tag is another family',
    fixture: 'zero-major', current: '0.9.1', targets: [minor('0.10.1')],
  },
  {
    title: '0.x: a chart stays off the 1.0.0 release candidate, and reads v0.11.0 as the semver Helm sees',
    fixture: 'zero-major', current: '0.8.2', policy: { scheme: 'semver' }, targets: [minor('v0.11.0')],
  },
];

describe('pickTarget on real tag lists', () => {
  it.each(cases)('$title', ({ fixture, current, policy, targets, reason }) => {
    const result = pickTarget(current, tags(fixture), { scheme: 'docker', ...policy });
    expect(result.targets).toEqual(targets);
    if (reason !== undefined) expect(result.reason).toEqual(reason);
  });
});

describe('pickTarget without every verdict (planning a dependency nobody asked to --explain)', () => {
  const heldBack = [
    { title: 'a newer version held back as too new', current: '1.27.3', values: ['1.27.3', '1.28.0', '1.28.1'], policy: { blocked: new Map([['1.28.0', 'too new'], ['1.28.1', 'too new']]) } },
    { title: 'pre-releases held back, newest first', current: '1.2.0', values: ['1.2.0', '1.3.0-rc.1', '1.3.0-rc.2', '1.3.0-beta.1'], policy: {} },
    { title: 'allowedVersions holding back every newer version', current: '1.29.0', values: ['1.29.0', '1.30.1', '1.31.0'], policy: { allowedVersions: '<1.30' } },
    { title: 'newer only in another family', current: '1.25-alpine', values: ['1.25-alpine', '1.27.3-alpine', '1.28-slim'], policy: {} },
    { title: 'a current value that is no version', current: 'latest', values: ['latest', '1.0.0'], policy: {} },
  ];
  const all = [
    ...cases.map((c) => ({ title: c.title, current: c.current, values: tags(c.fixture), policy: c.policy ?? {} })),
    ...heldBack,
  ];
  it.each(all)('$title: same targets and reason, and the verdicts the outcome reads', ({ current, values, policy }) => {
    const full = pickTarget(current, values, { scheme: 'docker', ...policy });
    const lean = pickTarget(current, values, { scheme: 'docker', ...policy, allVerdicts: false });
    const { verdicts: fullVerdicts, ...fullRest } = full;
    const { verdicts: leanVerdicts, ...leanRest } = lean;
    expect(leanRest).toEqual(fullRest);
    const decisive = fullVerdicts.filter((v) => v.verdict === 'picked');
    const held = full.targets.length === 0 && full.current ? fullVerdicts.find((v) => ['prerelease', 'allowed-versions', 'blocked'].includes(v.rejectKind ?? '')) : undefined;
    expect(leanVerdicts).toEqual(held ? [held] : decisive);
  });
});

describe('pickTarget verdicts', () => {
  it('explains every nginx candidate in a stable order', () => {
    const result = pickTarget('1.26.2-alpine', tags('nginx'), { scheme: 'docker' });
    const byVersion = Object.fromEntries(result.verdicts.map((v) => [v.version, `${v.verdict}: ${v.reason}`]));
    expect(byVersion).toMatchObject({
      '1.27.3-alpine': 'picked: newest minor/patch version in the same tag family',
      '1.26.2-alpine': 'rejected: the current version',
      '1.25.5-alpine': 'rejected: older than the current version',
      '1.27.3-alpine3.20': 'rejected: suffix "alpine3.20" differs from the current "alpine"',
      '1.27-alpine': 'rejected: has 2 version parts, the current has 3',
      '1.27.3': 'rejected: suffix none differs from the current "alpine"',
      'mainline-alpine': 'rejected: floating tag, not a version',
      latest: 'rejected: floating tag, not a version',
    });
    expect(result.verdicts.map((v) => v.version).slice(0, 3)).toEqual(['1.27.3-alpine', '1.26.2-alpine', '1.25.5-alpine']);
    expect(result.verdicts).toHaveLength(tags('nginx').length);
  });

  it('rejects signature and attestation tags and alphas with reasons', () => {
    const result = pickTarget('v1.15.3', tags('cert-manager-controller'), { scheme: 'docker' });
    const reasons = Object.fromEntries(result.verdicts.map((v) => [v.version, v.reason]));
    expect(reasons[`sha256-${'3f1e'.repeat(16)}.sig`]).toEqual('signature or attestation tag');
    expect(reasons[`sha256-${'3f1e'.repeat(16)}.att`]).toEqual('signature or attestation tag');
    expect(reasons['v1.17.0-alpha.0']).toEqual('a pre-release, and the current version is stable');
    expect(reasons['v1.16.1-amd64']).toEqual('suffix "amd64" differs from the current none');
    expect(reasons['v1.16.1']).toEqual('newer, but v1.16.2 is preferred');
  });

  it('rejects commit-hash tags', () => {
    const result = pickTarget('1.4.0', tags('ci-image'), { scheme: 'docker' });
    const hashes = result.verdicts.filter((v) => v.reason === 'commit-hash tag, not a version').map((v) => v.version);
    expect(hashes).toEqual([
      'main-0a1b2c3-1699990000', 'main-abc1234', 'main-abc1234-1700000000', 'main-def5678', 'main-def5678-1700003600',
      'pr-42-0a1b2c3', 'sha-9f8e7d6',
    ]);
  });

  it('says which newer version the rules held back', () => {
    const result = pickTarget('1.27.3', ['1.27.3', '1.28.0'], { scheme: 'docker', blocked: new Map([['1.28.0', 'too new']]) });
    expect(result).toMatchObject({ targets: [], reason: 'no newer version allowed: 1.28.0 is too new' });
  });

  it('says when allowedVersions holds back every newer version', () => {
    const result = pickTarget('1.29.0', ['1.29.0', '1.30.1'], { scheme: 'docker', allowedVersions: '<1.30' });
    expect(result.reason).toEqual('no newer version allowed: 1.30.1 is outside allowedVersions "<1.30"');
  });

  it('takes allowedVersions as a regex', () => {
    const result = pickTarget('1.2.0', ['1.2.0', '1.3.0', '1.4.0'], { scheme: 'docker', allowedVersions: '/^1\\.3\\./' });
    expect(result.targets).toEqual([minor('1.3.0')]);
  });

  it('orders dotted release candidates numerically', () => {
    const result = pickTarget('1.0.0-rc.9', ['1.0.0-rc.1', '1.0.0-rc.10', '1.0.0-rc.9', '1.0.0-rc.2'], { scheme: 'semver' });
    expect(result.targets).toEqual([patch('1.0.0-rc.10')]);
  });

  it('reports a floating current tag', () => {
    expect(pickTarget('latest', ['1.0.0'], { scheme: 'docker' }).reason).toEqual('current value "latest" is a floating tag, not a version');
  });
});
