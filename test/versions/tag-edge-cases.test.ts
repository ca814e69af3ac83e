import { describe, expect, it } from 'vitest';
import { pickTarget, type PickedTarget } from '../../src/versions/index.js';
import { major, minor, patch } from '../helpers/version-tags.js';

const sig = (c: string, ext: string) => `sha256-${c.repeat(64)}.${ext}`;

/** Tag lists shaped like real registries: what a careful human would pick, and why nothing moves otherwise. */
const cases: { title: string; current: string; tags: string[]; targets: PickedTarget[]; reason?: string }[] = [
  {
    title: 'an unsuffixed tag never moves to an arch-suffixed one',
    current: '1.2.3', tags: ['1.2.3', '1.2.4-amd64', '1.2.4-arm64', '1.2.4-arm64v8', '1.2.4-ppc64le', '1.2.4-s390x'],
    targets: [], reason: 'no newer tag in the X.Y.Z family; newest overall 1.2.4-amd64',
  },
  { title: 'an arch-suffixed tag stays on its arch', current: '1.2.3-arm64', tags: ['1.2.4-amd64', '1.2.4-arm64', '1.2.4'], targets: [patch('1.2.4-arm64')] },
  {
    title: 'signature, attestation and SBOM tags, latest, nightly, main-<sha> and pr-<n> are never picked',
    current: 'v1.2.3',
    tags: ['v1.2.3', sig('a', 'sig'), sig('b', 'att'), sig('c', 'sbom'), 'latest', 'nightly', 'main-3f2a91c', 'pr-123', 'pr-124', 'v1.2.4'],
    targets: [patch('v1.2.4')],
  },
  { title: 'a v-prefixed tag stays prefixed in a mixed list', current: 'v1.2.3', tags: ['1.9.0', 'v1.3.0', '2.0.0'], targets: [minor('v1.3.0')] },
  { title: 'an unprefixed tag stays unprefixed in a mixed list', current: '1.2.3', tags: ['v1.9.0', '1.3.0', 'v2.0.0'], targets: [minor('1.3.0')] },
  { title: 'four-part versions compare part by part', current: '1.2.3.4', tags: ['1.2.3.10', '1.2.4.0', '1.3.0', '1.2.3.4'], targets: [patch('1.2.4.0')] },
  { title: 'numbers compare as numbers, not as text (1.10 after 1.9)', current: '1.9.2', tags: ['1.10.0', '1.9.10', '1.9.9'], targets: [minor('1.10.0')] },
  { title: 'zero-padded calver compares by value', current: '2024.01.05', tags: ['2024.01.15', '2024.02.01', '2023.12.31', '2024.09.30'], targets: [minor('2024.09.30')] },
  {
    title: 'a semver tag does not jump to a calendar version that sorts above it',
    current: '3.2.1', tags: ['3.2.2', '2019.10.1', '2018.1.0', '20190101'], targets: [patch('3.2.2')],
  },
  {
    title: 'a calendar tag does not jump to an old semver tag',
    current: '2024.10.1', tags: ['2024.11.0', '2025.1.0', '99.0.0', '3.0.0'], targets: [minor('2024.11.0'), major('2025.1.0')],
  },
  {
    title: 'very old tags with larger numbers but another shape are left alone',
    current: '1.27.3', tags: ['1.27.4', '1.9', '99', '0.9.9-old', '1.27.4.1'], targets: [patch('1.27.4')],
  },
  { title: 'a pull-request preview tag is not a version to follow', current: 'pr-123', tags: ['pr-124', 'pr-200', '1.0.0'], targets: [], reason: 'current value "pr-123" is a pull-request preview tag, not a version' },
];

