import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const DIGEST = 'sha256:' + 'b'.repeat(64);

describe('tidemark scan', () => {
  let dir: string;
  let out: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tidemark-cli-scan-'));
    mkdirSync(path.join(dir, 'apps/web'), { recursive: true });
    writeFileSync(
      path.join(dir, 'apps/web/deploy.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: ghcr.io/acme/web:1.2.3@${DIGEST}\n        - image: nginx:latest\n`,
    );
    writeFileSync(path.join(dir, 'apps/bad.yaml'), 'a: 1\nb: [\n');
    out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the exact JSON contract with --json', async () => {
    expect(await main(['scan', dir, '--json'])).toBe(0);
    expect(JSON.parse(out)).toEqual({
      dependencies: [
        { file: 'apps/web/deploy.yaml', line: 7, manager: 'kubernetes', datasource: 'docker', name: 'ghcr.io/acme/web', registryUrl: null, currentValue: '1.2.3', currentDigest: DIGEST },
        { file: 'apps/web/deploy.yaml', line: 8, manager: 'kubernetes', datasource: 'docker', name: 'nginx', registryUrl: null, currentValue: 'latest', currentDigest: null, skipReason: 'unpinned' },
      ],
      problems: [{ file: 'apps/bad.yaml', line: 3, message: 'Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1' }],
    });
    expect(Object.keys(JSON.parse(out).dependencies[1])).toEqual([
      'file', 'line', 'manager', 'datasource', 'name', 'registryUrl', 'currentValue', 'currentDigest', 'skipReason',
    ]);
  });

  it('prints a table, the problems, a summary counting skips by reason and a legend of those reasons', async () => {
    expect(await main(['scan', dir])).toBe(0);
    expect(out).toBe(
      [
        'LOCATION                MANAGER     NAME              CURRENT                     SKIPPED',
        'apps/web/deploy.yaml:7  kubernetes  ghcr.io/acme/web  1.2.3@sha256:bbbbbbbbbbbb…',
        'apps/web/deploy.yaml:8  kubernetes  nginx             latest                      unpinned',
        '',
        'Problems:',
        '  apps/bad.yaml:3: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1',
        '',
        '2 dependencies in 1 file (2 images, 0 charts): 1 updatable, 1 skipped (1 unpinned); 1 problem.',
        'Skipped: unpinned = floating tag or no version.',
        '',
      ].join('\n'),
    );
  });

  it('counts skipped dependencies by reason, most frequent first, and explains only the reasons present', async () => {
    writeFileSync(
      path.join(dir, 'compose.yaml'),
      'services:\n  a:\n    image: redis\n  b:\n    image: "${REGISTRY}/app:1.0"\n  c:\n    image: "{{ .image }}"\n  d:\n    image: busybox:1.37.0\n',
    );
    expect(await main(['scan', dir])).toBe(0);
    expect(out.split('\n').slice(-3)).toEqual([
      '6 dependencies in 2 files (6 images, 0 charts): 2 updatable, 4 skipped (2 unpinned, 1 substitution, 1 templated); 1 problem.',
      'Skipped: unpinned = floating tag or no version; substitution = holds ${VAR}; templated = holds {{ }}.',
      '',
    ]);
  });

  it('keeps a file name with a line break or an escape sequence on its row, in the table and in --explain', async () => {
    rmSync(path.join(dir, 'apps'), { recursive: true });
    writeFileSync(path.join(dir, 'a\u001b[2J\nforged.yaml'), 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: 127.0.0.1:1/acme/web:1.0.0\n');
    expect(await main(['scan', dir])).toBe(0);
    expect(out.split('\n').slice(0, 2)).toEqual([
      'LOCATION             MANAGER     NAME                  CURRENT  SKIPPED',
      'a [2J forged.yaml:5  kubernetes  127.0.0.1:1/acme/web  1.0.0',
    ]);
    out = '';
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['plan', dir, '--no-cache', '--explain', '127.0.0.1:1/acme/web'])).toBe(1);
    expect(out.split('\n').slice(-2)).toEqual(['a [2J forged.yaml:5 127.0.0.1:1/acme/web 1.0.0: stays: lookup failed: 127.0.0.1:1 could not be reached', '']);
  });

  it('exits 2 when the directory does not exist', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['scan', path.join(dir, 'nope')])).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toContain('not a directory');
  });

  it("leaves out the config's ignorePaths, and says so under the summary", async () => {
    mkdirSync(path.join(dir, 'vendor'), { recursive: true });
    writeFileSync(path.join(dir, 'vendor/pod.yaml'), 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: redis:7.0.0\n');
    writeFileSync(path.join(dir, '.tidemark.yaml'), 'ignorePaths: [vendor/**, apps/bad.yaml]\n');
    expect(await main(['scan', dir])).toBe(0);
    expect(out).not.toContain('redis');
    expect(out).not.toContain('bad.yaml:');
    expect(out.split('\n').slice(-2)).toEqual(['Not scanned (ignorePaths in .tidemark.yaml): vendor/**, apps/bad.yaml.', '']);
    out = '';
    expect(await main(['scan', dir, '--json'])).toBe(0);
    expect(JSON.parse(out)).toEqual({ dependencies: [expect.objectContaining({ name: 'ghcr.io/acme/web' }), expect.objectContaining({ name: 'nginx' })], problems: [] });
  });

  it('still honours ignorePaths when another key of the config is wrong, and warns about that key', async () => {
    mkdirSync(path.join(dir, 'vendor'), { recursive: true });
    writeFileSync(path.join(dir, 'vendor/pod.yaml'), 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: redis:7.0.0\n');
    writeFileSync(path.join(dir, '.tidemark.yaml'), 'prConcurrentLimit: lots\nignorePaths:\n  - vendor/**\n');
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    expect(await main(['scan', dir, '--log-format', 'json'])).toBe(0);
    expect(out).not.toContain('redis');
    const warning = JSON.parse(err.join('').trim().split('\n')[0]!) as Record<string, unknown>;
    expect([warning['level'], warning['msg'], warning['file'], warning['line']]).toEqual(['warn', 'config problem; scan reads only ignorePaths', '.tidemark.yaml', 1]);
  });

  it('exits 2 when the config file given with --config does not exist', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    expect(await main(['scan', dir, '--config', 'nope.yaml'])).toBe(2);
    expect(err.join('')).toContain('tidemark: config file not read: nope.yaml');
  });

  it('fits the table in the terminal width, eliding long cells in the middle, and keeps every cell whole off a terminal', async () => {
    const long = 'apps/production/eu-west-1/platform/observability/deploy.yaml';
    mkdirSync(path.dirname(path.join(dir, long)), { recursive: true });
    writeFileSync(path.join(dir, long), 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: registry.example.com/platform/observability/collector:0.99.0\n');
    const { formatScanTable } = await import('../../src/cli/commands/scan.js');
    const { scanDirectory } = await import('../../src/scan/index.js');
    const result = await scanDirectory(dir);
    const narrow = formatScanTable(result, { width: 80 }).split('\n');
    const table = narrow.slice(0, 4);
    expect(table.every((l) => l.length <= 80)).toBe(true);
    expect(table[1]).toMatch(/^apps\/prod.*….*\.yaml:5 +kubernetes +registry\..*….*ollector +0\.99\.0$/);
    const whole = formatScanTable(result, { width: null }).split('\n');
    expect(whole[1]).toContain(`${long}:5  kubernetes  registry.example.com/platform/observability/collector  0.99.0`);
    expect(await main(['scan', dir])).toBe(0);
    expect(out).toContain(`${long}:5  kubernetes  registry.example.com/platform/observability/collector  0.99.0`);
  });
});

describe('formatTable', () => {
  it('narrows the widest columns first and elides in the middle', async () => {
    const { formatTable, elide } = await import('../../src/cli/table.js');
    expect(elide('abcdefghij', 7)).toEqual('abc…hij');
    expect(formatTable(['A', 'B'], [['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbb']], 24)).toEqual([`${'A'.padEnd(12)}  B`, 'aaaaaa…aaaaa  bbbbbbbbbb']);
  });
});
