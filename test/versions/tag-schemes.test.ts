import { describe, expect, it } from 'vitest';
import { parseDockerTag, pickTarget, readingOf, TagIndex, updateType, type PickPolicy, type PickedTarget } from '../../src/versions/index.js';
import { major, minor, patch, tags } from '../helpers/version-tags.js';

interface Case {
  title: string;
  fixture: string;
  current: string;
  policy?: Partial<PickPolicy>;
  targets: PickedTarget[];
  /** Why nothing moves (null when something does). */
  reason: string | null;
}

/** Tag schemes where a number after the version is a build, a date or a KB number, not part of the family. */
const cases: Case[] = [
  {
    title: 'openjdk early access: the newest build of 21-ea, and 22-ea as the major',
    fixture: 'openjdk-ea', current: '21-ea-32', targets: [patch('21-ea-35'), major('22-ea-7')], reason: null,
  },
  {
    title: 'openjdk early access on Windows: the build moves, windowsservercore-1809 stays (not ltsc2022, not nanoserver)',
    fixture: 'openjdk-ea', current: '22-ea-6-windowsservercore-1809', targets: [patch('22-ea-7-windowsservercore-1809')], reason: null,
  },
  {
    title: 'openjdk early access: the -jdk-oraclelinux8 variant keeps its words',
    fixture: 'openjdk-ea', current: '21-ea-33-jdk-oraclelinux8',
    targets: [patch('21-ea-35-jdk-oraclelinux8'), major('22-ea-7-jdk-oraclelinux8')], reason: null,
  },
  {
    title: 'openjdk early access: a variant only 21 had says where newer builds are',
    fixture: 'openjdk-ea', current: '21-ea-35-slim-bookworm', targets: [],
    reason: 'no newer tag in the X-ea-*-slim-bookworm family; newest overall 22-ea-7',
  },
  { title: 'openjdk early access: the newest build is up to date', fixture: 'openjdk-ea', current: '22-ea-7', targets: [], reason: 'up to date' },
  {
    title: 'owasp modsecurity-crs: the build timestamp orders builds, apache stays apache (not alpine, not nginx)',
    fixture: 'modsecurity-crs', current: '4.7.0-apache-202410090910', targets: [minor('4.8.0-apache-202411071011')], reason: null,
  },
  {
    title: 'owasp modsecurity-crs: a newer build of the same version is a patch',
    fixture: 'modsecurity-crs', current: '4.8.0-apache-202411050105', targets: [patch('4.8.0-apache-202411071011')], reason: null,
  },
  {
    title: 'owasp modsecurity-crs: the 3.3 line and the 4.x major, both nginx',
    fixture: 'modsecurity-crs', current: '3.3.5-nginx-202402140602',
    targets: [patch('3.3.6-nginx-202406141002'), major('4.8.0-nginx-202411071011')], reason: null,
  },
  {
    title: '.NET Framework: the newest monthly build of 4.8.1 on ltsc2022',
    fixture: 'dotnet-framework-sdk', current: '4.8.1-20250909-windowsservercore-ltsc2022',
    targets: [patch('4.8.1-20251014-windowsservercore-ltsc2022')], reason: null,
  },
  {
    title: '.NET Framework: 4.8 stays on 4.8 (4.8.1 ships beside it with the same dates) and on ltsc2019',
    fixture: 'dotnet-framework-sdk', current: '4.8-20250812-windowsservercore-ltsc2019',
    targets: [patch('4.8-20251014-windowsservercore-ltsc2019')], reason: null,
  },
  {
    title: '.NET Framework: 4.8 on ltsc2022 does not jump to 4.8.1',
    fixture: 'dotnet-framework-sdk', current: '4.8-20250812-windowsservercore-ltsc2022',
    targets: [patch('4.8-20251014-windowsservercore-ltsc2022')], reason: null,
  },
  {
    title: 'Windows Server Core: the newest KB of 1803, and 1809 as the major',
    fixture: 'windows-servercore', current: '1803-KB4487017', targets: [patch('1803-KB4499167'), major('1809-KB4493509')], reason: null,
  },
  {
    title: 'UBI: a timestamped build moves to the next build of 8.7 (the build may lose its timestamp)',
    fixture: 'ubi-minimal', current: '8.7-923.1669829893', policy: { allowedVersions: '<8.8' }, targets: [patch('8.7-1049')], reason: null,
  },
  {
    title: 'UBI: the newest minor with its newest build', fixture: 'ubi-minimal', current: '8.7-923.1669829893',
    targets: [minor('8.10-1052.1724178568')], reason: null,
  },
  {
    title: 'UBI: 8.10 is newer than 8.9, and a plain minor stays plain', fixture: 'ubi-minimal', current: '8.7', targets: [minor('8.10')], reason: null,
  },
  {
    title: 'version-release: 7.1-0.1 moves to the newest release of 7.2, not its first',
    fixture: 'version-release', current: '7.1-0.1', targets: [minor('7.2-0.3')], reason: null,
  },
  {
    title: 'CI builds: the newest master build of the newest version', fixture: 'ci-branch-builds', current: '3.10-master-777',
    targets: [minor('3.11-master-802')], reason: null,
  },
  {
    title: 'CI builds: master never moves to develop builds, however new', fixture: 'ci-branch-builds', current: '3.11-master-802',
    targets: [], reason: 'up to date',
  },
  {
    title: 'Temurin: 11.0.16_8 moves to the 11.0.16.1_1 point release', fixture: 'eclipse-temurin-history', current: '11.0.16_8-jre',
    targets: [patch('11.0.16.1_1-jre')], reason: null,
  },
  {
    title: 'Temurin: the point release 11.0.16.1_1 moves on to 11.0.17_8', fixture: 'eclipse-temurin-history', current: '11.0.16.1_1-jdk',
    policy: { allowedVersions: '<12' }, targets: [patch('11.0.17_8-jdk')], reason: null,
  },
  {
    title: 'Temurin: 11 moves to its newest update, and to the newest 21 as the major',
    fixture: 'eclipse-temurin-history', current: '11.0.16_8-jdk', targets: [patch('11.0.17_8-jdk'), major('21.0.1_12-jdk')], reason: null,
  },
  {
    title: 'Temurin: nothing newer in -jdk builds, the floating 22-jdk is elsewhere', fixture: 'eclipse-temurin-history',
    current: '21.0.1_12-jdk', targets: [], reason: 'no newer tag in the X.Y.Z_*-jdk family; newest overall 22-jdk',
  },
  {
    title: 'Temurin 8: update 432 build 6 after update 345 build 1, still -jdk', fixture: 'eclipse-temurin-history', current: '8u345-b01-jdk',
    targets: [minor('8u432-b06-jdk')], reason: null,
  },
  {
    title: 'Temurin: the GA tag 21_35 moves to the 21.0.1_12 update', fixture: 'eclipse-temurin-history', current: '21_35-jdk',
    targets: [patch('21.0.1_12-jdk')], reason: null,
  },
  {
    title: 'ubuntu: a dated tag moves to a respin (.1) of a later date', fixture: 'ubuntu-respins', current: 'noble-20241015',
    policy: { allowedVersions: '/^noble-2024/' }, targets: [minor('noble-20241118.1')], reason: null,
  },
  {
    title: 'ubuntu: a respin moves to a later plain date', fixture: 'ubuntu-respins', current: 'jammy-20240911.1',
    targets: [minor('jammy-20241119')], reason: null,
  },
];

