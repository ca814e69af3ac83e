import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/config/types.js';
import { applyUpdates } from '../../src/edit/index.js';
import { createPlan } from '../../src/plan/index.js';
import { scanFiles } from '../../src/scan/index.js';
import { FakeReleaseSource } from '../plan/fake-source.js';
import { dep, DIGEST, expectRoundTrip, scanOne } from './helpers.js';

const D2 = `sha256:${'b'.repeat(64)}`;

const job = [
  'apiVersion: batch/v1',
  'kind: Job',
  'metadata:',
  '  name: db-migrate',
  'spec:',
  '  template:',
  '    spec:',
  '      initContainers:',
  `        - image: alpine:latest@${DIGEST}`,
  '          name: wait',
  '      containers:',
  `        - image: "ghcr.io/acme/migrate:main@${DIGEST}"`,
  '          name: migrate',
  '        - image: busybox:latest',
  '          name: debug',
  '',
].join('\n');

describe('digest-pinned floating tags', () => {
  it('reports a floating tag pinned by digest as a dependency with its tag and digest', () => {
    expect(scanOne('jobs/migrate.yaml', job).dependencies).toEqual([
      dep('jobs/migrate.yaml', 9, 'kubernetes', 'alpine', 'latest', { currentDigest: DIGEST }),
      dep('jobs/migrate.yaml', 12, 'kubernetes', 'ghcr.io/acme/migrate', 'main', { currentDigest: DIGEST }),
      dep('jobs/migrate.yaml', 14, 'kubernetes', 'busybox', 'latest', { skipReason: 'unpinned' }),
    ]);
  });

  it('reads a floating tag with a digest in an image map and in a kustomize newTag', () => {
    const values = ['sidecar:', '  image:', '    repository: ghcr.io/acme/sidecar', '    tag: edge', `    digest: ${DIGEST}`, ''].join('\n');
    expect(scanOne('values.yaml', values).dependencies).toEqual([
      dep('values.yaml', 4, 'helm-values', 'ghcr.io/acme/sidecar', 'edge', { currentDigest: DIGEST }),
    ]);
    const kust = ['images:', '  - name: redis', `    newTag: latest@${DIGEST}`, ''].join('\n');
    expect(scanOne('kustomization.yaml', kust).dependencies).toEqual([
      dep('kustomization.yaml', 3, 'kustomize', 'redis', 'latest', { currentDigest: DIGEST }),
    ]);
  });

  it('plans a digest update for a floating tag whose digest moved, and the editor writes it', async () => {
    const scan = scanFiles([{ path: 'jobs/migrate.yaml', text: job }]);
    const source = new FakeReleaseSource({
      alpine: { tags: ['latest', '3.20.3'], digests: { latest: D2 } },
      'ghcr.io/acme/migrate': { tags: ['main'], digests: { main: DIGEST } },
    });
    const plan = await createPlan(scan, source, DEFAULT_CONFIG, { now: new Date('2026-11-10T12:00:00Z') });
    expect(plan.updates.map((u) => [u.dependency.name, u.newValue, u.newDigest, u.updateType])).toEqual([['alpine', 'latest', D2, 'digest']]);
    const edited = applyUpdates('jobs/migrate.yaml', job, plan.updates);
    expect(edited.text).toBe(job.replace(`alpine:latest@${DIGEST}`, `alpine:latest@${D2}`));
  });

  it('round-trips a bump of every digest-pinned floating tag', () => {
    expect(expectRoundTrip([{ path: 'jobs/migrate.yaml', text: job }], 'jobs/migrate.yaml')).toBe(2);
  });
});
