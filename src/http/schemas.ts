// Request and response shapes for the OpenAPI document. Structural rules live here (types, enums,
// lengths that protect the parser); the meaning of a value is checked in core.
import { z } from '@hono/zod-openapi';
import { AUTH_MECHANISMS, RATE_PERIODS, ROLES, SECURITY_MODES } from '../core/model.ts';

export const ErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), rule: z.string(), message: z.string() })).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string(),
  }),
}).openapi('Error');

export const errorResponses = {
  400: { description: 'Invalid input: `fields` names each field and rule', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Not signed in, or the API key is not valid', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'Role not allowed, or CSRF token missing', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Not found (also for another company\'s resources)', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

/** The answers a message submit adds to the common ones. */
export const submitErrorResponses = {
  409: { description: 'IDEMPOTENCY_CONFLICT, or NO_MAIL_SERVER', content: { 'application/json': { schema: ErrorSchema } } },
  413: { description: 'PAYLOAD_TOO_LARGE', content: { 'application/json': { schema: ErrorSchema } } },
  422: { description: 'SENDER_NOT_VERIFIED: the From may not be used on this route; `fields` names each message\'s `from`', content: { 'application/json': { schema: ErrorSchema } } },
  503: { description: 'STORAGE_LOW: the disk is low, nothing was stored; retry after `details.retryAfterSeconds`', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const CompanySchema = z.object({
  id: z.string(), slug: z.string(), name: z.string(), parentId: z.string().nullable(), defaultMailServerId: z.string().nullable(),
  fallbackMailServerId: z.string().nullable(),
}).openapi('Company');

export const UserSchema = z.object({
  id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES), companyId: z.string(),
}).openapi('User');

export const SessionSchema = z.object({
  user: UserSchema, company: CompanySchema, csrfToken: z.string(), companies: z.array(CompanySchema).optional(),
}).openapi('Session');

const CustomHeaderSchema = z.object({ name: z.string().max(200), value: z.string().max(2000) });

const nullableText = (max: number) => z.string().max(max).nullable();

export const MailServerInputSchema = z.object({
  name: z.string().max(200),
  preset: z.string().max(50),
  host: z.string().max(300),
  port: z.number().int(),
  security: z.enum(SECURITY_MODES),
  authEnabled: z.boolean(),
  authMechanism: z.enum(AUTH_MECHANISMS),
  username: nullableText(400),
  password: z.string().max(2000).nullable().openapi({ description: 'Write-only. Empty or absent keeps the stored password.', writeOnly: true }),
  passwordRef: z.string().max(500).nullable().openapi({ description: 'A secret reference such as secret:NAME, vault:PATH#KEY' }),
  fromAddress: z.string().max(400),
  fromName: nullableText(400),
  replyTo: nullableText(400),
  errorTo: nullableText(400),
  cc: z.array(z.string().max(400)).max(200),
  bcc: z.array(z.string().max(400)).max(200),
  customHeaders: z.array(CustomHeaderSchema).max(100),
  hasRelay: z.boolean(),
  allowInvalidCert: z.boolean(),
  status: z.enum(['active', 'inactive']),
  maxConnections: z.number().int().openapi({ description: 'Connections kept open to the server at most, per worker (default 5)' }),
  rateLimitCount: z.number().int().nullable().openapi({ description: 'At most this many messages per rateLimitPeriod' }),
  rateLimitPeriod: z.enum(RATE_PERIODS).nullable(),
  sharedWith: z.array(z.string().max(100)).max(500),
}).partial().strict().openapi('MailServerInput');

export const WarningSchema = z.object({ code: z.string(), field: z.string(), message: z.string() });

export const MailServerSchema = z.object({
  id: z.string(), companyId: z.string(), name: z.string(), preset: z.string(), host: z.string(), port: z.number(),
  security: z.enum(SECURITY_MODES), authEnabled: z.boolean(), authMechanism: z.enum(AUTH_MECHANISMS), username: z.string().nullable(),
  hasPassword: z.boolean(), passwordSource: z.enum(['typed', 'reference']).nullable(), passwordRef: z.string().nullable(),
  fromAddress: z.string(), fromName: z.string().nullable(), replyTo: z.string().nullable(), errorTo: z.string().nullable(),
  cc: z.array(z.string()), bcc: z.array(z.string()), customHeaders: z.array(CustomHeaderSchema), hasRelay: z.boolean(),
  allowInvalidCert: z.boolean(), status: z.enum(['active', 'inactive']), maxConnections: z.number(), rateLimitCount: z.number().nullable(),
  rateLimitPeriod: z.enum(RATE_PERIODS).nullable(), sharedWith: z.array(z.string()), isDefault: z.boolean(), isFallback: z.boolean(),
  owned: z.boolean(), createdBy: z.string(), createdAt: z.string(), updatedAt: z.string(), version: z.number(),
  warnings: z.array(WarningSchema).optional(),
  lastTest: z.object({ ok: z.boolean(), code: z.string(), message: z.string(), createdAt: z.string() }).nullable().optional(),
  delivery: z.object({ state: z.enum(['healthy', 'held']), code: z.string().nullable(), message: z.string().nullable(), since: z.string().nullable() }).optional()
    .openapi({ description: 'held: a configuration error stopped sending through this server; saving it or retrying a held message resumes' }),
  testResult: z.record(z.string(), z.unknown()).optional().openapi({ description: 'With ?sendTestEmailTo=: the ConnectionTest run after saving' }),
  testError: z.object({ code: z.string(), message: z.string() }).passthrough().optional(),
}).openapi('MailServer');

export const PresetSchema = z.object({
  id: z.string(), label: z.string(), host: z.string(), port: z.number(), security: z.enum(SECURITY_MODES),
  authEnabled: z.boolean(), authMechanism: z.enum(AUTH_MECHANISMS), note: z.string().nullable(),
}).openapi('ProviderPreset');

export const MailServerVersionSchema = z.object({
  version: z.number(), change: z.string(), changedBy: z.string(), changedAt: z.string(),
  snapshot: z.record(z.string(), z.unknown()), hasPassword: z.boolean(),
}).openapi('MailServerVersion');

export const ApiKeySchema = z.object({
  id: z.string(), name: z.string(), prefix: z.string(), createdBy: z.string(), createdAt: z.string(),
  lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable(),
}).openapi('ApiKey');

export const SecretItemSchema = z.object({
  name: z.string(), description: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(), usedBy: z.number(),
}).openapi('SecretItem');

export const AuditItemSchema = z.object({
  id: z.string(), actorLabel: z.string(), action: z.string(), targetType: z.string(), targetId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()), createdAt: z.string(),
}).openapi('AuditEntry');

export const IdParam = z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' } }) });

/** A JSON response or body entry for createRoute. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

const ReplySchema = z.object({ code: z.number(), enhanced: z.string().nullable(), text: z.string() });

export const ProbeResultSchema = z.object({
  ok: z.boolean(),
  code: z.string().openapi({ description: 'Stable result code, see docs/diagnostics.md', example: 'TLS_REQUIRED_ON_PORT' }),
  stage: z.string().nullable(),
  message: z.string(),
  hint: z.string().nullable(),
  reply: ReplySchema.nullable(),
  stages: z.array(z.object({ name: z.string(), ok: z.boolean(), ms: z.number() })),
  transcript: z.array(z.string()).openapi({ description: 'The SMTP dialogue; credentials replaced by a fixed placeholder' }),
  offered: z.object({
    extensions: z.array(z.string()), authMechanisms: z.array(z.string()), startTls: z.boolean(), maxSize: z.number().nullable(),
    tls: z.object({ version: z.string(), cipher: z.string(), certSubject: z.string(), certIssuer: z.string(), certValidTo: z.string() }).optional(),
  }),
  suggestion: z.object({ security: z.enum(SECURITY_MODES), port: z.number(), authMechanism: z.string().optional(), text: z.string() }).nullable(),
  startedAt: z.string(),
  durationMs: z.number(),
}).openapi('ProbeResult');

export const ConnectionTestSchema = z.object({
  id: z.string(), ok: z.boolean(), code: z.string(), stage: z.string().nullable(), sentTestEmail: z.boolean(),
  testAddress: z.string().nullable(), testedBy: z.string(), createdAt: z.string(), result: ProbeResultSchema,
}).openapi('ConnectionTest');

export const TestOptionsSchema = z.object({
  sendTestEmail: z.boolean().default(false).openapi({ description: 'Also send the fixed test message (DATA)' }),
  to: z.string().max(400).nullable().optional().openapi({ description: 'Recipient: your own address or a person of this company; default your own' }),
}).strict();
