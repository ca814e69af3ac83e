import { describe, expect, it } from 'vitest';
import { notVersionKind, parseChartVersion, parseDockerTag } from '../../src/versions/parse.js';

/** `unit` repeated to exactly `length` characters, then `end`. */
const shape = (unit: string, length: number, end = ''): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length - end.length) + end;

/** The shapes that make backtracking tag patterns slow: long runs of separators and digits that almost match. */
const worst = (length: number): string[] => [
  shape('1_', length), shape('1_', length, '!'), shape('1.', length), shape('1.', length, '.'), shape('v-', length),
  shape('1-', length), shape('1_', length, '-'), shape('1-r', length), shape('1_a-', length), `1.2.3-${shape('a-', length - 6)}`,
  `1.2.3-${shape('-1', length - 6)}`, shape('1.1-a', length), shape('a1.', length),
];

describe('parseDockerTag on hostile values', () => {
  it('reads nothing longer than 128 characters as a version, whatever its shape', () => {
    for (const tag of worst(129)) expect(parseDockerTag(tag)).toEqual(null);
    expect(parseDockerTag(`1.2.${'3'.repeat(200)}`)).toEqual(null);
  });

  it('reads nothing outside the tag grammar as a version', () => {
    expect(['1.2.3!', '1.2.3+build', '-1.2.3', '.1.2', '1.2 3', '1.2.3\n', 'v1.2/3'].map(parseDockerTag)).toEqual([null, null, null, null, null, null, null]);
  });

  it('still reads a 128-character tag that is a version', () => {
    const tag = `1.2.3-${'a'.repeat(122)}`;
    expect(parseDockerTag(tag)?.release).toEqual([1, 2, 3]);
    expect(parseDockerTag(tag)?.compatibility).toEqual('a'.repeat(122));
  });

  it('parses 100k of the worst shapes at the maximum length without hanging', () => {
    const shapes = worst(128);
    let versions = 0;
    for (let i = 0; i < 100_000; i++) {
      if (parseDockerTag(shapes[i % shapes.length]!) !== null) versions++;
    }
    expect(versions).toBeGreaterThan(0);
  });

  it('rejects a 1 MB tag shaped like 1_1_1…_1! in one linear scan', () => {
    const tag = shape('1_', 1_000_000, '!');
    for (let i = 0; i < 100; i++) expect(parseDockerTag(tag)).toEqual(null);
    expect(notVersionKind(tag)).toEqual(null);
  });
});

describe('parseChartVersion on hostile values', () => {
  it('reads nothing longer than 128 characters as a chart version', () => {
    expect(parseChartVersion(`1.0.0-${'a.'.repeat(100)}`)).toEqual(null);
    expect(parseChartVersion(`1.0.0-${'a'.repeat(122)}`)?.release).toEqual([1, 0, 0]);
  });

  it('rejects a 1 MB pre-release that almost matches, in linear time', () => {
    const version = `1.0.0-${shape('a.', 1_000_000, '!')}`;
    for (let i = 0; i < 100; i++) expect(parseChartVersion(version)).toEqual(null);
  });
});
