import { describe, expect, it } from 'vitest';
import { dep, DIGEST, expectRoundTrip, scanOne } from './helpers.js';

const kustomization = [
  'apiVersion: kustomize.config.k8s.io/v1beta1',
  'kind: Kustomization',
  'resources:',
  '  - statefulset.yaml',
  'images:',
  '  - name: postgres',
  `    newName: awesome/postgres:11@${DIGEST}`,
  '  - name: pgbouncer',
  '    newName: registry.example.com/pgbouncer:1.22.1',
  '  - name: redis',
  `    newTag: "7.2.4@${DIGEST}"`,
  '  - name: nginx',
  '    newName: mirror.example.com/nginx # a rename only',
  '  - name: exporter',
  `    newTag: ${DIGEST}`,
  '  - name: busybox',
  '    digest: "02641143766"',
  '  - name: alpine',
  `    digest: ${'c'.repeat(64)}`,
  '',
].join('\n');

describe('kustomize image details', () => {
  it('reads tags and digests written in newName and newTag, and marks invalid ones', () => {
    const f = 'base/kustomization.yaml';
    expect(scanOne(f, kustomization).dependencies).toEqual([
      dep(f, 7, 'kustomize', 'awesome/postgres', '11', { currentDigest: DIGEST }),
      dep(f, 9, 'kustomize', 'registry.example.com/pgbouncer', '1.22.1'),
      dep(f, 11, 'kustomize', 'redis', '7.2.4', { currentDigest: DIGEST }),
      dep(f, 15, 'kustomize', 'exporter', DIGEST, { skipReason: 'invalid-value' }),
      dep(f, 17, 'kustomize', 'busybox', null, { currentDigest: '02641143766', skipReason: 'invalid-value' }),
      dep(f, 19, 'kustomize', 'alpine', null, { currentDigest: 'c'.repeat(64), skipReason: 'invalid-value' }),
    ]);
  });

  it('round-trips a bump of a tag and digest inside newName and newTag', () => {
    expect(expectRoundTrip([{ path: 'base/kustomization.yaml', text: kustomization }], 'base/kustomization.yaml')).toBe(3);
  });
});
