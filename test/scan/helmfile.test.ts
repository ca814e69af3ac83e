import { describe, expect, it } from 'vitest';
import { dep, DIGEST, expectRoundTrip, scanJson } from './helpers.js';

const helmfile = [
  'repositories:',
  '  - name: bitnami',
  '    url: https://charts.bitnami.com/bitnami/',
  '  - name: dockerhub',
  '    url: registry-1.docker.io/bitnamicharts',
  '    oci: true',
  '',
  'environments:',
  '  default:',
  '    values:',
  '      - env/default.yaml',
  '---',
  '{{- $ns := .Environment.Values.namespace }}',
  'releases:',
  '  - name: redis',
  '    namespace: cache',
  '    chart: bitnami/redis',
  '    version: 18.1.0',
  '    values:',
  '      - values/redis.yaml.gotmpl',
  '      - image:',
  '          registry: docker.io',
  '          repository: bitnami/redis',
  `          tag: 7.2.4-debian-12-r0@${DIGEST}`,
  '  - name: postgresql',
  '    chart: dockerhub/postgresql',
  '    version: "15.5.20"',
  '  - name: podinfo',
  '    chart: oci://ghcr.io/stefanprodan/charts/podinfo',
  '    version: 6.7.1',
  '{{- if .Values.monitoring }}',
  '  - name: grafana',
  '    chart: grafana/grafana',
  '    version: 8.5.1',
  '{{- end }}',
  '  - name: app',
  '    chart: ./charts/app',
  '  - name: ingress',
  '    chart: bitnami/nginx-ingress-controller',
  '    version: {{ .Values.ingressVersion }}',
  '  - name: metrics',
  '    chart: bitnami/metrics-server',
  '    version: ~7.2.0',
  '',
].join('\n');

describe('helmfile', () => {
  it('resolves releases through the repositories of every document, and reads images in inline values as Helm values', () => {
    const f = 'helmfile.yaml.gotmpl';
    const helm = (extra: Record<string, unknown>) => ({ datasource: 'helm', ...extra });
    expect(scanJson([{ path: f, text: helmfile }])).toEqual({
      dependencies: [
        dep(f, 18, 'helmfile', 'redis', '18.1.0', helm({ registryUrl: 'https://charts.bitnami.com/bitnami' })),
        dep(f, 24, 'helm-values', 'docker.io/bitnami/redis', '7.2.4-debian-12-r0', { currentDigest: DIGEST }),
        dep(f, 27, 'helmfile', 'postgresql', '15.5.20', helm({ registryUrl: 'oci://registry-1.docker.io/bitnamicharts' })),
        dep(f, 30, 'helmfile', 'podinfo', '6.7.1', helm({ registryUrl: 'oci://ghcr.io/stefanprodan/charts' })),
        dep(f, 34, 'helmfile', 'grafana', '8.5.1', helm({ skipReason: 'unresolved-source' })),
        dep(f, 37, 'helmfile', './charts/app', null, helm({ skipReason: 'local-chart' })),
        dep(f, 39, 'helmfile', 'nginx-ingress-controller', null, helm({ registryUrl: 'https://charts.bitnami.com/bitnami', skipReason: 'templated' })),
        dep(f, 43, 'helmfile', 'metrics-server', '~7.2.0', helm({ registryUrl: 'https://charts.bitnami.com/bitnami', skipReason: 'version-range' })),
      ],
      problems: [],
    });
  });

  it('reads state files in helmfile.d and leaves other files alone', () => {
    const text = ['repositories:', '  - name: jetstack', '    url: https://charts.jetstack.io', 'releases:', '  - name: cert-manager', '    chart: jetstack/cert-manager', '    version: v1.16.2', ''].join('\n');
    const files = [
      { path: 'clusters/prod/helmfile.d/10-infra.yaml', text },
      { path: 'clusters/prod/infra.yaml', text },
    ];
    expect(scanJson(files).dependencies).toEqual([
      dep('clusters/prod/helmfile.d/10-infra.yaml', 7, 'helmfile', 'cert-manager', 'v1.16.2', { datasource: 'helm', registryUrl: 'https://charts.jetstack.io' }),
    ]);
  });

  it('round-trips a bump of every release version and inline image', () => {
    expect(expectRoundTrip([{ path: 'helmfile.yaml.gotmpl', text: helmfile }], 'helmfile.yaml.gotmpl')).toBe(4);
  });
});
