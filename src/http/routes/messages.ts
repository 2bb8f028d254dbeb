// Sending: the host application submits messages; admins follow them and the failure history.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { DeliveryAttempt, MessageRecipient, OutboundMessage } from '../../core/outbound/outbound-model.ts';
import { MESSAGE_ROUTES, MESSAGE_STATUSES } from '../../core/outbound/outbound-model.ts';
import { validationError } from '../../core/errors.ts';
import { decodeCursor } from '../../core/outbound/message-service.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, IdParam, jsonBody, jsonContent, submitErrorResponses } from '../schemas.ts';

const tags = ['Messages'];

const MessageInputSchema = z.object({
  from: z.string().max(400).nullable().optional().openapi({ description: 'Defaults to the mail server\'s sender address (built-in service: MAILROOM_BUILTIN_FROM). Other addresses must be verified sender addresses, or in the server\'s domain, or the server has relay.' }),
  fromName: z.string().max(400).nullable().optional(),
  to: z.array(z.string().max(400)).max(1000).optional(),
  cc: z.array(z.string().max(400)).max(1000).optional(),
  bcc: z.array(z.string().max(400)).max(1000).optional(),
  replyTo: z.string().max(400).nullable().optional(),
  subject: z.string().max(4000),
  text: z.string().nullable().optional(),
  html: z.string().nullable().optional(),
  headers: z.array(z.object({ name: z.string().max(200), value: z.string().max(4000) })).max(100).optional(),
  attachments: z.array(z.object({ filename: z.string().max(1000), contentType: z.string().max(200), contentBase64: z.string() })).max(100).optional(),
  mailServerId: z.string().max(100).nullable().optional().openapi({ description: 'Defaults to the company\'s mail service: its default mail server, or the built-in service (the catcher, or direct delivery)' }),
  giveUpAfterSeconds: z.number().int().nullable().optional().openapi({ description: 'Stop retrying after this long (default 4 days)' }),
  idempotencyKey: z.string().max(300).nullable().optional().openapi({ description: 'In a batch: per message. For one message prefer the Idempotency-Key header.' }),
}).strict().openapi('MessageInput');

const AcceptedSchema = z.object({ id: z.string(), messageId: z.string(), status: z.enum(MESSAGE_STATUSES), duplicate: z.boolean() }).openapi('AcceptedMessage');

const RecipientSchema = z.object({ address: z.string(), kind: z.enum(['to', 'cc', 'bcc']), status: z.enum(['pending', 'sent', 'failed']), replyCode: z.number().nullable(), enhanced: z.string().nullable(), replyText: z.string().nullable(), updatedAt: z.string() });
const AttemptSchema = z.object({
  id: z.string(), serverId: z.string().nullable(), startedAt: z.string(), finishedAt: z.string().nullable(), outcome: z.string().nullable(),
  code: z.string().nullable(), message: z.string().nullable(), hint: z.string().nullable(), replyCode: z.number().nullable(),
  enhanced: z.string().nullable(), replyText: z.string().nullable(), tls: z.string().nullable(), recipients: z.array(z.string()),
});
export const MessageSummarySchema = z.object({
  id: z.string(), messageId: z.string(), serverId: z.string().nullable(),
  route: z.enum(MESSAGE_ROUTES).openapi({ description: 'server: through a mail server; catch: kept by the built-in catcher; direct: built-in delivery to the recipients\' MX hosts' }),
  from: z.string(), subject: z.string(), status: z.enum(MESSAGE_STATUSES),
  attemptCount: z.number(), lastCode: z.string().nullable(), lastMessage: z.string().nullable(), possiblyDelivered: z.boolean(),
  sizeBytes: z.number(), createdAt: z.string(), updatedAt: z.string(), sentAt: z.string().nullable(), giveUpAt: z.string(),
  caughtAt: z.string().nullable(), releasedAt: z.string().nullable(),
}).openapi('MessageSummary');
const MessageDetailSchema = MessageSummarySchema.extend({ recipients: z.array(RecipientSchema), attempts: z.array(AttemptSchema) }).openapi('Message');

export const summary = (m: OutboundMessage) => ({
  id: m.id, messageId: m.messageId, serverId: m.serverId, route: m.route, caughtAt: m.caughtAt, releasedAt: m.releasedAt, from: m.fromAddress, subject: m.subject, status: m.status, attemptCount: m.attemptCount,
  lastCode: m.lastCode, lastMessage: m.lastMessage, possiblyDelivered: m.possiblyDelivered, sizeBytes: m.sizeBytes, createdAt: m.createdAt,
  updatedAt: m.updatedAt, sentAt: m.sentAt, giveUpAt: m.giveUpAt,
});
const recipientView = (r: MessageRecipient) => ({ address: r.address, kind: r.kind, status: r.status, replyCode: r.replyCode, enhanced: r.enhanced, replyText: r.replyText, updatedAt: r.updatedAt });
const attemptView = (a: DeliveryAttempt) => ({
  id: a.id, serverId: a.serverId, startedAt: a.startedAt, finishedAt: a.finishedAt, outcome: a.outcome, code: a.code, message: a.message,
  hint: a.hint, replyCode: a.replyCode, enhanced: a.enhanced, replyText: a.replyText, tls: a.tls, recipients: a.recipients,
});

