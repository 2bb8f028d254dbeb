// Structured logs (pino, JSON lines). Redaction paths are declared here once: whatever a caller
// passes under these keys is replaced before the line is written.
import pino from 'pino';
import type { Logger } from '../core/ports.ts';

export const REDACTED_PATHS = [
  'password', '*.password', '*.*.password', 'passwordSealed', '*.passwordSealed', 'value', '*.value',
  'token', '*.token', 'key', '*.key', 'secret', '*.secret', 'clientSecret', '*.clientSecret',
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]',
  'headers.authorization', 'headers.cookie',
];

export function createLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    { level: options.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'mailroom' } },
    (options.destination ?? process.stdout) as pino.DestinationStream,
  ) as unknown as Logger;
}
