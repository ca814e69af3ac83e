/** Columns are never narrowed below this (a column narrower to begin with stays as it is): a cell still says what it is. */
const MIN_COLUMN = 8;
const GAP = 2;

/**
 * Lays out a table with two spaces between columns. With `width` (a terminal's `columns`) the widest columns are
 * narrowed until the table fits, and cells too long for their column lose their middle to `…`, so both ends stay
 * readable: `apps/production/eu-west/web/deployment.yaml:12` → `apps/produ…ployment.yaml:12`. Null `width` (not a
 * terminal, a pipe or a file) keeps every cell whole. Cells must already be one line each.
 */
export function formatTable(header: readonly string[], rows: readonly string[][], width: number | null): string[] {
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length));
  if (width !== null) narrow(widths, width);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => elide(c, widths[i] ?? 0).padEnd(widths[i] ?? 0))
      .join(' '.repeat(GAP))
      .trimEnd();
  return rows.length > 0 ? [line(header), ...rows.map(line)] : [];
}

/** Takes one character at a time from the widest column that can still give one, until the row fits in `width`. */
function narrow(widths: number[], width: number): void {
  const floor = widths.map((w) => Math.min(MIN_COLUMN, w));
  let total = widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
  while (total > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if ((widths[i] ?? 0) > (floor[i] ?? 0) && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
    }
    if (widest < 0) return;
    const take = Math.min(total - width, (widths[widest] ?? 0) - (floor[widest] ?? 0), Math.max(1, (widths[widest] ?? 0) - secondWidest(widths, widest)));
    widths[widest] = (widths[widest] ?? 0) - take;
    total -= take;
  }
}

function secondWidest(widths: readonly number[], except: number): number {
  let w = 0;
  for (let i = 0; i < widths.length; i++) if (i !== except) w = Math.max(w, widths[i] ?? 0);
  return w;
}

/** `abcdefghij` in 7 → `abc…hij`. */
export function elide(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  const keep = width - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (keep - head))}`;
}
