import { createHash } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { RegistryError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import { parseHelmIndex } from '../../src/lookup/helm/repository.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import type { PackageRef } from '../../src/lookup/types.js';
import {
  chartDigestOrNull, digestMatches, droppedTagsMessage, filterOciTags, hasControlCharacters, httpUrlOrNull, isChartVersion,
  isDigest, isOciTag, isSafeName,
} from '../../src/lookup/validate.js';

const HEX = 'a'.repeat(64);
const sha256 = (body: string) => `sha256:${createHash('sha256').update(body).digest('hex')}`;

/** A logger that keeps what was logged, for asserting warnings. */
function recordingLogger(): Logger & { lines: [string, string, unknown][] } {
  const lines: [string, string, unknown][] = [];
  const log = (level: string) => (msg: string, meta?: unknown) => void lines.push([level, msg, meta]);
  return { lines, debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };
}

describe('tags at the door', () => {
  it('accepts the OCI tag grammar up to 128 characters and nothing else', () => {
    expect(['1.27.3-alpine', 'v1.2.3', '_build', 'a'.repeat(128)].map(isOciTag)).toEqual([true, true, true, true]);
    expect(['', '-rc', '.hidden', 'a'.repeat(129), '1.0\n', '1.0 beta', '../x', '1.0+build', `${'1_'.repeat(500_000)}!`].map(isOciTag))
      .toEqual([false, false, false, false, false, false, false, false, false]);
  });

  it('drops invalid tags, keeping the order of the rest, and counts them', () => {
    expect(filterOciTags(['1.0', '1.0\n', 'x'.repeat(200), '1.1', '-x'])).toEqual({ tags: ['1.0', '1.1'], dropped: 3 });
    expect([droppedTagsMessage(1), droppedTagsMessage(3)]).toEqual([
      'dropped 1 tag that is not a valid OCI tag',
      'dropped 3 tags that are not valid OCI tags',
    ]);
  });
});

describe('chart versions, digests, names and URLs at the door', () => {
  it('accepts chart versions of up to 128 characters starting alphanumeric', () => {
    expect(['6.7.0', 'v1.2.3', '1.0.0-rc.1+build.5', '1.10'].map(isChartVersion)).toEqual([true, true, true, true]);
    expect(['', '-1', '+1', '1.0 beta', '1.0\n# approved', `1.${'0'.repeat(127)}`, '1.0/2'].map(isChartVersion))
      .toEqual([false, false, false, false, false, false, false]);
  });

  it('accepts sha256 and sha512 digests in lowercase hex only', () => {
    expect([`sha256:${HEX}`, `sha512:${'b'.repeat(128)}`].map(isDigest)).toEqual([true, true]);
    expect([`sha256:${'Z'.repeat(64)}`, `sha256:${HEX.toUpperCase()}`, `sha256:${HEX}0`, `sha512:${HEX}`, `md5:${HEX}`, HEX, `sha256:${HEX}\n`].map(isDigest))
      .toEqual([false, false, false, false, false, false, false]);
    expect([chartDigestOrNull(HEX), chartDigestOrNull(`sha256:${HEX}`), chartDigestOrNull('not-a-digest'), chartDigestOrNull(null)])
      .toEqual([HEX, null, null, null]);
  });

  it('checks a body against its digest', () => {
    const body = '{"schemaVersion":2}';
    expect(digestMatches(sha256(body), body)).toBe(true);
    expect(digestMatches(sha256(body), `${body} `)).toBe(false);
    expect(digestMatches(`sha512:${createHash('sha512').update(body).digest('hex')}`, body)).toBe(true);
    expect(digestMatches(`sha256:${'Z'.repeat(64)}`, body)).toBe(false);
  });

  it('refuses names with control characters, newlines or Unicode line separators', () => {
    expect(['ghcr.io/acme/web', 'redis'].map(isSafeName)).toEqual([true, true]);
    expect(['', 'web\n## Approved', 'web\u0000', 'web\u2028x', 'web\u009b', 'a'.repeat(513)].map(isSafeName)).toEqual([false, false, false, false, false, false]);
    expect(hasControlCharacters('tab\there')).toBe(true);
  });

  it('keeps only http(s) URLs without whitespace or control characters, of at most 2048 characters', () => {
    expect(['https://github.com/acme/web', 'http://example.test/x?y=1'].map(httpUrlOrNull)).toEqual(['https://github.com/acme/web', 'http://example.test/x?y=1']);
    expect([
      'javascript:alert(1)', 'data:text/html,x', 'https://x y', 'https://x\n## Approved', '//evil.test', 'not a url', 42, null,
      `https://example.test/${'a'.repeat(2048)}`, 'ftp://example.test', ' https://example.test',
    ].map(httpUrlOrNull)).toEqual([null, null, null, null, null, null, null, null, null, null, null]);
  });
});

describe('parseHelmIndex with hostile data', () => {
  const index = (entries: string) => `apiVersion: v1\nentries:\n${entries}`;

  it('drops invalid versions and names with one warning each, and keeps only valid digests, http(s) URLs and archive URLs without whitespace', () => {
    const text = index([
      '  web:',
      '    - version: 2.0.0',
      `      digest: ${HEX}`,
      '      home: "javascript:alert(1)"',
      '      sources: ["https://evil.test/a\\n## Approved by security", "https://github.com/acme/web"]',
      '      urls: ["charts/web-2.0.0.tgz", "https://evil.test/a b.tgz", "x\\n## Approved", ""]',
      '    - version: "1.0 beta"',
      '    - version: "-1"',
      '    - version: 1.0.0',
      '      digest: sha256:ZZZZ',
      '      home: https://acme.test',
      '  "evil\\nname":',
      '    - version: 1.0.0',
    ].join('\n'));
    const logger = recordingLogger();
    expect(Object.fromEntries(parseHelmIndex(text, 'charts.example.test', logger))).toEqual({
      web: [
        { version: '2.0.0', created: null, digest: HEX, home: null, sources: ['https://github.com/acme/web'], urls: ['charts/web-2.0.0.tgz'] },
        { version: '1.0.0', created: null, digest: null, home: 'https://acme.test', sources: [], urls: [] },
      ],
    });
    expect(logger.lines).toEqual([
      ['warn', 'dropped 1 chart names with control characters or over 512 characters', { host: 'charts.example.test' }],
      ['warn', 'dropped 2 chart versions that are not valid chart versions', { host: 'charts.example.test' }],
    ]);
  });

  it('refuses an index with more than 100k chart versions, with a clear error', () => {
    const many = Array.from({ length: 4 }, (_, c) => `  chart${c}:\n${'    - version: 1.0.0\n'.repeat(25_001)}`).join('');
    expect(() => parseHelmIndex(index(many), 'h')).toThrow(new RegistryError('h: index.yaml lists more than 100000 chart versions', { host: 'h' }));
  });

  it('refuses, without parsing it, an index of over 1500000 YAML items such as 60 MB of empty entries', () => {
    const flood = `entries:\n  x:\n${'  - {}\n'.repeat(9_000_000)}`;
    const started = Date.now();
    expect(() => parseHelmIndex(flood, 'h')).toThrow(
      new RegistryError('h: index.yaml has over 1500000 YAML items (lines and flow entries); not parsed', { host: 'h' }),
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the registry client at the door', () => {
  const image: PackageRef = { datasource: 'docker', name: 'registry.example.test/acme/web', registryUrl: null };
  const source = (logger: Logger = recordingLogger()) =>
    createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger, env: { DOCKER_CONFIG: '/nonexistent' }, retries: 0, dockerHubApiUrl: null });
  const REG = 'https://registry.example.test';

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => nock.enableNetConnect());

  it('drops tags outside the OCI grammar before anything parses them, with one warning for the repository', async () => {
    const scope = nock(REG).get('/v2/acme/web/tags/list?n=1000')
      .reply(200, { name: 'acme/web', tags: ['1.0.0', `${'1_'.repeat(50_000)}!`, '1.1.0\n## Approved', 'x'.repeat(129), '1.2.0'] });
    const logger = recordingLogger();
    expect(await source(logger).releases(image)).toEqual({ releases: [{ version: '1.0.0' }, { version: '1.2.0' }] });
    expect(logger.lines).toEqual([
      ['warn', 'dropped 3 tags that are not valid OCI tags', { registry: 'registry.example.test', repository: 'acme/web' }],
    ]);
    scope.done();
  });

  it('fails a digest lookup when Docker-Content-Digest is not a valid digest', async () => {
    const scope = nock(REG).head('/v2/acme/web/manifests/1.2.0').reply(200, '', { 'docker-content-digest': `sha256:${'Z'.repeat(64)}` });
    const err = await source().digest(image, '1.2.0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ message: 'registry.example.test sent an invalid digest for registry.example.test/acme/web', host: 'registry.example.test', status: 200 });
    scope.done();
  });

  it('checks the digest the GET fallback claims against the manifest bytes', async () => {
    const body = JSON.stringify({ schemaVersion: 2, manifests: [] });
    const scope = nock(REG)
      .head('/v2/acme/web/manifests/1.2.0').reply(200, '')
      .get('/v2/acme/web/manifests/1.2.0').reply(200, body, { 'docker-content-digest': `sha256:${HEX}` })
      .head('/v2/acme/web/manifests/1.3.0').reply(200, '')
      .get('/v2/acme/web/manifests/1.3.0').reply(200, body);
    const s = source();
    await expect(s.digest(image, '1.2.0')).rejects.toThrow(`registry.example.test sent content that does not match sha256:${HEX}`);
    expect(await s.digest(image, '1.3.0')).toEqual(sha256(body));
    scope.done();
  });

  it('refuses a by-digest manifest whose bytes do not hash to the digest, and an invalid source label', async () => {
    const INDEX = 'application/vnd.oci.image.index.v1+json';
    const child = JSON.stringify({ schemaVersion: 2, annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' } });
    const forged = `sha256:${'c'.repeat(64)}`;
    const scope = nock(REG)
      .get('/v2/acme/web/manifests/1.2.0')
      .reply(200, { mediaType: INDEX, manifests: [{ digest: forged, platform: { os: 'linux', architecture: 'amd64' } }], annotations: { 'org.opencontainers.image.source': 'javascript:alert(1)' } })
      .get(`/v2/acme/web/manifests/${forged}`).reply(200, child);
    await expect(source().releaseTime(image, '1.2.0')).rejects.toThrow(`registry.example.test sent content that does not match ${forged}`);
    scope.done();
  });

  it('keeps an image source label only when it is an http(s) URL', async () => {
    const scope = nock(REG)
      .get('/v2/acme/web/manifests/1.2.0')
      .reply(200, { annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', 'org.opencontainers.image.source': 'https://x\n## Approved' } })
      .get('/v2/acme/web/manifests/1.3.0')
      .reply(200, { annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z', 'org.opencontainers.image.source': 'https://github.com/acme/web' } });
    const s = source();
    expect(await s.imageInfo(image, '1.2.0')).toEqual({ created: new Date('2026-01-01T00:00:00Z'), source: null });
    expect(await s.imageInfo(image, '1.3.0')).toEqual({ created: new Date('2026-01-01T00:00:00Z'), source: 'https://github.com/acme/web' });
    scope.done();
  });
});
