import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { registerRunAll } from '../../src/cli/commands/run-all.js';
import { resolveShard, selectShard } from '../../src/cli/multi.js';
import { parseSchedule } from '../../src/cli/schedule.js';
import { readRepoFile } from './dockerfile.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

interface CronJob {
  kind: string;
  spec: {
    schedule: string;
    jobTemplate: { spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: { args: string[]; env: EnvVar[] }[] } } } };
  };
}

const docs = parseAllDocuments(readRepoFile('docs/indexed-job.yaml')).map((d) => d.toJS() as { kind: string });
const cronJob = docs.find((d) => d.kind === 'CronJob') as CronJob;
const job = cronJob.spec.jobTemplate.spec;
const env = job.template.spec.containers[0]!.env;

describe('docs/indexed-job.yaml', () => {
  it('is a CronJob whose job is an Indexed Job with as many completions as pods in parallel as shards', () => {
    expect(() => parseSchedule(cronJob.spec.schedule)).not.toThrow();
    expect(job.completionMode).toEqual('Indexed');
    const count = Number(env.find((e) => e.name === 'TIDEMARK_SHARD_COUNT')?.value);
    expect([job.completions, job.parallelism]).toEqual([count, count]);
    expect(env.some((e) => e.name === 'TIDEMARK_SHARD')).toEqual(false);
  });

  it('gives every repository to exactly one of its pods', () => {
    const repos = Array.from({ length: 50 }, (_, i) => `my-org/service-${i}`);
    const pods = Array.from({ length: job.completions }, (_, index) =>
      selectShard(repos, resolveShard(undefined, String(job.completions), { JOB_COMPLETION_INDEX: String(index) })!),
    );
    expect(pods.flat().sort()).toEqual([...repos].sort());
  });

  it('takes the Redis URL and the token from Secrets, sets only variables run-all reads, and runs the Redis it names', () => {
    expect(env.find((e) => e.name === 'TIDEMARK_REDIS_URL')).toEqual({ name: 'TIDEMARK_REDIS_URL', valueFrom: { secretKeyRef: { name: 'tidemark-redis', key: 'url' } } });
    expect(env.find((e) => e.name === 'TIDEMARK_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'tidemark-token', key: 'token' });
    const program = new Command('tidemark');
    registerRunAll(program, () => {});
    const known = [...program.commands.find((c) => c.name() === 'run-all')!.options.map((o) => o.envVar), 'TIDEMARK_HOST_RULES'];
    expect(env.map((e) => e.name).filter((n) => n !== 'TIDEMARK_TOKEN' && !known.includes(n))).toEqual([]);
    expect(docs.map((d) => d.kind)).toEqual(['CronJob', 'Deployment', 'Service']);
  });

  it('is where docs/cronjob.yaml points for many pods', () => {
    expect(readRepoFile('docs/cronjob.yaml')).toContain('docs/indexed-job.yaml');
  });
});
