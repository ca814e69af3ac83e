import type { LinearRegex } from './pattern.js';
import { readSuffix } from './suffix.js';
import type { NotVersionKind, ParsedVersion, SchemeName } from './types.js';

/**
 * Docker tag shape: `v1.16.1`, `1.27.3-alpine3.20-perl`, `17rc1-alpine`, `7.4-rc2-alpine`, `16.4.0-debian-12-r15`,
 * `jammy-20241017`, `2024.12.0b0`. The suffix is lazy and optional-lazy so a trailing revision is read as one:
 * Bitnami `-r15`, linuxserver.io `-ls231`, k3s/rke2 `-k3s1`/`-rke2r1`, or a bare build number `1.2.3-2`.
 */
const DOCKER_TAG =
  /^(?<prefix>[vV]|[A-Za-z][A-Za-z0-9]*[-_])?(?<release>\d+(?:[._]\d+)*)(?<pre>[-.]?(?:(?:alpha|beta|rc|preview|pre|dev|milestone)(?:[-.]?\d+)?|[abmM]\d+))?(?:[-_](?<suffix>[A-Za-z0-9][A-Za-z0-9._-]*?))??(?:-(?<revStyle>r|ls|k3s|rke2r)?(?<rev>\d+))?$/i;

/**
 * A build timestamp as the version, MinIO style: `RELEASE.2024-11-07T00-52-20Z`, `RELEASE.2024-11-07T00-52-20Z.fips`,
 * `RELEASE.2024-11-07T00-52-20Z-cpuv1`. Read as the calendar version year.month.day.hour.minute.second.
 */
const TIMESTAMP_TAG =
  /^(?<prefix>[A-Za-z]+[.-])?(?<date>(?:19|20)\d{2}-\d{2}-\d{2})T(?<time>\d{2}-\d{2}-\d{2})Z(?:[.-](?<suffix>[A-Za-z0-9][A-Za-z0-9._-]*))?$/;

/** Eclipse Temurin's `17.0.10_7` (and a GA `22_36`): the version, then the build after an underscore. */
const UNDERSCORE_BUILD = /^(?<release>\d+(?:\.\d+)*)_(?<build>\d+)$/;

/** `20241118`: a valid year, month and day. */
const COMPACT_DATE = /^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;

/** Java 8's update numbering: `8u432-b06-jre` is Java 8 update 432, build 6, in the `-jre` family. */
const JAVA_UPDATE = /^(?<major>\d+)u(?<update>\d+)(?:-(?<suffix>[A-Za-z0-9][A-Za-z0-9._-]*))?$/;

/** Chart versions: semver with an optional `v`, tolerating one or two parts as Helm does (`1.2` → 1.2). */
const CHART_VERSION =
  /^(?<prefix>[vV]?)(?<release>\d+(?:\.\d+){0,2})(?:-(?<pre>[0-9A-Za-z.-]+))?(?:\+(?<build>[0-9A-Za-z.-]+))?$/;

/** Tags that move: never a target. */
const FLOATING = new Set([
  'latest', 'main', 'master', 'stable', 'edge', 'nightly', 'dev', 'develop', 'development', 'mainline', 'lts',
  'canary', 'next', 'unstable', 'current', 'testing', 'head', 'trunk', 'snapshot', 'beta', 'alpha', 'rc',
]);

/** cosign/ORAS artefacts stored as tags: `sha256-<64 hex>.sig`, `.att`, `.sbom`, or bare `sha256-<hex>`. */
const SIGNATURE = /^sha256-[0-9a-f]{64}(?:\.[a-z]+)?$/i;

/** Preview builds of a pull/merge request: `pr-123`, `pr123`, `mr-45-alpine`, `pull-7`. Another number is another PR, not a release. */
const PULL_REQUEST = /^(?:pr|mr|pull|merge-request)[-_.]?\d+(?:$|[-_.])/i;

/** A token of a tag that is a git commit: `abc1234` in `main-abc1234`, `g1a2b3c4` in `v1.2.3-4-g1a2b3c4`. */
const HASH_TOKEN = /^(?:g|sha)?(?<hex>[0-9a-f]{7,40})$/i;

