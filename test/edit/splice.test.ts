import { describe, expect, it } from 'vitest';
import { applySplices, shiftOffset, splicesFor } from '../../src/edit/splice.js';
import type { Dependency } from '../../src/scan/types.js';
import { fakeDigest, updateOf } from './update-fixture.js';

const TEXT = 'image: ghcr.io/acme/web:1.2.3 # prod\n';
const DIGEST = fakeDigest('x');

function webDep(over: Partial<Dependency> = {}): Dependency {
  return {
    file: 'a.yaml',
    line: 1,
    manager: 'kubernetes',
    datasource: 'docker',
    name: 'ghcr.io/acme/web',
    registryUrl: null,
    currentValue: '1.2.3',
    currentDigest: null,
    valueRange: { start: 24, end: 29 },
    digestRange: null,
    digestInsertAt: 29,
    ...over,
  };
}

describe('splicesFor', () => {
  it('replaces the version range with the new version', () => {
    const plan = splicesFor(TEXT, updateOf(webDep(), '1.10.0'));
    expect(plan).toEqual({ ok: true, splices: [{ start: 24, end: 29, insert: '1.10.0' }] });
    if (plan.ok) expect(applySplices(TEXT, plan.splices)).toEqual('image: ghcr.io/acme/web:1.10.0 # prod\n');
  });

  it('inserts an @digest at the recorded place when pinning', () => {
    const plan = splicesFor(TEXT, updateOf(webDep(), '1.2.3', DIGEST, 'pin'));
    expect(plan).toEqual({ ok: true, splices: [{ start: 29, end: 29, insert: `@${DIGEST}` }] });
    if (plan.ok) expect(applySplices(TEXT, plan.splices)).toEqual(`image: ghcr.io/acme/web:1.2.3@${DIGEST} # prod\n`);
  });

  it('reports a form with no room for a digest', () => {
    expect(splicesFor(TEXT, updateOf(webDep({ digestInsertAt: null }), '1.2.3', DIGEST, 'pin'))).toEqual({
      ok: false,
      reason: 'there is no place to add a digest in this form',
    });
  });

  it('reports an update that changes nothing', () => {
    expect(splicesFor(TEXT, updateOf(webDep(), '1.2.3'))).toEqual({ ok: false, reason: 'nothing to change: new value equals the current one' });
  });
});

describe('shiftOffset', () => {
  it('moves offsets after a longer replacement and leaves earlier ones alone', () => {
    const splices = [{ start: 24, end: 29, insert: '1.10.0' }];
    expect(shiftOffset(30, splices)).toEqual(31);
    expect(shiftOffset(24, splices)).toEqual(24);
  });

  it('places a digest inserted right after a bumped tag after the new tag', () => {
    const splices = [
      { start: 24, end: 29, insert: '1.10.0' },
      { start: 29, end: 29, insert: `@${DIGEST}` },
    ];
    expect(shiftOffset(29, splices)).toEqual(30);
  });
});