describe('pickTarget on edge-case tag lists', () => {
  it.each(cases)('$title', ({ current, tags, targets, reason }) => {
    const result = pickTarget(current, tags, { scheme: 'docker' });
    expect(result.targets).toEqual(targets);
    if (reason !== undefined) expect(result.reason).toEqual(reason);
  });

  it('picks the newest version from a Docker Hub sized list of thousands of tags, fast', () => {
    const tags: string[] = [];
    for (let major = 1; major <= 30; major++) {
      for (let minor = 0; minor < 30; minor++) {
        for (const suffix of ['', '-alpine', '-bookworm', '-bookworm-slim', '-alpine3.20']) tags.push(`${major}.${minor}.0${suffix}`);
        tags.push(sig((major % 10).toString(), 'sig'));
      }
    }
    const started = performance.now();
    const result = pickTarget('20.5.0-alpine', tags, { scheme: 'docker' });
    expect(result.targets).toEqual([minor('20.29.0-alpine'), major('30.29.0-alpine')]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('pickTarget on Helm chart versions', () => {
  const chart = (current: string, versions: string[], extra = {}) => pickTarget(current, versions, { scheme: 'semver', ...extra }).targets;

  it('follows a chart whose index switched between v-prefixed and plain versions, in either direction', () => {
    expect(chart('1.2.3', ['1.2.3', 'v1.3.0', 'v2.0.0'])).toEqual([minor('v1.3.0'), major('v2.0.0')]);
    expect(chart('v1.2.3', ['v1.2.3', '1.2.4'])).toEqual([patch('1.2.4')]);
  });

  it('prefers the current spelling when an index lists the same version both ways', () => {
    expect(chart('v1.2.3', ['1.3.0', 'v1.3.0'])).toEqual([minor('v1.3.0')]);
    expect(chart('1.2.3', ['v1.3.0', '1.3.0'])).toEqual([minor('1.3.0')]);
  });

  it('skips chart pre-releases unless the current one is a pre-release of the same version or the rules allow them', () => {
    expect(chart('1.2.3', ['1.3.0-rc.1', '1.2.4-beta.1', '1.2.3'])).toEqual([]);
    expect(chart('1.3.0-rc.1', ['1.3.0-rc.2', '1.4.0-rc.1'])).toEqual([patch('1.3.0-rc.2')]);
    expect(chart('1.2.3', ['1.3.0-rc.1'], { allowPrerelease: true })).toEqual([minor('1.3.0-rc.1')]);
  });

  it('reads OCI chart versions with build metadata (pushed as tags with _) as the same release', () => {
    expect(chart('1.2.3+build.1', ['1.2.3+build.1', '1.2.3+build.2', '1.2.4+build.1'])).toEqual([patch('1.2.4+build.1')]);
  });
});

describe('pickTarget on timestamp tags', () => {
  const minio = [
    'RELEASE.2024-10-02T17-50-41Z', 'RELEASE.2024-10-13T13-34-11Z', 'RELEASE.2024-11-07T00-52-20Z', 'RELEASE.2024-11-07T00-52-20Z.fips',
    'RELEASE.2024-11-07T00-52-20Z-cpuv1', 'RELEASE.2025-01-20T14-49-07Z-cpuv1', 'latest', 'latest-cicd', `sha256-${'d'.repeat(64)}.sig`,
  ];

  it.each([
    ['RELEASE.2024-10-02T17-50-41Z', [minor('RELEASE.2024-11-07T00-52-20Z')]],
    ['RELEASE.2024-10-02T17-50-41Z.fips', [minor('RELEASE.2024-11-07T00-52-20Z.fips')]],
    ['RELEASE.2024-10-02T17-50-41Z-cpuv1', [minor('RELEASE.2024-11-07T00-52-20Z-cpuv1'), major('RELEASE.2025-01-20T14-49-07Z-cpuv1')]],
    ['RELEASE.2024-11-07T00-52-20Z', []],
  ])('MinIO %s moves within its variant', (current, targets) => {
    expect(pickTarget(current, minio, { scheme: 'docker' }).targets).toEqual(targets);
  });
});
