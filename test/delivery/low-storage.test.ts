// SECURITY.md, delivery promise 5: low resources refuse new work with a temporary error, and nothing
// is stored. Two real causes: the data folder's disk below MAILROOM_MIN_FREE_DISK_MB (here set
// above any real disk's free space), and SQLite itself refusing to grow (max_page_count reached
// gives SQLITE_FULL, the error a full disk gives) in the middle of the accept's transaction.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ApiClient, setupRoot } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { toHttpError } from '../../src/http/to-http-error.ts';

const message = { to: ['ann@customer.example'], subject: 'Hello', text: 'Body' };

async function counts(t: TestApp): Promise<[number, number]> {
  const db = t.app.database.db;
  const messages = await db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const jobs = await db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return [Number(messages.n), Number(jobs.n)];
}

describe('low storage', () => {
  describe('the disk keeps less than MAILROOM_MIN_FREE_DISK_MB', () => {
    let t: TestApp;
    let host: ApiClient;
    before(async () => {
      // More than any test machine's disk has free: every submit is over the line.
      t = await startTestApp({ env: { MAILROOM_MIN_FREE_DISK_MB: String(1024 * 1024 * 1024) } });
      const api = await setupRoot(t.url);
      host = ApiClient.withApiKey(t.url, (await api.post('/api-keys', { name: 'crm' })).body.key);
    });
    after(() => t.close());

    it('refuses a message and a batch with 503 STORAGE_LOW, saying when to retry, and stores nothing', async () => {
      const single = await host.post('/messages', message);
      assert.equal(single.status, 503, single.text);
      assert.equal(single.body.error.code, 'STORAGE_LOW');
      assert.match(single.body.error.message, /low on disk space.*nothing was stored/);
      assert.equal(single.body.error.details.retryAfterSeconds, 300);
      assert.ok(single.body.error.details.freeMegabytes < single.body.error.details.minimumMegabytes);
      const batch = await host.post('/messages/batch', { messages: [message, message] });
      assert.equal(batch.status, 503, batch.text);
      assert.equal(batch.body.error.code, 'STORAGE_LOW');
      assert.deepEqual(await counts(t), [0, 0]);
    });
  });

  describe('the database cannot grow (SQLITE_FULL)', () => {
    let t: TestApp;
    let host: ApiClient;
    before(async () => {
      t = await startTestApp();
      const api = await setupRoot(t.url);
      host = ApiClient.withApiKey(t.url, (await api.post('/api-keys', { name: 'crm' })).body.key);
    });
    after(() => t.close());

    it('answers 503 STORAGE_LOW without a half-written message, and takes mail again once there is room', async () => {
      const db = t.app.database.db;
      const before = await counts(t);
      const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(db)).rows[0]!.page_count);
      await sql.raw(`pragma max_page_count = ${pages}`).execute(db);
      // A large body needs new pages: the insert fails inside the accept's transaction.
      const big = { ...message, text: 'x'.repeat(256 * 1024) };
      const res = await host.post('/messages', big);
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.error.code, 'STORAGE_LOW');
      assert.ok(!/SQLITE|database or disk/i.test(res.text), 'no driver text in the answer');
      assert.deepEqual(await counts(t), before, 'nothing half-written');
      assert.match(t.logs(), /SQLITE_FULL/, 'the operator sees the cause in the log');

      await sql.raw('pragma max_page_count = 1073741823').execute(db);
      const again = await host.post('/messages', big);
      assert.equal(again.status, 202, again.text);
    });

    it('maps PostgreSQL\'s disk_full (53100) the same way', () => {
      const mapped = toHttpError(Object.assign(new Error('could not extend file'), { code: '53100' }), 'r1');
      assert.equal(mapped.status, 503);
      assert.equal(mapped.body.error.code, 'STORAGE_LOW');
      assert.ok(!mapped.body.error.message.includes('extend'));
    });
  });
});
