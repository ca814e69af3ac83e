import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';


describe('tidemark run --dry-run with release notes', () => {
  let registry: TestRegistry;
  let dir: string;

  beforeAll(async () => {
    registry = await startRegistry();
    // The image's source label, as `docker build --label` or the OCI annotations of a CI build write it.
    for (const tag of ['1.4.2', '1.5.0']) await registry.pushImage('acme/web', tag, { sourceLabel: 'https://github.com/acme/web' });
    dir = await mkdtemp(path.join(tmpdir(), 'tidemark-notes-e2e-'));
    await writeFile(
      path.join(dir, 'web.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ${registry.host}/acme/web:1.4.2\n`,
    );
    await writeFile(path.join(dir, '.tidemark.yaml'), 'commitMessagePrefix: chore(deps)\n');
    nock.disableNetConnect();
    nock.enableNetConnect('127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await registry?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the PR title and body, with the notes read from the source the image names, before the diff', async () => {
    const seen: unknown[] = [];
    const github = nock('https://api.github.com')
      .get('/repos/acme/web/releases')
      .query({ per_page: '50', page: '1' })
      .reply(function () {
        seen.push(this.req.headers['authorization']);
        return [200, [
          { tag_name: 'v1.5.0', name: 'Web 1.5.0', body: 'Faster start-up, thanks @alice (#12)\n<img src="https://t.example/pixel.gif">', html_url: 'https://github.com/acme/web/releases/tag/v1.5.0', published_at: '2025-03-01T12:00:00Z', draft: false, prerelease: false },
          { tag_name: 'v1.4.2', name: 'Web 1.4.2', body: 'Old', html_url: 'https://github.com/acme/web/releases/tag/v1.4.2', published_at: '2025-01-01T12:00:00Z', draft: false, prerelease: false },
        ]];
      });
    const { code, out } = await runCli(['run', dir, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'error']);
    github.done();
    expect(code).toEqual(0);
    expect(seen).toEqual([undefined]);
    const name = `${registry.host}/acme/web`;
    const title = `# tidemark/${name.replace(/[/:]/g, '-')}-1.x: chore(deps): update ${name} to 1.5.0`;
    expect(out.startsWith(`${title}\n\nThis PR updates the following dependencies:\n`)).toBe(true);
    expect(out).toContain(`| [\`${name}\`](https://github.com/acme/web) | \`web.yaml\` | \`1.4.2\` → \`1.5.0\` | minor |`);
    expect(out).toContain(
      [
        `#### \`${name}\` 1.4.2 → 1.5.0`,
        '',
        '[compare changes](https://github.com/acme/web/compare/v1.4.2...v1.5.0) · [releases](https://github.com/acme/web/releases)',
        '',
        '<details>',
        '<summary>v1.5.0 — Web 1.5.0 (2025-03-01)</summary>',
        '',
        'Faster start-up, thanks @\u200balice (#\u200b12)',
        '',
        '[Release on GitHub](https://github.com/acme/web/releases/tag/v1.5.0)',
        '',
        '</details>',
      ].join('\n'),
    );
    expect(out.indexOf('<!-- tidemark:update ')).toBeLessThan(out.indexOf(`diff --git a/web.yaml b/web.yaml`));
    expect(out).toContain(`+          image: ${name}:1.5.0`);
  }, 60_000);

  it('still prints the PR, saying the notes could not be read, when GitHub answers 500', async () => {
    const github = nock('https://api.github.com').get('/repos/acme/web/releases').query(true).reply(500, { message: 'Server Error' });
    const { code, out } = await runCli(['run', dir, '--platform', 'git', '--dry-run', '--no-cache', '--log-level', 'error']);
    github.done();
    expect(code).toEqual(0);
    expect(out).toContain('Release notes could not be read (HTTP 500). [releases](https://github.com/acme/web/releases)');
    expect(out).toContain('diff --git a/web.yaml b/web.yaml');
  }, 60_000);
});
