import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../../src/edit/index.js';
import { scanFiles } from '../../src/scan/index.js';
import type { Dependency } from '../../src/scan/types.js';
import { fakeDigest, updateOf } from './update-fixture.js';

const DIGEST_A = fakeDigest('a');
const DIGEST_B = fakeDigest('b');

function depsOf(path: string, text: string): Dependency[] {
  return scanFiles([{ path, text }]).dependencies.filter((d) => !d.skipReason);
}

function only(path: string, text: string, name: string): Dependency {
  const found = depsOf(path, text).filter((d) => d.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

function deployment(image: string, eol = '\n'): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web # the front end',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    `          image: ${image}   `,
    '',
  ].join(eol);
}

describe('applyUpdates', () => {
  it('replaces only the tag inside a double-quoted image', () => {
    const text = deployment('"nginx:1.25.3"');
    const result = applyUpdates('deploy.yaml', text, [updateOf(only('deploy.yaml', text, 'nginx'), '1.27.0')]);
    expect(result.text).toEqual(deployment('"nginx:1.27.0"'));
    expect(result.applied).toHaveLength(1);
    expect(result.problems).toEqual([]);
  });

  it('keeps single quotes and trailing spaces', () => {
    const text = deployment("'nginx:1.25.3'");
    const result = applyUpdates('deploy.yaml', text, [updateOf(only('deploy.yaml', text, 'nginx'), '1.25.10', null, 'patch')]);
    expect(result.text).toEqual(deployment("'nginx:1.25.10'"));
  });

  it('keeps CRLF line endings and a byte-order mark', () => {
    const text = '\uFEFF' + deployment('nginx:1.25.3', '\r\n');
    const result = applyUpdates('deploy.yaml', text, [updateOf(only('deploy.yaml', text, 'nginx'), '1.27.0')]);
    expect(result.text).toEqual('\uFEFF' + deployment('nginx:1.27.0', '\r\n'));
  });

  it('edits an image written in flow style', () => {
    const text = 'kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec: {containers: [{name: a, image: "redis:7.0.1"}, {name: b, image: busybox:1.36}]}\n';
    const result = applyUpdates('pod.yaml', text, [updateOf(only('pod.yaml', text, 'redis'), '7.2.4')]);
    expect(result.text).toEqual(text.replace('redis:7.0.1', 'redis:7.2.4'));
  });

  it('moves tag and digest together when bumping a digest-pinned tag', () => {
    const text = deployment(`nginx:1.25.3@${DIGEST_A}`);
    const dep = only('deploy.yaml', text, 'nginx');
    const result = applyUpdates('deploy.yaml', text, [updateOf(dep, '1.27.0', DIGEST_B)]);
    expect(result.text).toEqual(deployment(`nginx:1.27.0@${DIGEST_B}`));
    expect(result.problems).toEqual([]);
  });

  it('refuses a tag bump on a digest-pinned image when the new digest is unknown', () => {
    const text = deployment(`nginx:1.25.3@${DIGEST_A}`);
    const dep = only('deploy.yaml', text, 'nginx');
    const result = applyUpdates('deploy.yaml', text, [updateOf(dep, '1.27.0', null)]);
    expect(result.text).toEqual(text);
    expect(result.applied).toEqual([]);
    expect(result.problems).toEqual([
      {
        file: 'deploy.yaml',
        line: dep.line,
        message: 'could not update nginx to 1.27.0: the image is pinned to a digest but no digest is known for the new tag',
      },
    ]);
  });

  it('replaces only the digest in a digest update', () => {
    const text = deployment(`nginx:1.25.3@${DIGEST_A}`);
    const dep = only('deploy.yaml', text, 'nginx');
    const result = applyUpdates('deploy.yaml', text, [updateOf(dep, '1.25.3', DIGEST_B, 'digest')]);
    expect(result.text).toEqual(deployment(`nginx:1.25.3@${DIGEST_B}`));
  });

  it('pins a tag by inserting the digest after it', () => {
    const text = deployment('nginx:1.25.3');
    const dep = only('deploy.yaml', text, 'nginx');
    const result = applyUpdates('deploy.yaml', text, [updateOf(dep, '1.25.3', DIGEST_A, 'pin')]);
    expect(result.text).toEqual(deployment(`nginx:1.25.3@${DIGEST_A}`));
    expect(result.applied).toHaveLength(1);
  });

  it('edits several dependencies in one multi-document file and leaves block scalars and comments alone', () => {
    const text = [
      '# apps for the edge cluster',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: conf}',
      'data:',
      '  nginx.conf: |',
      '    server {',
      '      listen 80;   ',
      '    }',
      '',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: &meta',
      '  name: both',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: nginx:1.25.3 # pinned by ops',
      '        - name: cache',
      "          image: 'redis:7.0.1'",
      '      initContainers:',
      '        - name: init',
      '          image: busybox:1.36.0',
      '',
    ].join('\n');
    const deps = depsOf('all.yaml', text);
    const nginx = deps.find((d) => d.name === 'nginx')!;
    const redis = deps.find((d) => d.name === 'redis')!;
    const busybox = deps.find((d) => d.name === 'busybox')!;
    const result = applyUpdates('all.yaml', text, [
      updateOf(nginx, '1.27.10'),
      updateOf(redis, '7.2.4'),
      updateOf(busybox, '1.37.0'),
    ]);
    expect(result.text).toEqual(
      text.replace('nginx:1.25.3', 'nginx:1.27.10').replace("'redis:7.0.1'", "'redis:7.2.4'").replace('busybox:1.36.0', 'busybox:1.37.0'),
    );
    expect(result.applied.map((u) => u.dependency.name)).toEqual(['nginx', 'redis', 'busybox']);
  });

  it('edits a HelmRelease chart version', () => {
    const text = [
      'apiVersion: helm.toolkit.fluxcd.io/v2',
      'kind: HelmRelease',
      'metadata:',
      '  name: podinfo',
      'spec:',
      '  chart:',
      '    spec:',
      '      chart: podinfo',
      '      version: "6.5.0"',
      '      sourceRef:',
      '        kind: HelmRepository',
      '        name: podinfo',
      '---',
      'apiVersion: source.toolkit.fluxcd.io/v1',
      'kind: HelmRepository',
      'metadata:',
      '  name: podinfo',
      'spec:',
      '  url: https://stefanprodan.github.io/podinfo',
      '',
    ].join('\n');
    const result = applyUpdates('hr.yaml', text, [updateOf(only('hr.yaml', text, 'podinfo'), '6.7.1')]);
    expect(result.text).toEqual(text.replace('"6.5.0"', '"6.7.1"'));
  });

  it('drops an update whose edited file does not read the new version back', () => {
    const text = deployment('nginx:1.25.3');
    const dep = only('deploy.yaml', text, 'nginx');
    // `nginx:1.27.0 #x` reads back as `nginx:1.27.0`: the comment swallows the rest of the new value.
    const result = applyUpdates('deploy.yaml', text, [updateOf(dep, '1.27.0 #x')]);
    expect(result.text).toEqual(text);
    expect(result.applied).toEqual([]);
    expect(result.problems).toEqual([
      { file: 'deploy.yaml', line: dep.line, message: 'could not update nginx to 1.27.0 #x: the edited file does not read the new version back' },
    ]);
  });

  it('keeps the good update when another update in the same file is dropped', () => {
    const text = 'kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  containers:\n    - image: redis:7.0.1\n    - image: busybox:1.36.0\n';
    const deps = depsOf('pod.yaml', text);
    const redis = deps.find((d) => d.name === 'redis')!;
    const busybox = deps.find((d) => d.name === 'busybox')!;
    const result = applyUpdates('pod.yaml', text, [updateOf(redis, '7.2 #oops'), updateOf(busybox, '1.37.0')]);
    expect(result.text).toEqual(text.replace('busybox:1.36.0', 'busybox:1.37.0'));
    expect(result.applied.map((u) => u.dependency.name)).toEqual(['busybox']);
    expect(result.problems.map((p) => p.message)).toEqual(['could not update redis to 7.2 #oops: the edited file does not read the new version back']);
  });

  it('refuses an update when the file no longer reads the scanned version', () => {
    const text = deployment('nginx:1.25.3');
    const dep = only('deploy.yaml', text, 'nginx');
    const changed = deployment('nginx:1.25.4');
    const result = applyUpdates('deploy.yaml', changed, [updateOf(dep, '1.27.0')]);
    expect(result.text).toEqual(changed);
    expect(result.problems.map((p) => p.message)).toEqual(['could not update nginx to 1.27.0: the file no longer reads the scanned version']);
  });

  it('edits an anchored tag once, at the anchor, and leaves the alias that reads it untouched', () => {
    const text = 'server:\n  image:\n    repository: ghcr.io/goauthentik/server\n    tag: &tag 2024.8.1 # both\nworker:\n  image:\n    repository: ghcr.io/goauthentik/server\n    tag: *tag\n';
    const dep = only('values.yaml', text, 'ghcr.io/goauthentik/server');
    const result = applyUpdates('values.yaml', text, [updateOf(dep, '2024.8.2')]);
    expect(result.text).toEqual(text.replace('&tag 2024.8.1', '&tag 2024.8.2'));
    expect(result.problems).toEqual([]);
  });

  it('edits an image set by an inline kustomize patch inside its block scalar', () => {
    const text = 'resources: [../base]\npatches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: replace\n        path: /spec/template/spec/containers/0/image\n        value: ghcr.io/acme/app:2.4.1 # hotfix\n';
    const dep = only('kustomization.yaml', text, 'ghcr.io/acme/app');
    const result = applyUpdates('kustomization.yaml', text, [updateOf(dep, '2.4.2')]);
    expect(result.text).toEqual(text.replace('app:2.4.1', 'app:2.4.2'));
    expect(result.applied).toHaveLength(1);
  });
});
