// Personal settings: the signed-in person's own name and password — all a member may change.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, jsonBody, jsonContent, UserSchema } from '../schemas.ts';
import { userView } from '../views.ts';

const tags = ['Personal settings'];

export function meRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/me', tags, summary: 'The signed-in person',
    responses: { 200: jsonContent(UserSchema, 'You'), ...errorResponses },
  }), async (c) => {
    const principal = c.get('principal');
    if (!principal || principal.kind !== 'user') throw new AppError('UNAUTHENTICATED');
    return c.json(userView(principal.user), 200);
  });

  app.openapi(createRoute({
    method: 'patch', path: '/me', tags, summary: 'Change your name or password (the current password is needed to change it; other sessions are signed out)',
    request: jsonBody(z.object({
      name: z.string().max(200).optional(),
      currentPassword: z.string().max(1000).optional().openapi({ writeOnly: true }),
      newPassword: z.string().max(1000).optional().openapi({ writeOnly: true }),
    }).strict()),
    responses: { 200: jsonContent(UserSchema, 'Updated'), ...errorResponses },
  }), async (c) => {
    const principal = c.get('principal');
    if (!principal) throw new AppError('UNAUTHENTICATED');
    const user = await c.get('services').accounts.updateSelf(principal, c.req.valid('json'), c.get('sessionId'));
    return c.json(userView(user), 200);
  });

  return app;
}
