// Indexes for a claim that costs O(limit), not O(backlog) (bench/README.md, "Where Mailroom's time
// goes"; src/adapters/store/job-queue.ts):
// - jobs_partition_head replaces jobs_partition (partition_key, status): the claim hops through it
//   from partition to partition and, within one, from company to company that has ready jobs of a
//   kind (a "loose index scan": one seek per step, however many jobs each holds), then reads the
//   first due jobs of each (partition, company) in (run_at, seq) order from it, with no sort.
//   Holding and releasing a partition still find its rows by the leading (partition_key, status).
//   `seq` is spelled out for PostgreSQL; in SQLite it is the rowid, which every index ends with.
// - jobs_lease replaces jobs_claim (status, kind, run_at), which only the old claim used: the claim
//   now reads the expired leases by (status, lease_until). jobs_claim had to go, not just become
//   unused: on a table not yet analyzed (a fresh database, the first burst of mail) PostgreSQL
//   guessed one row per condition and chose it for the claim's reads — a scan of every ready job
//   plus a sort, on each claim.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('jobs_partition_head').on('jobs')
    .columns(['partition_key', 'status', 'kind', 'company_id', 'run_at', 'seq']).execute();
  await db.schema.dropIndex('jobs_partition').execute();
  await db.schema.createIndex('jobs_lease').on('jobs').columns(['status', 'lease_until']).execute();
  await db.schema.dropIndex('jobs_claim').execute();
}
