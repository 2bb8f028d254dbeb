// The JobQueue port on Kysely, for SQLite and PostgreSQL. Claims lease due jobs taking companies in
// turn, so a company with a large backlog — or a dead server — never starves another. On PostgreSQL
// the claimed rows are locked FOR UPDATE SKIP LOCKED, so workers on several machines never wait on
// or double-claim a job; SQLite has one writer, and the claim runs in a BEGIN IMMEDIATE transaction.
//
// A claim costs O(partitions + limit), not O(backlog) (bench/README.md: ranking every due job with row_number()
// on each claim was O(N²) per burst). It reads, through the index jobs_partition_head (migration 0007):
//   1. the (partition, company) pairs holding ready jobs, one or two index seeks per pair and per
//      partition (a loose index scan), with the run_at of each pair's first job;
//   2. for the companies whose first due job is oldest (at most `limit` of them), the first few due
//      jobs of each of their pairs — and the expired leases (jobs of workers that died);
//   3. picks from those few rows in memory: companies in turn, oldest first, at most
//      `perPartitionLimit` per partition; then leases the picked rows if they are still due.
import { sql, type RawBuilder } from 'kysely';
import type { DialectCapabilities } from '../db/dialect-capabilities.ts';
import type { ClaimOptions, JobQueue } from '../../core/ports.ts';
import { JOB_STATUS, type Job, type JobStatus } from '../../core/outbound/outbound-model.ts';
import type { JobsTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';

const toJob = (r: Omit<JobsTable, 'seq'> & { seq?: unknown }): Job => ({
  id: r.id, kind: r.kind, companyId: r.company_id, partitionKey: r.partition_key, payload: JSON.parse(r.payload),
  status: r.status as JobStatus, runAt: r.run_at, attempts: Number(r.attempts), leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until, dedupeKey: r.dedupe_key, createdAt: r.created_at,
});

/** Pairs read per statement in step 2: SQLite allows at most 500 terms in one compound select. */
const PAIRS_PER_STATEMENT = 200;

interface Candidate {
  id: string;
  company_id: string;
  partition_key: string;
  run_at: string;
  seq: number | string;
}

const byAge = (a: Candidate, b: Candidate): number => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : Number(a.seq) - Number(b.seq));

/**
 * Step 1: every (partition, company) pair with ready jobs of `kind`, and its first job's run_at.
 * Each step of the recursion is one or two `order by … limit 1` seeks into jobs_partition_head: the
 * next company of the same partition with ready jobs of `kind`, else the next partition (in any
 * state: one seek, however many held jobs it has) and its first such company. A step whose
 * company is null is a partition with nothing ready; it is walked past, not returned.
 */
function readyPairs(kind: string): RawBuilder<{ company_id: string; partition_key: string; head: string }> {
  const ready = sql`j.status = ${JOB_STATUS.READY} and j.kind = ${kind}`;
  const nextCompany = sql`(select j.company_id from jobs j where j.partition_key = w.partition_key and ${ready} and j.company_id > w.company_id order by j.company_id limit 1)`;
  const nextPartition = sql`(select j.partition_key from jobs j where j.partition_key > w.partition_key order by j.partition_key limit 1)`;
  return sql`
    with recursive walk(partition_key, company_id) as (
      select f.partition_key, (select j.company_id from jobs j where j.partition_key = f.partition_key and ${ready} order by j.company_id limit 1)
        from (select j.partition_key from jobs j order by j.partition_key limit 1) f
      union all
      select case when ${nextCompany} is not null then w.partition_key else ${nextPartition} end,
             coalesce(${nextCompany}, (select j.company_id from jobs j where j.partition_key = ${nextPartition} and ${ready} order by j.company_id limit 1))
        from walk w where w.partition_key is not null
    )
    select w.company_id, w.partition_key,
           (select j.run_at from jobs j where j.partition_key = w.partition_key and ${ready} and j.company_id = w.company_id order by j.run_at limit 1) as head
      from walk w where w.company_id is not null`;
}

/** Step 3: companies in turn (oldest first within each), at most `perPartition(p)` per partition. */
function pick(candidates: Candidate[], limit: number, perPartition: (partitionKey: string) => number): string[] {
  const seen = new Set<string>();
  const slots = new Map<string, number>();
  const turns = new Map<string, number>();
  const ranked: { c: Candidate; turn: number }[] = [];
  for (const c of [...candidates].sort(byAge)) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    const slot = (slots.get(c.partition_key) ?? 0) + 1;
    if (slot > perPartition(c.partition_key)) continue;
    slots.set(c.partition_key, slot);
    const turn = (turns.get(c.company_id) ?? 0) + 1;
    turns.set(c.company_id, turn);
    ranked.push({ c, turn });
  }
  ranked.sort((a, b) => a.turn - b.turn || byAge(a.c, b.c));
  return ranked.slice(0, limit).map((r) => r.c.id);
}