/** Why `tag` is not a version at all, or null when it may be one. */
export function notVersionKind(tag: string): NotVersionKind | null {
  if (SIGNATURE.test(tag)) return 'signature';
  const tokens = tag.split(/[-_.]/);
  if (tokens.some(isHashToken)) return 'commit-hash';
  if (PULL_REQUEST.test(tag)) return 'pull-request';
  if (!/\d/.test(tag) || FLOATING.has((tokens[0] ?? '').toLowerCase())) return 'floating';
  return null;
}

function isHashToken(token: string): boolean {
  const hex = HASH_TOKEN.exec(token)?.groups?.hex;
  if (!hex) return false;
  // `20241103` is a date and `abcdefa` could be a word: a hash mixes digits and letters, or is a full 40-char SHA-1.
  return hex.length === 40 || (/\d/.test(hex) && /[a-f]/i.test(hex));
}

/**
 * The OCI tag grammar, at most 128 characters (as lookup/validate.ts checks registry tags). Checked before any other
 * regex runs, so a hostile value in a repository file (a 1 MB `1_1_1…_1!`) costs one linear scan: the patterns below
 * backtrack, and only ever see short inputs.
 */
const TAG_GRAMMAR = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * The commonest tag by far: `1.27.3`, `17`, `2024.11.0`, `20241118.1`. Read without the regexes below (to the same
 * result), as a registry's hundreds of tags per image are read once each in every run. A part of more than 20 digits
 * takes the long way: 40 digits are a commit hash.
 */
const PLAIN_TAG = /^\d{1,20}(?:\.\d{1,20})*$/;

/** Longest chart version read; Helm's own are far shorter. */
const MAX_CHART_VERSION = 128;

/**
 * A docker tag as a version, or null when it is not one. Linear in the input whatever it is: a value longer than
 * 128 characters or outside the tag grammar is not a version before anything else runs.
 * Example: `1.27.3-alpine` → release [1, 27, 3], compatibility `alpine`.
 */
export function parseDockerTag(tag: string): ParsedVersion | null {
  if (tag.length > 128 || !TAG_GRAMMAR.test(tag)) return null;
  if (PLAIN_TAG.test(tag)) return plainTag(tag);
  if (notVersionKind(tag)) return null;
  const stamp = TIMESTAMP_TAG.exec(tag)?.groups;
  if (stamp?.date && stamp.time) {
    return {
      raw: tag, prefix: stamp.prefix ?? '', release: `${stamp.date}-${stamp.time}`.split('-').map(Number), separator: 'T',
      prerelease: null, compatibility: stamp.suffix ?? '', revision: null, calendar: true,
    };
  }
  const java = JAVA_UPDATE.exec(tag)?.groups;
  if (java?.major && java.update) {
    const read = readSuffix(java.suffix ?? '');
    const release = [Number(java.major), Number(java.update)];
    return {
      raw: tag, prefix: '', release, separator: 'u', prerelease: null, compatibility: read.family, revision: null,
      ...(read.build.length > 0 ? { build: read.build } : {}), calendar: false,
    };
  }
  const g = DOCKER_TAG.exec(tag)?.groups;
  if (!g?.release) return null;
  let { release: releaseText, suffix = '', rev, revStyle = '' } = g;
  // A bare number after a suffix belongs to it (`16.4.0-debian-12` is Debian 12), unless readSuffix finds it is a build.
  if (rev !== undefined && revStyle === '' && suffix !== '') [suffix, rev] = [`${suffix}-${rev}`, undefined];
  const underscore = UNDERSCORE_BUILD.exec(releaseText)?.groups;
  if (underscore?.release && rev === undefined) [releaseText, rev, revStyle] = [underscore.release, underscore.build, '_'];
  const seps = releaseText.match(/[._]/g) ?? [];
  const separator = seps[0] ?? '.';
  if (seps.some((s) => s !== separator)) return null;
  let parts = releaseText.split(separator);
  const read = readSuffix(suffix);
  // Ubuntu's respin of a dated build: `noble-20241118.1` is 20241118, build 1 — the same family as `noble-20241015`.
  if (parts.length === 2 && separator === '.' && COMPACT_DATE.test(parts[0]!)) {
    read.build.unshift(Number(parts[1]));
    parts = parts.slice(0, 1);
  }
  return {
    raw: tag,
    prefix: g.prefix ?? '',
    release: parts.map(Number),
    separator,
    prerelease: g.pre ? splitIdentifiers(g.pre.replace(/^[-.]/, '')) : null,
    compatibility: read.family,
    revision: rev !== undefined ? Number(rev) : null,
    ...(rev !== undefined ? { revisionStyle: revStyle.toLowerCase() } : {}),
    ...(read.build.length > 0 ? { build: read.build } : {}),
    calendar: isCalendar(parts),
  };
}

