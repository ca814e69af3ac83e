import { describe, expect, it } from 'vitest';
import { scanFiles } from '../../src/scan/index.js';
import { DIGEST, dep, scanOne } from './helpers.js';

const F = 'argocd/apps.yaml';
const helm = (registryUrl: string | null, extra: object = {}) => ({ datasource: 'helm', registryUrl, ...extra });

describe('argocd scanner', () => {
  it('reads chart sources from https and OCI repositories, with and without oci://, and skips git sources', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: multi}
spec:
  sources:
    - repoURL: https://prometheus-community.github.io/helm-charts
      chart: kube-prometheus-stack
      targetRevision: 58.2.1
    - repoURL: ghcr.io/stefanprodan/charts
      chart: podinfo
      targetRevision: "6.5.4"
    - repoURL: oci://registry-1.docker.io/bitnamicharts/
      chart: redis
      targetRevision: 18.x
    - repoURL: https://github.com/acme/config.git
      targetRevision: main
      ref: values
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 8, 'argocd', 'kube-prometheus-stack', '58.2.1', helm('https://prometheus-community.github.io/helm-charts')),
        dep(F, 11, 'argocd', 'podinfo', '6.5.4', helm('oci://ghcr.io/stefanprodan/charts')),
        dep(F, 14, 'argocd', 'redis', '18.x', helm('oci://registry-1.docker.io/bitnamicharts', { skipReason: 'version-range' })),
      ],
      problems: [],
    });
  });

  it('finds images in helm.valuesObject and in a helm.values block string, with ranges into the outer file', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source:
    repoURL: https://charts.example.com
    chart: web
    targetRevision: 1.0.0
    helm:
      valuesObject:
        image:
          repository: ghcr.io/acme/web
          tag: 2.3.4
      values: |
        worker:
          image:
            repository: ghcr.io/acme/worker
            tag: "5.0.1@${DIGEST}"
        sidecar:
          image: busybox:1.36
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 8, 'argocd', 'web', '1.0.0', helm('https://charts.example.com')),
      dep(F, 13, 'helm-values', 'ghcr.io/acme/web', '2.3.4'),
      dep(F, 18, 'helm-values', 'ghcr.io/acme/worker', '5.0.1', { currentDigest: DIGEST }),
      dep(F, 20, 'helm-values', 'busybox', '1.36'),
    ]);
  });

  it('maps helm.values positions in a CRLF file too', () => {
    const text = 'apiVersion: argoproj.io/v1alpha1\r\nkind: Application\r\nspec:\r\n  source:\r\n    helm:\r\n      values: |\r\n        image:\r\n          repository: nginx\r\n          tag: 1.25.4\r\n';
    const result = scanFiles([{ path: F, text }]);
    expect(result.dependencies.map((d) => [d.name, d.currentValue, d.line])).toEqual([['nginx', '1.25.4', 9]]);
    const [d] = result.dependencies;
    expect(text.slice(d?.valueRange?.start, d?.valueRange?.end)).toBe('1.25.4');
  });

  it('reads ApplicationSet templates with literal values and skips templated ones', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: addons}
