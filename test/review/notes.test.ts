import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import type { PackageRef } from '../../src/lookup/types.js';
import type { Update } from '../../src/plan/types.js';
import { changelogSections } from '../../src/review/changelog.js';
import { createNotesProvider, notesKey } from '../../src/review/notes.js';
import type { NotesRequest, ReleaseNotesReader } from '../../src/review/release-notes.js';
import { parseSource, PUBLIC_HOSTS } from '../../src/review/sources.js';
import { tagVersion, valueVersion } from '../../src/review/versions.js';
import type { Dependency } from '../../src/scan/types.js';
import { updateOf } from '../edit/update-fixture.js';

function dep(name: string, value: string, datasource: 'docker' | 'helm' = 'docker'): Dependency {
  return { file: 'a.yaml', line: 1, manager: 'kubernetes', datasource, name, registryUrl: null, currentValue: value, currentDigest: null, valueRange: { start: 0, end: 1 }, digestRange: null };
}

/** A reader that records what it was asked and answers with no versions. */
function recordingReader(): { reader: ReleaseNotesReader; asked: NotesRequest[] } {
  const asked: NotesRequest[] = [];
  const reader = { notes: async (req: NotesRequest) => (asked.push(req), { notes: { source: req.source, from: 'none' as const, versions: [], compareUrl: null } }) };
  return { reader: reader as unknown as ReleaseNotesReader, asked };
}

describe('which source and which versions', () => {
  it('prefers the declared source (a rule or the chart), then the image label, then the homepage', async () => {
    const { reader, asked } = recordingReader();
    const labels: string[] = [];
    const imageSource = async (pkg: PackageRef, version: string) => (labels.push(`${pkg.name}:${version}`), 'https://github.com/acme/from-label');
    const provide = createNotesProvider({ reader, hosts: PUBLIC_HOSTS, imageSource, logger: silentLogger });
    const declared = { ...updateOf(dep('ghcr.io/acme/a', '1.0.0'), '1.1.0'), sourceUrl: 'https://github.com/acme/declared' };
    const labelled = updateOf(dep('ghcr.io/acme/b', 'v2.0.0-alpine'), 'v2.1.0-alpine');
    const homepage = { ...updateOf(dep('c', '3.0.0', 'helm'), '3.2.0'), homepage: 'https://gitlab.com/acme/c' };
    await provide([declared, labelled, homepage]);
    expect(asked.map((r) => [r.source.webUrl, r.packageName, r.from, r.to]).sort((a, b) => a[1]!.localeCompare(b[1]!))).toEqual([
      ['https://gitlab.com/acme/c', 'c', '3.0.0', '3.2.0'],
      ['https://github.com/acme/declared', 'ghcr.io/acme/a', '1.0.0', '1.1.0'],
      ['https://github.com/acme/from-label', 'ghcr.io/acme/b', '2.0.0', '2.1.0'],
    ]);
    expect(labels).toEqual(['ghcr.io/acme/b:v2.1.0-alpine']);
  });

  it('reads an OCI chart\'s source annotation, and never asks it of a chart from an HTTP repository', async () => {
    const { reader, asked } = recordingReader();
    const refs: PackageRef[] = [];
    const imageSource = async (pkg: PackageRef) => (refs.push(pkg), 'https://github.com/stefanprodan/podinfo');
    const provide = createNotesProvider({ reader, hosts: PUBLIC_HOSTS, imageSource, logger: silentLogger });
    const oci = updateOf({ ...dep('podinfo', '6.5.3', 'helm'), registryUrl: 'oci://ghcr.io/stefanprodan/charts' }, '6.6.0');
    const http = updateOf({ ...dep('redis', '18.0.0', 'helm'), registryUrl: 'https://charts.bitnami.com/bitnami' }, '18.1.0');
    await provide([oci, http]);
    expect(refs).toEqual([{ datasource: 'helm', name: 'podinfo', registryUrl: 'oci://ghcr.io/stefanprodan/charts' }]);
    expect(asked.map((r) => r.source.webUrl)).toEqual(['https://github.com/stefanprodan/podinfo']);
  });

  it('reads no notes for a digest update, and asks once for a package in several files', async () => {
    const { reader, asked } = recordingReader();
    const provide = createNotesProvider({ reader, hosts: PUBLIC_HOSTS, logger: silentLogger });
    const digest = { ...updateOf(dep('nginx', '1.25.3'), '1.25.3', 'sha256:' + 'a'.repeat(64), 'digest'), sourceUrl: 'https://github.com/nginx/nginx' };
    const one = { ...updateOf(dep('web', '1.0.0'), '1.1.0'), sourceUrl: 'https://github.com/acme/web' };
    const other = { ...one, dependency: { ...one.dependency, file: 'b.yaml' } } as Update;
    const notes = await provide([digest, one, other]);
    expect(asked.map((r) => r.packageName)).toEqual(['web']);
    expect(notes.get(notesKey(digest))).toEqual({ notes: { source: parseSource('https://github.com/nginx/nginx'), from: 'none', versions: [], compareUrl: null } });
  });
});

describe('reading versions', () => {
  it('reads release tags in their usual spellings, and a name prefix only when it is the package\'s', () => {
    expect(['v1.2.3', '1.2', 'web-1.2.3', 'web/v1.2.3', 'v1.3.0-rc.1', 'api-1.2.3', 'release-2024', 'latest'].map((t) => tagVersion(t, 'ghcr.io/acme/web'))).toEqual([
      '1.2.3', '1.2.0', '1.2.3', '1.2.3', '1.3.0-rc.1', null, null, null,
    ]);
  });

  it('reads an image tag without its family and build', () => {
    expect([valueVersion('1.25.3-alpine', false), valueVersion('16.4.0-debian-12-r15', false), valueVersion('v2.1', false), valueVersion('~1.2', true)]).toEqual(['1.25.3', '16.4.0', '2.1.0', null]);
  });

  it('reads GitHub and GitLab repositories from the URL shapes registries and charts write', () => {
    expect(['git+https://github.com/acme/web.git', 'https://github.com/acme/charts/tree/main/charts/web', 'git@github.com:acme/web.git', 'https://gitlab.com/g/sub/p/-/tree/main', 'https://example.com/x', 'javascript:alert(1)'].map((u) => parseSource(u))).toEqual([
      { kind: 'github', host: 'github.com', owner: 'acme', repo: 'web', webUrl: 'https://github.com/acme/web' },
      { kind: 'github', host: 'github.com', owner: 'acme', repo: 'charts', webUrl: 'https://github.com/acme/charts' },
      { kind: 'github', host: 'github.com', owner: 'acme', repo: 'web', webUrl: 'https://github.com/acme/web' },
      { kind: 'gitlab', host: 'gitlab.com', project: 'g/sub/p', webUrl: 'https://gitlab.com/g/sub/p' },
      { kind: 'other', webUrl: 'https://example.com/x' },
      null,
    ]);
  });

  it('takes the CHANGELOG sections after the current version up to the new one, sub-headings included', () => {
    const text = '# Changelog\n## v2.0.0 (2025-05-01)\n### Breaking\n- gone\n## v1.1.0\n- new\n## v1.0.0\n- first\n';
    expect(changelogSections(text, 'x', '1.0.0', '2.0.0').map((s) => [s.tag, s.date, s.body])).toEqual([
      ['v2.0.0', '2025-05-01', '### Breaking\n- gone'],
      ['v1.1.0', null, '- new'],
    ]);
  });
});
