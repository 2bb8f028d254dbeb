// The one table of stable error codes. Every edge maps AppError through its own mapper
// (http/to-http-error.ts, smtp/to-smtp-reply.ts); domain code never speaks HTTP or SMTP.

export const ERROR_CODES = {
  VALIDATION_FAILED: { http: 400, smtp: '501 5.5.4', message: 'Some fields are not valid.' },
  UNAUTHENTICATED: { http: 401, smtp: '530 5.7.0', message: 'Sign in first.' },
  INVALID_CREDENTIALS: { http: 401, smtp: '535 5.7.8', message: 'Email or password is wrong.' },
  FORBIDDEN: { http: 403, smtp: '550 5.7.1', message: 'Your role does not allow this.' },
  CSRF_FAILED: { http: 403, smtp: '550 5.7.1', message: 'The form expired or came from another site; reload the page.' },
  NOT_FOUND: { http: 404, smtp: '550 5.1.1', message: 'Not found.' },
  CONFLICT: { http: 409, smtp: '451 4.3.0', message: 'This conflicts with the current state.' },
  SETUP_ALREADY_DONE: { http: 409, smtp: '451 4.3.0', message: 'The first administrator already exists; sign in instead.' },
  SETUP_REQUIRED: { http: 409, smtp: '451 4.3.0', message: 'Create the first administrator first.' },
  SERVER_IS_DEFAULT: { http: 409, smtp: '451 4.3.0', message: 'This mail server is the company default; choose another default first.' },
  IDEMPOTENCY_CONFLICT: { http: 409, smtp: '451 4.3.0', message: 'This Idempotency-Key was already used with a different request.' },
  NO_MAIL_SERVER: { http: 409, smtp: '451 4.3.0', message: 'This company has no active default mail server; add one or name one with mailServerId.' },
  SECRET_IN_USE: { http: 409, smtp: '451 4.3.0', message: 'This secret is used by a mail server.' },
  VERIFICATION_LINK_INVALID: { http: 410, smtp: '554 5.7.0', message: 'This link was already used or is not valid.' },
  VERIFICATION_LINK_EXPIRED: { http: 410, smtp: '554 5.7.0', message: 'This link expired; send a new one from the Sender addresses page.' },
  PAYLOAD_TOO_LARGE: { http: 413, smtp: '552 5.3.4', message: 'The request is too large.' },
  SENDER_NOT_VERIFIED: { http: 422, smtp: '553 5.7.1', message: 'This From address is not a verified sender address of the company.' },
  MAIL_SERVICE_TEST_FAILED: { http: 422, smtp: '451 4.3.0', message: 'The mail server did not pass its connection test, so the company still uses its previous mail service.' },
  SECRET_REFERENCE_INVALID: { http: 422, smtp: '554 5.7.0', message: 'The secret reference cannot be used.' },
  SECRET_UNRESOLVED: { http: 422, smtp: '451 4.7.0', message: 'The secret could not be read from its secret manager.' },
  RATE_LIMITED: { http: 429, smtp: '452 4.5.3', message: 'Too many requests; try again shortly.' },
  STORAGE_LOW: { http: 503, smtp: '452 4.3.1', message: 'Mailroom is low on disk space, so it accepts no new mail for now; nothing was stored. Try again later.' },
  UNAVAILABLE: { http: 503, smtp: '421 4.3.2', message: 'Temporarily unavailable; try again shortly.' },
  INTERNAL: { http: 500, smtp: '451 4.3.0', message: 'Something went wrong on our side. It has been logged.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One invalid field: `field` is a dotted path in the request, `rule` a stable short name. */
export interface FieldIssue {
  field: string;
  rule: string;
  message: string;
}

export interface AppErrorOptions {
  details?: Record<string, unknown>;
  fields?: FieldIssue[];
  cause?: unknown;
}

/**
 * A failure the user can act on. `message` is safe to show; `cause` is for logs only and never
 * leaves the process through an edge.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  readonly fields?: FieldIssue[];

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? ERROR_CODES[code].message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options.details;
    this.fields = options.fields;
  }
}

export function validationError(fields: FieldIssue[]): AppError {
  const first = fields[0];
  const message = fields.length === 1 && first ? `${first.field}: ${first.message}` : ERROR_CODES.VALIDATION_FAILED.message;
  return new AppError('VALIDATION_FAILED', message, { fields });
}

export function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found.`);
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
