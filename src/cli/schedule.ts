import { UsageError } from '../errors.js';

/**
 * A parsed 5-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC like
 * GitHub Actions' `on: schedule`. Each set holds the allowed values; day-of-week uses 0 = Sunday (7 is folded into 0).
 * When both day fields are restricted a day matches if either does (Vixie cron semantics): `0 9 1 * MON`.
 */
export interface Schedule {
  source: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  daysOfWeek: ReadonlySet<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** `1-5/2`, `*\/15`, `MON-FRI`, `7`: a range part with an optional step. */
const PART = /^(?<range>\*|(?<from>[A-Za-z0-9]+)(?:-(?<to>[A-Za-z0-9]+))?)(?:\/(?<step>\d+))?$/;

/** Parses a cron expression; throws UsageError naming the bad field. */
export function parseSchedule(expression: string): Schedule {
  const source = expression.trim();
  const expanded = MACROS[source.toLowerCase()] ?? source;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) {
    throw new UsageError(`schedule "${source}": expected 5 fields (minute hour day-of-month month day-of-week) or @hourly/@daily/@weekly/@monthly/@yearly`);
  }
  const sets = parts.map((text, i) => parseField(text, FIELDS[i]!, source));
  const dow = new Set([...sets[4]!].map((d) => (d === 7 ? 0 : d)));
  return {
    source,
    minutes: sets[0]!,
    hours: sets[1]!,
    daysOfMonth: sets[2]!,
    months: sets[3]!,
    daysOfWeek: dow,
    domRestricted: !parts[2]!.startsWith('*'),
    dowRestricted: !parts[4]!.startsWith('*'),
  };
}

function parseField(text: string, spec: FieldSpec, source: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = PART.exec(part);
    if (!m?.groups) throw fieldError(source, spec, `"${part}" is not a value, range or step`);
    const { range, from, to, step } = m.groups;
    let lo = spec.min;
    let hi = spec.max;
    if (range !== '*') {
      lo = value(from!, spec, source);
      // `5/15` means 5, 20, 35, 50: a start with a step runs to the field's maximum.
      hi = to !== undefined ? value(to, spec, source) : step !== undefined ? spec.max : lo;
    }
    if (lo > hi) throw fieldError(source, spec, `range "${part}" runs backwards`);
    const by = step === undefined ? 1 : Number(step);
    if (by < 1) throw fieldError(source, spec, `step in "${part}" must be at least 1`);
    for (let v = lo; v <= hi; v += by) out.add(v);
  }
  return out;
}

function value(token: string, spec: FieldSpec, source: string): number {
  const byName = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  const n = byName >= 0 ? byName + (spec.min === 1 ? 1 : 0) : /^\d+$/.test(token) ? Number(token) : NaN;
  if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
    throw fieldError(source, spec, `"${token}" is outside ${spec.min}-${spec.max}`);
  }
  return n;
}

function fieldError(source: string, spec: FieldSpec, detail: string): UsageError {
  return new UsageError(`schedule "${source}": ${spec.name}: ${detail}`);
}

/** Whole days are skipped at a time, so 30 years is a few thousand steps; it covers `0 0 29 2 *` on leap years. */
const SEARCH_LIMIT_MS = 30 * 366 * 24 * 3600_000;

/** The first minute strictly after `after` that the schedule matches (UTC), or null when it never fires (`0 0 31 2 *`). */
export function nextFire(schedule: Schedule, after: Date): Date | null {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const limit = after.getTime() + SEARCH_LIMIT_MS;
  while (t.getTime() <= limit) {
    if (!schedule.months.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0);
      continue;
    }
    if (!dayMatches(schedule, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0);
      continue;
    }
    if (!schedule.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0);
      continue;
    }
    if (!schedule.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1);
      continue;
    }
    return t;
  }
  return null;
}

function dayMatches(s: Schedule, t: Date): boolean {
  const dom = s.daysOfMonth.has(t.getUTCDate());
  const dow = s.daysOfWeek.has(t.getUTCDay());
  if (s.domRestricted && s.dowRestricted) return dom || dow;
  return dom && dow;
}
