// Sending domains: the records to publish, "Check now" with the result record by record, the DMARC
// policy, DKIM key rotation; and the SPF warning for a custom mail server's From domain. Views
// never carry the DKIM private key (not even sealed).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { DMARC_POLICIES, type SendingDomain } from '../../core/domains/domain-model.ts';
import type { DomainService } from '../../core/domains/domain-service.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { errorResponses, IdParam, jsonBody, jsonContent } from '../schemas.ts';

const tags = ['Sending domains'];
const RECORD_KINDS = ['spf', 'dkim', 'dkim-next', 'dmarc', 'return-path'] as const;
const RECORD_STATUSES = ['ok', 'missing', 'wrong', 'error'] as const;
const DOMAIN_STATUSES = ['pending', 'verified', 'failing'] as const;

const PlannedRecordSchema = z.object({
  kind: z.enum(RECORD_KINDS), type: z.enum(['TXT', 'CNAME']), name: z.string(), value: z.string(), purpose: z.string(),
  required: z.boolean().openapi({ description: 'SPF and DKIM are required for the domain to be verified; the others are recommended' }),
}).openapi('DnsRecordToPublish');

const RecordCheckSchema = z.object({
  kind: z.enum(RECORD_KINDS), type: z.enum(['TXT', 'CNAME']), name: z.string(), required: z.boolean(),
  status: z.enum(RECORD_STATUSES), severity: z.enum(['ok', 'warning', 'problem']),
  code: z.string().openapi({ description: 'Stable code; every one is listed in docs/domains.md' }),
  message: z.string().openapi({ description: 'What was found and what to do, in plain words' }),
  found: z.array(z.string()).openapi({ description: 'What DNS returned at the name' }),
  suggestedValue: z.string().optional().openapi({ description: 'A corrected value, when the published record only needs a change' }),
}).openapi('DnsRecordCheck');

const CheckResultSchema = z.object({
  checkedAt: z.string(), status: z.enum(DOMAIN_STATUSES), verified: z.boolean(),
  complete: z.boolean().openapi({ description: 'False when a required lookup failed (SERVFAIL, timeout): the status was left as it was' }),
  summary: z.string(), records: z.array(RecordCheckSchema), changes: z.array(z.string()),
}).openapi('DomainCheckResult');

const DomainSchema = z.object({
  id: z.string(), domain: z.string(), status: z.enum(DOMAIN_STATUSES), dmarcPolicy: z.enum(DMARC_POLICIES),
  dkimSelector: z.string(), nextDkimSelector: z.string().nullable(),
  records: z.array(PlannedRecordSchema), lastCheck: CheckResultSchema.nullable(),
  checkedAt: z.string().nullable(), verifiedAt: z.string().nullable(), createdBy: z.string(), createdAt: z.string(), updatedAt: z.string(),
}).openapi('SendingDomain');

const DomainInputSchema = z.object({
  domain: z.string().max(300).openapi({ example: 'example.com' }),
  dmarcPolicy: z.string().max(20).optional().openapi({ description: `${DMARC_POLICIES.join(', ')}; default quarantine` }),
}).strict().openapi('SendingDomainInput');

const DomainPatchSchema = z.object({ dmarcPolicy: z.string().max(20).optional() }).strict().openapi('SendingDomainPatch');

const ServerSpfCheckSchema = z.object({
  serverId: z.string(), fromDomain: z.string(), host: z.string(), addresses: z.array(z.string()),
  verdict: z.enum(['allowed', 'not-allowed', 'unknown']), code: z.string(), message: z.string(),
  warning: z.string().nullable().openapi({ description: 'Plain words to show when the server is not (known to be) allowed; null when it is' }),
  results: z.array(z.object({ address: z.string(), result: z.string(), detail: z.string().nullable() })),
}).openapi('SendingDomainCheckForServer');

export function domainView(service: DomainService, d: SendingDomain) {
  return {
    id: d.id, domain: d.domain, status: d.status, dmarcPolicy: d.dmarcPolicy, dkimSelector: d.dkimSelector, nextDkimSelector: d.nextDkimSelector,
    records: service.recordsFor(d), lastCheck: d.lastCheck as z.infer<typeof CheckResultSchema> | null,
    checkedAt: d.checkedAt, verifiedAt: d.verifiedAt, createdBy: d.createdBy, createdAt: d.createdAt, updatedAt: d.updatedAt,
  };
}

export function domainRoutes() {
  const app = new OpenAPIHono<HttpEnv>();

  app.openapi(createRoute({
    method: 'get', path: '/domains', tags, summary: 'The company\'s sending domains, each with its records and last check',
    responses: { 200: jsonContent(z.object({ items: z.array(DomainSchema) }), 'Domains'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const service = c.get('services').domains;
    return c.json({ items: (await service.list(principal, company)).map((d) => domainView(service, d)) }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/domains', tags, summary: 'Add a sending domain: Mailroom makes its DKIM key and shows the records to publish',
    request: jsonBody(DomainInputSchema),
    responses: { 201: jsonContent(DomainSchema, 'Added (status pending until a check finds SPF and DKIM)'), 409: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const service = c.get('services').domains;
    return c.json(domainView(service, await service.add(principal, company, c.req.valid('json'))), 201);
  });

  app.openapi(createRoute({
    method: 'get', path: '/domains/{id}', tags, summary: 'One sending domain', request: { params: IdParam },
    responses: { 200: jsonContent(DomainSchema, 'The domain'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const service = c.get('services').domains;
    return c.json(domainView(service, await service.get(principal, company, c.req.valid('param').id)), 200);
  });

  app.openapi(createRoute({
    method: 'patch', path: '/domains/{id}', tags, summary: 'Change the DMARC policy shown in the record',
    request: { params: IdParam, ...jsonBody(DomainPatchSchema) },
    responses: { 200: jsonContent(DomainSchema, 'Changed'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const service = c.get('services').domains;
    return c.json(domainView(service, await service.update(principal, company, c.req.valid('param').id, c.req.valid('json'))), 200);
  });

  app.openapi(createRoute({
    method: 'delete', path: '/domains/{id}', tags, summary: 'Remove a sending domain (Mailroom stops signing its mail)', request: { params: IdParam },
    responses: { 204: { description: 'Removed' }, ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    await c.get('services').domains.remove(principal, company, c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(createRoute({
    method: 'post', path: '/domains/{id}/check', tags, summary: 'Look the records up now and say, record by record, what is found, missing or wrong',
    request: { params: IdParam },
    responses: { 200: jsonContent(DomainSchema, 'The domain with its new lastCheck'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const service = c.get('services').domains;
    return c.json(domainView(service, await service.check(principal, company, c.req.valid('param').id)), 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/domains/{id}/rotate-dkim', tags, summary: 'Make a new DKIM key; it signs once a check finds its record',
    request: { params: IdParam },
    responses: { 200: jsonContent(DomainSchema, 'The domain, with the next key\'s record to publish'), 409: errorResponses[400], ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    const service = c.get('services').domains;
    return c.json(domainView(service, await service.rotateDkim(principal, company, c.req.valid('param').id)), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/mail-servers/{id}/sending-domain-check', tags,
    summary: 'Whether the SPF record of the server\'s From domain allows the server: a warning, never a block',
    request: { params: IdParam },
    responses: { 200: jsonContent(ServerSpfCheckSchema, 'The verdict, with a warning in plain words when needed'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    return c.json(await c.get('services').domains.serverSpfCheck(principal, company, c.req.valid('param').id), 200);
  });

  return app;
}
