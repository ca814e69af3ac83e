import { describe, expect, it } from 'vitest';
import { nextFire, parseSchedule } from '../../src/cli/schedule.js';
import { UsageError } from '../../src/errors.js';

const sorted = (s: ReadonlySet<number>): number[] => [...s].sort((a, b) => a - b);

describe('parseSchedule', () => {
  it('expands stars, lists, ranges and steps into the allowed values', () => {
    const s = parseSchedule('*/15 9-17/4 1,15 * *');
    expect(sorted(s.minutes)).toEqual([0, 15, 30, 45]);
    expect(sorted(s.hours)).toEqual([9, 13, 17]);
    expect(sorted(s.daysOfMonth)).toEqual([1, 15]);
    expect(s.months.size).toEqual(12);
    expect(sorted(s.daysOfWeek)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('reads month and weekday names in any case and folds Sunday 7 into 0', () => {
    const s = parseSchedule('0 6 * jan,Mar-MAY MON-FRI,7');
    expect(sorted(s.months)).toEqual([1, 3, 4, 5]);
    expect(sorted(s.daysOfWeek)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('runs a start with a step up to the field maximum', () => {
    expect(sorted(parseSchedule('5/20 * * * *').minutes)).toEqual([5, 25, 45]);
  });

  it('expands the @ macros', () => {
    expect(sorted(parseSchedule('@hourly').minutes)).toEqual([0]);
    expect(parseSchedule('@hourly').hours.size).toEqual(24);
    expect(sorted(parseSchedule('@daily').hours)).toEqual([0]);
    expect(sorted(parseSchedule('@weekly').daysOfWeek)).toEqual([0]);
  });

  it.each([
    ['0 0 * *', /expected 5 fields/],
    ['60 * * * *', /minute: "60" is outside 0-59/],
    ['* 24 * * *', /hour: "24" is outside 0-23/],
    ['* * 0 * *', /day of month: "0" is outside 1-31/],
    ['* * * FOO *', /month: "FOO" is outside 1-12/],
    ['* * * * 8', /day of week: "8" is outside 0-7/],
    ['10-5 * * * *', /runs backwards/],
    ['*/0 * * * *', /step .* must be at least 1/],
    ['1,,2 * * * *', /is not a value, range or step/],
    ['@sometimes', /expected 5 fields/],
  ])('rejects %s with a message naming the field', (expr, message) => {
    expect(() => parseSchedule(expr)).toThrow(UsageError);
    expect(() => parseSchedule(expr)).toThrow(message);
  });
});

describe('nextFire', () => {
  // 2026-03-04 is a Wednesday.
  it.each([
    ['* * * * *', '2026-03-04T10:20:30Z', '2026-03-04T10:21:00.000Z'],
    ['*/15 * * * *', '2026-03-04T10:20:00Z', '2026-03-04T10:30:00.000Z'],
    ['*/15 * * * *', '2026-03-04T10:30:00Z', '2026-03-04T10:45:00.000Z'],
    ['@hourly', '2026-03-04T23:59:00Z', '2026-03-05T00:00:00.000Z'],
    ['@daily', '2026-12-31T12:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['@weekly', '2026-03-04T10:00:00Z', '2026-03-08T00:00:00.000Z'],
    ['0 6 * * MON-FRI', '2026-03-06T07:00:00Z', '2026-03-09T06:00:00.000Z'],
    ['30 2 1 * *', '2026-01-31T03:00:00Z', '2026-02-01T02:30:00.000Z'],
    ['0 0 31 * *', '2026-04-01T00:00:00Z', '2026-05-31T00:00:00.000Z'],
    ['0 0 29 FEB *', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0 9 13 * FRI', '2026-03-04T10:00:00Z', '2026-03-06T09:00:00.000Z'],
    ['0 9 5 * SUN', '2026-03-04T10:00:00Z', '2026-03-05T09:00:00.000Z'],
    ['15 10 * 4 *', '2026-03-04T10:00:00Z', '2026-04-01T10:15:00.000Z'],
  ])('%s after %s fires at %s', (expr, after, expected) => {
    expect(nextFire(parseSchedule(expr), new Date(after))?.toISOString()).toEqual(expected);
  });

  it('returns null for a schedule that never fires', () => {
    expect(nextFire(parseSchedule('0 0 31 2 *'), new Date('2026-01-01T00:00:00Z'))).toEqual(null);
  });
});
