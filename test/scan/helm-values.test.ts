import { describe, expect, it } from 'vitest';
import { DIGEST, dep, scanOne } from './helpers.js';

const F = 'charts/app/values.yaml';

describe('helm-values scanner', () => {
  it('finds image maps at any depth: repository + tag, registry, digest, and tag@digest', () => {
    const text = `image:
  repository: ghcr.io/acme/web
  tag: 1.2.3
controllers:
  main:
    containers:
      app:
        image:
          registry: quay.io
          repository: acme/worker
          tag: "2.0.1"
          digest: ${DIGEST}
sidecar:
  image:
    repository: ghcr.io/acme/side
    tag: v0.15.2@${DIGEST}
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 3, 'helm-values', 'ghcr.io/acme/web', '1.2.3'),
        dep(F, 11, 'helm-values', 'quay.io/acme/worker', '2.0.1', { currentDigest: DIGEST }),
        dep(F, 16, 'helm-values', 'ghcr.io/acme/side', 'v0.15.2', { currentDigest: DIGEST }),
      ],
      problems: [],
    });
  });

  it('reads the image.name, repo and version variants and string images', () => {
    const text = `api:
  image:
    name: ghcr.io/acme/api
    tag: 3.1.0
cache:
  repo: docker.io/library/redis
  tag: 7.2.4
proxy:
  image:
    repository: envoyproxy/envoy
    version: v1.29.1
job:
  image: ghcr.io/acme/job:1.4
  initImage: busybox:1.36
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 4, 'helm-values', 'ghcr.io/acme/api', '3.1.0'),
      dep(F, 7, 'helm-values', 'docker.io/library/redis', '7.2.4'),
      dep(F, 11, 'helm-values', 'envoyproxy/envoy', 'v1.29.1'),
      dep(F, 13, 'helm-values', 'ghcr.io/acme/job', '1.4'),
      dep(F, 14, 'helm-values', 'busybox', '1.36'),
    ]);
  });

  it('reports an empty tag as the chart appVersion, skipped', () => {
    const text = 'image:\n  repository: registry.k8s.io/descheduler/descheduler\n  tag: ""\n';
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 1, 'helm-values', 'registry.k8s.io/descheduler/descheduler', null, { skipReason: 'chart-app-version' }),
    ]);
  });

  it('keeps 15.10 as written and leaves plain strings and env values alone', () => {
    const text = `postgres:
  image:
    repository: postgres
    tag: 15.10
env:
  - name: NOTE
    value: "image: nginx:1.0"
description: "uses image: nginx:1.0"
enabled: true
`;
    expect(scanOne(F, text).dependencies).toEqual([dep(F, 4, 'helm-values', 'postgres', '15.10')]);
  });

  it('only reads files named like values files, and not Kubernetes objects', () => {
    expect(scanOne('charts/app/config.yaml', 'image:\n  repository: x\n  tag: "1"\n').dependencies).toEqual([]);
    expect(scanOne('prod-values.yaml', 'image:\n  repository: x\n  tag: "1"\n').dependencies).toEqual([
      dep('prod-values.yaml', 3, 'helm-values', 'x', '1'),
    ]);
    // A `kind:` key alone is a chart value (descheduler's `kind: Deployment`), not a Kubernetes object.
    expect(scanOne('values.yaml', 'kind: Deployment\nimage:\n  repository: x\n  tag: "1"\n').dependencies).toEqual([
      dep('values.yaml', 4, 'helm-values', 'x', '1'),
    ]);
  });
});
