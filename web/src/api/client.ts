// The one fetch wrapper for the public API (docs/api.md).
// - Cookies ride along (credentials: 'same-origin'); the session cookie itself is HttpOnly.
// - Unsafe methods carry X-CSRF-Token from the current session's csrfToken.
// - A system admin acting for another company sends X-Mailroom-Company.
// - Every error body `{ error: { code, message, fields } }` becomes an ApiError whose `fields` map
//   lets forms show each message next to its input.

export interface FieldIssue {
  field: string;
  rule: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: FieldIssue[];
  readonly requestId: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, fields: FieldIssue[] = [], requestId?: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.requestId = requestId;
    this.details = details;
  }

  /** Field path → message; the first message wins when a field has several. */
  fieldMessages(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.fields) {
      if (!(f.field in out)) out[f.field] = f.message;
    }
    return out;
  }
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ACTING_COMPANY_KEY = 'mailroom.actingCompanyId';

let csrfToken: string | null = null;
let actingCompanyId: string | null = readActingCompany();
let onUnauthenticated: (() => void) | null = null;

function readActingCompany(): string | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage.getItem(ACTING_COMPANY_KEY);
  } catch {
    return null;
  }
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** `null` means "my own company": the header is then not sent at all. */
export function setActingCompany(companyId: string | null): void {
  actingCompanyId = companyId;
  try {
    if (companyId) sessionStorage.setItem(ACTING_COMPANY_KEY, companyId);
    else sessionStorage.removeItem(ACTING_COMPANY_KEY);
  } catch {
    // Storage may be unavailable (private mode); the choice then lasts for this page only.
  }
}

export function getActingCompany(): string | null {
  return actingCompanyId;
}

/** Called when any request answers 401 UNAUTHENTICATED (the session expired or was revoked). */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined | null>;
  /** Skip the acting-company header (e.g. for /session, which is about the user, not a company). */
  noCompany?: boolean;
  signal?: AbortSignal;
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [k, v] of Object.entries(options.query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (actingCompanyId && !options.noCompany) headers['X-Mailroom-Company'] = actingCompanyId;

  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'Mailroom could not be reached. Check that it is running and try again.');
  }

  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; fields?: FieldIssue[]; requestId?: string; details?: Record<string, unknown> } } | undefined)?.error;
    const error = new ApiError(
      res.status,
      e?.code ?? `HTTP_${res.status}`,
      e?.message ?? `The request failed (${res.status} ${res.statusText}).`,
      Array.isArray(e?.fields) ? e.fields : [],
      e?.requestId,
      e?.details,
    );
    if (res.status === 401 && error.code === 'UNAUTHENTICATED' && onUnauthenticated) onUnauthenticated();
    throw error;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, options?: RequestOptions) => request<T>('GET', path, undefined, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, body ?? {}, options),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, body ?? {}, options),
  patch: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PATCH', path, body ?? {}, options),
  delete: <T = void>(path: string, options?: RequestOptions) => request<T>('DELETE', path, undefined, options),
};

/** A message fit for a page-level alert, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
