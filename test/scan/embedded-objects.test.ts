import { describe, expect, it } from 'vitest';
import { scanFiles } from '../../src/scan/index.js';
import { dep, DIGEST, expectRoundTrip, scanJson } from './helpers.js';

const configMap = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: local-path-config',
  '  namespace: local-path-storage',
  'data:',
  '  config.json: |-',
  '    {"nodePathMap": [{"node": "DEFAULT_PATH_FOR_NON_LISTED_NODES", "paths": ["/var/lib/local-path"]}]}',
  '  setup: |-',
  '    #!/bin/sh',
  '    mkdir -m 0777 -p "$VOL_DIR"',
  '  helperPod.yaml: |-',
  '    apiVersion: v1',
  '    kind: Pod',
  '    metadata:',
  '      name: helper-pod',
  '    spec:',
  '      priorityClassName: system-node-critical',
  '      containers:',
  '        - name: helper-pod',
  `          image: "docker.io/library/busybox:1.37.0@${DIGEST}"`,
  '          imagePullPolicy: IfNotPresent',
  '  grafana.yaml: |',
  '    image: this is a sentence, not an image',
  '',
].join('\n');

const values = [
  'runners:',
  '  config: |',
  '    [[runners]]',
  '      image = "alpine:3.20"',
  '  podspec.yaml: |-',
  '    spec:',
  '      containers:',
  '        - name: build',
  '          image: ghcr.io/acme/builder:2024.11.2',
  '          env:',
  '            - name: HELPER',
  '              value: "busybox:1.36"',
  'runner.yaml: |',
  '  apiVersion: actions.summerwind.dev/v1alpha1',
  '  kind: RunnerDeployment',
  '  metadata:',
  '    name: runners',
  '  spec:',
  '    template:',
  '      spec:',
  '        image: summerwind/actions-runner:v2.321.0-ubuntu-22.04',
  '        dockerdContainerResources: {}',
  '',
].join('\n');

const custom = [
  'apiVersion: argoproj.io/v1alpha1',
  'kind: WorkflowTemplate',
  'metadata:',
  '  name: nightly',
  'spec:',
  '  templates:',
  '    - name: report',
  '      container:',
  '        image: python:3.13.1-slim',
  '        args: ["--image=busybox:1.36"]',
  '        command: [python, report.py]',
  '---',
  'apiVersion: opentelemetry.io/v1alpha1',
  'kind: Instrumentation',
  'metadata:',
  '  name: java',
  '  annotations:',
  '    sidecarImage: ghcr.io/ignored/annotation:1.0.0',
  'spec:',
  '  java:',
  '    image: ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java:2.10.0',
  '  nodejs:',
  '    image: see the operator default',
  '---',
  'apiVersion: example.com/v1',
  'kind: Exporter',
  'metadata:',
  '  name: pg',
  'spec:',
  '  inline_image: quay.io/prometheuscommunity/postgres-exporter:v0.16.0',
  '  initImage: busybox',
  '  imageName: ghcr.io/cloudnative-pg/postgresql:17.2',
  '---',
  'apiVersion: v1',
  'kind: Pod',
  'metadata:',
  '  name: model-server',
  'spec:',
  '  containers:',
  '    - name: server',
  '      image: ghcr.io/acme/server:1.4.0',
  '  volumes:',
  '    - name: weights',
  '      image:',
  '        reference: ghcr.io/acme/weights:v3',
  '        pullPolicy: IfNotPresent',
  '',
].join('\n');

describe('images inside strings and in custom resources', () => {
  it('scans Kubernetes objects held in a ConfigMap data file, with positions inside the string', () => {
    const f = 'storage/local-path.yaml';
    expect(scanJson([{ path: f, text: configMap }])).toEqual({
      dependencies: [dep(f, 21, 'kubernetes', 'docker.io/library/busybox', '1.37.0', { currentDigest: DIGEST })],
      problems: [],
    });
    expect(expectRoundTrip([{ path: f, text: configMap }], f)).toBe(1);
  });

  it('scans pod specs and manifests written as text in Helm values, never their env values', () => {
    const f = 'ci/values.yaml';
    expect(scanJson([{ path: f, text: values }])).toEqual({
      dependencies: [
        dep(f, 9, 'kubernetes', 'ghcr.io/acme/builder', '2024.11.2'),
        dep(f, 21, 'kubernetes', 'summerwind/actions-runner', 'v2.321.0-ubuntu-22.04'),
      ],
      problems: [],
    });
    expect(expectRoundTrip([{ path: f, text: values }], f)).toBe(2);
  });

  it('finds images in custom resources of any kind, image-named keys and image volumes, not in args or annotations', () => {
    const f = 'apps/custom.yaml';
    expect(scanJson([{ path: f, text: custom }])).toEqual({
      dependencies: [
        dep(f, 9, 'kubernetes', 'python', '3.13.1-slim'),
        dep(f, 21, 'kubernetes', 'ghcr.io/open-telemetry/opentelemetry-operator/autoinstrumentation-java', '2.10.0'),
        dep(f, 30, 'kubernetes', 'quay.io/prometheuscommunity/postgres-exporter', 'v0.16.0'),
        dep(f, 32, 'kubernetes', 'ghcr.io/cloudnative-pg/postgresql', '17.2'),
        dep(f, 41, 'kubernetes', 'ghcr.io/acme/server', '1.4.0'),
        dep(f, 45, 'kubernetes', 'ghcr.io/acme/weights', 'v3'),
      ],
      problems: [],
    });
    expect(expectRoundTrip([{ path: f, text: custom }], f)).toBe(6);
  });

  it('stops reading strings nested in strings three levels down', () => {
    const level = (n: number, inner: string | null): string => {
      const pod = ['apiVersion: v1', 'kind: Pod', 'metadata:', `  name: level-${n}`, 'spec:', '  containers:', '    - name: c', `      image: busybox:1.${n}.0`];
      if (inner === null) return pod.join('\n');
      const nested = inner.split('\n').map((l) => `    ${l}`);
      return [...pod, '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: next-${n}`, 'data:', '  next.yaml: |', ...nested].join('\n');
    };
    let text: string | null = null;
    for (let n = 6; n >= 0; n--) text = level(n, text);
    const found = scanFiles([{ path: 'nested.yaml', text: `${text}\n` }]).dependencies.map((d) => d.currentValue);
    expect(found).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.3.0']);
  });
});
