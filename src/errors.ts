import { withoutCredentials } from './log.js';

/**
 * Typed errors at the boundaries. Each carries what a user needs to act on it, and the underlying `cause`. Messages
 * often name a remote or registry URL: its user info (`https://user:pass@host`) is stripped here, once for all.
 */
export class TidemarkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(withoutCredentials(message), options);
    this.name = new.target.name;
  }
}

/** A registry (OCI or Helm repository) failed: host, HTTP status when there was one. */
export class RegistryError extends TidemarkError {
  readonly host: string;
  readonly status: number | null;
  constructor(message: string, opts: { host: string; status?: number | null; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.host = opts.host;
    this.status = opts.status ?? null;
  }
}

/** A code-hosting platform API (GitHub, GitLab) or git remote failed. */
export class PlatformError extends TidemarkError {
  readonly platform: string;
  readonly status: number | null;
  constructor(message: string, opts: { platform: string; status?: number | null; cause?: unknown }) {
    super(message, { cause: opts.cause });
    this.platform = opts.platform;
    this.status = opts.status ?? null;
  }
}

/** The repo config file is invalid. `problems` carry file:line. */
export class ConfigError extends TidemarkError {
  readonly problems: { file: string; line: number; message: string }[];
  constructor(message: string, problems: { file: string; line: number; message: string }[] = []) {
    super(message);
    this.problems = problems;
  }
}

/** Wrong command-line usage (exit code 2). */
export class UsageError extends TidemarkError {}
