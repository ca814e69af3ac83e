import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CronDeps, cronMain } from '../../src/cli/cron.js';
import { run } from '../../src/run.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { makeBareRepos, summaryFor } from '../ship/git-repos.js';

describe('run-all --report-dir over plain git repositories and a real registry', () => {
  let registry: TestRegistry;
  let bare: ReturnType<typeof makeBareRepos>;
  let out: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const H = registry.host;
    for (const tag of ['1.0.0', '1.1.0']) await registry.pushImage('acme/web', tag);
    const image = (ref: string) => ['apiVersion: v1', 'kind: Pod', 'metadata: {name: web}', 'spec:', '  containers:', `    - {name: web, image: ${ref}}`, ''].join('\n');
    bare = makeBareRepos({
      'team/fleet-a': { 'clusters/prod/web.yaml': image(`${H}/acme/web:1.0.0`) },
      'team/fleet-b': { 'envs/staging/web.yaml': image(`${H}/acme/web:1.1.0`) },
    });
    out = await mkdtemp(path.join(tmpdir(), 'tidemark-run-all-report-'));
  });
  afterAll(async () => {
    await registry?.stop();
    bare?.cleanup();
    if (out) await rm(out, { recursive: true, force: true });
  });

  async function runAll(reportDir: string | undefined): Promise<{ code: number; printed: string[] }> {
    const printed: string[] = [];
    const deps: CronDeps = {
      run, discover: async () => [], env: {}, signal: new AbortController().signal,
      writeErr: () => {}, print: (text) => printed.push(text), isTTY: false,
    };
    // A dry run prints its diffs to stdout; they are not what this test reads.
    const quiet = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const repos = ['team/fleet-a', 'team/fleet-b', 'team/gone'].map((r) => `${bare.baseUrl}/${r}.git`).join(',');
      const code = await cronMain({ repos, platform: 'git', dryRun: true, ...(reportDir && { reportDir }) }, deps);
      return { code, printed: printed.map((p) => p.replace(/\(\d+\.\ds\)/g, '(Ns)')) };
    } finally {
      quiet.mockRestore();
    }
  }

  it('writes the fleet report, names each repository by its last path segment, and keeps the summary lines as they were', async () => {
    const dir = path.join(out, 'site/fleet');
    const withReport = await runAll(dir);
    const without = await runAll(undefined);
    expect(withReport).toEqual(without);
    const url = (r: string) => `${bare.baseUrl}/team/${r}.git`;
    expect(withReport.printed[0]!.split('\n').slice(0, 4).map((l) => l.replace(/ +/g, ' ').replace(/failed .*$/, 'failed …'))).toEqual([
      'Tidemark: 3 repositories: 2 ok, 1 failed',
      ` ${url('fleet-a')} ok would open 1 (Ns)`,
      ` ${url('fleet-b')} ok would open 0 (Ns)`,
      ` ${url('gone')} failed …`,
    ]);
    expect(withReport.code).toBe(1);
    const json = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8'));
    expect(json.repositories).toEqual([
      { repo: 'fleet-a', dependencies: 1, updates: 1, problems: 0 },
      { repo: 'fleet-b', dependencies: 1, updates: 0, problems: 0 },
      { repo: 'gone', dependencies: 0, updates: 0, problems: 1 },
    ]);
    expect(json.packages).toEqual([
      {
        name: `${registry.host}/acme/web`, datasource: 'docker', newest: '1.1.0', drift: true,
        uses: [
          { repo: 'fleet-a', file: 'clusters/prod/web.yaml', line: 6, environment: 'prod', currentValue: '1.0.0', currentDigest: null, newValue: '1.1.0' },
          { repo: 'fleet-b', file: 'envs/staging/web.yaml', line: 6, environment: 'staging', currentValue: '1.1.0', currentDigest: null, newValue: null },
        ],
      },
    ]);
    expect(await readFile(path.join(dir, 'index.html'), 'utf8')).toContain('<td data-label="Repository">gone</td><td colspan="3" data-label="Result" class="failed">failed: ');
  });

  it('prints the summary, logs why, and exits 1 when the report cannot be written', async () => {
    const blocker = path.join(out, 'a-file');
    await writeFile(blocker, 'not a directory\n');
    const printed: string[] = [];
    const logs: { level: string; msg: string }[] = [];
    const code = await cronMain({ repos: 'acme/a', reportDir: path.join(blocker, 'report') }, {
      run: async (opts) => summaryFor(opts.repo!), clone: async () => {}, discover: async () => [], env: { TIDEMARK_TOKEN: 'test-token' }, signal: new AbortController().signal,
      writeErr: (line) => logs.push(JSON.parse(line) as { level: string; msg: string }), print: (text) => printed.push(text), isTTY: false,
    });
    expect(code).toBe(1);
    expect(printed.map((p) => p.replace(/\(\d+\.\ds\)/g, '(Ns)'))).toEqual(['Tidemark: 1 repository: 1 ok\n  acme/a  ok       opened 0, updated 0, closed 0 (Ns)']);
    expect(logs.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual(['fleet report could not be written']);
  });
});
