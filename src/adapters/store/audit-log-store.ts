import type { AuditEntry } from '../../core/model.ts';
import type { AuditLog } from '../../core/ports.ts';
import type { Db } from './kysely-store.ts';

export function auditLog(db: Db): AuditLog {
  return {
    async append(e) {
      await db.insertInto('audit_log').values({
        id: e.id, company_id: e.companyId, actor_type: e.actorType, actor_id: e.actorId, actor_label: e.actorLabel,
        action: e.action, target_type: e.targetType, target_id: e.targetId, details: JSON.stringify(e.details),
        created_at: e.createdAt,
      }).execute();
    },
    async list(q) {
      if (q.companyIds.length === 0) return [];
      let query = db.selectFrom('audit_log').selectAll().where('company_id', 'in', q.companyIds);
      if (q.targetType) query = query.where('target_type', '=', q.targetType);
      if (q.targetId) query = query.where('target_id', '=', q.targetId);
      if (q.before) query = query.where('created_at', '<', q.before);
      const rows = await query.orderBy('seq', 'desc').limit(q.limit).execute();
      return rows.map((r) => ({
        id: r.id, companyId: r.company_id, actorType: r.actor_type as AuditEntry['actorType'], actorId: r.actor_id,
        actorLabel: r.actor_label, action: r.action, targetType: r.target_type, targetId: r.target_id,
        details: JSON.parse(r.details), createdAt: r.created_at,
      }));
    },
  };
}
