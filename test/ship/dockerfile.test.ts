import { existsSync } from 'node:fs';
import { join } from 'node:path';
import ignore from 'ignore';
import { describe, expect, it } from 'vitest';
import { parseDockerfile, readRepoFile, repoRoot } from './dockerfile.js';

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

  it('puts the package bin on PATH as `tidemark`, runs it as a non-root user, with git installed', () => {
    expect(runs(lastStage)).toContain('apk add --no-cache git');
    const link = /ln -s (?<target>\S+) \/usr\/local\/bin\/tidemark/.exec(runs(lastStage).join('\n'));
    const workdir = final.find((i) => i.keyword === 'WORKDIR')!.args;
    expect(link?.groups?.target).toEqual(`${workdir}/${pkg.bin.tidemark}`);
    expect(pkg.files.some((f) => pkg.bin.tidemark!.startsWith(f + '/'))).toEqual(true);
    expect(final.find((i) => i.keyword === 'USER')?.args).toEqual('node');
    expect(JSON.parse(final.find((i) => i.keyword === 'ENTRYPOINT')!.args)).toEqual(['tidemark']);
    expect(JSON.parse(final.find((i) => i.keyword === 'CMD')!.args)).toEqual(['run-all']);
  });
});