describe('pickTarget on real tag schemes with builds, dates and precision changes', () => {
  it.each(cases)('$title', ({ fixture, current, policy, targets, reason }) => {
    const result = pickTarget(current, tags(fixture), { scheme: 'docker', ...policy });
    expect({ targets: result.targets, reason: result.reason }).toEqual({ targets, reason });
  });
});

describe('how a tag reads: family, version and build', () => {
  it.each([
    ['3.10-master-777', { family: 'X.Y-master-*', version: '3.10', build: '777' }],
    ['22-ea-7-windowsservercore-1809', { family: 'X-ea-*-windowsservercore-1809', version: '22', build: '7' }],
    ['4.8.1-20251014-windowsservercore-ltsc2022', { family: 'X.Y.Z-*-windowsservercore-ltsc2022', version: '4.8.1', build: '20251014' }],
    ['1803-KB4487017', { family: 'X-KB*', version: '1803', build: '4487017' }],
    ['7.2-0.1', { family: 'X.Y-*', version: '7.2', build: '0.1' }],
    ['8.7-923.1669829893', { family: 'X.Y-*', version: '8.7', build: '923.1669829893' }],
    ['8.7-1049', { family: 'X.Y-*', version: '8.7', build: '1049' }],
    ['11.0.16.1_1-jdk', { family: 'X.Y.Z.W_*-jdk', version: '11.0.16.1', build: '1' }],
    ['8u432-b06-jre', { family: 'XuY-b*-jre', version: '8u432', build: '6' }],
    ['4.8.0-apache-alpine-202411071011', { family: 'X.Y.Z-apache-alpine-*', version: '4.8.0', build: '202411071011' }],
    ['noble-20241118.1', { family: 'noble-YYYYMMDD', version: '20241118', build: '1' }],
    ['16.4.0-debian-12-r15', { family: 'X.Y.Z-debian-12-r*', version: '16.4.0', build: '15' }],
    ['1.27.3-alpine3.20-perl', { family: 'X.Y.Z-alpine3.20-perl', version: '1.27.3', build: null }],
    ['7.4-rc2-alpine', { family: 'X.Y-alpine', version: '7.4-rc.2', build: null }],
    ['v1.29.10-k3s2', { family: 'vX.Y.Z-k3s*', version: '1.29.10', build: '2' }],
  ])('%s', (tag, reading) => {
    expect(readingOf(parseDockerTag(tag)!)).toEqual(reading);
  });

  it('keeps a number that names the distribution or Windows version in the family', () => {
    expect(parseDockerTag('16.4.0-debian-12')).toMatchObject({ compatibility: 'debian-12', revision: null });
    expect(parseDockerTag('22-ea-7-windowsservercore-1809')).toMatchObject({ compatibility: 'ea-*-windowsservercore-1809', build: [7] });
    expect(parseDockerTag('2.479.1-jdk17')).toMatchObject({ compatibility: 'jdk17' });
    expect(parseDockerTag('2.479.1-jdk17')).not.toHaveProperty('build');
  });

  it('gives every candidate its reading in the verdicts', () => {
    const result = pickTarget('3.10-master-777', ['3.10-master-777', '3.11-master-790', '3.11-develop-805', 'master'], { scheme: 'docker' });
    expect(result.verdicts).toEqual([
      {
        version: '3.11-master-790', verdict: 'picked', reason: 'newest minor/patch version in the same tag family',
        reading: { family: 'X.Y-master-*', version: '3.11', build: '790' },
      },
      {
        version: '3.10-master-777', verdict: 'rejected', reason: 'the current version', rejectKind: 'older',
        reading: { family: 'X.Y-master-*', version: '3.10', build: '777' },
      },
      {
        version: '3.11-develop-805', verdict: 'rejected', reason: 'suffix "develop-*" differs from the current "master-*"', rejectKind: 'shape',
        reading: { family: 'X.Y-develop-*', version: '3.11', build: '805' },
      },
      { version: 'master', verdict: 'rejected', reason: 'floating tag, not a version', rejectKind: 'not-version' },
    ]);
  });

  it('names the other family and its newest version when nothing newer is in the current one', () => {
    const result = pickTarget('11.0.16_8-jdk', ['11.0.16_8-jdk', '17-jdk', '22-jdk', '22-jre', '23-ea-3-jdk'], { scheme: 'docker' });
    expect(result).toMatchObject({ targets: [], elsewhere: { family: 'X.Y.Z_*-jdk', newest: '22-jdk' } });
  });
});

