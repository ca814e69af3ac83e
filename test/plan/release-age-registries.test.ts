import { createHash } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Rule } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { createPlan } from '../../src/plan/index.js';
import type { Dependency } from '../../src/scan/types.js';

const now = new Date('2026-11-10T12:00:00Z');
const noDocker = { DOCKER_CONFIG: '/nonexistent' };
const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const hex = (c: string) => c.repeat(64);
/** The digest of what nock sends for a JSON body: by-digest reads are checked against their bytes. */
const sha256Of = (json: unknown) => `sha256:${createHash('sha256').update(JSON.stringify(json)).digest('hex')}`;

function dep(name: string, currentValue: string): Dependency {
  return {
    file: 'apps/app.yaml', line: 7, manager: 'kubernetes', datasource: 'docker', name, registryUrl: null, currentValue,
    currentDigest: null, valueRange: { start: 0, end: 0 }, digestRange: null, digestInsertAt: null,
  };
}

/**
 * A ghcr.io image as buildx pushes it: an index without annotations, a linux/amd64 child and an attestation child,
 * and `created` only in the image config blob (served from GitHub's blob storage after a redirect).
 */
function ghcrImage(repo: string, tag: string, created: string, c: string): void {
  const config = { architecture: 'amd64', os: 'linux', created, config: { Labels: {} }, rootfs: { type: 'layers', diff_ids: [] } };
  const manifest = { schemaVersion: 2, mediaType: MANIFEST, config: { mediaType: CONFIG, digest: sha256Of(config), size: 1 }, layers: [] };
  const index = {
    schemaVersion: 2, mediaType: INDEX,
    manifests: [
      { mediaType: MANIFEST, digest: sha256Of(manifest), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: MANIFEST, digest: `sha256:${hex('f')}`, size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
    ],
  };
  nock('https://ghcr.io')
    .get(`/v2/${repo}/manifests/${tag}`).reply(200, index, { 'content-type': INDEX })
    .get(`/v2/${repo}/manifests/${sha256Of(manifest)}`).reply(200, manifest, { 'content-type': MANIFEST })
    .get(`/v2/${repo}/blobs/${manifest.config.digest}`).reply(307, '', { location: `https://pkg-containers.githubusercontent.com/ghcr1/blobs/${c}` });
  nock('https://pkg-containers.githubusercontent.com')
    .get(`/ghcr1/blobs/${c}`)
    .reply(200, config);
}

function tagList(repo: string, tags: string[]): void {
  nock('https://ghcr.io')
    .get(`/v2/${repo}/tags/list?n=1000`)
    .reply(401, {}, { 'www-authenticate': `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:${repo}:pull"` })
    .get('/token').query({ service: 'ghcr.io', scope: `repository:${repo}:pull` }).reply(200, { token: 'djE6YW5vbg==' })
    .get(`/v2/${repo}/tags/list?n=1000`).reply(200, { name: repo, tags });
}

async function plan(name: string, current: string, rules: Rule[]) {
  const source = createReleaseSource({ config: DEFAULT_CONFIG, cacheDir: null, logger: silentLogger, env: noDocker });
  const p = await createPlan({ dependencies: [dep(name, current)], problems: [] }, source, { ...DEFAULT_CONFIG, rules }, { now });
  return {
    updates: p.updates.map((u) => ({ newValue: u.newValue, reason: u.reason })),
    unchanged: p.unchanged.map((u) => ({ kind: u.kind, reason: u.reason })),
  };
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('minimumReleaseAge with release times only in the image config', () => {
  it('holds back a ghcr.io tag built yesterday and takes the previous one, reading created from the config blob', async () => {
    tagList('acme/web', ['1.2.3', '1.3.0', '1.4.0', 'sha256-' + hex('9') + '.sig']);
    ghcrImage('acme/web', '1.4.0', '2026-11-09T12:00:00Z', 'a');
    ghcrImage('acme/web', '1.3.0', '2026-10-01T08:00:00Z', 'b');
    expect(await plan('ghcr.io/acme/web', '1.2.3', [{ minimumReleaseAge: '3 days' }])).toEqual({
      updates: [{ newValue: '1.3.0', reason: '1.3.0 is the newest minor/patch version in the same tag family' }],
      unchanged: [],
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it.each([
    ['the epoch (ko, Nix)', '1970-01-01T00:00:00Z'],
    ['one second after the epoch (Nix dockerTools)', '1970-01-01T00:00:01Z'],
    ["Buildpacks' fixed 1980 date", '1980-01-01T00:00:01Z'],
    ["Go's zero time", '0001-01-01T00:00:00Z'],
  ])('treats %s as an unknown release time, not as decades old', async (_what, created) => {
    tagList('acme/repro', ['1.0.0', '1.1.0']);
    ghcrImage('acme/repro', '1.1.0', created, 'c');
    expect(await plan('ghcr.io/acme/repro', '1.0.0', [{ minimumReleaseAge: '3 days', minimumReleaseAgeMissing: 'wait' }])).toEqual({
      updates: [],
      unchanged: [{ kind: 'too-new', reason: 'no newer version allowed: 1.1.0 is without a release time, and minimumReleaseAgeMissing is wait' }],
    });
  });
});
