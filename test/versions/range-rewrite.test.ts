import { describe, expect, it } from 'vitest';
import { parseChartVersion } from '../../src/versions/parse.js';
import { nodeRange, rangeAllows, rangeFloor, replaceRange } from '../../src/versions/range-rewrite.js';

const v = (s: string) => parseChartVersion(s)!;

describe('replaceRange', () => {
  it.each([
    ['~1.2', '1.4.5', '~1.4'],
    ['~1.2.0', '1.4.5', '~1.4.0'],
    ['~1.2.3', '1.4.5', '~1.4.5'],
    ['~1', '2.3.0', '~2'],
    ['1.x.x', '2.1.0', '2.x.x'],
    ['1.x', '2.3.1', '2.x'],
    ['1.X', '2.3.1', '2.X'],
    ['1.2.x', '1.4.0', '1.4.x'],
    ['1.*', '3.0.0', '3.*'],
    ['^2.0.0', '3.1.4', '^3.0.0'],
    ['^2.3.1', '3.1.4', '^3.1.4'],
    ['^1.2', '2.3.0', '^2.3'],
    ['^0.2.0', '0.5.1', '^0.5.0'],
    ['^0.2.3', '0.5.1', '^0.5.1'],
    ['^0.2.0', '1.3.0', '^1.0.0'],
    ['^v1.0.0', 'v2.4.0', '^v2.0.0'],
    ['~1.x', '2.2.0', '~2.x'],
    ['>=1.0.0 <2.0.0', '3.2.1', '>=3.0.0 <4.0.0'],
    ['>=1.0.0, <2.0.0', '3.2.1', '>=3.0.0, <4.0.0'],
    ['>= 1.2, < 1.3', '1.5.2', '>= 1.5, < 1.6'],
    ['>=1.5.0 <2', '2.0.3', '>=2.0.0 <3'],
  ])('rewrites %s to take %s as %s', (range, target, expected) => {
    expect(replaceRange(range, v(target))).toEqual(expected);
  });

  it.each([
    ['<2.0.0', '2.1.0'],
    ['>=1.0.0 <2.0.0 || >=3.0.0 <4.0.0', '5.0.0'],
    ['1.0.0 - 2.0.0', '3.0.0'],
    ['>=1.0.0 <0.0.0', '3.0.0'],
    ['x.1', '3.0.0'],
    ['*', '3.0.0'],
    ['~1.2', '1.2.5'],
  ])('leaves %s alone for %s: not a form it can rewrite, or nothing to change', (range, target) => {
    expect(replaceRange(range, v(target))).toBeNull();
  });
});

describe('rangeAllows and rangeFloor', () => {
  it('reads Helm constraints, commas included, and leaves pre-releases out as Helm does', () => {
    expect(['1.2.9', '1.3.0', '1.2.10-rc.1'].map((s) => rangeAllows('~1.2', v(s)))).toEqual([true, false, false]);
    expect(rangeAllows('>=1.0.0, <2.0.0', v('1.9.0'))).toBe(true);
    expect(rangeAllows('>=1.0.0-0 <2.0.0', v('1.2.0-rc.1'))).toBe(true);
    expect(['~1.2', '1.x.x', '^2.0.0', '>=1.0.0, <2.0.0', '>3.1.0', 'not a range'].map(rangeFloor)).toEqual([
      '1.2.0', '1.0.0', '2.0.0', '1.0.0', '3.1.1', null,
    ]);
    expect(nodeRange('>= 1.0, < 2.0')).toEqual('>= 1.0 < 2.0');
  });
});
