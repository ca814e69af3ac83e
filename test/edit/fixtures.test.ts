import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyUpdates } from '../../src/edit/index.js';
import { scanFiles } from '../../src/scan/index.js';
import { bump, splicedByHand } from './update-fixture.js';

const DIR = join(import.meta.dirname, '../../fixtures/edit');

function load(name: string): { path: string; text: string } {
  return { path: name, text: readFileSync(join(DIR, name), 'utf8') };
}

describe('applyUpdates on files full of formatting traps', () => {
  it('bumps every image in a multi-document file with anchors, block scalars, flow style and comments', () => {
    const file = load('torture.yaml');
    const deps = scanFiles([file]).dependencies.filter((d) => !d.skipReason);
    expect(deps.map((d) => `${d.name}:${d.currentValue}${d.currentDigest ? '@digest' : ''}`)).toEqual([
      'ghcr.io/acme/migrate:0.9.1',
      'ghcr.io/acme/web:1.4.2@digest',
      'docker.io/library/nginx:1.25.3-alpine',
      'quay.io/prometheus/nginx-exporter:v1.1.0',
      'ghcr.io/acme/api:2.0.0',
      'registry.example.com/mirror/redis:7.0.11',
    ]);
    const updates = deps.map(bump);
    const result = applyUpdates(file.path, file.text, updates);
    expect(result.problems).toEqual([]);
    expect(result.text).toEqual(splicedByHand(file.text, updates));
    expect(result.text).toContain("image: 'ghcr.io/acme/migrate:0.9.2'}");
    expect(result.text).toContain('    exec /app --port 8080   \n\n  motd: >-\n');
    expect(result.text).toContain('image:   quay.io/prometheus/nginx-exporter:v1.1.1\n');
  });

  it('bumps tag and digest in a CRLF Helm values file', () => {
    const file = load('values.yaml');
    const deps = scanFiles([file]).dependencies.filter((d) => !d.skipReason);
    expect(deps.map((d) => `${d.name}:${d.currentValue}${d.currentDigest ? '@digest' : ''}`)).toEqual([
      'ghcr.io/acme/worker:3.1.0@digest',
      'docker.io/bitnami/redis:7.2.4-debian-12-r0',
    ]);
    const updates = deps.map(bump);
    const result = applyUpdates(file.path, file.text, updates);
    expect(result.problems).toEqual([]);
    expect(result.text).toEqual(splicedByHand(file.text, updates));
    expect(result.text.split('\r\n').length).toEqual(file.text.split('\r\n').length);
  });

  it('bumps an app-template HelmRelease: an anchored tag once, a digest-pinned tag, a flow map and an inline patch', () => {
    const file = load('app-template-helmrelease.yaml');
    const deps = scanFiles([file]).dependencies.filter((d) => !d.skipReason);
    expect(deps.map((d) => `${d.line} ${d.name}:${d.currentValue}${d.currentDigest ? '@digest' : ''}`)).toEqual([
      '17 ghcr.io/onedr0p/postgres-init:16.3@digest',
      '24 ghcr.io/goauthentik/server:2024.8.1',
      '38 docker.io/library/redis:7.4.0-alpine',
      '52 ghcr.io/acme/exporter:v0.4.2',
    ]);
    const updates = deps.map(bump);
    const result = applyUpdates(file.path, file.text, updates);
    expect(result.problems).toEqual([]);
    expect(result.text).toEqual(splicedByHand(file.text, updates));
    expect(result.text).toContain('tag: &tag 2024.8.2   # server and worker move together\n');
    expect(result.text).toContain('              tag: *tag\n');
    expect(result.text).toContain('image: "ghcr.io/acme/exporter:v0.4.3" # sidecar\n...\n');
  });
});
