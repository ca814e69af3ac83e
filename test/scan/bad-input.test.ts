import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanDirectory, scanToJson } from '../../src/scan/index.js';
import { dep } from './helpers.js';

const POD = (image: string) => `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: ${image}\n`;

describe('scanning a directory with bad input', () => {
  let dir: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tidemark-scan-'));
    outside = mkdtempSync(path.join(tmpdir(), 'tidemark-outside-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  const write = (rel: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  };

  it('reports each bad file as a problem and still scans the good ones', async () => {
    write('a-broken.yaml', 'key: [unclosed\n');
    write('b-duplicate.yaml', POD('nginx:1.25') + 'kind: Service\n');
    write('c-tabs.yaml', 'spec:\n\tcontainers: []\n');
    write('d-binary.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
    write('e-latin1.yml', Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
    write('f-bom-crlf.yaml', '\uFEFF' + POD('redis:7.2.4').replace(/\n/g, '\r\n'));
    write('g-second-doc-ok.yaml', 'a: [\n---\n' + POD('alpine:3.19'));
    writeFileSync(path.join(dir, 'h-huge.yaml'), '');
    truncateSync(path.join(dir, 'h-huge.yaml'), 50 * 1024 * 1024);
    const json = scanToJson(await scanDirectory(dir));
    expect(json).toEqual({
      dependencies: [
        dep('b-duplicate.yaml', 5, 'kubernetes', 'nginx', '1.25'),
        dep('f-bom-crlf.yaml', 5, 'kubernetes', 'redis', '7.2.4'),
        dep('g-second-doc-ok.yaml', 7, 'kubernetes', 'alpine', '3.19'),
      ],
      problems: [
        { file: 'a-broken.yaml', line: 2, message: 'Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1' },
        { file: 'b-duplicate.yaml', line: 6, message: 'duplicate key "kind": every occurrence is scanned (YAML 1.2 allows one)' },
        { file: 'c-tabs.yaml', line: 2, message: 'Tabs are not allowed as indentation at line 2, column 1' },
        { file: 'd-binary.yaml', line: 1, message: 'binary file; skipped' },
        { file: 'e-latin1.yml', line: 1, message: 'not valid UTF-8; skipped' },
        { file: 'g-second-doc-ok.yaml', line: 2, message: 'Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1' },
        { file: 'h-huge.yaml', line: 1, message: 'file is 50 MB, over the 10 MB limit; skipped' },
      ],
    });
  });

  it('does not expand an alias bomb and finishes quickly', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(9).fill('*' + prev).join(',')}]`);
    }
    write('values.yaml', lines.join('\n') + '\nimage: {repository: nginx, tag: "1.25"}\n');
    const started = Date.now();
    const json = scanToJson(await scanDirectory(dir));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(json).toEqual({ dependencies: [dep('values.yaml', 11, 'helm-values', 'nginx', '1.25')], problems: [] });
  });

  it('skips, without parsing, a file of more YAML items than a GitOps file has, in time and memory that stay small', async () => {
    write('a-flow.yaml', `[${'1,'.repeat(4_000_000)}1]\n`);
    write('b-documents.yaml', '---\n'.repeat(2_000_000));
    write('c-pod.yaml', POD('nginx:1.25'));
    const started = Date.now();
    const json = scanToJson(await scanDirectory(dir));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(json).toEqual({
      dependencies: [dep('c-pod.yaml', 5, 'kubernetes', 'nginx', '1.25')],
      problems: [
        { file: 'a-flow.yaml', line: 1, message: 'file has over 100000 YAML items (lines and flow entries); skipped' },
        { file: 'b-documents.yaml', line: 1, message: 'file has over 100000 YAML items (lines and flow entries); skipped' },
      ],
    });
  });

  it('reads at most 64 MB of YAML from a repository: a file past that is a problem, the others are scanned', async () => {
    const filler = `# ${'x'.repeat(9 * 1024 * 1024)}\n`;
    write('a-pod.yaml', POD('nginx:1.25'));
    for (let i = 0; i < 8; i++) write(`b-filler-${i}.yaml`, filler);
    write('c-pod.yaml', POD('redis:7.2.4'));
    const json = scanToJson(await scanDirectory(dir));
    expect(json).toEqual({
      dependencies: [dep('a-pod.yaml', 5, 'kubernetes', 'nginx', '1.25'), dep('c-pod.yaml', 5, 'kubernetes', 'redis', '7.2.4')],
      problems: [{ file: 'b-filler-7.yaml', line: 1, message: 'the repository has over 64 MB of YAML; this file is past that and skipped' }],
    });
  });

  it('reads at most 300000 YAML items from a repository, so that values overrides held for the whole scan stay small', async () => {
    write('app/values.yaml', 'image: {repository: nginx, tag: "1.25"}\n');
    for (let i = 0; i < 4; i++) write(`app/values-${i}.yaml`, `a:\n${'- 1\n'.repeat(99_000)}`);
    const started = Date.now();
    const json = scanToJson(await scanDirectory(dir));
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(json).toEqual({
      dependencies: [dep('app/values.yaml', 1, 'helm-values', 'nginx', '1.25')],
      problems: [
        { file: 'app/values-3.yaml', line: 1, message: 'the repository has over 300000 YAML items (lines and flow entries); this file is past that and skipped' },
      ],
    });
  });

  it('counts the budget in walk order though files are read several at once: the same files are over it every run', async () => {
    // 1,000,000 bytes each: 67 files fit in 64 MiB (the 67th in walk order is team-3/app-27), the next ones do not;
    // a small file after them still fits in what is left, as in a walk that reads one file at a time.
    const filler = `# ${'x'.repeat(1_000_000 - 3)}\n`;
    for (let i = 0; i < 80; i++) write(`team-${i % 4}/app-${String(i).padStart(2, '0')}.yaml`, filler);
    write('team-0/a-binary.yaml', Buffer.from([0x61, 0, 0x62]));
    write('team-3/zz-pod.yaml', POD('nginx:1.25'));
    const over = Array.from({ length: 13 }, (_, k) => ({
      file: `team-3/app-${31 + 4 * k}.yaml`, line: 1, message: 'the repository has over 64 MB of YAML; this file is past that and skipped',
    }));
    for (let run = 0; run < 3; run++) {
      const json = scanToJson(await scanDirectory(dir));
      expect(json).toEqual({
        dependencies: [dep('team-3/zz-pod.yaml', 5, 'kubernetes', 'nginx', '1.25')],
        problems: [{ file: 'team-0/a-binary.yaml', line: 1, message: 'binary file; skipped' }, ...over],
      });
    }
  });

  it('follows no symlink: loops and links out of the tree are problems, links inside are not scanned twice', async () => {
    write('apps/pod.yaml', POD('nginx:1.25'));
    writeFileSync(path.join(outside, 'secret.yaml'), POD('outside/image:1.0'));
    symlinkSync(outside, path.join(dir, 'escape'));
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'escape-file.yaml'));
    symlinkSync(path.join(dir, 'loop-b'), path.join(dir, 'loop-a'));
    symlinkSync(path.join(dir, 'loop-a'), path.join(dir, 'loop-b'));
    symlinkSync(path.join(dir, 'apps'), path.join(dir, 'apps-again'));
    symlinkSync(dir, path.join(dir, 'apps', 'self'));
    const json = scanToJson(await scanDirectory(dir));
    expect(json).toEqual({
      dependencies: [dep('apps/pod.yaml', 5, 'kubernetes', 'nginx', '1.25')],
      problems: [
        { file: 'escape', line: 1, message: 'symlink points outside the scanned directory; not followed' },
        { file: 'escape-file.yaml', line: 1, message: 'symlink points outside the scanned directory; not followed' },
        { file: 'loop-a', line: 1, message: 'symlink loop; not followed' },
        { file: 'loop-b', line: 1, message: 'symlink loop; not followed' },
      ],
    });
  });

  it('skips .git, node_modules, gitignored paths and ignorePaths, and reads only YAML files', async () => {
    mkdirSync(path.join(dir, '.git'));
    write('.git/config.yaml', POD('git/internal:1.0'));
    write('node_modules/pkg/pod.yaml', POD('npm/pkg:1.0'));
    write('.gitignore', 'build/\n*.generated.yaml\n');
    write('build/pod.yaml', POD('build/out:1.0'));
    write('apps/x.generated.yaml', POD('gen/x:1.0'));
    write('apps/.gitignore', 'local.yaml\n');
    write('apps/local.yaml', POD('local/x:1.0'));
    write('apps/pod.yml', POD('nginx:1.25'));
    write('apps/pod.json', '{}');
    write('vendor/pod.yaml', POD('vendor/x:1.0'));
    const json = scanToJson(await scanDirectory(dir, { ignorePaths: ['vendor/**'] }));
    expect(json).toEqual({ dependencies: [dep('apps/pod.yml', 5, 'kubernetes', 'nginx', '1.25')], problems: [] });
  });

  it('matches .gitignore patterns in linear time: many ** against a deep directory chain', async () => {
    mkdirSync(path.join(dir, '.git'));
    write('.gitignore', '**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/c\n!**/a/**/a/**/a/**/a/**/a/**/a/**/a/**/e\n');
    const deep = 'a/'.repeat(60);
    write(`${deep}pod.yaml`, POD('nginx:1.25'));
    write(`${deep}c/pod.yaml`, POD('ignored/x:1.0'));
    const started = Date.now();
    const json = scanToJson(await scanDirectory(dir));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(json).toEqual({ dependencies: [dep(`${deep}pod.yaml`, 5, 'kubernetes', 'nginx', '1.25')], problems: [] });
  });

  it('reads .gitignore patterns as git does: anchoring, directories only, negation, escapes and case', async () => {
    mkdirSync(path.join(dir, '.git'));
    write('.gitignore', ['# comment', '/top.yaml', 'logs/', 'sub/*.tmp.yaml', '*.skip.yaml', '!keep.skip.yaml', '\\#hash.yaml', '{a,b}.yaml', 'Upper.yaml', ''].join('\n'));
    for (const f of ['top.yaml', 'x/top.yaml', 'logs/pod.yaml', 'x/logs/pod.yaml', 'logs.yaml', 'sub/a.tmp.yaml', 'x/sub/a.tmp.yaml', 'y/z.skip.yaml', 'keep.skip.yaml', '#hash.yaml', '{a,b}.yaml', 'a.yaml', 'upper.yaml']) {
      write(f, POD(`x/${f.replace(/[^a-z]/g, '')}:1.0`));
    }
    const json = scanToJson(await scanDirectory(dir));
    expect(json.dependencies.map((d) => (d as { file: string }).file)).toEqual(['a.yaml', 'keep.skip.yaml', 'logs.yaml', 'x/sub/a.tmp.yaml', 'x/top.yaml']);
  });

  it('honours a .gitignore above the scanned directory inside the work tree', async () => {
    mkdirSync(path.join(dir, '.git'));
    write('.gitignore', 'sub/skip/\n');
    write('sub/skip/pod.yaml', POD('skip/x:1.0'));
    write('sub/keep/pod.yaml', POD('nginx:1.25'));
    const json = scanToJson(await scanDirectory(path.join(dir, 'sub')));
    expect(json.dependencies).toEqual([dep('keep/pod.yaml', 5, 'kubernetes', 'nginx', '1.25')]);
  });

  it('skips Helm chart templates, which are Go templates rather than YAML', async () => {
    write('chart/Chart.yaml', 'apiVersion: v2\nname: c\nversion: 1.0.0\n');
    write('chart/templates/deploy.yaml', '{{- if .Values.x }}\nimage: {{ .Values.image }}\n{{- end }}\n');
    const json = scanToJson(await scanDirectory(dir));
    expect(json).toEqual({ dependencies: [], problems: [] });
  });
});
