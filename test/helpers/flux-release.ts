import type { SourceFile } from '../../src/scan/index.js';

/** A Flux HelmRepository at `repoUrl` and a HelmRelease of its chart `web` 1.0.0 with `values` (YAML), in one file. */
export function fluxReleaseFile(repoUrl: string, file: string, values: string): SourceFile {
  return {
    path: file,
    text: [
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata: {name: charts}',
      `spec: {url: ${repoUrl}}`,
      '---',
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata: {name: web}',
      'spec:',
      '  chart: {spec: {chart: web, version: 1.0.0, sourceRef: {kind: HelmRepository, name: charts}}}',
      '  values:',
      ...values.split('\n').map((l) => `    ${l}`),
      '',
    ].join('\n'),
  };
}
