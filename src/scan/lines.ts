/** Offset → 1-based line, built once per file on first use (most files yield nothing and never need it). */
export class LineIndex {
  private starts: number[] | null = null;
  constructor(private readonly text: string) {}

  lineOf(offset: number): number {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The text of a 1-based line without its line break (`\n` or `\r\n`); '' outside the file. */
  lineText(line: number): string {
    const starts = this.lineStarts();
    const start = starts[line - 1];
    if (start === undefined) return '';
    const next = starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    let i = this.text.indexOf('\n');
    while (i >= 0) {
      starts.push(i + 1);
      i = this.text.indexOf('\n', i + 1);
    }
    this.starts = starts;
    return starts;
  }
}
