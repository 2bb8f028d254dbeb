// History retention on SQLite and PostgreSQL: finished messages (sent, failed, caught) and finished
// webhook deliveries older than the retention go with their recipients and attempts; mail still on
// its way, recent history and other rows stay; batches respect their limit across companies.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { runMigrations } from '../../src/adapters/migrations/run-migrations.ts';
import { createHistoryPruner } from '../../src/adapters/store/history-pruner.ts';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.ts';
import type { Company } from '../../src/core/model.ts';
import type { MessageStatus, OutboundMessage } from '../../src/core/outbound/outbound-model.ts';
import type { Store } from '../../src/core/ports.ts';
import { pruneHistory } from '../../src/core/retention/history-retention.ts';
import type { WebhookDeliveryStatus } from '../../src/core/webhooks/webhook-model.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases.ts';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * 86_400_000).toISOString();

function company(slug: string): Company {
  return { id: crypto.randomUUID(), slug, name: slug, parentId: null, defaultMailServerId: null, fallbackMailServerId: null, mailService: 'builtin', builtinDelivery: null, fallbackToBuiltin: false, createdAt: daysAgo(400) };
}

for (const backend of BACKENDS) {
  describe(`history retention (${backend})`, () => {
    let tdb: TestDatabase;
    let db: OpenDatabase;
    let store: Store;
    let a: Company;
    let b: Company;

    before(async () => {
      tdb = await createTestDatabase(backend);
      db = openDatabase({ dataDir: tdb.dataDir, databaseUrl: tdb.databaseUrl });
      await runMigrations(db.db, db.capabilities);
      store = createKyselyStore(db.db, db.capabilities);
      a = company('a');
      b = company('b');
      await store.companies.insert(a);
      await store.companies.insert(b);
    });
    after(async () => {
      await db.close();
      await tdb.drop();
    });

    /** A message of `companyId` with status `status`, last changed `age` days ago, one recipient and one attempt. */
    async function addMessage(companyId: string, status: MessageStatus, age: number): Promise<string> {
      const id = crypto.randomUUID();
      const at = daysAgo(age);
      const message: OutboundMessage = {
        id, companyId, route: status === 'caught' ? 'catch' : 'direct', serverId: null, messageId: `<${id}@example.net>`, idempotencyKey: `key-${id}`, requestHash: 'h',
        mailFrom: 'a@example.net', fromAddress: 'a@example.net', subject: `${status} ${age}d`, raw: 'Subject: x\r\n\r\nbody\r\n', sizeBytes: 20,
        status, attemptCount: 1, lastCode: null, lastMessage: null, possiblyDelivered: false, giveUpAt: daysAgo(age - 4),
        createdAt: at, updatedAt: at, sentAt: status === 'sent' ? at : null, caughtAt: status === 'caught' ? at : null, releasedAt: null,
      };
      await store.messages.insert(message, [{ messageId: id, address: 'to@x.example', kind: 'to', status: 'pending', replyCode: null, enhanced: null, replyText: null, updatedAt: at }]);
      await store.messages.insertAttempt({
        id: crypto.randomUUID(), messageId: id, companyId, serverId: null, startedAt: at, finishedAt: at, outcome: 'temporary', code: 'TEMPORARY_FAILURE',
        message: 'later', hint: null, replyCode: 451, enhanced: '4.3.0', replyText: 'try later', tls: null, recipients: ['to@x.example'],
      });
      return id;
    }

    async function addWebhookDelivery(companyId: string, status: WebhookDeliveryStatus, age: number): Promise<string> {
      const id = crypto.randomUUID();
      const at = daysAgo(age);
      await store.webhookDeliveries.insert({
        id, companyId, eventId: crypto.randomUUID(), eventType: 'message.sent', messageId: null, payload: '{}', status, attemptCount: 1,
        lastStatusCode: 500, lastError: null, lastDurationMs: 5, nextAttemptAt: null, giveUpAt: at, redeliveryOf: null, createdAt: at, updatedAt: at, deliveredAt: null,
      });
      await store.webhookDeliveries.insertAttempt({ id: crypto.randomUUID(), deliveryId: id, companyId, url: 'https://hooks.example/x', startedAt: at, durationMs: 5, statusCode: 500, outcome: 'http-error', error: null });
      return id;
    }

    const exists = async (id: string) => (await store.messages.get(id)) !== undefined;

    it('deletes finished history older than the retention with its recipients and attempts, and nothing else', async () => {
      const old = {
        sent: await addMessage(a.id, 'sent', 100),
        failed: await addMessage(b.id, 'failed', 91),
        caught: await addMessage(a.id, 'caught', 200),
      };
      const kept = {
        recentSent: await addMessage(a.id, 'sent', 89),
        oldQueued: await addMessage(a.id, 'queued', 300),
        oldRetrying: await addMessage(b.id, 'retrying', 120),
        oldHeld: await addMessage(a.id, 'held', 120),
        oldSending: await addMessage(b.id, 'sending', 120),
      };
      const oldHooks = [await addWebhookDelivery(a.id, 'delivered', 95), await addWebhookDelivery(b.id, 'failed', 95)];
      const keptHooks = [await addWebhookDelivery(a.id, 'retrying', 95), await addWebhookDelivery(a.id, 'pending', 95), await addWebhookDelivery(b.id, 'delivered', 10)];

      const outcome = await pruneHistory({ pruner: createHistoryPruner(db.db), clock: { now: () => NOW } }, 90);
      assert.deepEqual(outcome, { messages: 3, webhookDeliveries: 2, before: daysAgo(90) });

      for (const id of Object.values(old)) {
        assert.equal(await exists(id), false, `${id} deleted`);
        assert.deepEqual(await store.messages.recipients(id), [], 'its recipients went with it');
        assert.deepEqual(await store.messages.attempts(id), [], 'its attempts went with it');
      }
      for (const [name, id] of Object.entries(kept)) {
        assert.equal(await exists(id), true, `${name} kept`);
        assert.equal((await store.messages.recipients(id)).length, 1, `${name}'s recipients kept`);
        assert.equal((await store.messages.attempts(id)).length, 1, `${name}'s attempts kept`);
      }
      for (const id of oldHooks) assert.equal(await store.webhookDeliveries.get(id), undefined);
      assert.deepEqual(await store.webhookDeliveries.attempts(oldHooks), []);
      for (const id of keptHooks) assert.notEqual(await store.webhookDeliveries.get(id), undefined);
      assert.equal((await store.webhookDeliveries.attempts(keptHooks)).length, 3);

      // A second pass finds nothing; 0 days keeps everything.
      assert.deepEqual(await pruneHistory({ pruner: createHistoryPruner(db.db), clock: { now: () => NOW } }, 90), { messages: 0, webhookDeliveries: 0, before: daysAgo(90) });
      assert.equal((await pruneHistory({ pruner: createHistoryPruner(db.db), clock: { now: () => new Date('2030-01-01T00:00:00Z') } }, 0)).messages, 0);
      assert.equal(await exists(kept.recentSent), true);
    });

    it('a batch deletes at most its limit, across companies, and the pass loops until done', async () => {
      const ids = [
        await addMessage(a.id, 'sent', 150), await addMessage(a.id, 'sent', 151),
        await addMessage(b.id, 'failed', 152), await addMessage(b.id, 'sent', 153),
      ];
      const pruner = createHistoryPruner(db.db);
      assert.equal(await pruner.pruneMessages(daysAgo(90), 3), 3);
      assert.equal((await Promise.all(ids.map(exists))).filter(Boolean).length, 1, 'one left after a batch of 3');
      assert.equal(await pruner.pruneMessages(daysAgo(90), 3), 1);
      assert.equal((await Promise.all(ids.map(exists))).filter(Boolean).length, 0);
    });

    it('leaves an old failed message that "Retry now" re-queued', async () => {
      const id = await addMessage(a.id, 'failed', 120);
      const message = (await store.messages.get(id))!;
      // "Retry now" re-queues it: the same age, but no longer finished.
      await store.messages.update({ ...message, status: 'queued' });
      assert.equal(await createHistoryPruner(db.db).pruneMessages(daysAgo(90), 10), 0);
      assert.equal(await exists(id), true);
      assert.equal((await store.messages.recipients(id)).length, 1);
    });
  });
}
