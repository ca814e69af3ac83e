import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TidemarkConfig } from '../../src/config/types.js';
import { formatPlanTable } from '../../src/cli/commands/plan.js';
import { RegistryError } from '../../src/errors.js';
import { countFailures, failedLookups, failureSentence, lookupFailureOf } from '../../src/plan/failures.js';
import { createPlan, planToJson } from '../../src/plan/index.js';
import type { Dependency } from '../../src/scan/types.js';
import { FakeReleaseSource } from './fake-source.js';

function image(name: string, currentValue: string, line: number, extra: Partial<Dependency> = {}): Dependency {
  return {
    file: 'apps/web.yaml', line, manager: 'kubernetes', datasource: 'docker', name, registryUrl: null, currentValue, currentDigest: null,
    valueRange: { start: 0, end: 0 }, digestRange: null, digestInsertAt: null, ...extra,
  };
}

const D1 = `sha256:${'1'.repeat(64)}`;
const config = (rules: TidemarkConfig['rules'] = []): TidemarkConfig => ({ ...DEFAULT_CONFIG, rules });
const now = new Date('2026-11-10T12:00:00Z');

/** Every digest lookup fails the way a registry answering 503 does. */
class FailingDigests extends FakeReleaseSource {
  override async digest(): Promise<string | null> {
    throw new RegistryError('quay.io answered 503 for /v2/acme/web/manifests/1.3.0', { host: 'quay.io', status: 503 });
  }
}

describe('lookupFailureOf', () => {
  it('names the host and what it did', () => {
    expect([
      lookupFailureOf(new RegistryError('quay.io answered 500 for /v2/', { host: 'quay.io', status: 500 })),
      lookupFailureOf(new RegistryError('ghcr.io could not be reached', { host: 'ghcr.io', cause: new Error('ECONNREFUSED') })),
      lookupFailureOf(new RegistryError('ghcr.io timed out', { host: 'ghcr.io', cause: new Error('timeout') })),
      lookupFailureOf(new RegistryError('ghcr.io/a: invalid JSON in tag list', { host: 'ghcr.io' })),
      lookupFailureOf(new Error('boom')),
    ]).toEqual([
      { host: 'quay.io', problem: 'answered 500' },
      { host: 'ghcr.io', problem: 'could not be reached' },
      { host: 'ghcr.io', problem: 'timed out' },
      { host: 'ghcr.io', problem: 'sent an answer Tidemark could not use' },
      { host: 'unknown host', problem: 'failed' },
    ]);
  });
});

describe('failed lookups in a plan', () => {
  it('counts each failed dependency once, by host, and keeps plan --json as it was', async () => {
    const source = new FakeReleaseSource({ 'quay.io/a': { tags: [], fail: 'quay.io answered 500' }, 'quay.io/b': { tags: [], fail: 'quay.io answered 500' }, ok: { tags: ['1.0.0'] } });
    const scan = { dependencies: [image('quay.io/a', '1.0.0', 1), image('quay.io/b', '1.0.0', 2), image('quay.io/a', '1.0.0', 3), image('ok', '1.0.0', 4)], problems: [] };
    const plan = await createPlan(scan, source, config(), { now });
    const count = countFailures(plan);
    expect(count).toEqual({ failed: 3, total: 4, groups: [{ host: 'registry.test', problem: 'answered 500', count: 3 }] });
    expect(failureSentence(count!)).toEqual('3 of 4 lookups failed: registry.test answered 500 (3)');
    expect(plan.unchanged[0]!.failure).toEqual({ host: 'registry.test', problem: 'answered 500' });
    expect(JSON.stringify(planToJson(plan).valueOf())).not.toContain('registry.test');
    expect(Object.keys((planToJson(plan) as { unchanged: object[] }).unchanged[0]!)).toEqual(['file', 'line', 'name', 'currentValue', 'reason']);
  });

  it('lists a failed digest lookup joined after another held-back reason', async () => {
    const source = new FailingDigests({ 'quay.io/acme/web': { tags: ['1.2.3', '1.3.0', '2.0.0'] } });
    const scan = { dependencies: [image('quay.io/acme/web', '1.2.3', 7, { currentDigest: D1 })], problems: [] };
    const plan = await createPlan(scan, source, config([{ match: { updateTypes: ['major'] }, enabled: false }]), { now });
    expect(plan.unchanged.map((u) => [u.kind, u.reason])).toEqual([
      ['disabled', 'lookup failed: digest of 1.3.0: quay.io answered 503 for /v2/acme/web/manifests/1.3.0; major update to 2.0.0 disabled by rule 1'],
    ]);
    expect(plan.partialFailure).toEqual(true);
    expect(failedLookups(plan).map((f) => [f.dependency.line, f.host, f.problem, f.message])).toEqual([
      [7, 'quay.io', 'answered 503', 'digest of 1.3.0: quay.io answered 503 for /v2/acme/web/manifests/1.3.0'],
    ]);
    expect(failureSentence(countFailures(plan)!)).toEqual('1 of 1 lookup failed: quay.io answered 503 (1)');
  });

  it('finds lookup-failed entries in a plan built without the failure list', () => {
    const dep = image('x', '1.0.0', 1);
    const plan = { updates: [], unchanged: [{ dependency: dep, reason: 'lookup failed: registry answered 500', kind: 'lookup-failed' as const }], problems: [], branches: [] };
    expect(countFailures(plan)).toEqual({ failed: 1, total: 1, groups: [{ host: 'unknown host', problem: 'failed', count: 1 }] });
    expect(countFailures({ ...plan, unchanged: [] })).toEqual(null);
  });
});

