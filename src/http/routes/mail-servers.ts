// Outgoing mail servers (SMTP profiles) and the provider presets.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { PROVIDER_PRESETS } from '../../core/servers/provider-presets.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, IdParam, jsonBody, jsonContent, MailServerInputSchema, MailServerSchema, MailServerVersionSchema, PresetSchema } from '../schemas.ts';
import { mailServerView, versionView } from '../views.ts';

const tags = ['Mail servers'];

export function mailServerRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/mail-server-presets', tags, summary: 'Provider presets (host, port, security, mechanism)',
    responses: { 200: jsonContent(z.object({ items: z.array(PresetSchema) }), 'Presets') },
  }), async (c) => {
    await requireActor(c);
    return c.json({ items: [...PROVIDER_PRESETS] }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/mail-servers', tags, summary: 'Mail servers of the company, and those shared with it',
    responses: { 200: jsonContent(z.object({ items: z.array(MailServerSchema) }), 'Mail servers'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const servers = await c.get('services').mailServers.list(principal, company);
    return c.json({ items: servers.map((s) => mailServerView(s, company)) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/mail-servers', tags, summary: 'Create a mail server',
    request: jsonBody(MailServerInputSchema),
    responses: { 201: jsonContent(MailServerSchema, 'Created'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { server, warnings } = await c.get('services').mailServers.create(principal, company, c.req.valid('json'));
    const fresh = await c.get('services').accounts.actingCompany(principal, company.id);
    return c.json(mailServerView(server, fresh, warnings), 201);
  });

  app.openapi(createRoute({
    method: 'get', path: '/mail-servers/{id}', tags, summary: 'One mail server', request: { params: IdParam },
    responses: { 200: jsonContent(MailServerSchema, 'The mail server'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const server = await c.get('services').mailServers.get(principal, company, c.req.valid('param').id);
    return c.json(mailServerView(server, company), 200);
  });

  app.openapi(createRoute({
    method: 'patch', path: '/mail-servers/{id}', tags, summary: 'Change a mail server (only the fields sent)',
    request: { params: IdParam, ...jsonBody(MailServerInputSchema) },
    responses: { 200: jsonContent(MailServerSchema, 'Updated, with warnings'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { server, warnings } = await c.get('services').mailServers.update(principal, company, c.req.valid('param').id, c.req.valid('json'));
    return c.json(mailServerView(server, company, warnings), 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/mail-servers/{id}', tags, summary: 'Delete a mail server',
    description: 'The company default answers 409 SERVER_IS_DEFAULT unless `replacementId` names the new default (or `none` for the built-in service).',
    request: { params: IdParam, query: z.object({ replacementId: z.string().max(100).optional() }) },
    responses: { 204: { description: 'Deleted' }, 409: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    await c.get('services').mailServers.delete(principal, company, c.req.valid('param').id, c.req.valid('query').replacementId ?? null);
    return c.body(null, 204);
  });

  app.openapi(createRoute({
    method: 'post', path: '/mail-servers/{id}/duplicate', tags, summary: 'Copy a mail server (the copy starts inactive)', request: { params: IdParam },
    responses: { 201: jsonContent(MailServerSchema, 'The copy'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { server } = await c.get('services').mailServers.duplicate(principal, company, c.req.valid('param').id);
    return c.json(mailServerView(server, company), 201);
  });

  app.openapi(createRoute({
    method: 'post', path: '/mail-servers/{id}/default', tags, summary: 'Make it the company default', request: { params: IdParam },
    responses: { 200: jsonContent(MailServerSchema, 'The new default'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const server = await c.get('services').mailServers.setDefault(principal, company, c.req.valid('param').id);
    return c.json(mailServerView(server, { ...company, defaultMailServerId: server.id }), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/mail-servers/{id}/versions', tags, summary: 'Earlier versions, newest first', request: { params: IdParam },
    responses: { 200: jsonContent(z.object({ items: z.array(MailServerVersionSchema) }), 'Versions'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const versions = await c.get('services').mailServers.versions(principal, company, c.req.valid('param').id);
    return c.json({ items: versions.map(versionView) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/mail-servers/{id}/versions/{version}/rollback', tags, summary: 'Restore an earlier version (as a new version)',
    request: { params: IdParam.extend({ version: z.coerce.number().int().positive().openapi({ param: { name: 'version', in: 'path' } }) }) },
    responses: { 200: jsonContent(MailServerSchema, 'Restored'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { id, version } = c.req.valid('param');
    const { server, warnings } = await c.get('services').mailServers.rollback(principal, company, id, version);
    return c.json(mailServerView(server, company, warnings), 200);
  });

  return app;
}
