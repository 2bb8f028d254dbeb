// Sender addresses: the company's list (admins and API keys), and the one public route that the
// emailed link's page calls — whoever reads the mailbox may have no account, so it needs no sign-in.
// Neither the token nor its hash is ever part of an answer.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { SENDER_KINDS, type SenderAddress } from '../../core/senders/sender-model.ts';
import { isProvenSender } from '../../core/senders/sender-service.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, IdParam, jsonBody, jsonContent } from '../schemas.ts';

const tags = ['Sender addresses'];

const SenderInputSchema = z.object({
  address: z.string().max(400).openapi({ description: 'The address to send as, e.g. support@acme.example' }),
  displayName: z.string().max(400).nullable().optional().openapi({ description: 'The name shown with it, e.g. "Acme Support"' }),
  kind: z.string().max(20).optional().openapi({ description: `${SENDER_KINDS.join(' or ')} (default person); group: a shared mailbox or list, anyone who reads it may verify` }),
}).strict().openapi('SenderAddressInput');

const SenderSchema = z.object({
  id: z.string(), address: z.string(), displayName: z.string().nullable(), kind: z.enum(SENDER_KINDS), status: z.enum(['pending', 'verified']),
  linkExpiresAt: z.string().nullable().openapi({ description: 'When the last emailed link stops working; null once verified' }),
  verifiedAt: z.string().nullable(), createdBy: z.string(), createdAt: z.string(), updatedAt: z.string(),
  usableAsFrom: z.boolean().openapi({ description: 'Verified through a link that left Mailroom. A link that was only kept by the catcher proves nothing (the company\'s admins could read it): such an address must be verified again once mail really leaves.' }),
}).openapi('SenderAddress');

const VerifyInputSchema = z.object({ token: z.string().max(500).openapi({ description: 'The token from the emailed link (…/verify-sender?token=…)' }) }).strict().openapi('SenderVerification');

const VerifiedSchema = z.object({ address: z.string(), displayName: z.string().nullable(), kind: z.enum(SENDER_KINDS), verifiedAt: z.string() }).openapi('VerifiedSender');

export const senderView = (s: SenderAddress) => ({
  id: s.id, address: s.address, displayName: s.displayName, kind: s.kind, status: s.status, linkExpiresAt: s.tokenExpiresAt,
  verifiedAt: s.verifiedAt, createdBy: s.createdBy, createdAt: s.createdAt, updatedAt: s.updatedAt, usableAsFrom: isProvenSender(s),
});

const gone = { description: 'The link was already used, replaced by a newer one, not valid (VERIFICATION_LINK_INVALID) or expired (VERIFICATION_LINK_EXPIRED)', content: errorResponses[400].content };

export function senderAddressRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/sender-addresses', tags, summary: 'The company\'s sender addresses, pending and verified',
    responses: { 200: jsonContent(z.object({ items: z.array(SenderSchema) }), 'Sender addresses'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const items = await c.get('services').senders.list(principal, company);
    return c.json({ items: items.map(senderView) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/sender-addresses', tags, summary: 'Add a sender address; a verification link is emailed to it',
    description: 'The address is listed as pending until someone opens the link (valid 24 hours, once). At most 5 verification emails per address per hour (429 RATE_LIMITED).',
    request: jsonBody(SenderInputSchema),
    responses: { 201: jsonContent(SenderSchema, 'Added, pending'), 409: errorResponses[400], 429: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const sender = await c.get('services').senders.add(principal, company, c.req.valid('json'));
    return c.json(senderView(sender), 201);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/sender-addresses/{id}', tags, summary: 'Remove a sender address; its link stops working',
    request: { params: IdParam },
    responses: { 204: { description: 'Removed' }, ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    await c.get('services').senders.delete(principal, company, c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(createRoute({
    method: 'post', path: '/sender-addresses/{id}/resend', tags, summary: 'Email a new verification link; the previous one stops working',
    request: { params: IdParam },
    responses: { 200: jsonContent(SenderSchema, 'Sent'), 409: errorResponses[400], 429: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const sender = await c.get('services').senders.resend(principal, company, c.req.valid('param').id);
    return c.json(senderView(sender), 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/sender-addresses/verify', tags, summary: 'Open a verification link (no sign-in needed)',
    description: 'Called by the /verify-sender page with the token from the emailed link. Send it without the session cookie (or with the X-CSRF-Token header).',
    security: [],
    request: jsonBody(VerifyInputSchema),
    responses: { 200: jsonContent(VerifiedSchema, 'Verified'), 400: errorResponses[400], 410: gone },
  }), async (c) => {
    const sender = await c.get('services').senders.verify(c.req.valid('json').token);
    return c.json({ address: sender.address, displayName: sender.displayName, kind: sender.kind, verifiedAt: sender.verifiedAt! }, 200);
  });

  return app;
}
