import type { ConnectionTestStore } from '../../core/ports.ts';
import type { Db } from './kysely-store.ts';
import { fromBool, toBool } from './row-codec.ts';

export function connectionTestStore(db: Db): ConnectionTestStore {
  return {
    async insert(r) {
      await db.insertInto('connection_tests').values({
        id: r.id, server_id: r.serverId, company_id: r.companyId, ok: fromBool(r.ok), code: r.code, stage: r.stage,
        sent_test_email: fromBool(r.sentTestEmail), test_address: r.testAddress, result: JSON.stringify(r.result),
        tested_by: r.testedBy, created_at: r.createdAt,
      }).execute();
    },
    async listByServer(serverId, limit) {
      const rows = await db.selectFrom('connection_tests').selectAll().where('server_id', '=', serverId)
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map((r) => ({
        id: r.id, serverId: r.server_id, companyId: r.company_id, ok: toBool(r.ok), code: r.code, stage: r.stage,
        sentTestEmail: toBool(r.sent_test_email), testAddress: r.test_address, result: JSON.parse(r.result),
        testedBy: r.tested_by, createdAt: r.created_at,
      }));
    },
    async prune(serverId, keep) {
      const kept = db.selectFrom('connection_tests').select('id').where('server_id', '=', serverId)
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(keep);
      await db.deleteFrom('connection_tests').where('server_id', '=', serverId).where('id', 'not in', kept).execute();
    },
  };
}
