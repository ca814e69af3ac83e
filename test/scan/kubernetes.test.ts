import { describe, expect, it } from 'vitest';
import { scanFiles } from '../../src/scan/index.js';
import { DIGEST, dep, scanOne } from './helpers.js';

const F = 'apps/web/deploy.yaml';

describe('kubernetes scanner', () => {
  it('finds containers, initContainers and ephemeralContainers in every image form', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers:
        - name: init
          image: "busybox:1.36"
      containers:
        - name: web
          image: ghcr.io/acme/web:1.2.3@${DIGEST}
        - name: side
          image: 'registry.local:5000/team/side@${DIGEST}'
        - {name: flow, image: nginx:1.25}
        - name: bare
          image: nginx
      ephemeralContainers:
        - name: debug
          image: nicolaka/netshoot:v0.13
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 9, 'kubernetes', 'busybox', '1.36'),
        dep(F, 12, 'kubernetes', 'ghcr.io/acme/web', '1.2.3', { currentDigest: DIGEST }),
        dep(F, 14, 'kubernetes', 'registry.local:5000/team/side', null, { currentDigest: DIGEST }),
        dep(F, 15, 'kubernetes', 'nginx', '1.25'),
        dep(F, 17, 'kubernetes', 'nginx', null, { skipReason: 'unpinned' }),
        dep(F, 20, 'kubernetes', 'nicolaka/netshoot', 'v0.13'),
      ],
      problems: [],
    });
  });

  it('finds the CronJob jobTemplate, Pods inside a List, and several documents per file', () => {
    const text = `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: backup
              image: postgres:16.2
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      containers:
        - name: a
          image: redis:7.2.4
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 12, 'kubernetes', 'postgres', '16.2'),
      dep(F, 23, 'kubernetes', 'redis', '7.2.4'),
    ]);
  });

  it('reads CloudNativePG imageName and prometheus-operator spec.image', () => {
    const text = `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: db}
spec:
  imageName: ghcr.io/cloudnative-pg/postgresql:16.2
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s}
spec:
  image: quay.io/prometheus/prometheus:v2.51.0
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 5, 'kubernetes', 'ghcr.io/cloudnative-pg/postgresql', '16.2'),
      dep(F, 11, 'kubernetes', 'quay.io/prometheus/prometheus', 'v2.51.0'),
    ]);
  });

  it('reports templates, substitutions and floating tags as skipped, never as updatable', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: a
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        - name: b
          image: ghcr.io/acme/b:\${B_VERSION:=1.0.0}
        - name: c
          image: nginx:latest
        - name: d
          image: ghcr.io/acme/d:main
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 9, 'kubernetes', '{{ .Values.image.repository }}:{{ .Values.image.tag }}', null, { skipReason: 'templated' }),
      dep(F, 11, 'kubernetes', 'ghcr.io/acme/b:${B_VERSION:=1.0.0}', null, { skipReason: 'substitution' }),
      dep(F, 13, 'kubernetes', 'nginx', 'latest', { skipReason: 'unpinned' }),
      dep(F, 15, 'kubernetes', 'ghcr.io/acme/d', 'main', { skipReason: 'unpinned' }),
    ]);
  });

  it('ignores env values and ConfigMap data that merely contain "image:"', () => {
    const text = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: p
      image: alpine:3.19
      env:
        - name: NEXT
          value: "image: nginx:1.0"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data:
  image: nginx:1.0
`;
    expect(scanOne(F, text).dependencies).toEqual([dep(F, 7, 'kubernetes', 'alpine', '3.19')]);
  });

  it('keeps the version text as written: 15.10 is not the number 15.1', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: postgres:15.10\n';
    expect(scanOne(F, text).dependencies).toEqual([dep(F, 5, 'kubernetes', 'postgres', '15.10')]);
  });

  it('records where a digest can be inserted after the tag of a string image', () => {
    const text = 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: "nginx:1.25"\n';
    const [d] = scanFiles([{ path: F, text }]).dependencies;
    expect(d?.digestInsertAt).toBe(text.indexOf('1.25') + 4);
    expect(d?.valueRange).toEqual({ start: text.indexOf('1.25'), end: text.indexOf('1.25') + 4 });
  });

  it('keeps exact ranges in a CRLF file that starts with a BOM', () => {
    const text = '\uFEFFapiVersion: v1\r\nkind: Pod\r\nspec:\r\n  containers:\r\n    - image: nginx:1.25\r\n    - image: "redis:7.2"\r\n';
    expect(scanOne(F, text).dependencies).toEqual([dep(F, 5, 'kubernetes', 'nginx', '1.25'), dep(F, 6, 'kubernetes', 'redis', '7.2')]);
  });
});

describe('kubernetes scanner on kustomize JSON patches', () => {
  it('finds images in the values of JSON 6902 patch operations', () => {
    const text = `- op: add
  path: /spec/template/spec/initContainers/0
  value:
    name: secret-init
    image: quay.io/argoproj/argocd:v2.10.1
- op: replace
  path: /spec/template/spec/containers/0/image
  value: nginx:1.25
`;
    expect(scanOne('patch.yaml', text).dependencies).toEqual([
      dep('patch.yaml', 5, 'kubernetes', 'quay.io/argoproj/argocd', 'v2.10.1'),
      dep('patch.yaml', 8, 'kubernetes', 'nginx', '1.25'),
    ]);
  });

  it('reads an image written as a one-line block scalar and skips a multi-line one as invalid, with a problem', () => {
    const F = 'deploy.yaml';
    const text = `apiVersion: v1
kind: Pod
spec:
  containers:
    - name: a
      image: >-
        alpine:3.19
    - name: b
      image: |
        ghcr.io/acme/b:1.0.0@${DIGEST}
    - name: c
      image: |
        ghcr.io/acme/c
        :1.0
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 7, 'kubernetes', 'alpine', '3.19'),
        dep(F, 10, 'kubernetes', 'ghcr.io/acme/b', '1.0.0', { currentDigest: DIGEST }),
        // A name with a newline could forge lines where it is shown: kept only escaped, and reported.
        dep(F, 12, 'kubernetes', 'ghcr.io/acme/c\\u000a:1.0', null, { skipReason: 'invalid-value' }),
      ],
      problems: [{ file: F, line: 12, message: 'image name contains a control character or a newline: "ghcr.io/acme/c\\u000a:1.0"' }],
    });
  });

  it('reads image maps in custom resources of operators that take them, such as VictoriaMetrics', () => {
    const F = 'monitoring/vmcluster.yaml';
    const text = `apiVersion: operator.victoriametrics.com/v1beta1
kind: VMCluster
metadata:
  name: vm
spec:
  vmstorage:
    replicaCount: 2
    image:
      repository: victoriametrics/vmstorage
      tag: v1.93.4-cluster
  vmselect:
    image: {repository: victoriametrics/vmselect}
`;
    expect(scanOne(F, text).dependencies).toEqual([dep(F, 10, 'kubernetes', 'victoriametrics/vmstorage', 'v1.93.4-cluster')]);
  });

  it('reads k3s HelmChart charts (https and oci) and the images in HelmChart and HelmChartConfig valuesContent', () => {
    const F = 'infra/traefik.yaml';
    const text = `apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: traefik
  namespace: kube-system
spec:
  repo: https://traefik.github.io/charts/
  chart: traefik
  version: 27.0.2
  valuesContent: |-
    image:
      repository: docker.io/library/traefik
      tag: v2.11.2
---
apiVersion: helm.cattle.io/v1
kind: HelmChart
metadata:
  name: app
spec:
  chart: oci://ghcr.io/acme/charts/app
  version: "1.4.0"
---
apiVersion: helm.cattle.io/v1
kind: HelmChartConfig
metadata:
  name: rke2-ingress-nginx
spec:
  valuesContent: |-
    controller:
      image:
        repository: rancher/nginx-ingress-controller
        tag: nginx-1.9.6-rancher1
`;
    const helm = (registryUrl: string) => ({ datasource: 'helm', registryUrl });
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 9, 'kubernetes', 'traefik', '27.0.2', helm('https://traefik.github.io/charts')),
        dep(F, 13, 'helm-values', 'docker.io/library/traefik', 'v2.11.2'),
        dep(F, 21, 'kubernetes', 'app', '1.4.0', helm('oci://ghcr.io/acme/charts')),
        dep(F, 32, 'helm-values', 'rancher/nginx-ingress-controller', 'nginx-1.9.6-rancher1'),
      ],
      problems: [],
    });
  });
});