spec:
  generators: [{list: {elements: [{cluster: a}]}}]
  template:
    metadata: {name: "{{cluster}}-podinfo"}
    spec:
      source:
        repoURL: https://stefanprodan.github.io/podinfo
        chart: podinfo
        targetRevision: 6.5.4
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: templated}
spec:
  template:
    spec:
      source:
        repoURL: https://stefanprodan.github.io/podinfo
        chart: podinfo
        targetRevision: "{{values.version}}"
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 12, 'argocd', 'podinfo', '6.5.4', helm('https://stefanprodan.github.io/podinfo')),
      dep(F, 23, 'argocd', 'podinfo', '{{values.version}}', helm('https://stefanprodan.github.io/podinfo', { skipReason: 'templated' })),
    ]);
  });

  it('reads kustomize.images overrides in every form, in source, sources[] and ApplicationSet templates', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source:
    repoURL: https://github.com/acme/deploy.git
    path: apps/web
    targetRevision: main
    kustomize:
      images:
        - ghcr.io/acme/web:1.2.3
        - nginx=nginx:1.25.3-alpine
        - "worker=registry.local:5000/acme/worker@${DIGEST}"
        - 'redis:7.2.4@${DIGEST}'
        - app=mirror.local/app
        - broken=acme/web:1.0:2
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: fleet}
spec:
  template:
    spec:
      sources:
        - repoURL: https://github.com/acme/deploy.git
          path: apps/api
          kustomize:
            images: [api=ghcr.io/acme/api:2.0.0, "ui=ghcr.io/acme/ui:{{values.tag}}"]
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 11, 'argocd', 'ghcr.io/acme/web', '1.2.3'),
        dep(F, 12, 'argocd', 'nginx', '1.25.3-alpine'),
        dep(F, 13, 'argocd', 'registry.local:5000/acme/worker', null, { currentDigest: DIGEST }),
        dep(F, 14, 'argocd', 'redis', '7.2.4', { currentDigest: DIGEST }),
        dep(F, 16, 'argocd', 'acme/web:1.0:2', null, { skipReason: 'invalid-value' }),
        dep(F, 28, 'argocd', 'ghcr.io/acme/api', '2.0.0'),
        dep(F, 28, 'argocd', 'ghcr.io/acme/ui:{{values.tag}}', null, { skipReason: 'templated' }),
      ],
      problems: [],
    });
  });

  it('records where a digest goes when pinning an Argo CD kustomize image', () => {
    const text = 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    kustomize:\n      images: [nginx=nginx:1.25.3]\n';
    const [d] = scanFiles([{ path: F, text }]).dependencies;
    expect(d?.digestInsertAt).toBe(text.indexOf('1.25.3') + '1.25.3'.length);
  });

  it('pairs helm.parameters image.repository with image.tag of the same prefix, and leaves a lone tag out', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source:
    repoURL: https://charts.example.com
    chart: web
    targetRevision: 1.0.0
    helm:
      parameters:
        - name: image.repository
          value: ghcr.io/acme/web
        - name: replicaCount
          value: "2"
        - name: image.tag
          value: "2.3.4"
        - name: worker.image.registry
          value: quay.io
        - name: worker.image.repository
          value: acme/worker
        - name: worker.image.tag
          value: 5.0.1
          forceString: true
        - name: worker.image.digest
          value: ${DIGEST}
        - name: sidecar.image.tag
          value: 1.36
        - name: cron.image.repository
          value: busybox
        - name: cron.image.tag
          value: "{{ .Values.tag }}"
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 8, 'argocd', 'web', '1.0.0', helm('https://charts.example.com')),
        dep(F, 16, 'helm-values', 'ghcr.io/acme/web', '2.3.4'),
        dep(F, 22, 'helm-values', 'quay.io/acme/worker', '5.0.1', { currentDigest: DIGEST }),
        dep(F, 31, 'helm-values', 'busybox', '{{ .Values.tag }}', { skipReason: 'templated' }),
      ],
      problems: [],
    });
  });

  it('reads chart versions from the list generator elements an ApplicationSet template names', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: podinfo}
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - cluster: prod
            version: 6.5.4
          - cluster: dev
            version: "6.6.0"
          - cluster: lab
  template:
    spec:
      source:
        repoURL: https://stefanprodan.github.io/podinfo
        chart: podinfo
        targetRevision: '{{ .version }}'
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: addons}
spec:
  generators:
    - matrix:
        generators:
          - clusters: {}
          - list:
              elements:
                - {chart: cert-manager, repo: https://charts.jetstack.io, version: v1.14.4}
                - {chart: ingress-nginx, version: 4.10.0}
  template:
    spec:
      sources:
        - repoURL: '{{repo}}'
          chart: '{{chart}}'
          targetRevision: '{{version}}'
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: by-values}
spec:
  generators:
    - list:
        elements: [{cluster: a}]
        values: {version: 2.0.1}
  template:
    spec:
      source:
        repoURL: ghcr.io/acme/charts
        chart: app
        targetRevision: '{{values.version}}'
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 10, 'argocd', 'podinfo', '6.5.4', helm('https://stefanprodan.github.io/podinfo')),
        dep(F, 12, 'argocd', 'podinfo', '6.6.0', helm('https://stefanprodan.github.io/podinfo')),
        dep(F, 31, 'argocd', 'cert-manager', 'v1.14.4', helm('https://charts.jetstack.io')),
        dep(F, 32, 'argocd', 'ingress-nginx', '4.10.0', helm('{{repo}}', { skipReason: 'templated' })),
        dep(F, 47, 'argocd', 'app', '2.0.1', helm('oci://ghcr.io/acme/charts')),
      ],
      problems: [],
    });
  });

  it('reads an Argo CD OCI source that names the artifact in repoURL and has no chart field', () => {
    const F = 'apps/podinfo.yaml';
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: podinfo
spec:
  sources:
    - repoURL: oci://ghcr.io/stefanprodan/charts/podinfo
      targetRevision: 6.7.0
      path: .
    - repoURL: https://github.com/acme/gitops.git
      targetRevision: main
      path: apps/podinfo
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [dep(F, 8, 'argocd', 'podinfo', '6.7.0', { datasource: 'helm', registryUrl: 'oci://ghcr.io/stefanprodan/charts' })],
      problems: [],
    });
  });
});
