// Delivery-status webhooks: the company's endpoint, its signing secret (shown on creation and on
// rotation only), test events, and the history of deliveries with "Redeliver".
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { validationError } from '../../core/errors.ts';
import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from '../../core/webhooks/webhook-model.ts';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../../core/webhooks/webhook-model.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, IdParam, jsonBody, jsonContent } from '../schemas.ts';

const tags = ['Webhooks'];

const WebhookInputSchema = z.object({
  url: z.string().max(2000).nullable().optional().openapi({ description: 'https:// URL that receives the events (http:// only inside an allowed network). Required when creating.' }),
  events: z.array(z.string().max(50)).max(20).optional().openapi({ description: `Any of ${WEBHOOK_EVENT_TYPES.join(', ')}; default all but message.retrying` }),
  enabled: z.boolean().optional(),
}).strict().openapi('WebhookInput');

const WebhookSchema = z.object({
  url: z.string(), events: z.array(z.enum(WEBHOOK_EVENT_TYPES)), enabled: z.boolean(), secretRotatedAt: z.string(),
  createdBy: z.string(), createdAt: z.string(), updatedAt: z.string(),
}).openapi('Webhook');

const SecretAnswerSchema = z.object({
  webhook: WebhookSchema,
  secret: z.string().openapi({ description: 'The signing secret (whsec_…), shown this one time' }),
});

const AttemptSchema = z.object({
  id: z.string(), startedAt: z.string(), url: z.string(), statusCode: z.number().nullable(), durationMs: z.number(),
  outcome: z.enum(['delivered', 'http-error', 'network', 'timeout', 'blocked']), error: z.string().nullable(),
});

const DeliverySchema = z.object({
  id: z.string(), eventId: z.string(), eventType: z.string(), messageId: z.string().nullable(), status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attemptCount: z.number(), lastStatusCode: z.number().nullable(), lastError: z.string().nullable(), lastDurationMs: z.number().nullable(),
  nextAttemptAt: z.string().nullable(), giveUpAt: z.string(), redeliveryOf: z.string().nullable(), createdAt: z.string(),
  updatedAt: z.string(), deliveredAt: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()).openapi({ description: 'The event exactly as sent' }),
  attempts: z.array(AttemptSchema),
}).openapi('WebhookDelivery');

export const webhookView = (w: WebhookEndpoint) => ({
  url: w.url, events: w.events, enabled: w.enabled, secretRotatedAt: w.secretRotatedAt, createdBy: w.createdBy, createdAt: w.createdAt, updatedAt: w.updatedAt,
});

const attemptView = (a: WebhookAttempt) => ({ id: a.id, startedAt: a.startedAt, url: a.url, statusCode: a.statusCode, durationMs: a.durationMs, outcome: a.outcome, error: a.error });

export const deliveryView = (d: WebhookDelivery, attempts: WebhookAttempt[]) => ({
  id: d.id, eventId: d.eventId, eventType: d.eventType, messageId: d.messageId, status: d.status, attemptCount: d.attemptCount,
  lastStatusCode: d.lastStatusCode, lastError: d.lastError, lastDurationMs: d.lastDurationMs, nextAttemptAt: d.nextAttemptAt,
  giveUpAt: d.giveUpAt, redeliveryOf: d.redeliveryOf, createdAt: d.createdAt, updatedAt: d.updatedAt, deliveredAt: d.deliveredAt,
  payload: JSON.parse(d.payload) as Record<string, unknown>, attempts: attempts.map(attemptView),
});

export function webhookRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/webhook', tags, summary: 'The company\'s webhook endpoint (never its secret)',
    responses: { 200: jsonContent(WebhookSchema, 'The endpoint'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    return c.json(webhookView(await c.get('services').webhooks.get(principal, company)), 200);
  });

  app.openapi(createRoute({
    method: 'put', path: '/webhook', tags, summary: 'Create or change the webhook endpoint; on creation the answer holds the signing secret this one time',
    description: 'The URL obeys the egress rule: its host must resolve to a public address (or one inside MAILROOM_ALLOWED_SMTP_NETWORKS, which may also use http://).',
    request: jsonBody(WebhookInputSchema),
    responses: {
      201: jsonContent(SecretAnswerSchema, 'Created, with the secret'),
      200: jsonContent(z.object({ webhook: WebhookSchema }), 'Changed'),
      ...errorResponses,
    },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { endpoint, secret, created } = await c.get('services').webhooks.configure(principal, company, c.req.valid('json'));
    if (created && secret) return c.json({ webhook: webhookView(endpoint), secret }, 201);
    return c.json({ webhook: webhookView(endpoint) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/webhook/rotate-secret', tags, summary: 'Replace the signing secret; the answer holds the new one this one time',
    responses: { 200: jsonContent(SecretAnswerSchema, 'The new secret'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { endpoint, secret } = await c.get('services').webhooks.rotateSecret(principal, company);
    return c.json({ webhook: webhookView(endpoint), secret }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/webhook/test', tags, summary: 'Queue a webhook.test event to the endpoint',
    responses: { 202: jsonContent(DeliverySchema, 'Queued'), 429: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const delivery = await c.get('services').webhooks.sendTest(principal, company);
    return c.json(deliveryView(delivery, []), 202);
  });

  app.openapi(createRoute({
    method: 'get', path: '/webhook/deliveries', tags, summary: 'Webhook deliveries, newest first, each with its attempts',
    request: { query: z.object({
      status: z.string().max(100).optional().openapi({ description: `Comma list of ${WEBHOOK_DELIVERY_STATUSES.join(', ')}` }),
      before: z.string().max(40).optional().openapi({ description: 'Only deliveries created before this time (paging)' }),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }) },
    responses: { 200: jsonContent(z.object({ items: z.array(DeliverySchema) }), 'Deliveries'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const q = c.req.valid('query');
    const statuses = q.status?.split(',').map((s) => s.trim()).filter(Boolean) as WebhookDeliveryStatus[] | undefined;
    const bad = statuses?.find((s) => !(WEBHOOK_DELIVERY_STATUSES as readonly string[]).includes(s));
    if (bad) throw validationError([{ field: 'status', rule: 'enum', message: `"${bad}" is not a delivery status; use ${WEBHOOK_DELIVERY_STATUSES.join(', ')}` }]);
    const items = await c.get('services').webhooks.listDeliveries(principal, company, { statuses, before: q.before, limit: q.limit });
    return c.json({ items: items.map(({ delivery, attempts }) => deliveryView(delivery, attempts)) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/webhook/deliveries/{id}/redeliver', tags, summary: 'Send an event again now',
    description: 'A delivery waiting for its next retry is tried now; a delivered or failed one is sent again as a new delivery with the same event id and body.',
    request: { params: IdParam },
    responses: { 202: jsonContent(DeliverySchema, 'Queued'), 409: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const webhooks = c.get('services').webhooks;
    const queued = await webhooks.redeliver(principal, company, c.req.valid('param').id);
    const { delivery, attempts } = await webhooks.getDelivery(principal, company, queued.id);
    return c.json(deliveryView(delivery, attempts), 202);
  });

  return app;
}
