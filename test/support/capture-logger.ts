// A Logger that keeps every entry, so tests can check what providers log (and that no secret is in it).
import type { Logger } from '../../src/core/ports.ts';

export interface CapturedLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  bindings: object;
  obj: object;
  msg: string | undefined;
}

export interface CaptureLogger extends Logger {
  entries: CapturedLogEntry[];
  /** Every entry as one JSON text, for "does not contain" checks. */
  text(): string;
}

export function createCaptureLogger(): CaptureLogger {
  const entries: CapturedLogEntry[] = [];
  const make = (bindings: object): Logger => ({
    debug: (obj, msg) => void entries.push({ level: 'debug', bindings, obj, msg }),
    info: (obj, msg) => void entries.push({ level: 'info', bindings, obj, msg }),
    warn: (obj, msg) => void entries.push({ level: 'warn', bindings, obj, msg }),
    error: (obj, msg) => void entries.push({ level: 'error', bindings, obj, msg }),
    child: (more) => make({ ...bindings, ...more }),
  });
  return Object.assign(make({}), { entries, text: () => JSON.stringify(entries) });
}
