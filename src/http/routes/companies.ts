// Companies (tenancy) and their users.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ROLES } from '../../core/model.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { CompanySchema, errorResponses, jsonBody, jsonContent, UserSchema } from '../schemas.ts';
import { companyView, userView } from '../views.ts';

export function companyRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/companies', tags: ['Companies'], summary: 'Companies the caller may act for',
    responses: { 200: jsonContent(z.object({ items: z.array(CompanySchema) }), 'Companies'), ...errorResponses },
  }), async (c) => {
    const { principal } = await requireActor(c);
    return c.json({ items: (await c.get('services').accounts.listCompanies(principal)).map(companyView) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/companies', tags: ['Companies'], summary: 'Create a child company (system admins)',
    request: jsonBody(z.object({ name: z.string().max(200), slug: z.string().max(60).optional(), parentId: z.string().max(100).nullable().optional() }).strict()),
    responses: { 201: jsonContent(CompanySchema, 'Created'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const created = await c.get('services').accounts.createCompany(principal, c.req.valid('json'), company);
    return c.json(companyView(created), 201);
  });

  app.openapi(createRoute({
    method: 'get', path: '/users', tags: ['Users'], summary: 'Users of the acting company (admins)',
    responses: { 200: jsonContent(z.object({ items: z.array(UserSchema) }), 'Users'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    return c.json({ items: (await c.get('services').accounts.listUsers(principal, company)).map(userView) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/users', tags: ['Users'], summary: 'Add a user to the acting company (admins)',
    request: jsonBody(z.object({ email: z.string().max(400), name: z.string().max(200), role: z.enum(ROLES), password: z.string().max(1000).openapi({ writeOnly: true }) }).strict()),
    responses: { 201: jsonContent(UserSchema, 'Created'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const user = await c.get('services').accounts.createUser(principal, company, c.req.valid('json'));
    return c.json(userView(user), 201);
  });

  return app;
}