export function messageRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'post', path: '/messages', tags, summary: 'Submit a message; 202 once it is stored and queued',
    description: 'With an `Idempotency-Key` header, the same key and body return the first message again (`duplicate: true`); the same key with another body answers 409 IDEMPOTENCY_CONFLICT.',
    request: { headers: z.object({ 'idempotency-key': z.string().max(200).optional() }), ...jsonBody(MessageInputSchema) },
    responses: { 202: jsonContent(AcceptedSchema, 'Accepted: stored durably and queued'), ...submitErrorResponses, ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const key = c.req.valid('header')['idempotency-key'] ?? null;
    const { message, created } = await c.get('services').messages.submit(principal, company, c.req.valid('json'), key);
    return c.json({ id: message.id, messageId: message.messageId, status: message.status, duplicate: !created }, 202);
  });

  app.openapi(createRoute({
    method: 'post', path: '/messages/batch', tags, summary: 'Submit up to 1,000 messages in one request (one commit)',
    description: 'Every message is validated first; any invalid one refuses the whole batch with fields like `messages.3.to.0`.',
    request: jsonBody(z.object({ messages: z.array(MessageInputSchema) }).strict()),
    responses: { 202: jsonContent(z.object({ items: z.array(AcceptedSchema) }), 'All accepted'), ...submitErrorResponses, ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const results = await c.get('services').messages.submitBatch(principal, company, c.req.valid('json').messages);
    return c.json({ items: results.map(({ message, created }) => ({ id: message.id, messageId: message.messageId, status: message.status, duplicate: !created })) }, 202);
  });

  app.openapi(createRoute({
    method: 'get', path: '/messages', tags, summary: 'Messages, newest change first; the failure history is status=failed,held,retrying',
    request: { query: z.object({
      status: z.string().max(200).optional().openapi({ description: 'Comma list of statuses' }),
      serverId: z.string().max(100).optional(), recipient: z.string().max(400).optional(), code: z.string().max(60).optional(),
      since: z.string().max(40).optional(), until: z.string().max(40).optional(), before: z.string().max(40).optional(),
      cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }) },
    responses: { 200: jsonContent(z.object({ items: z.array(MessageSummarySchema.extend({ recipients: z.array(z.string()), nextAttemptAt: z.string().nullable() })), nextCursor: z.string().nullable() }), 'Messages'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const q = c.req.valid('query');
    const statuses = q.status?.split(',').map((s) => s.trim()).filter(Boolean) as OutboundMessage['status'][] | undefined;
    const bad = statuses?.find((s) => !(MESSAGE_STATUSES as readonly string[]).includes(s));
    if (bad) throw validationError([{ field: 'status', rule: 'enum', message: `"${bad}" is not a message status; use ${MESSAGE_STATUSES.join(', ')}` }]);
    const after = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (after === null) throw validationError([{ field: 'cursor', rule: 'cursor', message: 'is not a cursor this API returned' }]);
    const page = await c.get('services').messages.list(principal, company, { ...q, statuses, after });
    return c.json({ items: page.items.map((m) => ({ ...summary(m), recipients: m.recipients, nextAttemptAt: m.nextAttemptAt })), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/messages/{id}', tags, summary: 'A message with its recipients and every attempt', request: { params: IdParam },
    responses: { 200: jsonContent(MessageDetailSchema, 'The message'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { message, recipients, attempts } = await c.get('services').messages.get(principal, company, c.req.valid('param').id);
    return c.json({ ...summary(message), recipients: recipients.map(recipientView), attempts: attempts.map(attemptView) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/messages/{id}/retry', tags, summary: 'Retry now a held, retrying or failed message', request: { params: IdParam },
    responses: { 200: jsonContent(MessageSummarySchema, 'Queued again'), 409: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const message = await c.get('services').messages.retryNow(principal, company, c.req.valid('param').id);
    return c.json(summary(message), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/delivery-stats', tags, summary: 'Messages per hour and status, for the servers page chart',
    request: { query: z.object({ hours: z.coerce.number().int().min(1).max(24 * 14).default(48) }) },
    responses: { 200: jsonContent(z.object({ since: z.string(), buckets: z.array(z.object({ hour: z.string(), status: z.enum(MESSAGE_STATUSES), count: z.number() })) }), 'Counts'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const since = new Date(Date.now() - c.req.valid('query').hours * 3600_000).toISOString();
    return c.json({ since, buckets: await c.get('services').messages.statusCounts(principal, company, since) }, 200);
  });

  return app;
}
