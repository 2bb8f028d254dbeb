// API keys for host applications. The key is shown once, at creation.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { ApiKeySchema, errorResponses, IdParam, jsonBody, jsonContent } from '../schemas.ts';
import { apiKeyView } from '../views.ts';

const tags = ['API keys'];

export function apiKeyRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/api-keys', tags, summary: 'API keys of the company',
    responses: { 200: jsonContent(z.object({ items: z.array(ApiKeySchema) }), 'Keys (never the key itself)'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    return c.json({ items: (await c.get('services').accounts.listApiKeys(principal, company)).map(apiKeyView) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/api-keys', tags, summary: 'Create an API key; the answer holds the key this one time',
    request: jsonBody(z.object({ name: z.string().max(200) }).strict()),
    responses: { 201: jsonContent(z.object({ apiKey: ApiKeySchema, key: z.string() }), 'Created'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { apiKey, key } = await c.get('services').accounts.createApiKey(principal, company, c.req.valid('json').name);
    return c.json({ apiKey: apiKeyView(apiKey), key }, 201);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/api-keys/{id}', tags, summary: 'Revoke an API key', request: { params: IdParam },
    responses: { 204: { description: 'Revoked' }, ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    await c.get('services').accounts.revokeApiKey(principal, company, c.req.valid('param').id);
    return c.body(null, 204);
  });

  return app;
}