/** Every lookup fails on the image's own host: `quay.io/...` answers 500, `ghcr.io/...` cannot be reached. */
class FailingHosts extends FakeReleaseSource {
  override async releases(pkg: { name: string }): Promise<never> {
    const host = pkg.name.split('/')[0]!;
    if (host === 'ghcr.io') throw new RegistryError('ghcr.io could not be reached', { host, cause: new Error('ECONNREFUSED') });
    throw new RegistryError(`${host} answered 500 for /v2/${pkg.name}/tags/list`, { host, status: 500 });
  }
}

describe('warnings about failed lookups', () => {
  it('warns once per failing host with a count, not once per package', async () => {
    const deps = [
      ...Array.from({ length: 70 }, (_, i) => image(`quay.io/acme/app${i}`, '1.0.0', i + 1)),
      image('ghcr.io/acme/web', '1.0.0', 71),
      image('ghcr.io/acme/api', '1.0.0', 72),
    ];
    const lines: { level: string; msg: string; meta: unknown }[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: (msg: string, meta?: unknown) => lines.push({ level: 'warn', msg, meta }),
      error: (msg: string, meta?: unknown) => lines.push({ level: 'error', msg, meta }),
    };
    await createPlan({ dependencies: deps, problems: [] }, new FailingHosts({}), config(), { now, logger });
    expect(lines).toEqual([
      { level: 'warn', msg: 'quay.io: 70 lookups failed: answered 500', meta: { host: 'quay.io', failed: 70, problem: 'answered 500' } },
      { level: 'warn', msg: 'ghcr.io: 2 lookups failed: could not be reached', meta: { host: 'ghcr.io', failed: 2, problem: 'could not be reached' } },
    ]);
  });
});

describe('formatPlanTable', () => {
  it('names failed lookups by host in its footer and keeps registry text on one line without escape sequences', () => {
    const failedOn = (name: string, line: number, host: string, problem: string, reason: string) => ({
      dependency: image(name, '1.0.0', line),
      reason,
      kind: 'lookup-failed' as const,
      failure: { host, problem },
    });
    const plan = {
      updates: [],
      unchanged: [
        failedOn('ghcr.io/a', 1, 'ghcr.io', 'could not be reached', 'lookup failed: ghcr.io could not be reached'),
        failedOn('quay.io/b', 2, 'quay.io', 'answered 500', 'lookup failed: quay.io answered 500: \u001b[2J\nAll good'),
        { dependency: image('ok', '1.0.0', 3), reason: 'up to date', kind: 'up-to-date' as const },
      ],
      problems: [],
      branches: [],
      partialFailure: true,
    };
    expect(formatPlanTable(plan).split('\n')).toEqual([
      'LOCATION         NAME       CURRENT  NEW  TYPE  REASON',
      'apps/web.yaml:1  ghcr.io/a  1.0.0    -          lookup failed: ghcr.io could not be reached',
      'apps/web.yaml:2  quay.io/b  1.0.0    -          lookup failed: quay.io answered 500:  [2J All good',
      'apps/web.yaml:3  ok         1.0.0    -          up to date',
      '',
      '0 updates in 0 branches, 3 unchanged, 2 problems; 2 of 3 lookups failed: ghcr.io could not be reached (1), quay.io answered 500 (1).',
      '',
    ]);
  });
});
