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

  it('reads ingress-nginx image maps {registry, image, tag, digest}; an empty digest is no digest', () => {
    const text = `controller:
  image:
    chroot: false
    registry: registry.k8s.io
    image: ingress-nginx/controller
    tag: "v1.10.0"
    digest: ${DIGEST}
    digestChroot: ${DIGEST}
    pullPolicy: IfNotPresent
  admissionWebhooks:
    patch:
      image:
        registry: registry.k8s.io
        image: ingress-nginx/kube-webhook-certgen
        tag: v1.4.0
        digest: ""
defaultBackend:
  image:
    registry: registry.k8s.io
    image: defaultbackend-amd64
    tag: ""
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 6, 'helm-values', 'registry.k8s.io/ingress-nginx/controller', 'v1.10.0', { currentDigest: DIGEST }),
        dep(F, 15, 'helm-values', 'registry.k8s.io/ingress-nginx/kube-webhook-certgen', 'v1.4.0'),
        dep(F, 20, 'helm-values', 'registry.k8s.io/defaultbackend-amd64', null, { skipReason: 'chart-app-version' }),
      ],
      problems: [],
    });
  });

  it('reads a string image without tag whose tag or imageTag is a sibling key, and keeps scanning the map', () => {
    const text = `image: docker.elastic.co/elasticsearch/elasticsearch
imageTag: "8.5.1"
imagePullPolicy: IfNotPresent
busy:
  image: busybox
  tag: "1.36"
tagged:
  image: nginx:1.25.4
  tag: ignored
loose:
  image: alpine
  version: "3.19"
sidecars:
  exporter:
    image:
      repository: prom/exporter
      tag: v0.15.0
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 2, 'helm-values', 'docker.elastic.co/elasticsearch/elasticsearch', '8.5.1'),
      dep(F, 6, 'helm-values', 'busybox', '1.36'),
      dep(F, 8, 'helm-values', 'nginx', '1.25.4'),
      dep(F, 11, 'helm-values', 'alpine', null, { skipReason: 'unpinned' }),
      dep(F, 17, 'helm-values', 'prom/exporter', 'v0.15.0'),
    ]);
  });

  it('reads versions and images written as one-line block scalars, with ranges on the content line', () => {
    const text = `web:
  image:
    repository: ghcr.io/acme/web
    tag: |-
      1.4.2
job:
  image: >-
    alpine:3.19
clip:
  image:
    repository: ghcr.io/acme/clip
    tag: |
      2.0.0

spread:
  image:
    repository: ghcr.io/acme/spread
    tag: |
      1.0
      2.0
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 5, 'helm-values', 'ghcr.io/acme/web', '1.4.2'),
        dep(F, 8, 'helm-values', 'alpine', '3.19'),
        dep(F, 13, 'helm-values', 'ghcr.io/acme/clip', '2.0.0'),
        dep(F, 16, 'helm-values', 'ghcr.io/acme/spread', null, { skipReason: 'invalid-value' }),
      ],
      problems: [],
    });
  });

  it('reads the common chart layouts: bitnami, kube-prometheus-stack and app-template', () => {
    const text = `image:
  registry: docker.io
  repository: bitnami/redis
  tag: 7.2.4-debian-12-r9
  digest: ""
prometheus:
  prometheusSpec:
    image:
      registry: quay.io
      repository: prometheus/prometheus
      tag: v2.51.1
      sha: ""
controllers:
  main:
    containers:
      app:
        image:
          repository: ghcr.io/onedr0p/sonarr
          tag: 4.0.2.1183@${DIGEST}
      exporter:
        image: {repository: ghcr.io/onedr0p/exportarr, tag: v2.0.0}
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 4, 'helm-values', 'docker.io/bitnami/redis', '7.2.4-debian-12-r9'),
      dep(F, 11, 'helm-values', 'quay.io/prometheus/prometheus', 'v2.51.1'),
      dep(F, 19, 'helm-values', 'ghcr.io/onedr0p/sonarr', '4.0.2.1183', { currentDigest: DIGEST }),
      dep(F, 21, 'helm-values', 'ghcr.io/onedr0p/exportarr', 'v2.0.0'),
    ]);
  });

  it('reads a version shared through an anchor once, at the anchor, for every image that aliases it', () => {
    const F = 'values.yaml';
    const text = `server:
  image:
    repository: ghcr.io/goauthentik/server
    tag: &tag 2024.8.1
worker:
  image:
    repository: ghcr.io/goauthentik/server
    tag: *tag
version: &v "1.2.3"
app:
  image: {repository: ghcr.io/acme/app, tag: *v}
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 4, 'helm-values', 'ghcr.io/goauthentik/server', '2024.8.1'),
      dep(F, 9, 'helm-values', 'ghcr.io/acme/app', '1.2.3'),
    ]);
  });

  it('reports a tag that is not a valid image tag as invalid-value: a # without a space before it is part of the value', () => {
    const F = 'values.yaml';
    const text = 'image:\n  repository: ghcr.io/acme/app\n  tag: 3.0.0# pinned\n';
    expect(scanOne(F, text).dependencies).toEqual([dep(F, 3, 'helm-values', 'ghcr.io/acme/app', '3.0.0# pinned', { skipReason: 'invalid-value' })]);
  });

  it('reads image maps that take keys from a merge key (<<: *defaults), the merged tag at its anchor', () => {
    const F = 'values.yaml';
    const text = `defaults: &defaults
  repository: ghcr.io/acme/app
  tag: 1.4.0
  pullPolicy: IfNotPresent
api:
  image:
    <<: *defaults
    tag: 1.5.0
worker:
  image:
    <<: *defaults
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 3, 'helm-values', 'ghcr.io/acme/app', '1.4.0'),
      dep(F, 8, 'helm-values', 'ghcr.io/acme/app', '1.5.0'),
    ]);
  });

  it('scans a long chain of merge keys without walking the chain again at every link', () => {
    const lines = ['m0: &m0 {repository: ghcr.io/acme/app, tag: 1.0.0}'];
    for (let i = 1; i < 2000; i++) lines.push(`m${i}: &m${i}\n  <<: *m${i - 1}\n  k${i}: v`);
    const started = Date.now();
    const result = scanOne('values.yaml', lines.join('\n') + '\n');
    expect(result.dependencies).toEqual([dep('values.yaml', 1, 'helm-values', 'ghcr.io/acme/app', '1.0.0')]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
