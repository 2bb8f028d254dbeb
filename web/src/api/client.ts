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

function urlFor(path: string, options: RequestOptions): URL {
  const url = new URL(`/api/v1${path}`, window.location.origin);
  for (const [k, v] of Object.entries(options.query ?? {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  return url;
}

function headersFor(method: string, hasBody: boolean, options: RequestOptions, accept = 'application/json'): Record<string, string> {
  const headers: Record<string, string> = { Accept: accept };
  if (hasBody) headers['Content-Type'] = 'application/json';
  if (UNSAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (actingCompanyId && !options.noCompany) headers['X-Mailroom-Company'] = actingCompanyId;
  return headers;
}

async function send(url: URL, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, credentials: 'same-origin' });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'Mailroom could not be reached. Check that it is running and try again.');
  }
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The ApiError for a non-2xx answer; a 401 UNAUTHENTICATED also tells the session it ended. */
function errorFrom(res: Response, data: unknown): ApiError {
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
  return error;
}

export async function request<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const res = await send(urlFor(path, options), {
    method,
    headers: headersFor(method, body !== undefined, options),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: options.signal,
  });
  if (res.status === 204) return undefined as T;
  const data = parseJson(await res.text());
  if (!res.ok) throw errorFrom(res, data);
  return data as T;
}

export interface DownloadedFile {
  blob: Blob;
  /** From Content-Disposition, when the server named the file. */
  filename: string | null;
}

/**
 * GET a file (an attachment) with the same cookies and company header as every other call, so the
 * page can hand it to the browser as a download through a Blob URL.
 */
export async function download(path: string, options: RequestOptions = {}): Promise<DownloadedFile> {
  const res = await send(urlFor(path, options), { method: 'GET', headers: headersFor('GET', false, options, '*/*'), signal: options.signal });
  if (!res.ok) throw errorFrom(res, parseJson(await res.text()));
  const disposition = res.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return { blob: await res.blob(), filename: match ? safeDecode(match[1]) : null };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
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