export function jobQueue(db: Db, caps: DialectCapabilities, inTransaction: boolean): JobQueue {
  const claimIn = async (tx: Db, o: ClaimOptions): Promise<Job[]> => {
    if (o.limit <= 0) return [];
    const skip = new Set([...(o.skipPartitions ?? []), ...Object.entries(o.partitionLimits ?? {}).filter(([, n]) => n <= 0).map(([p]) => p)]);
    const maxPerPartition = Math.min(o.perPartitionLimit ?? o.limit, o.limit);
    const perPartition = (partitionKey: string) => Math.min(maxPerPartition, o.partitionLimits?.[partitionKey] ?? maxPerPartition);
    // Leases that ran out (their worker died): few, at most the jobs that were in flight. Read in
    // the same statement as the first pairs' heads (one round trip less on PostgreSQL).
    const expired = sql`select * from (
      select id, company_id, partition_key, run_at, seq from jobs
       where status = ${JOB_STATUS.LEASED} and lease_until < ${o.now} and kind in (${sql.join(o.kinds)})
       order by run_at, seq limit ${o.limit}) expired`;
    const reads = [];
    for (const kind of o.kinds) {
      const pairs = (await readyPairs(kind).execute(tx)).rows.filter((p) => p.head <= o.now && !skip.has(p.partition_key));
      // Step 2: the companies whose oldest due job is oldest; no claim takes more than `limit` companies.
      const headOf = new Map<string, string>();
      for (const p of pairs) if (!headOf.has(p.company_id) || p.head < headOf.get(p.company_id)!) headOf.set(p.company_id, p.head);
      const companies = new Set([...headOf].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).slice(0, o.limit).map(([c]) => c));
      reads.push(...pairs.filter((p) => companies.has(p.company_id)).map((p, n) => sql`select * from (
        select id, company_id, partition_key, run_at, seq from jobs
         where partition_key = ${p.partition_key} and status = ${JOB_STATUS.READY} and kind = ${kind} and company_id = ${p.company_id} and run_at <= ${o.now}
         order by run_at, seq limit ${perPartition(p.partition_key)}) ${sql.raw(`h${reads.length + n}`)}`));
    }
    reads.unshift(expired);
    const candidates: Candidate[] = [];
    for (let i = 0; i < reads.length; i += PAIRS_PER_STATEMENT) {
      candidates.push(...(await sql<Candidate>`${sql.join(reads.slice(i, i + PAIRS_PER_STATEMENT), sql` union all `)}`.execute(tx)).rows
        .filter((c) => !skip.has(c.partition_key)));
    }
    const ids = pick(candidates, o.limit, perPartition);
    if (ids.length === 0) return [];

    // Due: ready and its time has come, or leased by a worker whose lease ran out. Checked again
    // here: on PostgreSQL another worker may have taken a row since it was read above.
    const due = (eb: any) => eb.and([
      eb('kind', 'in', o.kinds),
      eb.or([
        eb.and([eb('status', '=', JOB_STATUS.READY), eb('run_at', '<=', o.now)]),
        eb.and([eb('status', '=', JOB_STATUS.LEASED), eb('lease_until', '<', o.now)]),
      ]),
    ]);
    // Rows another worker has locked are skipped, not waited for: it is claiming them.
    const lease = tx.updateTable('jobs').set({ status: JOB_STATUS.LEASED, lease_owner: o.owner, lease_until: o.leaseUntil });
    const rows = caps.skipLocked
      ? await lease.where('id', 'in', tx.selectFrom('jobs').select('id').where('id', 'in', ids).where(due).forUpdate().skipLocked()).where(due).returningAll().execute()
      : await lease.where('id', 'in', ids).where(due).returningAll().execute();
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
    async completeMany(ids, owner) {
      let n = 0;
      for (let i = 0; i < ids.length; i += 500) {
        const r = await db.deleteFrom('jobs').where('id', 'in', ids.slice(i, i + 500)).where('lease_owner', '=', owner).where('status', '=', JOB_STATUS.LEASED).executeTakeFirst();
        n += Number(r.numDeletedRows);
      }
      return n;
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
