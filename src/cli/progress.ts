import type { Ora } from 'ora';
import { oneLine } from '../escape.js';
import { maskSecrets } from '../log.js';

/** A one-line status on stderr that a command updates as it goes, and stops before its final output. */
export interface Progress {
  update(text: string): void;
  stop(): void;
}

export const noProgress: Progress = { update() {}, stop() {} };

/** The part of a stream the spinner needs; a test passes an object with `isTTY: true`. */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface ProgressOptions {
  stream: ProgressStream;
  /** False for `--json` and JSON logs: the display is for people reading a terminal. */
  forPeople: boolean;
  /** Masked wherever they appear (a repository URL can hold a password). */
  secrets?: readonly string[];
  /** Skips ora's own check (`CI`, `TERM=dumb`); tests set it. */
  interactive?: boolean;
}

/**
 * An `ora` spinner on `stream` when it is a terminal and the output is for people; otherwise nothing at all, so
 * output off a terminal is exactly what it was. Text is one line, escape sequences shown as spaces, secrets masked.
 * While it spins, ora clears and redraws it around every other write to stdout and stderr (log lines, dry-run diffs).
 */
export function createProgress(opts: ProgressOptions): Progress {
  // A terminal that reports no width (a pty with no size set, as `script` or `docker exec -t` may give) is left alone:
  // ora divides by the width to count the lines to clear, and with 0 it never stops clearing.
  if (!opts.stream.isTTY || !opts.forPeople || !(Number(opts.stream.columns) > 0)) return noProgress;
  const secrets = opts.secrets ?? [];
  const clean = (text: string): string => oneLine(maskSecrets(text, secrets));
  let spinner: Ora | null = null;
  let loading = false;
  let stopped = false;
  let latest = '';
  return {
    update(text) {
      latest = clean(text);
      stopped = false;
      if (spinner) {
        spinner.text = latest;
        return;
      }
      if (loading) return;
      loading = true;
      // Loaded on first use, so commands off a terminal (and --help) never pay for it.
      void import('ora').then(({ default: ora }) => {
        loading = false;
        if (stopped) return;
        spinner = ora({
          text: latest,
          stream: opts.stream as NodeJS.WriteStream,
          discardStdin: false,
          ...(opts.interactive !== undefined && { isEnabled: opts.interactive }),
        }).start();
      });
    },
    stop() {
      stopped = true;
      spinner?.stop();
      spinner = null;
    },
  };
}
