import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';
import type { RunOptions, RunSummary } from '../../src/run-types.js';
import { run } from '../../src/run.js';
import { startHelmRepo, type TestHelmRepo } from '../helpers/helm-repo.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { gitRepo, humanPush, remoteHeads, sh, showFile } from '../publish/git-fixture.js';

/**
 * The whole pipeline against real components: a docker-registry, a Helm HTTP repository and a bare git remote,
 * published with `--platform git`. Each step builds on the one before, as runs of a cron job would.
 */
describe('tidemark run --platform git, end to end', () => {
  let registry: TestRegistry;
  let helm: TestHelmRepo;
  let repo: ReturnType<typeof gitRepo>;
  let work: string;
  let apiDigests: { old: string; next: string };
  const files: Record<string, string> = {};

  const deployment = (image: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app # keep\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: "${image}"\n`;

  beforeAll(async () => {
    [registry, helm] = await Promise.all([startRegistry(), startHelmRepo({ podinfo: ['6.1.0', '6.0.0'] })]);
    const web = `${registry.host}/acme/web`;
    const api = `${registry.host}/acme/api`;
    await registry.pushImage('acme/web', '1.0.0');
    await registry.pushImage('acme/web', '1.1.0');
    // Different build times make different manifests, so the digest must move with the tag.
    const old = (await registry.pushImage('acme/api', '2.0.0', { created: '2026-01-01T00:00:00Z' })).digest;
    const next = (await registry.pushImage('acme/api', '2.0.1', { created: '2026-02-01T00:00:00Z' })).digest;
    expect(next).not.toEqual(old);
    apiDigests = { old, next };
    Object.assign(files, {
      // Three branches in one run: more than the default prHourlyLimit (2), which this test is not about.
      '.tidemark.yaml': 'prHourlyLimit: 0\n',
      'apps/web/deployment.yaml': deployment(`${web}:1.0.0`),
      'overlays/prod/web.yaml': deployment(`${web}:1.0.0`).replace(/\n/g, '\r\n'),
      'apps/api/deployment.yaml': deployment(`${api}:2.0.0@${old}`),
      'infra/podinfo.yaml': [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata:',
        '  name: podinfo',
        'spec:',
        `  url: ${helm.url}`,
        '---',
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata:',
        '  name: podinfo',
        'spec:',
        '  chart:',
        '    spec:',
        '      chart: podinfo',
        '      version: 6.0.0 # chart version',
        '      sourceRef:',
        '        kind: HelmRepository',
        '        name: podinfo',
        '',
      ].join('\n'),
    });
    repo = gitRepo(files);
    work = mkdtempSync(join(tmpdir(), 'tidemark-e2e-'));
  });

  afterAll(async () => {
    await Promise.all([registry?.stop(), helm?.stop()]);
    repo?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function options(extra: Partial<RunOptions> = {}): RunOptions {
    return {
      dir: repo.checkout,
      platform: 'git',
      repo: null,
      endpoint: null,
      token: null,
      remote: null,
      dryRun: false,
      configPath: null,
      cacheDir: null,
      planOut: join(work, 'plan.json'),
      logger: silentLogger,
      ...extra,
    };
  }

  const brief = (s: RunSummary) => ({
    opened: s.opened.map((o) => o.branch).sort(),
    updated: s.updated.map((o) => o.branch).sort(),
    closed: s.closed.map((o) => o.branch).sort(),
    skipped: s.skipped.map((o) => `${o.branch}: ${o.detail}`).sort(),
    partialFailure: s.partialFailure,
  });

  /** The branch whose files include `path`. */
  function branchTouching(s: RunSummary, path: string): string {
    const found = s.plan.branches.find((b) => b.updates.some((u) => u.dependency.file === path));
    expect(found, `a planned branch for ${path}`).toBeDefined();
    return found!.branchName;
  }

  let branches: { web: string; api: string; podinfo: string };

  it('prints the PRs and diffs on a dry run through the CLI and pushes nothing', async () => {
    // The chart's index names https://github.com/example/podinfo as its source: its releases, as GitHub lists them.
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
    const github = nock('https://api.github.com')
      .get('/repos/example/podinfo/releases')
      .query({ per_page: '50', page: '1' })
      .reply(200, [
        { tag_name: '6.1.0', name: '6.1.0', body: 'Adds **HPA** support', html_url: 'https://github.com/example/podinfo/releases/tag/6.1.0', published_at: '2026-01-10T00:00:00Z', draft: false, prerelease: false },
        { tag_name: '6.0.0', name: '6.0.0', body: 'First', html_url: 'https://github.com/example/podinfo/releases/tag/6.0.0', published_at: '2025-12-01T00:00:00Z', draft: false, prerelease: false },
      ]);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    let code: number;
    try {
      code = await main(['run', repo.checkout, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'error']);
    } finally {
      spy.mockRestore();
      nock.enableNetConnect();
    }
    github.done();
    expect(code).toEqual(0);
    expect(remoteHeads(repo.remote)).toEqual({ main: sh(repo.checkout, 'rev-parse', 'HEAD') });
    const all = out.join('');
    expect(all).toContain(`-          image: "${registry.host}/acme/web:1.0.0"\n+          image: "${registry.host}/acme/web:1.1.0"\n`);
    expect(all).toContain(
      `-          image: "${registry.host}/acme/api:2.0.0@${apiDigests.old}"\n+          image: "${registry.host}/acme/api:2.0.1@${apiDigests.next}"\n`,
    );
    expect(all).toContain('-      version: 6.0.0 # chart version\n+      version: 6.1.0 # chart version\n');
    expect(all).toContain(`Dry run of ${repo.checkout}: would open 3, 0 skipped, 0 problems`);
    expect(all).toContain('<summary>6.1.0 (2026-01-10)</summary>\n\nAdds **HPA** support\n\n[Release on GitHub](https://github.com/example/podinfo/releases/tag/6.1.0)');
    expect(all.indexOf('<summary>6.1.0')).toBeLessThan(all.indexOf('+      version: 6.1.0 # chart version'));
  });

  it('first run pushes one branch per update with exactly the expected file contents', async () => {
    const summary = await run(options());
    branches = {
      web: branchTouching(summary, 'apps/web/deployment.yaml'),
      api: branchTouching(summary, 'apps/api/deployment.yaml'),
      podinfo: branchTouching(summary, 'infra/podinfo.yaml'),
    };
    expect(brief(summary)).toEqual({
      opened: [branches.web, branches.api, branches.podinfo].sort(),
      updated: [],
      closed: [],
      skipped: [],
      partialFailure: false,
    });
    const heads = remoteHeads(repo.remote);
    expect(Object.keys(heads).sort()).toEqual(['main', ...Object.values(branches)].sort());
    const web = `${registry.host}/acme/web`;
    expect(showFile(repo.remote, branches.web, 'apps/web/deployment.yaml')).toEqual(deployment(`${web}:1.1.0`));
    expect(showFile(repo.remote, branches.web, 'overlays/prod/web.yaml')).toEqual(deployment(`${web}:1.1.0`).replace(/\n/g, '\r\n'));
    expect(showFile(repo.remote, branches.api, 'apps/api/deployment.yaml')).toEqual(deployment(`${registry.host}/acme/api:2.0.1@${apiDigests.next}`));
    expect(showFile(repo.remote, branches.podinfo, 'infra/podinfo.yaml')).toEqual(files['infra/podinfo.yaml']!.replace('version: 6.0.0', 'version: 6.1.0'));
    // Each branch is one commit on main that touches only its own files.
    for (const branch of Object.values(branches)) {
      expect(sh(repo.remote, 'rev-parse', `${branch}~1`)).toEqual(heads.main);
    }
    expect(sh(repo.remote, 'diff', '--name-only', 'main', branches.web).split('\n')).toEqual(['apps/web/deployment.yaml', 'overlays/prod/web.yaml']);
    expect(sh(repo.remote, 'log', '-1', '--format=%ae', branches.web)).toEqual('tidemark@users.noreply.invalid');
    const plan = JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8')) as { updates: { name: string; file: string; newValue: string }[] };
    expect(Object.keys(plan)).toEqual(['updates', 'unchanged', 'problems']);
    expect(plan.updates.map((u) => [u.name.replace(registry.host, 'REG'), u.file, u.newValue]).sort()).toEqual(
      [
        ['REG/acme/api', 'apps/api/deployment.yaml', '2.0.1'],
        ['REG/acme/web', 'apps/web/deployment.yaml', '1.1.0'],
        ['REG/acme/web', 'overlays/prod/web.yaml', '1.1.0'],
        ['podinfo', 'infra/podinfo.yaml', '6.1.0'],
      ].sort(),
    );
  });

  it('second run changes nothing', async () => {
    const before = remoteHeads(repo.remote);
    const summary = await run(options());
    expect(remoteHeads(repo.remote)).toEqual(before);
    expect(brief(summary)).toEqual({
      opened: [],
      updated: [],
      closed: [],
      skipped: Object.values(branches).map((b) => `${b}: up to date`).sort(),
      partialFailure: false,
    });
  });

  it('after a newer tag appears, the third run moves exactly one branch', async () => {
    await registry.pushImage('acme/web', '1.2.0');
    const before = remoteHeads(repo.remote);
    const summary = await run(options());
    const after = remoteHeads(repo.remote);
    const moved = Object.keys(after).filter((b) => after[b] !== before[b]);
    expect(moved).toEqual([branches.web]);
    expect(summary.updated.map((o) => o.branch)).toEqual([branches.web]);
    expect(showFile(repo.remote, branches.web, 'apps/web/deployment.yaml')).toEqual(deployment(`${registry.host}/acme/web:1.2.0`));
    expect(sh(repo.remote, 'rev-list', '--count', `main..${branches.web}`)).toEqual('1');
  });

  it('a human commit on a branch stops Tidemark from rewriting it', async () => {
    humanPush(repo.remote, branches.web, { 'apps/web/NOTES.md': 'testing 1.2.0 first\n' });
    await registry.pushImage('acme/web', '1.3.0');
    const before = remoteHeads(repo.remote);
    const summary = await run(options());
    expect(remoteHeads(repo.remote)).toEqual(before);
    expect(summary.skipped.map((o) => `${o.branch}: ${o.detail}`)).toContain(`${branches.web}: branch has commits by someone else; not rewritten`);
    expect(showFile(repo.remote, branches.web, 'apps/web/NOTES.md')).toEqual('testing 1.2.0 first\n');
  });

  it('deletes a branch whose update reached the base branch another way', async () => {
    humanPush(repo.remote, 'main', { 'infra/podinfo.yaml': files['infra/podinfo.yaml']!.replace('version: 6.0.0', 'version: 6.1.0') });
    sh(repo.checkout, 'pull', '--quiet', '--ff-only', 'origin', 'main');
    const summary = await run(options());
    expect(summary.closed.map((o) => `${o.branch}: ${o.detail}`)).toEqual([`${branches.podinfo}: no longer needed; branch deleted`]);
    expect(Object.keys(remoteHeads(repo.remote)).sort()).toEqual(['main', branches.api, branches.web].sort());
    // main moved, but not in the api branch's files: that branch still merges cleanly and is left alone.
    expect(summary.updated).toEqual([]);
  });
});

describe('the commit author, end to end', () => {
  let registry: TestRegistry;
  const repos: ReturnType<typeof gitRepo>[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    await registry.pushImage('acme/web', '1.0.0');
    await registry.pushImage('acme/web', '1.1.0');
  });

  afterAll(async () => {
    await registry?.stop();
    for (const r of repos) r.cleanup();
  });

  async function pushedAuthor(files: Record<string, string>, extra: Partial<RunOptions>): Promise<string> {
    const repo = gitRepo({ 'app.yaml': `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n    - image: ${registry.host}/acme/web:1.0.0\n`, ...files });
    repos.push(repo);
    const summary = await run({ dir: repo.checkout, platform: 'git', repo: null, endpoint: null, token: null, remote: null, dryRun: false, configPath: null, cacheDir: null, planOut: null, logger: silentLogger, ...extra });
    const [branch] = summary.opened.map((o) => o.branch);
    expect(branch).toBeDefined();
    return sh(repo.remote, 'log', '-1', '--format=%an <%ae>', branch!);
  }

  it("commits as the operator's TIDEMARK_GIT_AUTHOR, over the repository config's author", async () => {
    const author = { name: 'Acme Bot', email: 'bot@acme.example' };
    const config = { '.tidemark.yaml': 'author:\n  name: Repo Bot\n  email: repo@acme.example\n' };
    expect(await pushedAuthor(config, { author })).toEqual('Acme Bot <bot@acme.example>');
  });

  it("commits as the repository config's author over the platform's bot identity", async () => {
    const config = { '.tidemark.yaml': 'author:\n  name: Repo Bot\n  email: repo@acme.example\n' };
    expect(await pushedAuthor(config, { platformAuthor: { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' } })).toEqual(
      'Repo Bot <repo@acme.example>',
    );
  });

  it('commits as the platform bot when nothing else names an author', async () => {
    expect(await pushedAuthor({}, { platformAuthor: { name: 'github-actions[bot]', email: '41898282+github-actions[bot]@users.noreply.github.com' } })).toEqual(
      'github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>',
    );
  });
});
