import { describe, expect, it } from 'vitest';
import { DIGEST, dep, scanJson } from './helpers.js';

const fileOf = (d: object): string => (d as { file: string }).file;
const BASE = 'charts/app/values.yaml';
const PROD = 'charts/app/values-prod.yaml';
const STAGING = 'charts/app/values-staging.yaml';

const base = `image:
  repository: ghcr.io/acme/app
  tag: 1.2.3
worker:
  image:
    registry: quay.io
    repository: acme/worker
    tag: ""
proxy:
  image: docker.io/envoyproxy/envoy
  tag: v1.29.1
`;

describe('helm-values environment files that override only the tag', () => {
  it('names the retagged image from the base values.yaml, in each environment file', () => {
    const files = [
      { path: BASE, text: base },
      { path: PROD, text: 'replicas: 3\nimage:\n  tag: 1.4.0\n' },
      { path: STAGING, text: 'image:\n  tag: "1.5.0-rc.1"\n  pullPolicy: Always\n' },
    ];
    expect(scanJson(files)).toEqual({
      dependencies: [
        dep(PROD, 3, 'helm-values', 'ghcr.io/acme/app', '1.4.0'),
        dep(STAGING, 2, 'helm-values', 'ghcr.io/acme/app', '1.5.0-rc.1'),
        dep(BASE, 3, 'helm-values', 'ghcr.io/acme/app', '1.2.3'),
        dep(BASE, 5, 'helm-values', 'quay.io/acme/worker', null, { skipReason: 'chart-app-version' }),
        dep(BASE, 11, 'helm-values', 'docker.io/envoyproxy/envoy', 'v1.29.1'),
      ],
      problems: [],
    });
  });

  it('reports an override of an appVersion tag, a digest, tag@digest and a sibling-tag string image', () => {
    const prod = `worker:
  image:
    tag: 2.0.1
    digest: ${DIGEST}
proxy:
  tag: 'v1.30.0'
`;
    const dev = `image:
  tag: 1.3.0@${DIGEST}
worker:
  image:
    digest: ${DIGEST}
`;
    const files = [
      { path: BASE, text: base },
      { path: PROD, text: prod },
      { path: 'charts/app/dev-values.yaml', text: dev },
    ];
    expect(scanJson(files).dependencies.filter((d) => fileOf(d) !== BASE)).toEqual([
      dep('charts/app/dev-values.yaml', 2, 'helm-values', 'ghcr.io/acme/app', '1.3.0', { currentDigest: DIGEST }),
      dep('charts/app/dev-values.yaml', 5, 'helm-values', 'quay.io/acme/worker', null, { currentDigest: DIGEST }),
      dep(PROD, 3, 'helm-values', 'quay.io/acme/worker', '2.0.1', { currentDigest: DIGEST }),
      dep(PROD, 6, 'helm-values', 'docker.io/envoyproxy/envoy', 'v1.30.0'),
    ]);
  });

  it('reports nothing for a tag at a path the base has no image at, or under a list, or an empty tag', () => {
    const prod = `sidecar:
  image:
    tag: 9.9.9
image:
  tag: ""
jobs:
  - image:
      tag: 1.0.0
`;
    const baseWithList = base + 'jobs:\n  - image:\n      repository: ghcr.io/acme/job\n      tag: 0.1.0\n';
    const files = [
      { path: BASE, text: baseWithList },
      { path: PROD, text: prod },
    ];
    expect(scanJson(files).dependencies.filter((d) => fileOf(d) === PROD)).toEqual([]);
  });

  it('reports nothing for an override scanned without its base, or with a base in another directory', () => {
    const prod = { path: PROD, text: 'image:\n  tag: 1.4.0\n' };
    expect(scanJson([prod])).toEqual({ dependencies: [], problems: [] });
    expect(scanJson([{ path: 'charts/other/values.yaml', text: base }, prod]).dependencies.filter((d) => fileOf(d) === PROD)).toEqual([]);
  });

  it('leaves an override that names its own image to the usual rules, and skips a templated base name', () => {
    const templated = 'image:\n  repository: "{{ .Values.global.registry }}/app"\n  tag: 1.0.0\n';
    const prod = 'image:\n  tag: 1.4.0\n';
    expect(
      scanJson([
        { path: BASE, text: templated },
        { path: PROD, text: prod },
      ]).dependencies.filter((d) => fileOf(d) === PROD),
    ).toEqual([]);
    const own = 'image:\n  repository: ghcr.io/acme/app-fips\n  tag: 1.4.0\n';
    expect(
      scanJson([
        { path: BASE, text: base },
        { path: PROD, text: own },
      ]).dependencies.filter((d) => fileOf(d) === PROD),
    ).toEqual([dep(PROD, 3, 'helm-values', 'ghcr.io/acme/app-fips', '1.4.0')]);
  });

  it('reads the version key the base uses and a values.yml base', () => {
    const yml = 'proxy:\n  image:\n    repository: envoyproxy/envoy\n    version: v1.29.1\n';
    const prod = 'proxy:\n  image:\n    version: v1.30.2\n';
    expect(
      scanJson([
        { path: 'app/values-prod.yml', text: prod },
        { path: 'app/values.yml', text: yml },
      ]).dependencies,
    ).toEqual([dep('app/values-prod.yml', 3, 'helm-values', 'envoyproxy/envoy', 'v1.30.2'), dep('app/values.yml', 4, 'helm-values', 'envoyproxy/envoy', 'v1.29.1')]);
  });
});

