// First run, sign-in and sign-out.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../core/errors.ts';
import { requireActor, SESSION_COOKIE } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, jsonContent, SessionSchema } from '../schemas.ts';
import { companyView, userView } from '../views.ts';

export function sessionRoutes(options: { secureCookies: boolean; sessionTtlMs: number }) {
  const app = new OpenAPIHono<HttpEnv>();
  const cookieOptions = { httpOnly: true, sameSite: 'Lax' as const, secure: options.secureCookies, path: '/', maxAge: Math.floor(options.sessionTtlMs / 1000) };

  app.openapi(createRoute({
    method: 'get', path: '/setup', tags: ['Session'], summary: 'Whether the first administrator still has to be created',
    responses: { 200: jsonContent(z.object({ needsSetup: z.boolean() }), 'Setup state') },
  }), async (c) => c.json({ needsSetup: await c.get('services').accounts.needsSetup() }, 200));

  app.openapi(createRoute({
    method: 'post', path: '/setup', tags: ['Session'], summary: 'Create the first administrator and the root company',
    request: { body: { required: true, content: { 'application/json': { schema: z.object({
      companyName: z.string().max(200), companySlug: z.string().max(60).optional(), name: z.string().max(200),
      email: z.string().max(400), password: z.string().max(1000).openapi({ writeOnly: true }),
    }).strict() } } } },
    responses: { 201: jsonContent(SessionSchema, 'Signed in as the new administrator'), 409: errorResponses[400], 400: errorResponses[400] },
  }), async (c) => {
    const body = c.req.valid('json');
    const { accounts } = c.get('services');
    await accounts.setup(body);
    const signed = await accounts.signIn(body.email, body.password);
    setCookie(c, SESSION_COOKIE, signed.token, cookieOptions);
    return c.json({ user: userView(signed.user), company: companyView(signed.company), csrfToken: signed.session.csrfToken }, 201);
  });

  app.openapi(createRoute({
    method: 'post', path: '/session', tags: ['Session'], summary: 'Sign in',
    request: { body: { required: true, content: { 'application/json': { schema: z.object({ email: z.string().max(400), password: z.string().max(1000).openapi({ writeOnly: true }) }).strict() } } } },
    responses: { 200: jsonContent(SessionSchema, 'Signed in; the cookie is set'), 401: errorResponses[401] },
  }), async (c) => {
    const { email, password } = c.req.valid('json');
    const signed = await c.get('services').accounts.signIn(email, password);
    setCookie(c, SESSION_COOKIE, signed.token, cookieOptions);
    return c.json({ user: userView(signed.user), company: companyView(signed.company), csrfToken: signed.session.csrfToken }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/session', tags: ['Session'], summary: 'The signed-in user, the CSRF token and the companies they may act for',
    responses: { 200: jsonContent(SessionSchema, 'Current session'), 401: errorResponses[401] },
  }), async (c) => {
    const principal = c.get('principal');
    if (!principal || principal.kind !== 'user') throw new AppError('UNAUTHENTICATED');
    const { company } = await requireActor(c);
    const companies = await c.get('services').accounts.listCompanies(principal);
    return c.json({ user: userView(principal.user), company: companyView(company), csrfToken: c.get('csrfToken') ?? '', companies: companies.map(companyView) }, 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/session', tags: ['Session'], summary: 'Sign out',
    responses: { 204: { description: 'Signed out' } },
  }), async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await c.get('services').accounts.signOut(token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });

  return app;
}
