import { chmodSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../../src/errors.js';
import { silentLogger, withoutCredentials } from '../../src/log.js';
import { GitPlatform } from '../../src/publish/git.js';
import { gitRepo, humanPush, remoteHeads, sh, showFile } from './git-fixture.js';

const BOT = { name: 'tidemark[bot]', email: 'tidemark@users.noreply.github.com' };
const FILES = { 'apps/web.yaml': 'image: nginx:1.25.3\r\n', 'apps/run.sh': '#!/bin/sh\necho hi\n' };

let repos: { cleanup(): void }[] = [];
afterEach(() => {
  for (const r of repos) r.cleanup();
  repos = [];
});

function setup(files: Record<string, string> = FILES) {
  const repo = gitRepo(files);
  repos.push(repo);
  return repo;
}

describe('GitPlatform', () => {
  it('finds the default branch and pushes a commit on it without touching the checkout', async () => {
    const repo = setup();
    chmodSync(join(repo.checkout, 'apps/run.sh'), 0o755);
    sh(repo.checkout, 'add', 'apps/run.sh');
    sh(repo.checkout, 'commit', '--quiet', '-m', 'executable');
    sh(repo.checkout, 'push', '--quiet', 'origin', 'main');
    const head = sh(repo.checkout, 'rev-parse', 'HEAD');
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: null, logger: silentLogger });
    const base = await platform.baseBranch(null);
    expect(base).toEqual({ name: 'main', sha: head });
    const sha = await platform.commitFiles({
      branch: 'tidemark/nginx-1.x',
      baseSha: base.sha,
      message: 'Update nginx to 1.27.0\n\nTidemark-Update: 0123abcd\n',
      files: [
        { path: 'apps/web.yaml', content: 'image: nginx:1.27.0\r\n' },
        { path: 'apps/run.sh', content: '#!/bin/sh\necho hello\n' },
      ],
      author: BOT,
    });
    expect(remoteHeads(repo.remote)).toEqual({ main: head, 'tidemark/nginx-1.x': sha });
    expect(showFile(repo.remote, 'tidemark/nginx-1.x', 'apps/web.yaml')).toEqual('image: nginx:1.27.0\r\n');
    expect(sh(repo.remote, 'ls-tree', 'tidemark/nginx-1.x', 'apps/run.sh').split(' ')[0]).toEqual('100755');
    expect(sh(repo.checkout, 'rev-parse', 'HEAD')).toEqual(head);
    expect(sh(repo.checkout, 'status', '--porcelain')).toEqual('');
    const branch = await platform.getBranch('tidemark/nginx-1.x', 'main');
    expect(branch).toEqual({
      name: 'tidemark/nginx-1.x',
      sha,
      upToDateWithBase: true,
      commits: [{ sha, message: 'Update nginx to 1.27.0\n\nTidemark-Update: 0123abcd', authorName: BOT.name, authorEmail: BOT.email, committedAt: expect.any(String) }],
    });
    expect(Date.now() - Date.parse(branch!.commits[0]!.committedAt!)).toBeLessThan(60_000);
  });

  it('takes the checked-out branch when the bare remote\'s HEAD names a branch never pushed', async () => {
    const repo = setup();
    sh(repo.remote, 'symbolic-ref', 'HEAD', 'refs/heads/master');
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: null, logger: silentLogger });
    expect((await platform.baseBranch(null)).name).toEqual('main');
    sh(repo.checkout, 'checkout', '--quiet', '-b', 'local-only');
    const lost = await GitPlatform.create({ dir: repo.checkout, remote: null, logger: silentLogger });
    await expect(lost.baseBranch(null)).rejects.toThrow(/set baseBranch in \.tidemark\.yaml/);
  });

  it('reports a missing branch as null and a branch behind a moved base', async () => {
    const repo = setup();
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: 'origin', logger: silentLogger });
    const base = await platform.baseBranch('main');
    expect(await platform.getBranch('tidemark/none', 'main')).toEqual(null);
    await platform.commitFiles({ branch: 'tidemark/a', baseSha: base.sha, message: 'a', files: [{ path: 'apps/web.yaml', content: 'x\n' }], author: BOT });
    humanPush(repo.remote, 'main', { 'README.md': 'moved\n' });
    const moved = await platform.baseBranch('main');
    expect(moved.sha).not.toEqual(base.sha);
    expect((await platform.getBranch('tidemark/a', 'main'))?.upToDateWithBase).toEqual(false);
  });

  it('force-moves its own branch but refuses one with a human commit', async () => {
    const repo = setup();
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: null, logger: silentLogger });
    const base = await platform.baseBranch(null);
    const req = { branch: 'tidemark/a', baseSha: base.sha, message: 'a\n\nTidemark-Update: 0123abcd\n', files: [{ path: 'apps/web.yaml', content: 'one\n' }], author: BOT };
    await platform.commitFiles(req);
    const second = await platform.commitFiles({ ...req, files: [{ path: 'apps/web.yaml', content: 'two\n' }] });
    expect(remoteHeads(repo.remote)['tidemark/a']).toEqual(second);
    humanPush(repo.remote, 'tidemark/a', { 'apps/web.yaml': 'mine\n' });
    const human = remoteHeads(repo.remote)['tidemark/a'];
    const err = await platform.commitFiles({ ...req, files: [{ path: 'apps/web.yaml', content: 'three\n' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).message).toEqual('branch tidemark/a has commits by others; not overwriting it');
    expect(remoteHeads(repo.remote)['tidemark/a']).toEqual(human);
    const branch = await platform.getBranch('tidemark/a', 'main');
    expect(branch?.commits.map((c) => c.authorEmail)).toEqual(['dana@example.com', BOT.email]);
  });

  it('takes a commit by its own author email but without its trailer for someone else\'s (another workflow as the same bot)', async () => {
    const repo = setup();
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: null, logger: silentLogger });
    const base = await platform.baseBranch(null);
    const req = { branch: 'tidemark/a', baseSha: base.sha, message: 'a\n\nTidemark-Update: 0123abcd\n', files: [{ path: 'apps/web.yaml', content: 'one\n' }], author: BOT };
    await platform.commitFiles(req);
    // A formatting workflow pushing as the same identity, with a message of its own.
    await platform.commitFiles({ ...req, message: 'style: format YAML', files: [{ path: 'apps/web.yaml', content: 'formatted\n' }] }).catch(() => null);
    const theirs = remoteHeads(repo.remote)['tidemark/a'];
    const err = await platform.commitFiles({ ...req, files: [{ path: 'apps/web.yaml', content: 'two\n' }] }).catch((e: unknown) => e);
    expect((err as PlatformError).message).toEqual('branch tidemark/a has commits by others; not overwriting it');
    expect(remoteHeads(repo.remote)['tidemark/a']).toEqual(theirs);
  });

  it('never pushes to or deletes the base branch', async () => {
    const repo = setup();
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: null, logger: silentLogger });
    const base = await platform.baseBranch(null);
    const push = platform.commitFiles({ branch: 'main', baseSha: base.sha, message: 'x', files: [], author: BOT });
    await expect(push).rejects.toThrow('refusing to push to the base branch main');
    await expect(platform.deleteBranch('main')).rejects.toThrow('refusing to delete the base branch main');
    expect(remoteHeads(repo.remote)).toEqual({ main: base.sha });
  });

  it('lists and deletes branches under a prefix', async () => {
    const repo = setup();
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: null, logger: silentLogger });
    const base = await platform.baseBranch(null);
    for (const branch of ['tidemark/b', 'tidemark/a', 'feature/x']) {
      await platform.commitFiles({ branch, baseSha: base.sha, message: branch, files: [{ path: 'f', content: branch }], author: BOT });
    }
    expect(await platform.listBranches('tidemark/')).toEqual(['tidemark/a', 'tidemark/b']);
    await platform.deleteBranch('tidemark/a');
    expect(Object.keys(remoteHeads(repo.remote)).sort()).toEqual(['feature/x', 'main', 'tidemark/b']);
  });

  it('commits paths relative to a subdirectory checkout at their place in the repository', async () => {
    const repo = setup({ 'clusters/prod/app.yaml': 'image: redis:7.0.1\n' });
    const platform = await GitPlatform.create({ dir: `${repo.checkout}/clusters/prod`, remote: null, logger: silentLogger });
    const base = await platform.baseBranch(null);
    await platform.commitFiles({ branch: 'tidemark/redis-7.x', baseSha: base.sha, message: 'm', files: [{ path: 'app.yaml', content: 'image: redis:7.2.4\n' }], author: BOT });
    expect(showFile(repo.remote, 'tidemark/redis-7.x', 'clusters/prod/app.yaml')).toEqual('image: redis:7.2.4\n');
  });

  it('reads a file of a base commit byte for byte', async () => {
    const repo = setup({ 'clusters/prod/app.yaml': '\uFEFFimage: redis:7.0.1\r\n' });
    const platform = await GitPlatform.create({ dir: `${repo.checkout}/clusters/prod`, remote: null, logger: silentLogger });
    const base = await platform.baseBranch(null);
    expect(await platform.readFile(base.sha, 'app.yaml')).toEqual('\uFEFFimage: redis:7.0.1\r\n');
  });

  it('keeps a token in the remote URL out of its error messages', async () => {
    const repo = setup();
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: 'http://bot:s3cr3t-token@127.0.0.1:1/r.git', logger: silentLogger });
    const err = await platform.baseBranch('main').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as Error).message).not.toContain('s3cr3t-token');
    expect(withoutCredentials("fatal: unable to access 'https://x-access-token:ghp_abc@git.example.com/r.git/'")).toEqual(
      "fatal: unable to access 'https://***@git.example.com/r.git/'",
    );
  });

  it('names a remote URL with a password without it when the base branch does not exist', async () => {
    const repo = setup();
    sh(repo.remote, 'update-server-info');
    const { server, url } = await dumbHttp(repo.remote, 'bot:s3cr3t-pass');
    try {
      const platform = await GitPlatform.create({ dir: repo.checkout, remote: url.replace('http://', 'http://bot:s3cr3t-pass@'), logger: silentLogger });
      expect((await platform.baseBranch('main')).name).toEqual('main');
      const err = await platform.baseBranch('release').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as Error).message).toEqual(`base branch release does not exist on ${url.replace('http://', 'http://***@')}`);
    } finally {
      server.close();
    }
  });

  it('answers pull request and issue calls with nothing', async () => {
    const repo = setup();
    const platform = await GitPlatform.create({ dir: repo.checkout, remote: null, logger: silentLogger });
    expect(platform.supportsPullRequests).toEqual(false);
    expect(await platform.findPr('tidemark/a')).toEqual(null);
    expect(await platform.listOpenPrs()).toEqual([]);
    expect(await platform.findIssue()).toEqual(null);
  });
});

/** A bare repository over git's "dumb" HTTP protocol (static files) that wants Basic auth `userPass`. */
async function dumbHttp(gitDir: string, userPass: string): Promise<{ server: Server; url: string }> {
  const expected = `Basic ${Buffer.from(userPass).toString('base64')}`;
  const server = createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/remote\.git\/?/, '');
    try {
      res.writeHead(200).end(readFileSync(join(gitDir, path)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/remote.git` };
}