describe('values given to a local chart by a HelmRelease or an Argo CD Application', () => {
  const chart = { path: 'charts/app/Chart.yaml', text: 'apiVersion: v2\nname: app\nversion: 0.1.0\n' };
  const values = { path: 'charts/app/values.yaml', text: base };

  it('names a tag-only image in HelmRelease.spec.values from the local chart values.yaml', () => {
    const release = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app, namespace: apps}
spec:
  chart:
    spec:
      chart: ./charts/app
      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}
  values:
    image:
      tag: 1.4.0
    proxy:
      tag: v1.30.0
`;
    const F = 'clusters/prod/app.yaml';
    expect(scanJson([chart, values, { path: F, text: release }]).dependencies.filter((d) => fileOf(d) === F)).toEqual([
      dep(F, 7, 'flux', './charts/app', null, { datasource: 'helm', skipReason: 'local-chart' }),
      dep(F, 11, 'helm-values', 'ghcr.io/acme/app', '1.4.0'),
      dep(F, 13, 'helm-values', 'docker.io/envoyproxy/envoy', 'v1.30.0'),
    ]);
  });

  it('leaves tag-only values alone for a chart from a Helm repository', () => {
    const release = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: app}
spec:
  chart:
    spec: {chart: app, version: 1.0.0, sourceRef: {kind: HelmRepository, name: acme}}
  values:
    image: {tag: 1.4.0}
`;
    const F = 'clusters/prod/app.yaml';
    expect(scanJson([chart, values, { path: F, text: release }]).dependencies.filter((d) => fileOf(d) === F)).toEqual([
      dep(F, 6, 'flux', 'app', '1.0.0', { datasource: 'helm', skipReason: 'unresolved-source' }),
    ]);
  });

  it('names a tag-only image in an Argo CD valuesObject for a path source in the repository, and not for a remote chart', () => {
    const app = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: app}
spec:
  sources:
    - repoURL: https://github.com/acme/gitops.git
      path: charts/app
      helm:
        valuesObject:
          image: {tag: "1.4.0"}
    - repoURL: https://charts.acme.io
      chart: app
      targetRevision: 1.0.0
      helm:
        valuesObject:
          image: {tag: "1.5.0"}
`;
    const F = 'argocd/app.yaml';
    expect(scanJson([{ path: F, text: app }, chart, values]).dependencies.filter((d) => fileOf(d) === F)).toEqual([
      dep(F, 10, 'helm-values', 'ghcr.io/acme/app', '1.4.0'),
      dep(F, 13, 'argocd', 'app', '1.0.0', { datasource: 'helm', registryUrl: 'https://charts.acme.io' }),
    ]);
    expect(scanJson([{ path: F, text: app }]).dependencies.filter((d) => fileOf(d) === F)).toEqual([
      dep(F, 13, 'argocd', 'app', '1.0.0', { datasource: 'helm', registryUrl: 'https://charts.acme.io' }),
    ]);
  });
});
