import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dep, expectRoundTrip, scanJson } from './helpers.js';

const helm = (extra: { registryUrl?: string | null; skipReason?: string } = {}) => ({ datasource: 'helm', ...extra });

const appSet = readFileSync(new URL('../../fixtures/scan/argocd/appset-plugin.yaml', import.meta.url), 'utf8');

describe('more chart sources', () => {
  it('reads the template of an ApplicationSet whatever its generators: literal values pinned, templated ones skipped', () => {
    const f = 'addons/appset.yaml';
    expect(scanJson([{ path: f, text: appSet }])).toEqual({
      dependencies: [
        dep(f, 25, 'argocd', 'cert-manager', 'v1.16.2', helm({ registryUrl: 'https://charts.jetstack.io' })),
        dep(f, 31, 'helm-values', 'quay.io/jetstack/cert-manager-controller', '{{ .certManagerTag }}', { skipReason: 'templated' }),
        dep(f, 34, 'argocd', 'external-dns', '{{ .dnsVersion }}', helm({ registryUrl: 'https://kubernetes-sigs.github.io/external-dns', skipReason: 'templated' })),
      ],
      problems: [],
    });
    expect(expectRoundTrip([{ path: f, text: appSet }], f)).toBe(1);
  });

  it('resolves a Flux HelmChart through its sourceRef like a HelmRelease', () => {
    const text = [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata:',
      '  name: podinfo',
      '  namespace: flux-system',
      'spec:',
      '  url: https://stefanprodan.github.io/podinfo',
      '---',
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmChart',
      'metadata:',
      '  name: podinfo',
      '  namespace: flux-system',
      'spec:',
      '  chart: podinfo',
      '  version: "6.7.1"',
      '  reconcileStrategy: ChartVersion',
      '  sourceRef:',
      '    kind: HelmRepository',
      '    name: podinfo',
      '---',
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmChart',
      'metadata:',
      '  name: app',
      '  namespace: flux-system',
      'spec:',
      '  chart: ./charts/app',
      '  sourceRef:',
      '    kind: GitRepository',
      '    name: flux-system',
      '',
    ].join('\n');
    const f = 'infra/podinfo.yaml';
    expect(scanJson([{ path: f, text }]).dependencies).toEqual([
      dep(f, 16, 'flux', 'podinfo', '6.7.1', helm({ registryUrl: 'https://stefanprodan.github.io/podinfo' })),
      dep(f, 28, 'flux', './charts/app', null, helm({ skipReason: 'local-chart' })),
    ]);
    expect(expectRoundTrip([{ path: f, text }], f)).toBe(1);
  });

  it('skips Chart.yaml dependencies whose repository is not a chart repository', () => {
    const text = [
      'apiVersion: v2',
      'name: platform',
      'version: 1.0.0',
      'dependencies:',
      '  - name: redis',
      '    version: 20.6.0',
      '    repository: oci://registry-1.docker.io/bitnamicharts',
      '  - name: common',
      '    version: 2.x.x',
      '    repository: "@bitnami"',
      '  - name: app',
      '    version: 0.3.0',
      '    repository: nope',
      '  - name: tools',
      '    version: 1.2.0',
      '    repository: git+https://github.com/acme/charts@main/tools?ref=v1.2.0',
      '  - name: lib',
      '    version: 0.1.0',
      '    repository: file://../lib',
      '',
    ].join('\n');
    const f = 'charts/platform/Chart.yaml';
    expect(scanJson([{ path: f, text }]).dependencies).toEqual([
      dep(f, 6, 'helm-chart', 'redis', '20.6.0', helm({ registryUrl: 'oci://registry-1.docker.io/bitnamicharts' })),
      dep(f, 9, 'helm-chart', 'common', '2.x.x', helm({ registryUrl: '@bitnami', skipReason: 'alias-repository' })),
      dep(f, 12, 'helm-chart', 'app', '0.3.0', helm({ registryUrl: 'nope', skipReason: 'invalid-repository' })),
      dep(f, 15, 'helm-chart', 'tools', '1.2.0', helm({ registryUrl: 'git+https://github.com/acme/charts@main/tools?ref=v1.2.0', skipReason: 'invalid-repository' })),
      dep(f, 18, 'helm-chart', 'lib', '0.1.0', helm({ registryUrl: 'file://../lib', skipReason: 'local-chart' })),
    ]);
  });
});
