// Resolves who is calling: the session cookie (browser) or an API key (host application). Unsafe
// requests made with the cookie must echo the session's CSRF token in a header, which a page on
// another site cannot read — the cookie alone never authorises a change.
import crypto from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { AppError } from '../core/errors.ts';
import type { HttpEnv, RequestActor } from './http-env.ts';

export const SESSION_COOKIE = 'mailroom_session';
export const CSRF_HEADER = 'x-csrf-token';
export const COMPANY_HEADER = 'x-mailroom-company';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function authenticate(): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const { accounts } = c.get('services');
    c.set('principal', null);
    c.set('viaCookie', false);
    c.set('csrfToken', null);
    c.set('sessionId', null);
    const auth = c.req.header('authorization');
    if (auth) {
      const match = /^Bearer\s+(\S+)$/i.exec(auth);
      const found = match ? await accounts.companyForKey(match[1]!) : null;
      if (!found) throw new AppError('UNAUTHENTICATED', 'The API key is not valid or was revoked.');
      c.set('principal', { kind: 'api_key', apiKey: found.apiKey, company: found.company });
    } else {
      const token = getCookie(c, SESSION_COOKIE);
      const found = token ? await accounts.sessionFromToken(token) : null;
      if (found) {
        c.set('principal', { kind: 'user', user: found.user, company: found.company });
        c.set('viaCookie', true);
        c.set('csrfToken', found.session.csrfToken);
        c.set('sessionId', found.session.id);
        if (UNSAFE.has(c.req.method)) {
          const sent = c.req.header(CSRF_HEADER) ?? '';
          if (!sameToken(sent, found.session.csrfToken)) throw new AppError('CSRF_FAILED');
        }
      }
    }
    await next();
  };
}

/** The signed-in principal and the company it acts for (X-Mailroom-Company), or 401/404. */
export async function requireActor(c: Context<HttpEnv>): Promise<RequestActor> {
  const principal = c.get('principal');
  if (!principal) throw new AppError('UNAUTHENTICATED');
  const company = await c.get('services').accounts.actingCompany(principal, c.req.header(COMPANY_HEADER) || null);
  return { principal, company };
}
