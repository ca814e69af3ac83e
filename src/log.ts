import { oneLine } from './escape.js';

/** Injected logging: fixed messages plus a metadata object. Secrets are redacted here, whatever the caller passes. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogMeta = Record<string, unknown>;

export interface Logger {
  debug(msg: string, meta?: LogMeta): void;
  info(msg: string, meta?: LogMeta): void;
  warn(msg: string, meta?: LogMeta): void;
  error(msg: string, meta?: LogMeta): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'text' | 'json';
  write?: (line: string) => void;
  /** Literal secret values (tokens, passwords) to mask wherever they appear. */
  secrets?: readonly string[];
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /(token|password|secret|authorization|auth|credential)/i;
export const REDACTED = '***';

/**
 * The user info of every URL in `text` becomes `***`: `fatal: 'https://x-access-token:ghp_1@host/r.git'` →
 * `fatal: 'https://***@host/r.git'`. The one credential stripper: the logger applies it to everything it writes,
 * and every error message that can carry a remote URL goes through it.
 */
export function withoutCredentials(text: string): string {
  return text.replace(/(?<scheme>[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$<scheme>***@');
}

export function redact(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return maskSecrets(value, secrets);
  if (value instanceof Error) return maskSecrets(value.message, secrets);
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && typeof v === 'string' && v !== '' ? REDACTED : redact(v, secrets);
    }
    return out;
  }
  return value;
}

/** Literal secrets to `***`, and URL user info stripped (withoutCredentials). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = withoutCredentials(text);
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join(REDACTED);
  }
  return out;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const secrets = opts.secrets ?? [];
  const emit = (level: LogLevel, msg: string, meta?: LogMeta): void => {
    if (ORDER[level] < min) return;
    const safeMeta = meta ? (redact(meta, secrets) as LogMeta) : undefined;
    const safeMsg = maskSecrets(msg, secrets);
    if (opts.format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg: safeMsg, ...safeMeta }));
      return;
    }
    // One record, one line: a registry-written value cannot start a forged log line (or a workflow command).
    const tail = safeMeta && Object.keys(safeMeta).length > 0 ? ' ' + formatMeta(safeMeta) : '';
    write(oneLine(`${level.toUpperCase().padEnd(5)} ${safeMsg}${tail}`));
  };
  return {
    debug: (m, meta) => emit('debug', m, meta),
    info: (m, meta) => emit('info', m, meta),
    warn: (m, meta) => emit('warn', m, meta),
    error: (m, meta) => emit('error', m, meta),
  };
}

function formatMeta(meta: LogMeta): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
