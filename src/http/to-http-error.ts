// The HTTP edge's error mapper: AppError → status + safe body. Anything else is a bug: logged with
// the request id and answered with a generic 500 — never a stack trace, never a library's text.
import { ERROR_CODES, isAppError } from '../core/errors.ts';
import type { FieldIssue } from '../core/errors.ts';

export interface HttpErrorBody {
  error: { code: string; message: string; fields?: FieldIssue[]; details?: Record<string, unknown>; requestId: string };
}

export function toHttpError(err: unknown, requestId: string): { status: number; body: HttpErrorBody; unexpected: boolean } {
  if (isAppError(err)) {
    return {
      status: ERROR_CODES[err.code].http,
      body: { error: { code: err.code, message: err.message, fields: err.fields, details: err.details, requestId } },
      unexpected: err.code === 'INTERNAL',
    };
  }
  if (isStorageFull(err)) {
    // The database could not write: the transaction rolled back, so nothing half-written stays.
    // Logged (an operator must free space), answered as the temporary refusal it is.
    return {
      status: ERROR_CODES.STORAGE_LOW.http,
      body: { error: { code: 'STORAGE_LOW', message: ERROR_CODES.STORAGE_LOW.message, details: { retryAfterSeconds: 300 }, requestId } },
      unexpected: true,
    };
  }
  if (isUniqueViolation(err)) {
    // Two requests raced to create the same thing (a release, an address, a domain): the database's
    // unique index let one through. The other is a conflict, not a bug.
    return {
      status: ERROR_CODES.CONFLICT.http,
      body: { error: { code: 'CONFLICT', message: 'Another request changed this at the same moment; reload and try again.', requestId } },
      unexpected: false,
    };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: ERROR_CODES.INTERNAL.message, requestId } },
    unexpected: true,
  };
}

/** The database's disk is full: SQLite SQLITE_FULL (also max_page_count reached), PostgreSQL 53100 disk_full. */
function isStorageFull(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  return code === 'SQLITE_FULL' || code === '53100';
}

/** PostgreSQL 23505, or SQLite's UNIQUE / PRIMARY KEY constraint: the drivers' own codes. */
function isUniqueViolation(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
