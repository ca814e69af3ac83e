import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerRunAll } from '../../src/cli/commands/run-all.js';
import { parseSchedule } from '../../src/cli/schedule.js';
import { readRepoFile } from './dockerfile.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

const manifest = parse(readRepoFile('docs/cronjob.yaml')) as {
  apiVersion: string;
  kind: string;
  spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: { securityContext: unknown; containers: { image: string; args: string[]; env: EnvVar[] }[] } } } } };
};
const pod = manifest.spec.jobTemplate.spec.template.spec;
const container = pod.containers[0]!;
const version = (JSON.parse(readRepoFile('package.json')) as { version: string }).version;

/** The TIDEMARK_* variables `run-all` reads, taken from the command itself. */
function knownVariables(): string[] {
  const program = new Command('tidemark');
  registerRunAll(program, () => {});
  const runAll = program.commands.find((c) => c.name() === 'run-all')!;
  const fromFlags = runAll.options.map((o) => o.envVar).filter((v): v is string => v !== undefined);
  // Read by loadHostRules rather than commander: it holds a file path or the JSON itself.
  return [...fromFlags, 'TIDEMARK_HOST_RULES'];
}

describe('docs/cronjob.yaml', () => {
  it('is a batch/v1 CronJob on a schedule Tidemark also understands, one run at a time', () => {
    expect([manifest.apiVersion, manifest.kind]).toEqual(['batch/v1', 'CronJob']);
    expect(() => parseSchedule(manifest.spec.schedule)).not.toThrow();
    expect(manifest.spec.concurrencyPolicy).toEqual('Forbid');
  });

  it('runs the image of this version with the command the Dockerfile defaults to, as its non-root user', () => {
    expect(container.image).toEqual(`ghcr.io/tidemark/tidemark:${version}`);
    expect(container.args).toEqual(['run-all']);
    expect(readRepoFile('Dockerfile')).toContain('CMD ["run-all"]');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
  });

  it('takes the token from a Secret and sets only variables run-all reads', () => {
    const token = container.env.find((e) => e.name === 'TIDEMARK_TOKEN');
    expect(token).toEqual({ name: 'TIDEMARK_TOKEN', valueFrom: { secretKeyRef: { name: 'tidemark-token', key: 'token' } } });
    const known = knownVariables();
    expect(known).toContain('TIDEMARK_SCHEDULE');
    const unknown = container.env.map((e) => e.name).filter((n) => n !== 'TIDEMARK_TOKEN' && !known.includes(n));
    expect(unknown).toEqual([]);
  });

  it('documents every run-all variable in docs/container.md', () => {
    const doc = readRepoFile('docs/container.md');
    expect(knownVariables().filter((v) => !doc.includes(`\`${v}\``))).toEqual([]);
  });
});
