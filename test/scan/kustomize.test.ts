import { describe, expect, it } from 'vitest';
import { DIGEST, dep, scanJson, scanOne } from './helpers.js';

describe('kustomize scanner', () => {
  it('reads images with newName, newTag and digest, and helmCharts', () => {
    const F = 'kustomization.yaml';
    const text = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: web
    newName: ghcr.io/acme/web
    newTag: "1.2.3"
  - name: nginx
    newTag: 1.25.4
    digest: ${DIGEST}
  - name: only-rename
    newName: mirror.local/only-rename
helmCharts:
  - name: minecraft
    repo: https://itzg.github.io/minecraft-server-charts
    version: 3.1.3
    releaseName: mc
  - name: podinfo
    repo: oci://ghcr.io/stefanprodan/charts
    version: 6.5.4
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 6, 'kustomize', 'ghcr.io/acme/web', '1.2.3'),
        dep(F, 8, 'kustomize', 'nginx', '1.25.4', { currentDigest: DIGEST }),
        dep(F, 15, 'kustomize', 'minecraft', '3.1.3', { datasource: 'helm', registryUrl: 'https://itzg.github.io/minecraft-server-charts' }),
        dep(F, 19, 'kustomize', 'podinfo', '6.5.4', { datasource: 'helm', registryUrl: 'oci://ghcr.io/stefanprodan/charts' }),
      ],
      problems: [],
    });
  });

  it('resolves an overlay entry with only newTag to the newName its base sets', () => {
    const files = [
      { path: 'app/base/kustomization.yaml', text: 'resources:\n  - deploy.yaml\nimages:\n  - name: app\n    newName: ghcr.io/acme/app\n    newTag: 1.0.0\n' },
      { path: 'app/overlays/mid/kustomization.yaml', text: 'resources:\n  - ../../base\n' },
      { path: 'app/overlays/prod/kustomization.yaml', text: 'resources:\n  - ../mid/\nimages:\n  - name: app\n    newTag: 1.1.0\n  - name: other\n    newTag: 2.0.0\n' },
    ];
    expect(scanJson(files).dependencies).toEqual([
      dep('app/base/kustomization.yaml', 6, 'kustomize', 'ghcr.io/acme/app', '1.0.0'),
      dep('app/overlays/prod/kustomization.yaml', 5, 'kustomize', 'ghcr.io/acme/app', '1.1.0'),
      dep('app/overlays/prod/kustomization.yaml', 7, 'kustomize', 'other', '2.0.0'),
    ]);
  });

  it('survives kustomizations that include each other', () => {
    const files = [
      { path: 'a/kustomization.yaml', text: 'resources: [../b]\nimages:\n  - {name: x, newTag: "1"}\n' },
      { path: 'b/kustomization.yaml', text: 'resources: [../a]\n' },
    ];
    expect(scanJson(files).dependencies).toEqual([dep('a/kustomization.yaml', 3, 'kustomize', 'x', '1')]);
  });

  it('marks a placeholder tag that a pipeline replaces as a substitution', () => {
    const text = 'images:\n  - name: web\n    newTag: CONTAINER_IMAGES_TAG\n';
    expect(scanOne('kustomization.yaml', text).dependencies).toEqual([
      dep('kustomization.yaml', 3, 'kustomize', 'web', 'CONTAINER_IMAGES_TAG', { skipReason: 'substitution' }),
    ]);
  });

  it('reads images of a kustomize Component like those of a Kustomization', () => {
    const F = 'components/mirror/kustomization.yaml';
    const text = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
images:
  - name: web
    newName: mirror.local/acme/web
    newTag: 1.2.3
  - name: redis
    digest: ${DIGEST}
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 6, 'kustomize', 'mirror.local/acme/web', '1.2.3'),
        dep(F, 8, 'kustomize', 'redis', null, { currentDigest: DIGEST }),
      ],
      problems: [],
    });
  });

  it('takes the newName a Component sets for an overlay that lists the component', () => {
    const files = [
      { path: 'components/mirror/kustomization.yaml', text: 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n  - name: web\n    newName: mirror.local/acme/web\n' },
      { path: 'prod/kustomization.yaml', text: 'components:\n  - ../components/mirror\nimages:\n  - name: web\n    newTag: "2.0.0"\n' },
    ];
    expect(scanJson(files).dependencies).toEqual([dep('prod/kustomization.yaml', 5, 'kustomize', 'mirror.local/acme/web', '2.0.0')]);
  });

  it('finds images in the valuesInline of helmCharts', () => {
    const F = 'kustomization.yaml';
    const text = `helmCharts:
  - name: ingress-nginx
    repo: https://kubernetes.github.io/ingress-nginx
    version: 4.10.0
    valuesInline:
      controller:
        image:
          registry: registry.k8s.io
          image: ingress-nginx/controller
          tag: v1.10.0
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 4, 'kustomize', 'ingress-nginx', '4.10.0', { datasource: 'helm', registryUrl: 'https://kubernetes.github.io/ingress-nginx' }),
      dep(F, 10, 'helm-values', 'registry.k8s.io/ingress-nginx/controller', 'v1.10.0'),
    ]);
  });

  it('reads images set by inline patches: JSON 6902 ops, strategic merge strings, and Flux Kustomization patches', () => {
    const K = 'overlays/prod/kustomization.yaml';
    const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
patches:
  - path: sidecar.yaml
  - target: {kind: Deployment, name: app}
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: ghcr.io/acme/app:2.4.1-hotfix
patchesStrategicMerge:
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: app
    spec:
      template:
        spec:
          containers:
            - name: envoy
              image: "envoyproxy/envoy:v1.31.1"
`;
    const X = 'clusters/prod/apps.yaml';
    const flux = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
spec:
  path: ./apps
  patches:
    - patch: |
        - op: add
          path: /spec/template/spec/initContainers/-
          value: {name: wait, image: busybox:1.36.1}
      target:
        kind: Deployment
`;
    expect(scanJson([{ path: K, text: kustomization }, { path: X, text: flux }])).toEqual({
      dependencies: [
        dep(X, 11, 'kubernetes', 'busybox', '1.36.1'),
        dep(K, 11, 'kubernetes', 'ghcr.io/acme/app', '2.4.1-hotfix'),
        dep(K, 23, 'kubernetes', 'envoyproxy/envoy', 'v1.31.1'),
      ],
      problems: [],
    });
  });
});
