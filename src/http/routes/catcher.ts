// The catcher: the built-in mailbox's messages, read as a mail client shows them, and released to
// a real server.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { CaughtSummary } from '../../core/builtin/catcher-service.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, IdParam, jsonBody, jsonContent } from '../schemas.ts';
import { MessageSummarySchema, summary } from './messages.ts';

const tags = ['Catcher'];

const CaughtItemSchema = MessageSummarySchema.extend({ recipients: z.array(z.string()) }).openapi('CaughtMessage');
const AttachmentSchema = z.object({
  index: z.number(), filename: z.string().nullable(), contentType: z.string(), size: z.number(), contentId: z.string().nullable(), inline: z.boolean(),
});
const CaughtDetailSchema = CaughtItemSchema.extend({
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
  text: z.string().nullable(),
  html: z.string().nullable().openapi({ description: 'Untrusted: show it in a sandboxed frame with remote content blocked, as the UI does' }),
  attachments: z.array(AttachmentSchema),
}).openapi('CaughtMessageDetail');

const item = (s: CaughtSummary) => ({ ...summary(s.message), recipients: s.recipients });

/** A download name safe in a header: no quotes, slashes or control characters. */
const safeFilename = (name: string | null, fallback: string) => (name ?? fallback).replace(/[^\w.\- ()]+/g, '_').slice(0, 150) || fallback;

export function catcherRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/caught-messages', tags, summary: 'Messages kept by the built-in catcher, newest first',
    request: { query: z.object({
      q: z.string().max(200).optional().openapi({ description: 'Search subject, From and recipients (ignores case)' }),
      cursor: z.string().max(200).optional(), limit: z.coerce.number().int().min(1).max(200).default(50),
    }) },
    responses: { 200: jsonContent(z.object({ items: z.array(CaughtItemSchema), nextCursor: z.string().nullable() }), 'Caught messages'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const q = c.req.valid('query');
    const page = await c.get('services').catcher.list(principal, company, { search: q.q, cursor: q.cursor, limit: q.limit });
    return c.json({ items: page.items.map(item), nextCursor: page.nextCursor }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/caught-messages/{id}', tags, summary: 'A caught message: headers, text, HTML and attachments', request: { params: IdParam },
    responses: { 200: jsonContent(CaughtDetailSchema, 'The message'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const detail = await c.get('services').catcher.get(principal, company, c.req.valid('param').id);
    return c.json({ ...item(detail), ...detail.parsed }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/caught-messages/{id}/raw', tags, summary: 'The raw source (RFC 5322), as it would have gone on the wire', request: { params: IdParam },
    responses: { 200: { description: 'The message', content: { 'message/rfc822': { schema: z.string() } } }, ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const message = await c.get('services').catcher.raw(principal, company, c.req.valid('param').id);
    const download = c.req.query('download') !== undefined;
    return c.body(message.raw, 200, {
      // text/plain when shown in the browser: a .eml opened inline must never be rendered as HTML.
      'content-type': download ? 'message/rfc822' : 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      ...(download ? { 'content-disposition': `attachment; filename="${message.id}.eml"` } : {}),
    });
  });

  app.openapi(createRoute({
    method: 'get', path: '/caught-messages/{id}/attachments/{index}', tags, summary: 'Download one attachment',
    request: { params: IdParam.extend({ index: z.coerce.number().int().min(0).max(1000).openapi({ param: { name: 'index', in: 'path' } }) }) },
    responses: { 200: { description: 'The attachment, always as a download', content: { 'application/octet-stream': { schema: z.string() } } }, ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { id, index } = c.req.valid('param');
    const { meta, content } = await c.get('services').catcher.attachment(principal, company, id, index);
    // Always a download with the content type it claims only as a hint: never rendered by the browser.
    return c.body(new Uint8Array(content), 200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${safeFilename(meta.filename, `attachment-${index}`)}"`,
      'x-content-type-options': 'nosniff',
    });
  });

  app.openapi(createRoute({
    method: 'post', path: '/caught-messages/{id}/release', tags, summary: 'Send a caught message through a real mail server',
    description: 'The same message (Message-ID, Date, content) to every recipient, queued on the server; follow it in the failure history. Once per message.',
    request: { params: IdParam, ...jsonBody(z.object({ mailServerId: z.string().max(100) }).strict()) },
    responses: { 202: jsonContent(MessageSummarySchema, 'Queued on the server'), 409: errorResponses[400], 422: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const message = await c.get('services').catcher.release(principal, company, c.req.valid('param').id, c.req.valid('json').mailServerId);
    return c.json(summary(message), 202);
  });

  return app;
}
