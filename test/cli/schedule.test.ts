import { describe, expect, it } from 'vitest';
import { nextFire, parseSchedule } from '../../src/cli/schedule.js';
import { UsageError } from '../../src/errors.js';

/** The next `n` fire times after `after`, as ISO strings. */
function fires(expr: string, after: string, n = 3, timezone?: string): string[] {
  const s = parseSchedule(expr, timezone, new Date(after));
  const out: string[] = [];
  let t = new Date(after);
  for (let i = 0; i < n; i++) {
    const next = nextFire(s, t);
    if (!next) break;
    out.push(next.toISOString());
    t = next;
  }
  return out;
}

describe('parseSchedule', () => {
  // 2026-03-04 is a Wednesday.
  it('reads stars, lists, ranges and steps', () => {
    expect(fires('*/15 9-17/4 1,15 * *', '2026-03-01T12:00:00Z', 6)).toEqual([
      '2026-03-01T13:00:00.000Z',
      '2026-03-01T13:15:00.000Z',
      '2026-03-01T13:30:00.000Z',
      '2026-03-01T13:45:00.000Z',
      '2026-03-01T17:00:00.000Z',
      '2026-03-01T17:15:00.000Z',
    ]);
  });

  it('reads month and weekday names in any case, with Sunday as 0 or 7', () => {
    expect(fires('0 6 * jan,Mar-MAY MON-FRI,7', '2026-02-27T12:00:00Z', 3)).toEqual(['2026-03-01T06:00:00.000Z', '2026-03-02T06:00:00.000Z', '2026-03-03T06:00:00.000Z']);
  });

  it('runs a start with a step up to the field maximum', () => {
    expect(fires('5/20 * * * *', '2026-03-04T10:00:00Z')).toEqual(['2026-03-04T10:05:00.000Z', '2026-03-04T10:25:00.000Z', '2026-03-04T10:45:00.000Z']);
  });

  it('expands the @ macros', () => {
    expect(fires('@hourly', '2026-03-04T10:20:00Z', 2)).toEqual(['2026-03-04T11:00:00.000Z', '2026-03-04T12:00:00.000Z']);
    expect(fires('@daily', '2026-03-04T10:20:00Z', 1)).toEqual(['2026-03-05T00:00:00.000Z']);
    expect(fires('@weekly', '2026-03-04T10:20:00Z', 1)).toEqual(['2026-03-08T00:00:00.000Z']);
  });

  it.each([
    ['0 0 * *', /expected 5 fields/],
    ['0 0 1 1 * *', /expected 5 fields/],
    ['60 * * * *', /invalid value for minute: 60/],
    ['* 24 * * *', /invalid value for hour: 24/],
    ['* * * FOO *', /entry 4 \(FOO\) contains illegal characters/],
    ['* * * * 8', /invalid value for dayOfWeek: 8/],
    ['10-5 * * * *', /from value is larger than to value: '10-5'/],
    ['*/0 * * * *', /illegal stepping: 0/],
    ['1,,2 * * * *', /entry minute \(\) is empty/],
    ['@sometimes', /expected 5 fields/],
  ])('rejects %s with a message naming the field', (expr, message) => {
    expect(() => parseSchedule(expr)).toThrow(UsageError);
    expect(() => parseSchedule(expr)).toThrow(message);
    expect(() => parseSchedule(expr)).toThrow(`schedule "${expr}": `);
  });

  it.each(['0 0 30 2 *', '0 0 31 2 *', '0 0 31 4,6,9,11 *'])('refuses %s, which never fires, as a usage error', (expr) => {
    expect(() => parseSchedule(expr)).toThrow(UsageError);
    expect(() => parseSchedule(expr)).toThrow(`schedule "${expr}" never fires`);
  });
});

describe('time zones', () => {
  it('reads the schedule in UTC by default', () => {
    expect(parseSchedule('0 9 * * *').timezone).toEqual('UTC');
    expect(fires('0 9 * * *', '2026-03-04T10:00:00Z', 1)).toEqual(['2026-03-05T09:00:00.000Z']);
  });

  it('reads a CRON_TZ= prefix, across a daylight saving change (Berlin 09:00 is 08:00Z, then 07:00Z)', () => {
    expect(fires('CRON_TZ=Europe/Berlin 0 9 * * *', '2026-03-28T00:00:00Z', 2)).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z']);
    expect(parseSchedule('CRON_TZ=Europe/Berlin 0 9 * * *').timezone).toEqual('Europe/Berlin');
  });

  it('takes the given zone (TIDEMARK_TIMEZONE) when the expression names none, and the prefix over it', () => {
    expect(fires('0 9 * * *', '2026-07-01T00:00:00Z', 1, 'America/New_York')).toEqual(['2026-07-01T13:00:00.000Z']);
    expect(fires('TZ=Asia/Tokyo 0 9 * * *', '2026-07-01T00:00:00Z', 1, 'America/New_York')).toEqual(['2026-07-02T00:00:00.000Z']);
  });

  it('refuses a zone it does not know', () => {
    expect(() => parseSchedule('CRON_TZ=Mars/Olympus 0 9 * * *')).toThrow(UsageError);
    expect(() => parseSchedule('0 9 * * *', 'Nowhere')).toThrow('unknown time zone "Nowhere": expected an IANA name such as UTC or Europe/Berlin');
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
});
