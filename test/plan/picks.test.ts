import { describe, expect, it } from 'vitest';
import { PackagePicks } from '../../src/plan/picks.js';
import { pickTarget } from '../../src/versions/pick.js';

const releases = { releases: ['1.24.0', '1.25.0', '1.25.3', '1.26.0-rc.1', '2.0.0', '1.25.3', 'latest'].map((version) => ({ version })) };
const candidates = releases.releases.map((r) => r.version);

describe('PackagePicks', () => {
  it('answers exactly as pickTarget does, for every current value and policy', () => {
    const picks = new PackagePicks(releases);
    const policies = [
      { scheme: 'docker' as const },
      { scheme: 'docker' as const, separateMajor: false },
      { scheme: 'docker' as const, allowPrerelease: true },
      { scheme: 'semver' as const, allowedVersions: '<2' },
      { scheme: 'docker' as const, blocked: new Map([['2.0.0', 'too new']]) },
    ];
    for (const current of ['1.24.0', '1.25.0', '2.0.0', 'latest']) {
      for (const policy of policies) expect(picks.pick(current, policy)).toEqual(pickTarget(current, candidates, policy));
    }
  });

  it('gives references that ask the same question the same answer, and different questions their own', () => {
    const picks = new PackagePicks(releases);
    const first = picks.pick('1.24.0', { scheme: 'docker' });
    expect(picks.pick('1.24.0', { scheme: 'docker' })).toBe(first);
    expect(picks.pick('1.24.0', { scheme: 'docker', blocked: new Map([['2.0.0', 'too new']]) })).not.toBe(first);
    expect(picks.pick('1.24.0', { scheme: 'docker', blocked: new Map([['2.0.0', 'too new']]) }).targets.map((t) => t.version)).toEqual(['1.25.3']);
    expect(first.targets.map((t) => t.version)).toEqual(['1.25.3', '2.0.0']);
  });
});
