import { Cron } from 'croner';
import { UsageError } from '../errors.js';

/**
 * A 5-field cron schedule (minute hour day-of-month month day-of-week, or `@hourly`, `@daily`, `@weekly`, `@monthly`,
 * `@yearly`), read by `croner`: ranges, lists, steps, names (`MON-FRI`, `jan`), `L` (last day), `1#2` (second Monday).
 * When both day fields are restricted a day matches if either does, as in Vixie cron: `0 9 1 * MON`.
 * Evaluated in `timezone`: UTC (like GitHub Actions' `on: schedule`) unless the expression starts with
 * `CRON_TZ=Europe/Berlin` (as in cronie and Kubernetes CronJobs) or `TIDEMARK_TIMEZONE` names one.
 */
export interface Schedule {
  source: string;
  /** An IANA time zone name (`UTC`, `Europe/Berlin`). */
  timezone: string;
  cron: Cron;
}

/** `CRON_TZ=Europe/Berlin 0 9 * * 1-5` (or `TZ=…`): the zone, then the expression. */
const ZONE_PREFIX = /^(?:CRON_TZ|TZ)=(?<zone>\S+)\s+(?<expression>.+)$/;

/**
 * Parses a schedule; throws UsageError (exit 2) naming what is wrong: the expression, the time zone, or a schedule
 * that can never fire (`0 0 30 2 *`), which would otherwise leave the container idle for ever.
 */
export function parseSchedule(text: string, timezone?: string | null, now: Date = new Date()): Schedule {
  const source = text.trim();
  const prefixed = ZONE_PREFIX.exec(source)?.groups;
  const zone = prefixed?.['zone'] ?? (timezone?.trim() || 'UTC');
  const expression = prefixed?.['expression']?.trim() ?? source;
  checkTimeZone(zone, source);
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true, timezone: zone, mode: '5-part', sloppyRanges: true });
  } catch (err) {
    throw new UsageError(`schedule "${source}": ${describe(err)}`);
  }
  const schedule: Schedule = { source, timezone: zone, cron };
  if (!nextFire(schedule, now)) throw new UsageError(`schedule "${source}" never fires: no date matches it (check the day of month against the month)`);
  return schedule;
}

/** The first minute strictly after `after` that the schedule matches, or null when it never fires. */
export function nextFire(schedule: Schedule, after: Date): Date | null {
  return schedule.cron.nextRun(after);
}

function checkTimeZone(zone: string, source: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new UsageError(`schedule "${source}": unknown time zone "${zone}": expected an IANA name such as UTC or Europe/Berlin`);
  }
}

/** croner's `CronPattern: Invalid value for hour: 24` → `invalid value for hour: 24`; a wrong field count says which fields. */
function describe(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err)).replace(/^CronPattern:\s*/, '');
  if (/space separated parts|requires exactly 5 parts/.test(message)) {
    return 'expected 5 fields (minute hour day-of-month month day-of-week) or @hourly/@daily/@weekly/@monthly/@yearly';
  }
  return message.charAt(0).toLowerCase() + message.slice(1);
}
