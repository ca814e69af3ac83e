import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runVersions, toPackageRef } from '../../src/cli/commands/versions.js';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';
import { startHelmRepo, type TestHelmRepo } from '../helpers/helm-repo.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

describe('tidemark versions', () => {
  let reg: TestRegistry;
  let helm: TestHelmRepo;
  let cwd: string;
  let digest: string;
  beforeAll(async () => {
    reg = await startRegistry();
    await reg.pushImage('acme/web', '1.0.0');
    digest = (await reg.pushImage('acme/web', '1.1.0', { created: '2026-01-01T00:00:00Z' })).digest;
    await reg.pushChart('charts/podinfo', '6.5.0+ab');
    helm = await startHelmRepo({ podinfo: [{ version: '6.6.0', created: '2026-02-02T00:00:00Z' }, '6.5.0'] });
    cwd = await mkdtemp(join(tmpdir(), 'tidemark-versions-'));
  });
  afterAll(async () => {
    await reg.stop();
    await helm.stop();
    await rm(cwd, { recursive: true, force: true });
  });

  const run = async (target: string, flags: Parameters<typeof runVersions>[1]) => {
    const out: string[] = [];
    const code = await runVersions(target, { cache: false, ...flags }, { print: (t) => void out.push(t), logger: silentLogger, env: {}, cwd });
    return { code, out: out.join('\n') };
  };

  it('lists the tags of an image and the digest of the tag it names', async () => {
    expect(await run(`${reg.host}/acme/web:1.1.0`, {})).toEqual({ code: 0, out: `1.0.0\n1.1.0\n1.1.0: ${digest}` });
  });

  it('prints JSON for scripts', async () => {
    const { out } = await run(`${reg.host}/acme/web`, { json: true, digest: '1.1.0' });
    expect(JSON.parse(out)).toEqual({
      package: { datasource: 'docker', name: `${reg.host}/acme/web`, registryUrl: null },
      releases: [{ version: '1.0.0' }, { version: '1.1.0' }],
      digest: { version: '1.1.0', digest },
    });
  });

  it('lists chart versions from an HTTP repository with their release times and source', async () => {
    expect(await run('podinfo', { registryUrl: helm.url })).toEqual({
      code: 0,
      out: '6.5.0\n6.6.0  2026-02-02T00:00:00.000Z\nsource: https://github.com/example/podinfo',
    });
  });

  it('lists OCI chart versions written as one oci:// reference', async () => {
    expect(await run(`oci://${reg.host}/charts/podinfo`, {})).toEqual({ code: 0, out: '6.5.0+ab' });
  });

  it('exits 1 when the registry fails, and 2 on a bad registry URL', async () => {
    expect((await run(`${reg.host}/acme/missing`, {})).code).toEqual(1);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['versions', 'podinfo', '--registry-url', 'ftp://x'])).toEqual(2);
    } finally {
      stderr.mockRestore();
    }
  });

  it('prints a JSON error object on stdout when --json is given and the lookup fails (exit 1) or the usage is wrong (exit 2)', async () => {
    const missing = await run(`${reg.host}/acme/missing`, { json: true });
    expect(missing.code).toEqual(1);
    const { error } = JSON.parse(missing.out) as { error: { message: string; host: string; status: number } };
    expect([error.host, error.status, error.message]).toEqual([reg.host, 404, expect.stringContaining('acme/missing')]);
    const out: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['versions', 'podinfo', '--registry-url', 'ftp://x', '--json'])).toEqual(2);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(JSON.parse(out.join(''))).toEqual({ error: { message: '--registry-url must start with https://, http:// or oci:// (got ftp://x)' } });
  });

  it.each([
    [['versions', 'acme/web', '--json', '--bogus'], "unknown option '--bogus'"],
    [['versions', '--json'], "missing required argument 'image-or-chart'"],
    [['versions', 'acme/web', '--json', '--log-level', 'loud'], expect.stringContaining('--log-level "loud"')],
  ])('prints the JSON error object for a usage mistake caught before the lookup: %j', async (argv, message) => {
    const out: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(argv)).toEqual(2);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    expect(JSON.parse(out.join(''))).toEqual({ error: { message } });
  });

  it('reads registry host and port, tags and digests out of an image reference', () => {
    expect(toPackageRef('registry:5000/team/app:1.2', undefined)).toEqual({ pkg: { datasource: 'docker', name: 'registry:5000/team/app', registryUrl: null }, tagFromTarget: '1.2' });
    expect(toPackageRef('nginx@sha256:' + 'a'.repeat(64), undefined)).toEqual({ pkg: { datasource: 'docker', name: 'nginx', registryUrl: null }, tagFromTarget: undefined });
    expect(toPackageRef('127.0.0.1:5000/team/my_app.v2', undefined).pkg.name).toEqual('127.0.0.1:5000/team/my_app.v2');
  });

  it('refuses a name no registry could hold, as a usage error, before asking Docker Hub', () => {
    for (const bad of ['bad name!!', 'acme/web app', 'ghcr.io//web', 'host:port/x']) {
      expect(() => toPackageRef(bad, undefined), bad).toThrow(`cannot read an image from ${bad}`);
    }
  });
});
