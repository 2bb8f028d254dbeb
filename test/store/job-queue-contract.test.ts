// The JobQueue port's contract on SQLite and PostgreSQL: atomic enqueue, leases, fairness across
// companies, holding a partition, and no job claimed twice by concurrent workers.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { runMigrations } from '../../src/adapters/migrations/run-migrations.ts';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.ts';
import type { NewJob } from '../../src/core/outbound/outbound-model.ts';
import type { Store } from '../../src/core/ports.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases.ts';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

function job(companyId: string, extra: Partial<NewJob> = {}): NewJob {
  const id = crypto.randomUUID();
  return { id, kind: 'send-message', companyId, partitionKey: `server-${companyId}`, payload: { n: id }, runAt: T0, dedupeKey: `send:${id}`, ...extra };
}

const claimOpts = (owner: string, now: string, limit = 10, extra = {}) => ({ kinds: ['send-message'], limit, owner, now, leaseUntil: at(Date.parse(now) / 1000 - Date.parse(T0) / 1000 + 60), ...extra });

for (const backend of BACKENDS) {
  describe(`job queue contract (${backend})`, () => {
    let tdb: TestDatabase;
    let db: OpenDatabase;
    let store: Store;
    before(async () => {
      tdb = await createTestDatabase(backend);
      db = openDatabase({ dataDir: tdb.dataDir, databaseUrl: tdb.databaseUrl });
      await runMigrations(db.db, db.capabilities);
      store = createKyselyStore(db.db, db.capabilities);
    });
    after(async () => {
      await db.close();
      await tdb.drop();
    });
    beforeEach(async () => {
      await db.db.deleteFrom('jobs').execute();
    });

    it('enqueues atomically with the transaction it belongs to', async () => {
      await assert.rejects(store.transaction(async (tx) => {
        await tx.queue.enqueue([job('a')]);
        throw new Error('rolled back');
      }));
      assert.deepEqual(await store.queue.claim(claimOpts('w1', at(10))), []);
      await store.transaction((tx) => tx.queue.enqueue([job('a')]));
      assert.equal((await store.queue.claim(claimOpts('w1', at(10)))).length, 1);
    });

    it('claims only due jobs, and a lease keeps others away until it expires', async () => {
      await store.queue.enqueue([job('a'), job('a', { runAt: at(100) })]);
      const first = await store.queue.claim(claimOpts('w1', at(1)));
      assert.equal(first.length, 1, 'the future job is not due');
      assert.equal(first[0]!.leaseOwner, 'w1');
      assert.deepEqual(await store.queue.claim(claimOpts('w2', at(2))), [], 'leased');
      const stolen = await store.queue.claim(claimOpts('w2', at(62)));
      assert.deepEqual(stolen.map((j) => j.id), [first[0]!.id], 'an expired lease is claimable again (its worker died)');
      assert.equal(await store.queue.complete(first[0]!.id, 'w1'), false, 'the old owner lost it');
      assert.equal(await store.queue.complete(first[0]!.id, 'w2'), true);
      assert.equal(await store.queue.complete(first[0]!.id, 'w2'), false, 'gone');
    });

    it('reschedules with one more attempt, and extends leases', async () => {
      const j = job('a');
      await store.queue.enqueue([j]);
      await store.queue.claim(claimOpts('w1', at(1)));
      assert.equal(await store.queue.extendLease(j.id, 'w1', at(500)), true);
      assert.deepEqual(await store.queue.claim(claimOpts('w2', at(200))), [], 'the extended lease holds');
      assert.equal(await store.queue.reschedule(j.id, 'w1', at(300)), true);
      assert.deepEqual(await store.queue.claim(claimOpts('w2', at(299))), []);
      const again = await store.queue.claim(claimOpts('w2', at(300)));
      assert.equal(again[0]!.attempts, 1);
      assert.deepEqual(again[0]!.payload, j.payload);
    });

    it('takes companies in turn: a big backlog does not starve a small one', async () => {
      await store.queue.enqueue(Array.from({ length: 50 }, () => job('big')));
      await store.queue.enqueue([job('small', { runAt: at(5) })]);
      const claimed = await store.queue.claim(claimOpts('w1', at(10), 2));
      assert.deepEqual(claimed.map((j) => j.companyId).sort(), ['big', 'small']);
    });

    it('skips partitions the worker has no room for', async () => {
      await store.queue.enqueue([job('a'), job('b')]);
      const claimed = await store.queue.claim(claimOpts('w1', at(1), 10, { skipPartitions: ['server-a'] }));
      assert.deepEqual(claimed.map((j) => j.companyId), ['b']);
    });

    it('takes at most perPartitionLimit jobs of one partition per claim', async () => {
      await store.queue.enqueue(Array.from({ length: 10 }, () => job('a')));
      await store.queue.enqueue([job('a', { partitionKey: 'other-server' })]);
      const claimed = await store.queue.claim(claimOpts('w1', at(1), 10, { perPartitionLimit: 3 }));
      assert.equal(claimed.filter((j) => j.partitionKey === 'server-a').length, 3);
      assert.equal(claimed.filter((j) => j.partitionKey === 'other-server').length, 1);
    });

    it('takes fewer of a partition when told to, and none at 0', async () => {
      await store.queue.enqueue([...Array.from({ length: 5 }, () => job('a')), ...Array.from({ length: 5 }, () => job('b'))]);
      const claimed = await store.queue.claim(claimOpts('w1', at(1), 10, { perPartitionLimit: 4, partitionLimits: { 'server-a': 2, 'server-b': 0 } }));
      assert.deepEqual(claimed.map((j) => j.partitionKey), ['server-a', 'server-a']);
    });

    it('takes each partition of a company, however large an older backlog of another one is', async () => {
      await store.queue.enqueue(Array.from({ length: 40 }, () => job('a')));
      await store.queue.enqueue(Array.from({ length: 3 }, () => job('a', { partitionKey: 'second-server', runAt: at(5) })));
      const claimed = await store.queue.claim(claimOpts('w1', at(10), 10, { perPartitionLimit: 4 }));
      assert.equal(claimed.filter((j) => j.partitionKey === 'server-a').length, 4);
      assert.equal(claimed.filter((j) => j.partitionKey === 'second-server').length, 3);
    });

    it('walks past partitions with nothing due (held, or waiting for a retry) to the ones that have', async () => {
      await store.queue.enqueue(Array.from({ length: 30 }, () => job('a', { partitionKey: 'p1-held' })));
      await store.queue.holdPartition('p1-held');
      await store.queue.enqueue(Array.from({ length: 30 }, () => job('b', { partitionKey: 'p2-later', runAt: at(100) })));
      await store.queue.enqueue([job('c', { partitionKey: 'p3-due' }), job('c', { partitionKey: 'p4-due' })]);
      const claimed = await store.queue.claim(claimOpts('w1', at(10), 10));
      assert.deepEqual(claimed.map((j) => j.partitionKey).sort(), ['p3-due', 'p4-due']);
    });

    it('with more companies than room, takes those whose oldest due job is oldest, one each', async () => {
      await store.queue.enqueue(Array.from({ length: 5 }, () => job('late', { runAt: at(3) })));
      await store.queue.enqueue(Array.from({ length: 5 }, () => job('early', { runAt: at(1) })));
      await store.queue.enqueue(Array.from({ length: 5 }, () => job('middle', { runAt: at(2) })));
      const claimed = await store.queue.claim(claimOpts('w1', at(10), 2));
      assert.deepEqual(claimed.map((j) => j.companyId), ['early', 'middle']);
    });

    it('holds a partition until it is released, and runs a held job now on request', async () => {
      const [a1, a2, b1] = [job('a'), job('a'), job('b')];
      await store.queue.enqueue([a1, a2, b1]);
      const [leased] = await store.queue.claim(claimOpts('w1', at(1), 1, { skipPartitions: ['server-b'] }));
      assert.equal(await store.queue.hold(leased!.id, 'w1'), true);
      assert.equal(await store.queue.holdPartition('server-a'), 1);
      assert.deepEqual((await store.queue.claim(claimOpts('w2', at(2)))).map((j) => j.companyId), ['b']);
      const counts = await store.queue.counts();
      assert.deepEqual(counts.find((c) => c.status === 'held')?.count, 2);
      assert.equal(await store.queue.runNow(a2.dedupeKey!, at(3)), true);
      assert.equal((await store.queue.claim(claimOpts('w2', at(3)))).length, 1);
      assert.equal(await store.queue.releasePartition('server-a', at(4)), 1);
      assert.equal((await store.queue.claim(claimOpts('w2', at(4)))).length, 1);
    });

    it('refuses a second job with the same dedupe key', async () => {
      const j = job('a');
      await store.queue.enqueue([j]);
      await assert.rejects(store.queue.enqueue([{ ...j, id: crypto.randomUUID() }]));
    });

    it('never gives one job to two concurrent workers', async () => {
      const jobs = Array.from({ length: 300 }, (_, i) => job(`c${i % 7}`));
      await store.queue.enqueue(jobs);
      const seen = new Map<string, string>();
      const worker = async (owner: string) => {
        for (;;) {
          const claimed = await store.queue.claim(claimOpts(owner, at(1), 7));
          if (claimed.length === 0) return;
          for (const j of claimed) {
            assert.ok(!seen.has(j.id), `${j.id} claimed by ${seen.get(j.id)} and ${owner}`);
            seen.set(j.id, owner);
            assert.equal(await store.queue.complete(j.id, owner), true);
          }
        }
      };
      await Promise.all(['w1', 'w2', 'w3', 'w4'].map(worker));
      assert.equal(seen.size, 300);
    });
  });
}
