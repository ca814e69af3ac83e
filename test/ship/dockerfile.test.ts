import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { imageUser, parseDockerfile, readRepoFile, repoRoot } from './dockerfile.js';

const instructions = parseDockerfile(readRepoFile('Dockerfile'));
const pkg = JSON.parse(readRepoFile('package.json')) as { bin: Record<string, string>; files: string[]; scripts: Record<string, string> };
const dockerignore = ignore().add(readRepoFile('.dockerignore'));
const lastStage = Math.max(...instructions.map((i) => i.stage));
const final = instructions.filter((i) => i.stage === lastStage);
const runs = (stage: number) => instructions.filter((i) => i.stage === stage && i.keyword === 'RUN').map((i) => i.args);

describe('Dockerfile', () => {
  it('builds in one Node 24 stage and runs in another', () => {
    expect(instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args)).toEqual(['node:24-alpine AS build', 'node:24-alpine']);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const copies = instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'));
    const sources = copies.flatMap((c) => c.args.split(' ').slice(0, -1));
    expect(sources).toEqual(['package.json', 'package-lock.json', '.', 'package-lock.json']);
    for (const s of sources) {
      expect(existsSync(join(repoRoot, s))).toEqual(true);
      if (s !== '.') expect(dockerignore.ignores(s)).toEqual(false);
    }
  });

  it('keeps what the build reads in the context: sources, TypeScript configs and the packed files', () => {
    const needed = ['src/cli/cli.ts', 'tsconfig.json', 'tsconfig.build.json', ...pkg.files.filter((f) => f !== 'dist').map((f) => `${f}/x`)];
    expect(needed.filter((p) => dockerignore.ignores(p))).toEqual([]);
    expect(['node_modules/x', 'dist/x', '.git/x', 'dist-action/index.js'].every((p) => dockerignore.ignores(p))).toEqual(true);
  });

  it('installs production dependencies only, without lifecycle scripts because `prepare` builds with dev tools', () => {
    expect(pkg.scripts.prepare).toEqual('npm run build');
    expect(runs(0)).toEqual(['npm ci --ignore-scripts --no-audit --no-fund', 'npm run build && npm pack --ignore-scripts --pack-destination /pkg']);
    const install = runs(lastStage).find((r) => r.includes('npm ci'));
    expect(install).toContain('npm ci --omit=dev --ignore-scripts');
  });

  it('puts the package bin on PATH as `tidemark` and starts it under tini, which forwards signals and reaps git children', () => {
    const link = /ln -s (?<target>\S+) \/usr\/local\/bin\/tidemark/.exec(runs(lastStage).join('\n'));
    const workdir = final.find((i) => i.keyword === 'WORKDIR')!.args;
    expect(link?.groups?.target).toEqual(`${workdir}/${pkg.bin.tidemark}`);
    expect(pkg.files.some((f) => pkg.bin.tidemark!.startsWith(f + '/'))).toEqual(true);
    expect(apkPackages()).toEqual(expect.arrayContaining(['tini']));
    expect(JSON.parse(final.find((i) => i.keyword === 'ENTRYPOINT')!.args)).toEqual(['/sbin/tini', '--', 'tidemark']);
    expect(JSON.parse(final.find((i) => i.keyword === 'CMD')!.args)).toEqual(['run-all']);
  });

  it('installs git, and openssh-client for ssh remotes', () => {
    expect(apkPackages()).toEqual(expect.arrayContaining(['git', 'openssh-client']));
  });

  it('runs as a numeric non-root user that exists by name, with a home and cache directory it owns', () => {
    expect(imageUser(instructions)).toEqual({ uid: 10001, gid: 10001 });
    const setup = runs(lastStage).join('\n');
    expect(setup).toContain('addgroup -S -g 10001 tidemark');
    expect(setup).toMatch(/adduser -S -D -u 10001 -G tidemark -h \/home\/tidemark /);
    const env = finalEnv();
    expect(env.HOME).toEqual('/home/tidemark');
    expect(env.TIDEMARK_CACHE_DIR!.startsWith(env.HOME + '/')).toEqual(true);
    expect(setup).toContain(`mkdir -p ${env.TIDEMARK_CACHE_DIR}`);
    expect(setup).toContain(`chown -R 10001:10001 ${env.HOME}`);
  });

  it('carries the OCI labels, with the version defaulting to the package version', () => {
    const labels = finalLabels();
    expect(Object.keys(labels).sort()).toEqual([
      'org.opencontainers.image.description',
      'org.opencontainers.image.licenses',
      'org.opencontainers.image.revision',
      'org.opencontainers.image.source',
      'org.opencontainers.image.title',
      'org.opencontainers.image.version',
    ]);
    expect(labels['org.opencontainers.image.licenses']).toEqual(pkgMeta.license);
    expect(labels['org.opencontainers.image.description']).toEqual(pkgMeta.description);
    expect(labels['org.opencontainers.image.source']).toMatch(/^https:\/\/github\.com\/[^/]+\/[^/]+$/);
    expect(labels['org.opencontainers.image.version']).toEqual('${VERSION}');
    expect(final.filter((i) => i.keyword === 'ARG').map((i) => i.args)).toEqual([`VERSION=${pkgMeta.version}`, 'REVISION=unknown']);
  });
});

const pkgMeta = JSON.parse(readRepoFile('package.json')) as { version: string; license: string; description: string };

/** Packages the final stage installs: `apk add --no-cache git tini` → `['git', 'tini']`. */
function apkPackages(): string[] {
  const add = /apk add --no-cache (?<names>[^&]+)/.exec(runs(lastStage).join('\n'));
  return add?.groups?.names?.trim().split(' ') ?? [];
}

function finalEnv(): Record<string, string> {
  return keyValues(final.filter((i) => i.keyword === 'ENV').map((i) => i.args).join(' '));
}

function finalLabels(): Record<string, string> {
  return keyValues(final.filter((i) => i.keyword === 'LABEL').map((i) => i.args).join(' '));
}

/** `a=1 b="two words"` → `{ a: '1', b: 'two words' }`. */
function keyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(?<key>[\w.-]+)=(?:"(?<quoted>[^"]*)"|(?<bare>\S+))/g)) out[m.groups!.key!] = m.groups!.quoted ?? m.groups!.bare ?? '';
  return out;
}
