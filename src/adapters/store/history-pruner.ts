// The deletes behind history retention (core/retention/history-retention.ts), for SQLite and
// PostgreSQL. Each batch is found company by company, so the lookups use the existing indexes
// (messages: company_id, status, updated_at; webhook_deliveries: company_id, status, created_at)
// instead of scanning every company's history; the delete checks status and age again, so a
// message "retry now" has just re-queued is left alone, and children go only with their parent.
import type { Kysely } from 'kysely';
import type { HistoryPruner } from '../../core/retention/history-retention.ts';
import type { Database } from '../db/schema.ts';

/** Messages whose history is complete: nothing is queued for them any more. */
const FINISHED_MESSAGE_STATUSES = ['sent', 'failed', 'caught'];
const FINISHED_WEBHOOK_STATUSES = ['delivered', 'failed'];

export function createHistoryPruner(db: Kysely<Database>): HistoryPruner {
  async function companyIds(): Promise<string[]> {
    return (await db.selectFrom('companies').select('id').orderBy('id').execute()).map((r) => r.id);
  }

  return {
    async pruneMessages(before, limit) {
      let deleted = 0;
      for (const companyId of await companyIds()) {
        if (deleted >= limit) break;
        const ids = (await db.selectFrom('messages').select('id')
          .where('company_id', '=', companyId)
          .where('status', 'in', FINISHED_MESSAGE_STATUSES)
          .where('updated_at', '<', before)
          .limit(limit - deleted)
          .execute()).map((r) => r.id);
        if (ids.length === 0) continue;
        deleted += await db.transaction().execute(async (trx) => {
          const gone = (await trx.deleteFrom('messages')
            .where('id', 'in', ids)
            .where('status', 'in', FINISHED_MESSAGE_STATUSES)
            .where('updated_at', '<', before)
            .returning('id')
            .execute()).map((r) => r.id);
          if (gone.length > 0) {
            // The foreign keys cascade on PostgreSQL; said explicitly for SQLite connections
            // without foreign_keys=ON.
            await trx.deleteFrom('message_recipients').where('message_id', 'in', gone).execute();
            await trx.deleteFrom('delivery_attempts').where('message_id', 'in', gone).execute();
          }
          return gone.length;
        });
      }
      return deleted;
    },

    async pruneWebhookDeliveries(before, limit) {
      let deleted = 0;
      for (const companyId of await companyIds()) {
        if (deleted >= limit) break;
        const ids = (await db.selectFrom('webhook_deliveries').select('id')
          .where('company_id', '=', companyId)
          .where('status', 'in', FINISHED_WEBHOOK_STATUSES)
          .where('created_at', '<', before)
          .limit(limit - deleted)
          .execute()).map((r) => r.id);
        if (ids.length === 0) continue;
        deleted += await db.transaction().execute(async (trx) => {
          const gone = (await trx.deleteFrom('webhook_deliveries')
            .where('id', 'in', ids)
            .where('status', 'in', FINISHED_WEBHOOK_STATUSES)
            .returning('id')
            .execute()).map((r) => r.id);
          if (gone.length > 0) await trx.deleteFrom('webhook_delivery_attempts').where('delivery_id', 'in', gone).execute();
          return gone.length;
        });
      }
      return deleted;
    },
  };
}
