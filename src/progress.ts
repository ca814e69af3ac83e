/**
 * Where a run is, for a person watching a terminal: `scan` → `lookup` (N of M packages) → `publish`. Entry points
 * turn these into a spinner line (cli/progress.ts); elsewhere nothing listens.
 */
export type ProgressEvent =
  | { phase: 'scan' }
  | { phase: 'lookup'; done: number; total: number }
  | { phase: 'publish'; branches: number };

export type OnProgress = (event: ProgressEvent) => void;

/** `scanning`, `lookups 3/10`, `publishing 2 branches`. */
export function progressText(event: ProgressEvent): string {
  switch (event.phase) {
    case 'scan':
      return 'scanning';
    case 'lookup':
      return `lookups ${event.done}/${event.total}`;
    case 'publish':
      return `publishing ${event.branches} ${event.branches === 1 ? 'branch' : 'branches'}`;
  }
}
