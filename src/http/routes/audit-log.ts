// The audit log: who changed which setting, when.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requireAdmin } from '../../core/tenancy/access-policy.ts';
import { requireActor } from '../auth-middleware.ts';
import type { HttpEnv } from '../http-env.ts';
import { AuditItemSchema, errorResponses, jsonContent } from '../schemas.ts';

export function auditLogRoutes() {
  const app = new OpenAPIHono<HttpEnv>();
  app.openapi(createRoute({
    method: 'get', path: '/audit-log', tags: ['Audit log'], summary: 'Changes in the acting company, newest first',
    request: { query: z.object({ targetType: z.string().max(50).optional(), targetId: z.string().max(100).optional(), before: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }) },
    responses: { 200: jsonContent(z.object({ items: z.array(AuditItemSchema) }), 'Entries'), ...errorResponses },
  }), async (c) => {
    const { principal, company } = await requireActor(c);
    requireAdmin(principal);
    const q = c.req.valid('query');
    const items = await c.get('services').store.audit.list({ companyIds: [company.id], targetType: q.targetType, targetId: q.targetId, before: q.before, limit: q.limit });
    return c.json({ items: items.map((e) => ({ id: e.id, actorLabel: e.actorLabel, action: e.action, targetType: e.targetType, targetId: e.targetId, details: e.details, createdAt: e.createdAt })) }, 200);
  });
  return app;
}