describe('TagIndex', () => {
  it('reads a package\'s tags once however many references pick from it', () => {
    const index = new TagIndex(tags('openjdk-ea'));
    let reads = 0;
    const parse = (tag: string) => {
      reads++;
      return parseDockerTag(tag);
    };
    const first = index.read('docker', parse);
    expect(index.read('docker', parse)).toBe(first);
    expect(reads).toEqual(new Set(tags('openjdk-ea')).size);
  });

  it('picks the same targets from an index as from the plain list', () => {
    const index = new TagIndex(tags('eclipse-temurin-history'));
    for (const current of ['11.0.16_8-jdk', '11.0.16_8-jre', '8u345-b01-jdk', '21_35-jdk']) {
      const policy = { scheme: 'docker' } as const;
      expect(pickTarget(current, index, policy)).toEqual(pickTarget(current, tags('eclipse-temurin-history'), policy));
    }
  });
});

describe('tag reading under a hostile registry', () => {
  it('reads a family built to make the precision check quadratic (its cost is in npm run bench)', () => {
    const many: string[] = ['1.0_999999-jdk'];
    for (let i = 1; i <= 10_000; i++) many.push(`1.0_${i}-jdk`, `1.0.${i}_999999-jdk`);
    const result = pickTarget('1.0.5_999999-jdk', new TagIndex(many), { scheme: 'docker' });
    expect(result.targets).toEqual([patch('1.0.10000_999999-jdk')]);
  });
});

describe('update type of a build-only change', () => {
  it.each([
    ['4.8.1-20250909-windowsservercore-ltsc2022', '4.8.1-20251014-windowsservercore-ltsc2022', 'patch'],
    ['1803-KB4487017', '1803-KB4499167', 'patch'],
    ['21-ea-32', '21-ea-35', 'patch'],
    ['8.7-923.1669829893', '8.7-1049', 'patch'],
    ['4.8.0-apache-202412311500', '4.8.0-apache-202501020900', 'patch'],
    ['1803-KB4499167', '1809-KB4493509', 'major'],
  ] as const)('%s → %s is %s', (from, to, expected) => {
    expect(updateType(from, to)).toEqual(expected);
  });
});