/** `1.27.3` as parseDockerTag's general path reads it; `20241118.1` is Ubuntu's respin of a dated build (build 1). */
function plainTag(tag: string): ParsedVersion {
  let parts = tag.split('.');
  const build: number[] = [];
  // Only an 8-digit first part can be a date: most tags skip the regex (this runs for every tag of every package).
  if (parts.length === 2 && parts[0]!.length === 8 && COMPACT_DATE.test(parts[0]!)) {
    build.push(Number(parts[1]));
    parts = parts.slice(0, 1);
  }
  return {
    raw: tag, prefix: '', release: parts.map(Number), separator: '.', prerelease: null, compatibility: '', revision: null,
    ...(build.length > 0 ? { build } : {}), calendar: isCalendar(parts),
  };
}

/** A chart version (`1.2.3`, `v1.2`, `1.0.0-rc.1+build.5`) as a version; null past 128 characters or when unreadable. */
export function parseChartVersion(version: string): ParsedVersion | null {
  if (version.length > MAX_CHART_VERSION) return null;
  const g = CHART_VERSION.exec(version)?.groups;
  if (!g?.release) return null;
  const parts = g.release.split('.');
  return {
    raw: version,
    prefix: g.prefix ?? '',
    release: parts.map(Number),
    separator: '.',
    prerelease: g.pre ? splitIdentifiers(g.pre) : null,
    compatibility: '',
    revision: null,
    calendar: isCalendar(parts),
  };
}

export function parseVersion(value: string, scheme: SchemeName): ParsedVersion | null {
  return scheme === 'semver' ? parseChartVersion(value) : parseDockerTag(value);
}

/**
 * Reads a tag with a user's regex (rule setting `versioning`), named groups major, minor, patch, build,
 * compatibility and optionally prerelease. Example: `^main-[0-9a-f]+-(?<major>\d+)$` for `main-abc1234-1700000000`.
 */
export function parseCustom(value: string, pattern: LinearRegex): ParsedVersion | null {
  const g = pattern.groups(value);
  if (!g) return null;
  const release = [g.major, g.minor, g.patch].filter((p): p is string => p !== undefined && p !== '');
  // Only a build number (`main-abc1234-1700000000` with `(?<build>\d+)$`) is enough: it orders the tags.
  if (!release.every((p) => /^\d+$/.test(p)) || (release.length === 0 && !/^\d+$/.test(g.build ?? ''))) return null;
  return {
    raw: value,
    prefix: '',
    release: release.map(Number),
    separator: '.',
    prerelease: g.prerelease ? splitIdentifiers(g.prerelease) : null,
    compatibility: g.compatibility ?? '',
    revision: g.build !== undefined && /^\d+$/.test(g.build) ? Number(g.build) : null,
    calendar: isCalendar(release),
  };
}

/** `rc.10` → ['rc', 10]; `rc10` → ['rc', 10] so rc9 < rc10 (the semver string order gets this wrong). */
export function splitIdentifiers(pre: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of pre.split(/[.-]/)) {
    for (const run of part.match(/\d+|[^\d]+/g) ?? []) out.push(/^\d+$/.test(run) ? Number(run) : run.toLowerCase());
  }
  return out;
}

/** `2024.11.3` (a year first) or `20241103` (a compact date). */
function isCalendar(parts: string[]): boolean {
  const first = parts[0] ?? '';
  // A year has 4 characters and a compact date 8: other lengths (`1`, `27`) are neither, without running a regex.
  if (first.length === 4) return /^(19|20)\d{2}$/.test(first) && parts.length > 1;
  return first.length === 8 && COMPACT_DATE.test(first) && parts.length === 1;
}
