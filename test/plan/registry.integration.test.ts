import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type TidemarkConfig } from '../../src/config/types.js';
import { silentLogger } from '../../src/log.js';
import { createReleaseSource } from '../../src/lookup/index.js';
import { createPlan, planToJson } from '../../src/plan/index.js';
import type { Dependency } from '../../src/scan/types.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const now = new Date('2026-11-10T12:00:00Z');
const OLD = `sha256:${'0'.repeat(64)}`;

function dep(name: string, currentValue: string, line: number, currentDigest: string | null): Dependency {
  return {
    file: 'apps/web.yaml', line, manager: 'kubernetes', datasource: 'docker', name, registryUrl: null, currentValue, currentDigest,
    valueRange: { start: 0, end: 0 }, digestRange: currentDigest ? { start: 0, end: 0 } : null, digestInsertAt: currentDigest ? null : 1,
  };
}

describe('planning against a real registry', () => {
  let reg: TestRegistry;
  const digests: Record<string, string> = {};
  beforeAll(async () => {
    reg = await startRegistry({ countRequests: true });
    const platforms = ['linux/amd64', 'linux/arm64/v8'];
    digests['1.0.0'] = (await reg.pushImage('acme/web', '1.0.0', { platforms, created: '2026-01-01T00:00:00Z' })).digest;
    digests['1.1.0'] = (await reg.pushImage('acme/web', '1.1.0', { platforms, created: '2026-10-01T00:00:00Z' })).digest;
    digests['1.2.0'] = (await reg.pushImage('acme/web', '1.2.0', { platforms, created: '2026-11-09T00:00:00Z' })).digest;
    await reg.pushImage('acme/repro', '2.0.0', { created: '1970-01-01T00:00:00Z' });
    await reg.pushImage('acme/repro', '2.1.0', { created: '1970-01-01T00:00:00Z' });
  });
  afterAll(() => reg.stop());

  it('pins the index digest of the newest old-enough tag, once for every spelling of the image, and waits on reproducible builds', async () => {
    const config: TidemarkConfig = {
      ...DEFAULT_CONFIG,
      registries: { 'harbor.example.com/proxy': { mirrorOf: reg.host } },
      rules: [{ minimumReleaseAge: '3 days', minimumReleaseAgeMissing: 'wait' }],
    };
    const source = createReleaseSource({ config, cacheDir: null, logger: silentLogger });
    const scan = {
      dependencies: [
        dep(`${reg.host}/acme/web`, '1.0.0', 5, OLD),
        dep('harbor.example.com/proxy/acme/web', '1.0.0', 9, OLD),
        dep(`${reg.host}/acme/repro`, '2.0.0', 13, null),
      ],
      problems: [],
    };
    const plan = await createPlan(scan, source, config, { now });
    const update = (line: number, name: string) => ({
      file: 'apps/web.yaml', line, manager: 'kubernetes', name, currentValue: '1.0.0', newValue: '1.1.0',
      currentDigest: OLD, newDigest: digests['1.1.0'], updateType: 'minor', group: null, risks: [], changes: [],
    });
    expect(planToJson(plan)).toEqual({
      updates: [update(5, `${reg.host}/acme/web`), update(9, 'harbor.example.com/proxy/acme/web')],
      unchanged: [{
        file: 'apps/web.yaml', line: 13, name: `${reg.host}/acme/repro`, currentValue: '2.0.0',
        reason: 'no newer version allowed: 2.1.0 is without a release time, and minimumReleaseAgeMissing is wait',
      }],
      problems: [],
    });
    // acme/web: tags, then index + amd64 manifest + config for 1.2.0 (too new) and 1.1.0, then one HEAD for 1.1.0's digest.
    expect(source.requestsByHost().get(reg.host)).toEqual(1 + 3 + 3 + 1 + (1 + 2));
  });
});
