// The HTTP edge: one Hono app serving the API under /api/v1, its OpenAPI document, health checks
// and the web UI's built files — all on one port.
import fs from 'node:fs';
import path from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { MiddlewareHandler } from 'hono';
import type { AppServices } from '../app.ts';
import { AppError, validationError } from '../core/errors.ts';
import type { Logger } from '../core/ports.ts';
import { authenticate } from './auth-middleware.ts';
import type { HttpEnv } from './http-env.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { auditLogRoutes } from './routes/audit-log.ts';
import { companyRoutes } from './routes/companies.ts';
import { connectionTestRoutes } from './routes/connection-tests.ts';
import { domainRoutes } from './routes/domains.ts';
import { healthRoutes } from './routes/health.ts';
import { mailServerRoutes } from './routes/mail-servers.ts';
import { meRoutes } from './routes/me.ts';
import { messageRoutes } from './routes/messages.ts';
import { mailServiceRoutes } from './routes/mail-service.ts';
import { catcherRoutes } from './routes/catcher.ts';
import { secretRoutes } from './routes/secrets.ts';
import { senderAddressRoutes } from './routes/sender-addresses.ts';
import { sessionRoutes } from './routes/session.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { toHttpError } from './to-http-error.ts';

export interface HttpAppOptions {
  services: AppServices;
  logger: Logger;
  secureCookies: boolean;
  sessionTtlMs: number;
  webDistDir: string;
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const MAX_MESSAGES_BODY_BYTES = 32 * 1024 * 1024;

/** zod's structural failures become the same field list as core's semantic ones. */
const validationHook = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; code: string; message: string; keys?: string[] }[] } }) => {
  if (!result.success && result.error) {
    throw validationError(result.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' && i.keys
      ? i.keys.map((k) => ({ field: [...i.path.map(String), k].join('.'), rule: 'unknown_field', message: 'is not a known field' }))
      : [{ field: i.path.map(String).join('.') || 'body', rule: i.code, message: i.message }])));
  }
};

export function createHttpApp(options: HttpAppOptions): OpenAPIHono<HttpEnv> {
  const { services, logger } = options;
  const app = new OpenAPIHono<HttpEnv>({ defaultHook: validationHook });

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 64).replace(/[^\w.-]/g, '') || crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('services', services);
    c.set('logger', logger);
    c.header('x-request-id', requestId);
    const started = performance.now();
    await next();
    if (c.req.path.startsWith('/api/')) {
      logger.info({ requestId, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  });
  app.use('*', secureHeaders({ contentSecurityPolicy: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], styleSrc: ["'self'", "'unsafe-inline'"], frameAncestors: ["'none'"] } }));

  app.onError((err, c) => {
    const requestId = c.get('requestId') ?? 'unknown';
    const { status, body, unexpected } = toHttpError(err, requestId);
    if (unexpected) logger.error({ requestId, err }, 'request failed');
    return c.json(body, status as 400);
  });
  app.notFound((c) => {
    const requestId = c.get('requestId') ?? 'unknown';
    return c.json(toHttpError(new AppError('NOT_FOUND', 'No such route.'), requestId).body, 404);
  });

  app.route('/', healthRoutes());

  const api = new OpenAPIHono<HttpEnv>({ defaultHook: validationHook });
  const limitTo = (bytes: number): MiddlewareHandler<HttpEnv> => {
    const tooLarge = () => { throw new AppError('PAYLOAD_TOO_LARGE', `The request body must be at most ${Math.round(bytes / 1024)} KiB.`); };
    const counted = bodyLimit({ maxSize: bytes, onError: tooLarge });
    // Hono's bodyLimit first asks for `c.req.raw.body`, which turns @hono/node-server's lightweight
    // request into a full web Request with a stream body: every JSON read then went through web
    // streams (~0.07 ms and more garbage per request in a profile of single submits). A declared
    // Content-Length is checked without touching the body (Node's parser reads no byte past it);
    // only a body of undeclared length is counted as it arrives, by bodyLimit.
    return (c, next) => {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
      const declared = c.req.header('content-length');
      if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
        return Number.parseInt(declared, 10) > bytes ? tooLarge() : next();
      }
      return counted(c, next);
    };
  };
  const settingsLimit = limitTo(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  // Messages carry attachments (base64 adds a third) and batches carry up to 1,000 messages.
  const messagesLimit = limitTo(MAX_MESSAGES_BODY_BYTES);
  api.use('*', (c, next) => (c.req.path.startsWith('/api/v1/messages') ? messagesLimit(c, next) : settingsLimit(c, next)));
  api.use('*', authenticate());
  api.route('/', sessionRoutes({ secureCookies: options.secureCookies, sessionTtlMs: options.sessionTtlMs }));
  api.route('/', meRoutes());
  api.route('/', companyRoutes());
  api.route('/', apiKeyRoutes());
  api.route('/', mailServerRoutes());
  api.route('/', connectionTestRoutes());
  api.route('/', secretRoutes());
  api.route('/', auditLogRoutes());
  api.route('/', messageRoutes());
  api.route('/', mailServiceRoutes());
  api.route('/', catcherRoutes());
  api.route('/', webhookRoutes());
  api.route('/', domainRoutes());
  api.route('/', senderAddressRoutes());
  api.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'An API key (mr_…) for host applications' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'mailroom_session', description: 'Browser session; unsafe methods also need the X-CSRF-Token header' });
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Mailroom API', version: '1', description: 'Mail settings and delivery for multi-tenant applications. See docs/api.md.' },
    servers: [{ url: '/api/v1' }],
    security: [{ apiKey: [] }, { session: [] }],
  });
  app.route('/api/v1', api);
  app.all('/api/*', (c) => c.json(toHttpError(new AppError('NOT_FOUND', 'No such route.'), c.get('requestId')).body, 404));

  // The web UI: built files, and index.html for every other path so client-side routes reload.
  const root = path.relative(process.cwd(), options.webDistDir) || '.';
  const indexFile = path.join(options.webDistDir, 'index.html');
  app.use('/*', serveStatic({ root }));
  app.get('*', (c) => {
    if (!fs.existsSync(indexFile)) return c.text('The web UI is not built. Run: npm run build:web', 503);
    return c.html(fs.readFileSync(indexFile, 'utf8'));
  });
  return app;
}
