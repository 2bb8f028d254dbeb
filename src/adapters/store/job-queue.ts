// The JobQueue port on Kysely, for SQLite and PostgreSQL. Claims lease due jobs taking companies in
// turn (row_number() per company), so a company with a large backlog — or a dead server — never
// starves another. On PostgreSQL the claimed rows are locked FOR UPDATE SKIP LOCKED, so workers on
// several machines never wait on or double-claim a job; SQLite has one writer, and the claim runs
// in a BEGIN IMMEDIATE transaction.
import { sql } from 'kysely';
import type { DialectCapabilities } from '../db/dialect-capabilities.ts';
import type { JobQueue } from '../../core/ports.ts';
import { JOB_STATUS, type Job, type JobStatus } from '../../core/outbound/outbound-model.ts';
import type { JobsTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';

const toJob = (r: Omit<JobsTable, 'seq'> & { seq?: unknown }): Job => ({
  id: r.id, kind: r.kind, companyId: r.company_id, partitionKey: r.partition_key, payload: JSON.parse(r.payload),
  status: r.status as JobStatus, runAt: r.run_at, attempts: Number(r.attempts), leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until, dedupeKey: r.dedupe_key, createdAt: r.created_at,
});

export function jobQueue(db: Db, caps: DialectCapabilities, inTransaction: boolean): JobQueue {
  const claimIn = async (tx: Db, o: Parameters<JobQueue['claim']>[0]): Promise<Job[]> => {
    // Due: ready and its time has come, or leased by a worker whose lease ran out (it died).
    const due = (eb: any) => eb.and([
      eb('kind', 'in', o.kinds),
      eb.or([
        eb.and([eb('status', '=', JOB_STATUS.READY), eb('run_at', '<=', o.now)]),
        eb.and([eb('status', '=', JOB_STATUS.LEASED), eb('lease_until', '<', o.now)]),
      ]),
      ...(o.skipPartitions?.length ? [eb('partition_key', 'not in', o.skipPartitions)] : []),
    ]);
    const ranked = tx.selectFrom('jobs')
      .select([
        'id', 'run_at', 'seq',
        sql<number>`row_number() over (partition by company_id order by run_at, seq)`.as('turn'),
        sql<number>`row_number() over (partition by partition_key order by run_at, seq)`.as('slot'),
      ])
      .where(due);
    let pick = tx.selectFrom(ranked.as('ranked')).select('id').orderBy('turn').orderBy('run_at').orderBy('seq').limit(o.limit);
    if (o.perPartitionLimit) pick = pick.where('slot', '<=', o.perPartitionLimit);
    let ids: string[];
    if (caps.skipLocked) {
      const locked = await tx.selectFrom('jobs').select('id')
        .where('id', 'in', pick).where(due).forUpdate().skipLocked().execute();
      ids = locked.map((r) => r.id);
    } else {
      ids = (await pick.execute()).map((r) => r.id);
    }
    if (ids.length === 0) return [];
    const rows = await tx.updateTable('jobs')
      .set({ status: JOB_STATUS.LEASED, lease_owner: o.owner, lease_until: o.leaseUntil })
      .where('id', 'in', ids).where(due)
      .returningAll().execute();
    return rows.map(toJob).sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
  };

  const owned = (id: string, owner: string) => db.updateTable('jobs').where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', JOB_STATUS.LEASED);

  return {
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      const now = new Date().toISOString();
      // Chunks keep each statement under SQLite's variable limit.
      for (let i = 0; i < jobs.length; i += 500) {
        await db.insertInto('jobs').values(jobs.slice(i, i + 500).map((j) => ({
          id: j.id, kind: j.kind, company_id: j.companyId, partition_key: j.partitionKey, payload: JSON.stringify(j.payload),
          status: JOB_STATUS.READY, run_at: j.runAt, attempts: 0, lease_owner: null, lease_until: null,
          dedupe_key: j.dedupeKey ?? null, created_at: now,
        }))).execute();
      }
    },
    async claim(o) {
      if (inTransaction) return claimIn(db, o);
      return (db as import('kysely').Kysely<any>).transaction().execute((trx) => claimIn(trx as Db, o));
    },
    async complete(id, owner) {
      const r = await db.deleteFrom('jobs').where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', JOB_STATUS.LEASED).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async reschedule(id, owner, runAt) {
      const r = await owned(id, owner).set((eb) => ({ status: JOB_STATUS.READY, run_at: runAt, attempts: eb('attempts', '+', 1), lease_owner: null, lease_until: null })).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async extendLease(id, owner, leaseUntil) {
      const r = await owned(id, owner).set({ lease_until: leaseUntil }).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async hold(id, owner) {
      const r = await owned(id, owner).set({ status: JOB_STATUS.HELD, lease_owner: null, lease_until: null }).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async holdPartition(partitionKey) {
      const r = await db.updateTable('jobs').set({ status: JOB_STATUS.HELD }).where('partition_key', '=', partitionKey).where('status', '=', JOB_STATUS.READY).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async releasePartition(partitionKey, runAt) {
      const r = await db.updateTable('jobs').set({ status: JOB_STATUS.READY, run_at: runAt }).where('partition_key', '=', partitionKey).where('status', '=', JOB_STATUS.HELD).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async runNow(dedupeKey, runAt) {
      const r = await db.updateTable('jobs').set({ status: JOB_STATUS.READY, run_at: runAt })
        .where('dedupe_key', '=', dedupeKey).where('status', 'in', [JOB_STATUS.READY, JOB_STATUS.HELD]).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async runAtByDedupeKey(keys) {
      if (keys.length === 0) return new Map();
      const rows = await db.selectFrom('jobs').select(['dedupe_key', 'run_at', 'status']).where('dedupe_key', 'in', keys).execute();
      return new Map(rows.filter((r) => r.status === JOB_STATUS.READY).map((r) => [r.dedupe_key!, r.run_at]));
    },
    async counts() {
      const rows = await db.selectFrom('jobs').select(['kind', 'status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['kind', 'status']).execute();
      return rows.map((r) => ({ kind: r.kind, status: r.status as JobStatus, count: Number(r.n) }));
    },
  };
}
