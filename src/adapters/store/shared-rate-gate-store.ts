// The shared rate gate (core/outbound/shared-rate-gate.ts) in the database, for SQLite and
// PostgreSQL alike: one conditional UPDATE takes a slot (both dialects make it atomic: SQLite has
// one writer, PostgreSQL locks the row), so two processes never take the same one. CASE rather
// than MAX()/GREATEST() because the two dialects spell "the larger of two values" differently.
import { sql, type Kysely } from 'kysely';
import type { RateGateRequest, SharedRateGate } from '../../core/outbound/shared-rate-gate.ts';
import type { Database } from '../db/schema.ts';

export function createSharedRateGate(db: Kysely<Database>): SharedRateGate {
  /** Servers whose row exists (made once per process; deleting a server deletes its row). */
  const known = new Set<string>();

  return {
    async take({ serverId, intervalMs, burst, nowMs }: RateGateRequest): Promise<number> {
      const interval = Math.max(1, Math.round(intervalMs));
      const now = Math.floor(nowMs);
      // How far ahead of now TAT may be for a message to go: burst - 1 intervals.
      const tolerance = (Math.max(1, Math.floor(burst)) - 1) * interval;
      if (!known.has(serverId)) {
        await db.insertInto('server_rate_gate').values({ server_id: serverId, tat_ms: now })
          .onConflict((oc) => oc.column('server_id').doNothing()).execute();
        known.add(serverId);
      }
      const tat = sql<number>`case when tat_ms > ${now} then tat_ms else ${now} end`;
      const taken = await db.updateTable('server_rate_gate')
        .set({ tat_ms: sql`${tat} + ${interval}` })
        .where('server_id', '=', serverId)
        .where(tat, '<=', now + tolerance)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) return 0;
      const row = await db.selectFrom('server_rate_gate').select('tat_ms').where('server_id', '=', serverId).executeTakeFirst();
      if (!row) {
        // The server was deleted meanwhile: nothing to wait for.
        known.delete(serverId);
        return 0;
      }
      const wait = Number(row.tat_ms) - tolerance - now;
      if (wait > interval) {
        // Under a steady rate TAT is never more than one interval beyond the tolerance: this one was
        // set under a slower rate (the admin raised the limit). Pull it in, so the new rate applies
        // now instead of after the old, longer interval.
        await db.updateTable('server_rate_gate').set({ tat_ms: now + tolerance + interval })
          .where('server_id', '=', serverId).where('tat_ms', '=', row.tat_ms).execute();
        return interval;
      }
      return Math.max(1, wait);
    },
  };
}
