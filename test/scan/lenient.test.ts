import { describe, expect, it } from 'vitest';
import { scanJson } from './helpers.js';
import { dep, expectRoundTrip } from './helpers.js';

const duplicated = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: worker',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: worker',
  '          image: ghcr.io/acme/worker:2.3.1',
  '          imagePullPolicy: IfNotPresent',
  '          imagePullPolicy: Always',
  '      containers:',
  '        - name: worker',
  '          image: ghcr.io/acme/worker:2.4.0',
  '',
].join('\n');

const appTemplate = [
  '{{- if .Values.argocd.enabled }}',
  '{{/* The platform app: chart version is pinned here, not in values. */}}',
  'apiVersion: argoproj.io/v1alpha1',
  'kind: Application',
  'metadata:',
  '  name: "{{ .Release.Name }}-ingress"',
  '  namespace: argocd',
  'spec:',
  '  project: default',
  '  source:',
  '    chart: ingress-nginx',
  '    repoURL: https://kubernetes.github.io/ingress-nginx',
  '    targetRevision: 4.11.3',
  '    helm:',
  '      values: |',
  '        controller:',
  '          image:',
  '            tag: "{{ .Values.ingressTag }}"',
  '  destination:',
  '    server: https://kubernetes.default.svc',
  '    namespace: ingress-nginx',
  '{{- end }}',
  '---',
  '{{- range .Values.jobs }}',
  'apiVersion: batch/v1',
  'kind: CronJob',
  'metadata:',
  '  name: backup',
  'spec:',
  '  schedule: "0 3 * * *"',
  '  jobTemplate:',
  '    spec:',
  '      template:',
  '        spec:',
  '          containers:',
  '            - name: backup',
  '              image: docker.io/restic/restic:0.17.1',
  '            - name: notify',
  '              image: "{{ .Values.notify.image }}"',
  '{{- end }}',
  '',
].join('\n');

const chart = { path: 'charts/platform/Chart.yaml', text: 'apiVersion: v2\nname: platform\nversion: 0.1.0\n' };

describe('lenient parsing', () => {
  it('scans a file with duplicate keys, reporting every occurrence and a problem per key', () => {
    expect(scanJson([{ path: 'apps/worker.yaml', text: duplicated }])).toEqual({
      dependencies: [
        dep('apps/worker.yaml', 10, 'kubernetes', 'ghcr.io/acme/worker', '2.3.1'),
        dep('apps/worker.yaml', 15, 'kubernetes', 'ghcr.io/acme/worker', '2.4.0'),
      ],
      problems: [
        { file: 'apps/worker.yaml', line: 12, message: 'duplicate key "imagePullPolicy": every occurrence is scanned (YAML 1.2 allows one)' },
        { file: 'apps/worker.yaml', line: 13, message: 'duplicate key "containers": every occurrence is scanned (YAML 1.2 allows one)' },
      ],
    });
    expect(expectRoundTrip([{ path: 'apps/worker.yaml', text: duplicated }], 'apps/worker.yaml')).toBe(2);
  });

  it('reads the literal values of a chart template around its template-only lines, without templated noise', () => {
    const files = [chart, { path: 'charts/platform/templates/apps.yaml', text: appTemplate }];
    const f = 'charts/platform/templates/apps.yaml';
    expect(scanJson(files)).toEqual({
      dependencies: [
        dep(f, 13, 'argocd', 'ingress-nginx', '4.11.3', { datasource: 'helm', registryUrl: 'https://kubernetes.github.io/ingress-nginx' }),
        dep(f, 37, 'kubernetes', 'docker.io/restic/restic', '0.17.1'),
      ],
      problems: [],
    });
    expect(expectRoundTrip(files, f)).toBe(2);
  });

  it('keeps template lines that are text inside a block scalar, and reports templated values outside charts', () => {
    const text = [
      'apiVersion: monitoring.coreos.com/v1alpha1',
      'kind: AlertmanagerConfig',
      'metadata:',
      '  name: pushover',
      'spec:',
      '  receivers:',
      '    - name: pushover',
      '      pushoverConfigs:',
      '        - message: |-',
      '            {{- range .Alerts }}',
      '              {{ .Annotations.summary }}',
      '            {{- end }}',
      '  image: "{{ .Values.relay }}"',
      '',
    ].join('\n');
    expect(scanJson([{ path: 'o11y/alertmanagerconfig.yaml', text }])).toEqual({
      dependencies: [dep('o11y/alertmanagerconfig.yaml', 13, 'kubernetes', '{{ .Values.relay }}', null, { skipReason: 'templated' })],
      problems: [],
    });
  });

  it('scans a plain YAML file that only wraps its documents in template lines, outside any chart', () => {
    const text = ['{{- if .Values.enabled }}', 'apiVersion: v1', 'kind: Pod', 'metadata:', '  name: probe', 'spec:', '  containers:', '    - name: probe', '      image: busybox:1.37.0', '{{- end }}', ''].join('\n');
    expect(scanJson([{ path: 'probe.yaml', text }]).dependencies).toEqual([dep('probe.yaml', 9, 'kubernetes', 'busybox', '1.37.0')]);
  });

  it('reads a chart template as written when blanking its template lines would break a block scalar', () => {
    const text = [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: notifier',
      '  annotations:',
      '    description: |',
      '      {{- if .Alerts }}',
      '      {{ len .Alerts }} alerts are firing',
      '      {{- end }}',
      'spec:',
      '  containers:',
      '    - name: notifier',
      '      image: ghcr.io/acme/notifier:0.9.2',
      '',
    ].join('\n');
    const f = 'charts/platform/templates/notifier.yaml';
    expect(scanJson([chart, { path: f, text }])).toEqual({ dependencies: [dep(f, 13, 'kubernetes', 'ghcr.io/acme/notifier', '0.9.2')], problems: [] });
  });
});
