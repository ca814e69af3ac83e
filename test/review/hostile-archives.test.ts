import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { chartArchive, tarArchive } from '../helpers/chart-archive.js';
import { startHelmRepo, type HelmVersion, type TestHelmRepo } from '../helpers/helm-repo.js';


const good = (name: string, version: string): Buffer =>
  chartArchive({ name, version, values: 'legacy: {enabled: false}\n', kubeVersion: '>=1.25.0-0', changes: [`${name} ${version}`] });

/** Where the path-traversal entry would land if anything unpacked it. */
const ESCAPED = `tidemark-review-escaped-${process.pid}`;

describe('chart archives that cannot be read leave the update planned, with a problem and no risks', () => {
  let helm: TestHelmRepo;
  let dir: string;
  let cacheDir: string;
  const cases: Record<string, { archive?: Buffer; digest?: string | null; url?: string }> = {
    missing: { url: 'charts/gone.tgz' },
    tampered: { archive: good('tampered', '2.0.0'), digest: createHash('sha256').update('something else').digest('hex') },
    huge: { archive: randomBytes(17 * 1024 * 1024) },
    notgzip: { archive: Buffer.from('<html>this is a login page</html>') },
    truncated: { archive: good('truncated', '2.0.0').subarray(0, 60) },
    bomb: { archive: gzipSync(tarArchive([{ name: 'bomb/Chart.yaml', content: 'name: bomb\n' }, { name: 'bomb/zeros.bin', content: Buffer.alloc(80 * 1024 * 1024) }])) },
    traversal: { archive: gzipSync(tarArchive([{ name: 'traversal/Chart.yaml', content: 'name: traversal\n' }, { name: `traversal/../../../../../../tmp/${ESCAPED}`, content: 'pwned' }])) },
    linky: { archive: gzipSync(tarArchive([{ name: 'linky/Chart.yaml', content: 'name: linky\n' }, { name: 'linky/values.yaml', type: 'symlink', target: '/etc/passwd' }])) },
  };

  beforeAll(async () => {
    const charts: Record<string, HelmVersion[]> = {};
    for (const [name, c] of Object.entries(cases)) {
      const newest: HelmVersion = { version: '2.0.0', ...c };
      if (c.url) newest.archive = undefined;
      charts[name] = [newest, { version: '1.0.0', archive: good(name, '1.0.0') }];
    }
    helm = await startHelmRepo(charts);
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-review-hostile-'));
    cacheDir = await mkdtemp(path.join(tmpdir(), 'tidemark-review-cache-'));
    const docs = Object.keys(cases).map((name) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        `metadata: {name: ${name}}`,
        'spec:',
        '  source:',
        `    repoURL: ${helm.url}`,
        `    chart: ${name}`,
        '    targetRevision: 1.0.0',
        '    helm:',
        '      valuesObject: {legacy: {enabled: true}}',
      ].join('\n'),
    );
    await mkdir(path.join(dir, 'apps'), { recursive: true });
    await writeFile(path.join(dir, 'apps/apps.yaml'), docs.join('\n---\n') + '\n');
  }, 60_000);

  afterAll(async () => {
    await helm?.stop();
    for (const d of [dir, cacheDir]) if (d) await rm(d, { recursive: true, force: true });
  });

  it('reports each bad archive on its dependency line, plans the update and writes nothing from it', async () => {
    const { code, out } = await runCli(['plan', dir, '--json', '--cache-dir', cacheDir]);
    // A chart that cannot be reviewed is no failed lookup: the run is not partial.
    expect(code).toBe(0);
    const plan = JSON.parse(out) as { updates: { name: string; line: number; newValue: string; risks: unknown[]; changes: unknown[] }[]; problems: { file: string; line: number; message: string }[] };
    expect(plan.updates.map((u) => [u.name, u.newValue, u.risks, u.changes])).toEqual([
      ['missing', '2.0.0', [], []],
      ['tampered', '2.0.0', [], []],
      ['huge', '2.0.0', [], []],
      ['notgzip', '2.0.0', [], []],
      ['truncated', '2.0.0', [], []],
      ['bomb', '2.0.0', [], []],
      ['traversal', '2.0.0', [], []],
      ['linky', '2.0.0', [], []],
    ]);
    const lines = Object.fromEntries(plan.updates.map((u) => [u.name, u.line]));
    const host = new URL(helm.url).host;
    const problem = (name: string, why: string) => ({ file: 'apps/apps.yaml', line: lines[name], message: `${name} 2.0.0: chart not reviewed, its archive could not be read: ${why}` });
    expect(plan.problems).toEqual([
      problem('missing', `${host} answered 404 for /charts/gone.tgz`),
      problem('tampered', `${host} sent a chart archive for tampered 2.0.0 that does not match the index digest`),
      problem('huge', `${host} sent a response larger than ${16 * 1024 * 1024} bytes`),
      problem('notgzip', 'the chart archive is not gzip-compressed'),
      problem('truncated', 'the chart archive is not valid gzip'),
      problem('bomb', 'the chart archive unpacks to more than 64 MiB'),
      problem('traversal', `the chart archive has an entry outside its directory (traversal/../../../../../../tmp/${ESCAPED}); not read`),
      problem('linky', 'the chart archive holds a link (linky/values.yaml); not read'),
    ]);
    expect(existsSync(path.join('/tmp', ESCAPED))).toBe(false);
    // The checkout holds what it held; the cache holds JSON entries only (index and read chart files), no archive entry.
    expect(await readdir(path.join(dir, 'apps'))).toEqual(['apps.yaml']);
    for (const f of await readdir(path.join(cacheDir, 'lookup', 'http'))) expect(f).toMatch(/^[0-9a-f]{64}\.json$/);
  }, 60_000);
});
