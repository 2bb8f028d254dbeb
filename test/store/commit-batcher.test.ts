// Group commit on a real store: work that arrives together shares one commit, each caller gets its
// own result only after that commit, and one failing unit does not take the others down.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { runMigrations } from '../../src/adapters/migrations/run-migrations.ts';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.ts';
import { CommitBatcher } from '../../src/core/outbound/commit-batcher.ts';
import type { Store } from '../../src/core/ports.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-databases.ts';

describe('commit batcher', () => {
  let tdb: TestDatabase;
  let db: OpenDatabase;
  let store: Store;
  let commits = 0;
  before(async () => {
    tdb = await createTestDatabase('sqlite');
    db = openDatabase({ dataDir: tdb.dataDir, databaseUrl: null });
    await runMigrations(db.db, db.capabilities);
    const real = createKyselyStore(db.db, db.capabilities);
    // Count the transactions the batcher opens on the real store.
    store = { ...real, transaction: (work) => { commits++; return real.transaction(work); } };
  });
  after(async () => {
    await db.close();
    await tdb.drop();
  });

  const company = (slug: string) => ({ id: crypto.randomUUID(), slug, name: slug, parentId: null, defaultMailServerId: null, fallbackMailServerId: null, mailService: 'builtin' as const, builtinDelivery: null, fallbackToBuiltin: false, createdAt: new Date().toISOString() });

  it('lets work that arrives together share one commit, and returns each result', async () => {
    const batcher = new CommitBatcher(store);
    commits = 0;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.run(async (tx) => {
      await tx.companies.insert(company(`shared-${i}`));
      return i * 2;
    })));
    assert.deepEqual(results, Array.from({ length: 20 }, (_, i) => i * 2));
    assert.equal(commits, 1);
    assert.equal((await store.companies.list()).filter((c) => c.slug.startsWith('shared-')).length, 20);
  });

  it('retries the others alone when one unit fails, and reports only that failure', async () => {
    const batcher = new CommitBatcher(store);
    const outcomes = await Promise.allSettled([
      batcher.run(async (tx) => tx.companies.insert(company('good-1'))),
      batcher.run(async (tx) => tx.companies.insert(company('shared-0'))), // slug taken: fails
      batcher.run(async (tx) => tx.companies.insert(company('good-2'))),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    const slugs = (await store.companies.list()).map((c) => c.slug);
    assert.ok(slugs.includes('good-1') && slugs.includes('good-2'));
  });

  it('hands the units of one kind in a commit to one writer, in order, and alone again after a failure', async () => {
    const batcher = new CommitBatcher(store);
    const calls: string[][] = [];
    const writeAll = async (tx: Store, slugs: string[]) => {
      calls.push(slugs);
      for (const slug of slugs) await tx.companies.insert(company(slug));
      return slugs.map((slug) => slug.toUpperCase());
    };
    commits = 0;
    const results = await Promise.all(['kind-a', 'kind-b', 'kind-c'].map((slug) => batcher.runBatched('companies', slug, writeAll)));
    assert.deepEqual(results, ['KIND-A', 'KIND-B', 'KIND-C']);
    assert.deepEqual(calls, [['kind-a', 'kind-b', 'kind-c']]);
    assert.equal(commits, 1);

    calls.length = 0;
    const outcomes = await Promise.allSettled(['kind-d', 'kind-a', 'kind-e'].map((slug) => batcher.runBatched('companies', slug, writeAll)));
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled'], 'kind-a is taken');
    assert.deepEqual(calls, [['kind-d', 'kind-a', 'kind-e'], ['kind-d'], ['kind-a'], ['kind-e']]);
  });

  it('waits a little for work to gather, except for urgent work', async () => {
    const batcher = new CommitBatcher(store, { gatherMs: 60_000 });
    const started = Date.now();
    commits = 0;
    const gathering = batcher.run(async (tx) => tx.companies.insert(company('gather-1')));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(commits, 0, 'still gathering');
    await Promise.all([gathering, batcher.run(async (tx) => tx.companies.insert(company('urgent-1')), { urgent: true })]);
    assert.equal(commits, 1, 'the urgent unit ended the wait and shared the commit');
    assert.ok(Date.now() - started < 10_000);
  });
});
