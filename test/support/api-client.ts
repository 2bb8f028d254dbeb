// A small HTTP client for tests: a browser-like session (cookie + CSRF header) or an API key.
// Every answer body is recorded so leak tests can search all of them.
import assert from 'node:assert/strict';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export class ApiClient {
  readonly baseUrl: string;
  private cookie: string | null = null;
  private csrf: string | null = null;
  private bearer: string | null = null;
  company: string | null = null;
  readonly transcript: string[] = [];

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  static withApiKey(baseUrl: string, key: string): ApiClient {
    const client = new ApiClient(baseUrl);
    client.bearer = key;
    return client;
  }

  /** Drop the CSRF token while keeping the cookie — a request forged by another site. */
  withoutCsrf(): ApiClient {
    const forged = new ApiClient(this.baseUrl);
    forged.cookie = this.cookie;
    return forged;
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (this.company) h['x-mailroom-company'] = this.company;
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? null : pair;
    }
    const text = await res.text();
    this.transcript.push(`${method} ${path} → ${res.status} ${setCookie ?? ''}\n${text}`);
    let parsed: any = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    if (parsed && typeof parsed === 'object' && typeof parsed.csrfToken === 'string') this.csrf = parsed.csrfToken;
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  get = <T = any>(path: string) => this.request<T>('GET', path);
  post = <T = any>(path: string, body?: unknown) => this.request<T>('POST', path, body ?? {});
  patch = <T = any>(path: string, body: unknown) => this.request<T>('PATCH', path, body);
  put = <T = any>(path: string, body: unknown) => this.request<T>('PUT', path, body);
  delete = <T = any>(path: string) => this.request<T>('DELETE', path);

  async signIn(email: string, password: string): Promise<ApiResponse> {
    return this.post('/session', { email, password });
  }
}

export const ADMIN_PASSWORD = 'root-admin-password-1';

/** First run on a fresh app: root company "acme" and its system admin, signed in. */
export async function setupRoot(baseUrl: string): Promise<ApiClient> {
  const client = new ApiClient(baseUrl);
  const res = await client.post('/setup', { companyName: 'Acme Reseller', companySlug: 'acme', name: 'Root Admin', email: 'root@acme.example', password: ADMIN_PASSWORD });
  if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${res.text}`);
  return client;
}

/** A person of `company`, created by `root` (a system admin) with `role`, then signed in as them. */
export async function signedInUser(root: ApiClient, company: string, email: string, role: string, password: string): Promise<ApiClient> {
  root.company = company;
  const created = await root.post('/users', { email, name: email.split('@')[0], role, password });
  root.company = null;
  assert.equal(created.status, 201, created.text);
  const client = new ApiClient(root.baseUrl);
  assert.equal((await client.signIn(email, password)).status, 200);
  return client;
}

export function serverInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Office relay', preset: 'custom', host: 'smtp.example.net', port: 587, security: 'starttls',
    authEnabled: true, authMechanism: 'plain', username: 'mailer@example.net', password: 'pw-default-123',
    fromAddress: 'noreply@example.net', fromName: 'Example', ...overrides,
  };
}
