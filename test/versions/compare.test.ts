import { describe, expect, it } from 'vitest';
import { isVersionRange, parseDockerTag, rangeProblem, updateType } from '../../src/versions/index.js';

describe('parseDockerTag', () => {
  it('reads prefix, parts, suffix and revision of a Bitnami tag', () => {
    expect(parseDockerTag('16.4.0-debian-12-r15')).toEqual({
      raw: '16.4.0-debian-12-r15', prefix: '', release: [16, 4, 0], separator: '.', prerelease: null,
      compatibility: 'debian-12', revision: 15, revisionStyle: 'r', calendar: false,
    });
  });

  it('reads build numbers: linuxserver.io -ls, k3s, Temurin underscore, and a bare number only without a suffix', () => {
    expect(parseDockerTag('4.0.11.2680-ls258')).toMatchObject({ release: [4, 0, 11, 2680], compatibility: '', revision: 258, revisionStyle: 'ls' });
    expect(parseDockerTag('v1.29.10-k3s2')).toMatchObject({ prefix: 'v', release: [1, 29, 10], revision: 2, revisionStyle: 'k3s' });
    expect(parseDockerTag('17.0.13_11-jre')).toMatchObject({ release: [17, 0, 13], compatibility: 'jre', revision: 11, revisionStyle: '_' });
    expect(parseDockerTag('8.0.39-30')).toMatchObject({ release: [8, 0, 39], compatibility: '', revision: 30, revisionStyle: '' });
    expect(parseDockerTag('16.4.0-debian-12')).toMatchObject({ release: [16, 4, 0], compatibility: 'debian-12', revision: null });
    expect(parseDockerTag('2.479.1-jdk17')).toMatchObject({ compatibility: 'jdk17', revision: null });
    expect(parseDockerTag('1.2_3')).toMatchObject({ release: [1, 2], revision: 3, revisionStyle: '_' });
  });

  it('reads plain numeric tags (the common case, read on a shorter path) with dates, respins and commit hashes told apart', () => {
    const plain = (raw: string, release: number[], calendar: boolean) => ({
      raw, prefix: '', release, separator: '.', prerelease: null, compatibility: '', revision: null, calendar,
    });
    expect(parseDockerTag('1.27.3')).toEqual(plain('1.27.3', [1, 27, 3], false));
    expect(parseDockerTag('17')).toEqual(plain('17', [17], false));
    expect(parseDockerTag('2024.11.0')).toEqual(plain('2024.11.0', [2024, 11, 0], true));
    expect(parseDockerTag('20241118')).toEqual(plain('20241118', [20241118], true));
    // Ubuntu's respin of a dated build: the same date, build 1.
    expect(parseDockerTag('20241118.1')).toEqual({ ...plain('20241118.1', [20241118], true), build: [1] });
    expect(parseDockerTag('20241399.1')).toEqual(plain('20241399.1', [20241399, 1], false));
    // 40 digits are a full commit SHA-1, not a version.
    expect(parseDockerTag('1234567890123456789012345678901234567890')).toBeNull();
    expect(parseDockerTag(`1.${'2'.repeat(40)}`)).toBeNull();
  });

  it('reads a pre-release glued to the version and a suffix after it', () => {
    expect(parseDockerTag('17rc1-alpine')).toMatchObject({ release: [17], prerelease: ['rc', 1], compatibility: 'alpine' });
  });

  it('reads a v prefix', () => {
    expect(parseDockerTag('v1.16.1-amd64')).toMatchObject({ prefix: 'v', release: [1, 16, 1], compatibility: 'amd64' });
  });

  it('reads calendar versions', () => {
    expect(parseDockerTag('2024.12.0b0')).toMatchObject({ release: [2024, 12, 0], prerelease: ['b', 0], calendar: true });
    expect(parseDockerTag('20241103')).toMatchObject({ release: [20241103], calendar: true });
  });

  it('does not read floating, commit-hash or signature tags', () => {
    for (const tag of ['latest', 'main', 'stable-alpine', 'edge', 'main-abc1234', 'sha-9f8e7d6', `sha256-${'ab'.repeat(32)}.sig`]) {
      expect(parseDockerTag(tag)).toBeNull();
    }
  });
});

describe('updateType', () => {
  it.each([
    ['1.25', '1.27', 'docker', 'minor'],
    ['1.25.3', '1.25.4', 'docker', 'patch'],
    ['v1.15.3', 'v2.0.0', 'semver', 'major'],
    ['16.4.0-debian-12-r13', '16.4.0-debian-12-r15', 'docker', 'patch'],
    ['20241015', '20241118', 'docker', 'minor'],
    ['20241231', '20250107', 'docker', 'major'],
    ['1.2.3', '1.2.3', 'docker', null],
  ] as const)('%s → %s is %s', (from, to, scheme, expected) => {
    expect(updateType(from, to, scheme)).toEqual(expected);
  });
});

describe('ranges', () => {
  it('tells Chart.yaml ranges from plain versions', () => {
    expect(['1.x.x', '~1.2', '^1.0.0', '>=1.0.0 <2.0.0'].map(isVersionRange)).toEqual([true, true, true, true]);
    expect(['1.2.3', 'v1.2.3', '1.2'].map(isVersionRange)).toEqual([false, false, false]);
  });

  it('reports bad ranges and bad regexes', () => {
    expect(rangeProblem('<1.30')).toBeNull();
    expect(rangeProblem('/^1\\./')).toBeNull();
    expect(rangeProblem('not a range')).toEqual('invalid semver range "not a range"');
    expect(rangeProblem('/(/')).toMatch(/^invalid regex \/\(\/: Unterminated group$/);
  });
});
