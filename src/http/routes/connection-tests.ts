// "Test connection", "Send test email", kept results, form warnings and the support bundle.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { AUTH_MECHANISMS, SECURITY_MODES } from '../../core/model.ts';
import type { ConnectionTestRecord } from '../../core/model.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import {
  ConnectionTestSchema, errorResponses, IdParam, jsonBody, jsonContent, MailServerInputSchema, ProbeResultSchema, TestOptionsSchema, WarningSchema,
} from '../schemas.ts';
import { mailServerView } from '../views.ts';

const tags = ['Connection tests'];

export const connectionTestView = (r: ConnectionTestRecord) => ({
  id: r.id, ok: r.ok, code: r.code, stage: r.stage, sentTestEmail: r.sentTestEmail, testAddress: r.testAddress,
  testedBy: r.testedBy, createdAt: r.createdAt, result: r.result as z.infer<typeof ProbeResultSchema>,
});

export function connectionTestRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'post', path: '/mail-servers/{id}/test', tags, summary: 'Test a saved server stage by stage; optionally send the test email',
    description: 'Answers 200 with the result whether the server passed or not: `ok` and `code` say which. The result is kept with the server.',
    request: { params: IdParam, ...jsonBody(TestOptionsSchema) },
    responses: { 200: jsonContent(ConnectionTestSchema, 'The result'), 429: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { record } = await c.get('services').connectionTests.testSaved(principal, company, c.req.valid('param').id, c.req.valid('json'));
    return c.json(connectionTestView(record), 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/mail-server-tests', tags, summary: 'Test settings typed in the form, before saving',
    description: 'With `serverId`, the saved password is used only if host, port, security and mechanism are unchanged; otherwise type it.',
    request: jsonBody(MailServerInputSchema.extend({ serverId: z.string().max(100).nullable().optional() }).merge(TestOptionsSchema)),
    responses: { 200: jsonContent(ProbeResultSchema, 'The result (not kept)'), 429: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { sendTestEmail, to, ...input } = c.req.valid('json');
    const result = await c.get('services').connectionTests.testUnsaved(principal, company, input, { sendTestEmail, to });
    return c.json(result, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/mail-servers/{id}/tests', tags, summary: 'The last test results of a server, newest first', request: { params: IdParam },
    responses: { 200: jsonContent(z.object({ items: z.array(ConnectionTestSchema) }), 'Results'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const items = await c.get('services').connectionTests.history(principal, company, c.req.valid('param').id);
    return c.json({ items: items.map(connectionTestView) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/mail-server-warnings', tags, summary: 'Warnings about settings, before any connection',
    request: jsonBody(z.object({
      host: z.string().max(300), port: z.number().int(), security: z.enum(SECURITY_MODES), authEnabled: z.boolean(),
      authMechanism: z.enum(AUTH_MECHANISMS).nullable().optional(), preset: z.string().max(50).nullable().optional(),
    })),
    responses: { 200: jsonContent(z.object({ items: z.array(WarningSchema) }), 'Warnings (empty when none)'), ...errorResponses },
  }), async (c) => {
    await requireActor(c);
    const body = c.req.valid('json');
    return c.json({ items: c.get('services').connectionTests.warnings({ ...body, authMechanism: body.authMechanism ?? null }) }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/mail-servers/{id}/support-bundle', tags, summary: 'Download what support needs: settings without the password, test address, results, time',
    request: { params: IdParam },
    responses: { 200: jsonContent(z.record(z.string(), z.unknown()), 'The bundle, as a JSON attachment'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const { id } = c.req.valid('param');
    const services = c.get('services');
    const server = await services.mailServers.get(principal, company, id);
    const tests = await services.connectionTests.history(principal, company, id, 5);
    const { warnings, ...settings } = mailServerView(server, company, []);
    void warnings;
    const bundle = {
      generatedAt: new Date().toISOString(),
      product: 'Mailroom',
      company: { name: company.name, slug: company.slug },
      settings,
      warnings: services.connectionTests.warnings(server),
      testAddress: tests[0]?.testAddress ?? null,
      lastTests: tests.map(connectionTestView),
      note: 'Passwords are never included. Send this file to your support contact with the approximate time of the problem.',
    };
    c.header('content-disposition', `attachment; filename="mailroom-support-${server.name.replace(/[^\w.-]+/g, '-').slice(0, 40)}-${bundle.generatedAt.slice(0, 10)}.json"`);
    return c.json(bundle, 200);
  });

  return app;
}
