import { describe, expect, it } from 'vitest';
import { dep, scanOne } from './helpers.js';

const F = 'charts/app/Chart.yaml';
const chart = (extra: object) => ({ datasource: 'helm', ...extra });

describe('helm-chart scanner', () => {
  it('reads dependencies from https and oci repositories, and skips local, alias and range ones', () => {
    const text = `apiVersion: v2
name: app
version: 1.0.0
appVersion: "2.0"
dependencies:
  - name: redis
    version: 18.6.1
    repository: https://charts.bitnami.com/bitnami
  - name: postgresql
    version: "15.5.0"
    repository: oci://registry-1.docker.io/bitnamicharts
  - name: common
    version: 2.x.x
    repository: file://../common
  - name: nginx
    version: 15.0.0
    repository: "@bitnami"
  - name: memcached
    version: ~6.5.0
    repository: https://charts.bitnami.com/bitnami
`;
    expect(scanOne(F, text)).toEqual({
      dependencies: [
        dep(F, 7, 'helm-chart', 'redis', '18.6.1', chart({ registryUrl: 'https://charts.bitnami.com/bitnami' })),
        dep(F, 10, 'helm-chart', 'postgresql', '15.5.0', chart({ registryUrl: 'oci://registry-1.docker.io/bitnamicharts' })),
        dep(F, 13, 'helm-chart', 'common', '2.x.x', chart({ registryUrl: 'file://../common', skipReason: 'local-chart' })),
        dep(F, 16, 'helm-chart', 'nginx', '15.0.0', chart({ registryUrl: '@bitnami', skipReason: 'alias-repository' })),
        dep(F, 19, 'helm-chart', 'memcached', '~6.5.0', chart({ registryUrl: 'https://charts.bitnami.com/bitnami', skipReason: 'version-range' })),
      ],
      problems: [],
    });
  });

  it('reports a repository URL without its trailing slash, as Flux, kustomize and Argo CD sources are reported', () => {
    const F = 'Chart.yaml';
    const text = 'apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n  - {name: nats, version: 1.2.2, repository: "https://nats-io.github.io/k8s/helm/charts/"}\n';
    expect(scanOne(F, text).dependencies).toEqual([
      dep(F, 5, 'helm-chart', 'nats', '1.2.2', { datasource: 'helm', registryUrl: 'https://nats-io.github.io/k8s/helm/charts' }),
    ]);
  });
});
