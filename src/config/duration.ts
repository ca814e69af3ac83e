/** `3 days`, `12h`, `30m`, `1 week` → milliseconds; null when unreadable. */
const DURATION = /^\s*(?<n>\d+)\s*(?<unit>m|mins?|minutes?|h|hours?|d|days?|w|weeks?)\s*$/i;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string): number | null {
  const g = DURATION.exec(text)?.groups;
  if (!g?.n || !g.unit) return null;
  const unit = UNIT_MS[g.unit.toLowerCase()[0]!];
  return unit === undefined ? null : Number(g.n) * unit;
}

/** 90000000 → `1 day 1 hour`, for plan reasons. */
export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = Math.max(0, Math.floor(ms / 60_000));
  for (const [name, size] of [['day', 1440], ['hour', 60], ['minute', 1]] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 && parts.length < 2) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.length > 0 ? parts.join(' ') : 'less than a minute';
}
