import { TidemarkError } from '../errors.js';
import type { Logger } from '../log.js';

type StopSignalName = 'SIGINT' | 'SIGTERM';

/** 128 + the signal number, as shells report a process a signal ended: SIGINT 130, SIGTERM 143. */
const EXIT_CODE: Record<StopSignalName, number> = { SIGINT: 130, SIGTERM: 143 };

/** The abort reason when SIGINT or SIGTERM stops a run; its `exitCode` is the process's. */
export class StopRequested extends TidemarkError {
  readonly exitCode: number;
  constructor(readonly signalName: StopSignalName) {
    super(`stopped by ${signalName}`);
    this.exitCode = EXIT_CODE[signalName];
  }
}

/** The exit code of a run whose `signal` was aborted (130, 143 for a signal; 1 for any other stop); null while it was not. */
export function stopExitCode(signal: AbortSignal): number | null {
  if (!signal.aborted) return null;
  return signal.reason instanceof StopRequested ? signal.reason.exitCode : 1;
}

/**
 * Aborts the returned signal (reason: StopRequested) on SIGTERM or SIGINT; call `dispose` to remove the handlers. The
 * work in progress finishes (the repository being published; no new one starts) and the process then exits 130 or
 * 143. A second signal (Ctrl-C twice) does not wait: it exits at once with the same code.
 */
export function stopOnSignals(
  logger: Logger,
  proc: NodeJS.EventEmitter = process,
  exit: (code: number) => void = (code) => process.exit(code),
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: StopSignalName): void => {
    if (controller.signal.aborted) {
      logger.warn('second signal: exiting without finishing', { signal: name });
      return exit(EXIT_CODE[name]);
    }
    logger.info('signal received: finishing the current repositories, starting no new one', { signal: name });
    controller.abort(new StopRequested(name));
  };
  const onTerm = (): void => onSignal('SIGTERM');
  const onInt = (): void => onSignal('SIGINT');
  proc.on('SIGTERM', onTerm);
  proc.on('SIGINT', onInt);
  return {
    signal: controller.signal,
    dispose: () => {
      proc.off('SIGTERM', onTerm);
      proc.off('SIGINT', onInt);
    },
  };
}
