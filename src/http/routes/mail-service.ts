// The company's mail service: the built-in service or a custom server (seed 002's radio buttons).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { BUILTIN_DELIVERIES, MAIL_SERVICES } from '../../core/model.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, jsonBody, jsonContent, ProbeResultSchema } from '../schemas.ts';

const tags = ['Mail service'];

const MailServiceSchema = z.object({
  service: z.enum(MAIL_SERVICES).openapi({ description: 'builtin: the built-in service; custom: the company\'s default mail server' }),
  mailServerId: z.string().nullable().openapi({ description: 'The server "custom" sends through' }),
  builtinDelivery: z.enum(BUILTIN_DELIVERIES).openapi({ description: 'What the built-in service does for this company: catch (keep mail in the catcher) or direct (deliver to MX hosts)' }),
  builtinDeliveryOverride: z.enum(BUILTIN_DELIVERIES).nullable(),
  instanceBuiltinDelivery: z.enum(BUILTIN_DELIVERIES),
  fallbackToBuiltin: z.boolean().openapi({ description: 'While the custom server is held by a configuration error (wrong password, certificate), mail goes out through the built-in direct delivery instead of waiting — only when the built-in service delivers directly for this company and the From is a verified sender' }),
}).openapi('MailService');

const ChangeSchema = z.object({
  service: z.enum(MAIL_SERVICES).optional(),
  mailServerId: z.string().max(100).nullable().optional(),
  builtinDelivery: z.enum(BUILTIN_DELIVERIES).nullable().optional().openapi({ description: 'System administrators only; null follows the instance (MAILROOM_BUILTIN_DELIVERY)' }),
  fallbackToBuiltin: z.boolean().optional(),
}).strict().openapi('MailServiceChange');

export function mailServiceRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/mail-service', tags, summary: 'Whether the company uses the built-in service or a custom server',
    responses: { 200: jsonContent(MailServiceSchema, 'The setting'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    return c.json(await c.get('services').mailService.get(principal, company), 200);
  });

  app.openapi(createRoute({
    method: 'put', path: '/mail-service', tags, summary: 'Switch between the built-in service and a custom server',
    description: 'Switching to `custom` runs the server\'s connection test first and switches only when it passes (422 MAIL_SERVICE_TEST_FAILED with the result otherwise). Switching to `builtin` is immediate. Queued messages keep the way out they were accepted with.',
    request: jsonBody(ChangeSchema),
    responses: { 200: jsonContent(MailServiceSchema.extend({ test: ProbeResultSchema.nullable() }), 'Switched'), 422: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { state, test } = await c.get('services').mailService.change(principal, company, c.req.valid('json'));
    return c.json({ ...state, test: (test?.result ?? null) as z.infer<typeof ProbeResultSchema> | null }, 200);
  });

  return app;
}
