import { describe, expect, it } from 'vitest';
import { DIGEST, dep, scanJson, scanOne } from './helpers.js';

const helm = (registryUrl: string | null, extra: object = {}) => ({ datasource: 'helm', registryUrl, ...extra });

describe('flux scanner', () => {
  it('resolves a HelmRelease chart through its HelmRepository in another file, by name and namespace', () => {
    const files = [
      {
        path: 'infra/sources.yaml',
        text: `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: bitnami, namespace: flux-system}
spec:
  url: https://charts.bitnami.com/bitnami
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: bitnami, namespace: other}
spec:
  type: oci
  url: oci://registry-1.docker.io/bitnamicharts
`,
      },
      {
        path: 'apps/redis.yaml',
        text: `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: redis, namespace: apps}
spec:
  chart:
    spec:
      chart: redis
      version: 18.6.1
      sourceRef: {kind: HelmRepository, name: bitnami, namespace: flux-system}
  values:
    image:
      repository: bitnami/redis
      tag: 7.2.4
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: pg, namespace: other}
spec:
  chart:
    spec:
      chart: postgresql
      version: "15.5.0"
      sourceRef: {kind: HelmRepository, name: bitnami}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: lost, namespace: apps}
spec:
  chart:
    spec:
      chart: lost
      version: 1.0.0
      sourceRef: {kind: HelmRepository, name: nowhere}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: ranged, namespace: other}
spec:
  chart:
    spec:
      chart: ranged
      version: 1.x
      sourceRef: {kind: HelmRepository, name: bitnami}
`,
      },
    ];
    expect(scanJson(files)).toEqual({
      dependencies: [
        dep('apps/redis.yaml', 8, 'flux', 'redis', '18.6.1', helm('https://charts.bitnami.com/bitnami')),
        dep('apps/redis.yaml', 13, 'helm-values', 'bitnami/redis', '7.2.4'),
        dep('apps/redis.yaml', 22, 'flux', 'postgresql', '15.5.0', helm('oci://registry-1.docker.io/bitnamicharts')),
        dep('apps/redis.yaml', 32, 'flux', 'lost', '1.0.0', helm(null, { skipReason: 'unresolved-source' })),
        dep('apps/redis.yaml', 42, 'flux', 'ranged', '1.x', helm('oci://registry-1.docker.io/bitnamicharts', { skipReason: 'version-range' })),
      ],
      problems: [],
    });
  });

  it('reads OCIRepository charts used through chartRef: tag, semver range, digest only', () => {
    const text = `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: podinfo, namespace: apps}
spec:
  url: oci://ghcr.io/stefanprodan/charts/podinfo
  ref:
    tag: 6.5.4
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: ranged, namespace: apps}
spec:
  url: oci://ghcr.io/stefanprodan/charts/ranged
  layerSelector:
    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip
  ref:
    semver: ">=6.0.0"
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: pinned, namespace: apps}
spec:
  url: oci://ghcr.io/stefanprodan/charts/pinned
  layerSelector: {mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip}
  ref:
    digest: ${DIGEST}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: apps}
spec:
  chartRef: {kind: OCIRepository, name: podinfo}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: missing, namespace: apps}
spec:
  chartRef: {kind: OCIRepository, name: missing}
`;
    const F = 'apps/podinfo.yaml';
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 7, 'flux', 'podinfo', '6.5.4', helm('oci://ghcr.io/stefanprodan/charts')),
      dep(F, 17, 'flux', 'ranged', '>=6.0.0', helm('oci://ghcr.io/stefanprodan/charts', { skipReason: 'version-range' })),
      dep(F, 26, 'flux', 'pinned', null, helm('oci://ghcr.io/stefanprodan/charts', { currentDigest: DIGEST })),
      dep(F, 38, 'flux', 'missing', null, helm(null, { skipReason: 'unresolved-source' })),
    ]);
  });

  it('reports an OCIRepository that is not a chart as an OCI artifact image', () => {
    const text = `apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: kyverno}
spec:
  url: oci://ghcr.io/kyverno/manifests/kyverno
  ref:
    tag: "v1.14.4"
`;
    expect(scanOne('src.yaml', text).dependencies).toEqual([dep('src.yaml', 7, 'flux', 'ghcr.io/kyverno/manifests/kyverno', 'v1.14.4')]);
  });

  it('reports a missing chart version as unpinned and Flux substitutions as such', () => {
    const files = [
      { path: 'repo.yaml', text: 'apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: podinfo}\nspec: {url: "https://stefanprodan.github.io/podinfo"}\n' },
      {
        path: 'release.yaml',
        text: `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo}
spec:
  chart:
    spec:
      chart: podinfo
      sourceRef: {kind: HelmRepository, name: podinfo}
  values:
    image:
      repository: ghcr.io/stefanprodan/podinfo
      tag: \${PODINFO_VERSION:=6.5.0}
`,
      },
    ];
    expect(scanJson(files).dependencies).toEqual([
      dep('release.yaml', 7, 'flux', 'podinfo', null, helm('https://stefanprodan.github.io/podinfo', { skipReason: 'unpinned' })),
      dep('release.yaml', 12, 'helm-values', 'ghcr.io/stefanprodan/podinfo', '${PODINFO_VERSION:=6.5.0}', { skipReason: 'substitution' }),
    ]);
  });

  it('reads kustomize images in HelmRelease postRenderers', () => {
    const F = 'apps/web.yaml';
    const text = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web, namespace: apps}
spec:
  chartRef: {kind: OCIRepository, name: web}
  postRenderers:
    - kustomize:
        patches: []
        images:
          - name: nginx
            newName: ghcr.io/acme/nginx
            newTag: "1.25.4"
            digest: ${DIGEST}
          - name: busybox
            newTag: \${BUSYBOX_TAG}
          - name: rename-only
            newName: mirror.local/rename-only
---
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: OCIRepository
metadata: {name: web, namespace: apps}
spec:
  url: oci://ghcr.io/acme/charts/web
  ref: {tag: 1.0.0}
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 12, 'flux', 'ghcr.io/acme/nginx', '1.25.4', { currentDigest: DIGEST }),
        dep(F, 15, 'flux', 'busybox', '${BUSYBOX_TAG}', { skipReason: 'substitution' }),
        dep(F, 24, 'flux', 'web', '1.0.0', helm('oci://ghcr.io/acme/charts')),
      ],
      problems: [],
    });
  });

  it('reads spec.images of a Flux Kustomization, and images in its inline patches', () => {
    const F = 'clusters/prod/apps.yaml';
    const text = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps/prod
  sourceRef: {kind: GitRepository, name: flux-system}
  images:
    - name: podinfo
      newName: ghcr.io/stefanprodan/podinfo
      newTag: 6.5.4
    - name: redis
      newTag: 7.2.4
      digest: ${DIGEST}
  patchesStrategicMerge:
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec: {template: {spec: {containers: [{name: web, image: "nginx:1.25.4"}]}}}
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 11, 'flux', 'ghcr.io/stefanprodan/podinfo', '6.5.4'),
        dep(F, 13, 'flux', 'redis', '7.2.4', { currentDigest: DIGEST }),
        dep(F, 19, 'kubernetes', 'nginx', '1.25.4'),
      ],
      problems: [],
    });
  });

  it('reports a HelmRepository URL without its trailing slash', () => {
    const F = 'apps/podinfo.yaml';
    const text = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: podinfo, namespace: default}
spec:
  url: https://stefanprodan.github.io/podinfo/
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo, namespace: default}
spec:
  chart:
    spec: {chart: podinfo, version: "6.7.0", sourceRef: {kind: HelmRepository, name: podinfo}}
`;
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 12, 'flux', 'podinfo', '6.7.0', { datasource: 'helm', registryUrl: 'https://stefanprodan.github.io/podinfo' }),
    ]);
  });
});
