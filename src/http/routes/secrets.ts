// The internal secret manager. Values are write-only: no route returns one.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, jsonBody, jsonContent, SecretItemSchema } from '../schemas.ts';

const tags = ['Secrets'];
const NameParam = z.object({ name: z.string().max(100).openapi({ param: { name: 'name', in: 'path' } }) });

export function secretRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/secrets', tags, summary: 'Names of the company\'s secrets (never values)',
    responses: { 200: jsonContent(z.object({ items: z.array(SecretItemSchema), enabledSchemes: z.array(z.string()) }), 'Secrets'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const items = await c.get('services').secrets.list(principal, company);
    return c.json({
      items: items.map(({ secret, usedBy }) => ({ name: secret.name, description: secret.description, createdAt: secret.createdAt, updatedAt: secret.updatedAt, usedBy })),
      enabledSchemes: c.get('services').secretResolver.enabledSchemes(),
    }, 200);
  });

  app.openapi(createRoute({
    method: 'put', path: '/secrets/{name}', tags, summary: 'Create or replace a secret',
    request: { params: NameParam, ...jsonBody(z.object({ value: z.string().max(20000).openapi({ writeOnly: true }), description: z.string().max(1000).nullable().optional() }).strict()) },
    responses: { 200: jsonContent(SecretItemSchema, 'Stored'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { value, description } = c.req.valid('json');
    const secret = await c.get('services').secrets.put(principal, company, c.req.valid('param').name, value, description ?? null);
    return c.json({ name: secret.name, description: secret.description, createdAt: secret.createdAt, updatedAt: secret.updatedAt, usedBy: 0 }, 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/secrets/{name}', tags, summary: 'Delete a secret (refused while a server uses it)', request: { params: NameParam },
    responses: { 204: { description: 'Deleted' }, 409: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    await c.get('services').secrets.delete(principal, company, c.req.valid('param').name);
    return c.body(null, 204);
  });

  return app;
}
