// Outgoing mail servers (SMTP profiles) and the provider presets.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { PROVIDER_PRESETS } from '../../core/servers/provider-presets.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, IdParam, jsonBody, jsonContent, MailServerInputSchema, MailServerSchema, MailServerVersionSchema, PresetSchema } from '../schemas.ts';
import { isAppError } from '../../core/errors.ts';
import type { Company, MailServer, Principal } from '../../core/model.ts';
import type { AppServices } from '../../app.ts';
import { mailServerView, versionView } from '../views.ts';
import { connectionTestView } from './connection-tests.ts';

const SaveQuery = z.object({
  sendTestEmailTo: z.string().max(400).optional().openapi({ description: 'After saving, test the server and send the fixed test email to this address (your own, or a person of this company)' }),
});

/** The last kept test result and the delivery state (held after a configuration error), shown with the server's status. */
async function statusOf(services: AppServices, serverId: string) {
  const [last] = await services.store.connectionTests.listByServer(serverId, 1);
  const delivery = await services.store.serverDelivery.get(serverId);
  return {
    lastTest: last ? { ok: last.ok, code: last.code, message: String((last.result as { message?: string }).message ?? ''), createdAt: last.createdAt } : null,
    delivery: delivery ? { state: delivery.state, code: delivery.code, message: delivery.message, since: delivery.since } : { state: 'healthy' as const, code: null, message: null, since: null },
  };
}

/** Seed 002's "test email address that will be sent when you click Save". */
async function testOnSave(services: AppServices, principal: Principal, company: Company, server: MailServer, to: string | undefined) {
  if (!to) return {};
  try {
    const { record } = await services.connectionTests.testSaved(principal, company, server.id, { sendTestEmail: true, to });
    return { testResult: connectionTestView(record) as Record<string, unknown> };
  } catch (err) {
    // The save itself succeeded; say why the test did not run instead of failing the request.
    if (isAppError(err)) return { testError: { code: err.code as string, message: err.message, ...(err.fields ? { fields: err.fields } : {}) } };
    throw err;
  }
}

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
    const services = c.get('services');
    const servers = await services.mailServers.list(principal, company);
    const items = await Promise.all(servers.map(async (s) => ({ ...mailServerView(s, company), ...(await statusOf(services, s.id)) })));
    return c.json({ items }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/mail-servers', tags, summary: 'Create a mail server',
    request: { query: SaveQuery, ...jsonBody(MailServerInputSchema) },
    responses: { 201: jsonContent(MailServerSchema, 'Created'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const services = c.get('services');
    const { server, warnings } = await services.mailServers.create(principal, company, c.req.valid('json'));
    const fresh = await services.accounts.reloadCompany(company);
    const test = await testOnSave(services, principal, fresh, server, c.req.valid('query').sendTestEmailTo);
    return c.json({ ...mailServerView(server, fresh, warnings), ...test }, 201);
  });

  app.openapi(createRoute({
    method: 'get', path: '/mail-servers/{id}', tags, summary: 'One mail server', request: { params: IdParam },
    responses: { 200: jsonContent(MailServerSchema, 'The mail server'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const services = c.get('services');
    const server = await services.mailServers.get(principal, company, c.req.valid('param').id);
    return c.json({ ...mailServerView(server, company), ...(await statusOf(services, server.id)) }, 200);
  });

  app.openapi(createRoute({
    method: 'patch', path: '/mail-servers/{id}', tags, summary: 'Change a mail server (only the fields sent)',
    request: { params: IdParam, query: SaveQuery, ...jsonBody(MailServerInputSchema) },
    responses: { 200: jsonContent(MailServerSchema, 'Updated, with warnings'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const services = c.get('services');
    const { server, warnings } = await services.mailServers.update(principal, company, c.req.valid('param').id, c.req.valid('json'));
    const test = await testOnSave(services, principal, company, server, c.req.valid('query').sendTestEmailTo);
    return c.json({ ...mailServerView(server, company, warnings), ...test }, 200);
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
    method: 'post', path: '/mail-servers/{id}/fallback', tags, summary: 'Make it the fallback: used while the company\'s own server is held by a configuration error', request: { params: IdParam },
    responses: { 200: jsonContent(MailServerSchema, 'The new fallback'), 409: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const server = (await c.get('services').mailServers.setFallback(principal, company, c.req.valid('param').id))!;
    return c.json(mailServerView(server, { ...company, fallbackMailServerId: server.id }), 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/mail-servers/{id}/fallback', tags, summary: 'Stop using it as the fallback', request: { params: IdParam },
    responses: { 204: { description: 'No fallback any more' }, ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { id } = c.req.valid('param');
    await c.get('services').mailServers.get(principal, company, id);
    if (company.fallbackMailServerId === id) await c.get('services').mailServers.setFallback(principal, company, null);
    return c.body(null, 204);
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
