// The delivery worker's store paths on SQLite and PostgreSQL: the multi-row writes of a group commit
// (messages, recipients, attempts, finished jobs), updates that never rewrite what was fixed at
// accept, and the reads a claim's messages share (Store.sharedReads) — shared within a scope, and
// never stale after a write through the store.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { runMigrations } from '../../src/adapters/migrations/run-migrations.ts';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.ts';
import type { Company, MailServer } from '../../src/core/model.ts';
import type { DeliveryAttempt, MessageRecipient, OutboundMessage } from '../../src/core/outbound/outbound-model.ts';
import type { Store } from '../../src/core/ports.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases.ts';

const T = '2026-01-01T00:00:00.000Z';

function company(slug: string): Company {
  return { id: crypto.randomUUID(), slug, name: slug, parentId: null, defaultMailServerId: null, fallbackMailServerId: null, mailService: 'custom', builtinDelivery: null, fallbackToBuiltin: false, createdAt: T };
}

function server(companyId: string, extra: Partial<MailServer> = {}): MailServer {
  return {
    id: crypto.randomUUID(), companyId, name: 'S', preset: 'custom', host: 'smtp.example.net', port: 587, security: 'starttls',
    authEnabled: false, authMechanism: 'plain', username: null, passwordSealed: null, passwordRef: null,
    fromAddress: 'a@example.net', fromName: null, replyTo: null, errorTo: null, cc: [], bcc: [], customHeaders: [],
    hasRelay: false, allowInvalidCert: false, status: 'active', maxConnections: 5, rateLimitCount: null, rateLimitPeriod: null,
    sharedWith: [], createdBy: 'test', createdAt: T, updatedAt: T, version: 1, ...extra,
  };
}

function message(companyId: string, serverId: string, n: number): { message: OutboundMessage; recipients: MessageRecipient[] } {
  const id = crypto.randomUUID();
  return {
    message: {
      id, companyId, route: 'server', serverId, messageId: `<${id}@example.net>`, idempotencyKey: null, requestHash: null,
      mailFrom: 'a@example.net', fromAddress: 'a@example.net', subject: `s${n}`, raw: `Subject: s${n}\r\n\r\nbody ${n}\r\n`, sizeBytes: 20,
      status: 'queued', attemptCount: 0, lastCode: null, lastMessage: null, possiblyDelivered: false, giveUpAt: '2026-01-05T00:00:00.000Z',
      createdAt: T, updatedAt: T, sentAt: null, caughtAt: null, releasedAt: null,
    },
    recipients: [`to${n}@x.example`, `cc${n}@x.example`].map((address, i) => ({
      messageId: id, address, kind: i === 0 ? 'to' as const : 'cc' as const, status: 'pending' as const, replyCode: null, enhanced: null, replyText: null, updatedAt: T,
    })),
  };
}

for (const backend of BACKENDS) {
  describe(`delivery store paths (${backend})`, () => {
    let tdb: TestDatabase;
    let db: OpenDatabase;
    let store: Store;
    /** Statements run through `store` (a Kysely plugin sees each one). */
    let statements = 0;
    let c: Company;
    let s: MailServer;
    before(async () => {
      tdb = await createTestDatabase(backend);
      db = openDatabase({ dataDir: tdb.dataDir, databaseUrl: tdb.databaseUrl });
      await runMigrations(db.db, db.capabilities);
      const counter: KyselyPlugin = {
        // Counted as each statement's result comes back: every statement run, whether Kysely
        // built it or the store ran SQL text it keeps (message-store.ts), passes here once.
        transformQuery: (args) => args.node,
        transformResult: async (args) => { statements++; return args.result; },
      };
      store = createKyselyStore(db.db.withPlugin(counter), db.capabilities);
      c = company('acme');
      s = server(c.id);
      await store.companies.insert(c);
      await store.mailServers.insert(s);
    });
    after(async () => {
      await db.close();
      await tdb.drop();
    });

    it('writes a group commit\'s outcomes with multi-row statements, and never rewrites what was fixed at accept', async () => {
      const items = [0, 1, 2].map((n) => message(c.id, s.id, n));
      await store.messages.insertMany(items);
      assert.deepEqual((await store.messages.recipientsOf(items.map((i) => i.message.id))).get(items[1]!.message.id)?.map((r) => r.address).sort(), ['cc1@x.example', 'to1@x.example']);

      const at = '2026-01-01T00:01:00.000Z';
      const next = items.map(({ message: m }, n) => ({
        ...m, status: n === 2 ? 'retrying' as const : 'sent' as const, attemptCount: 1, updatedAt: at, sentAt: n === 2 ? null : at,
        lastCode: n === 2 ? 'TEMPORARY_FAILURE' : null, possiblyDelivered: n === 1,
        raw: 'must not be written', subject: 'must not be written either',
      }));
      const attempts: DeliveryAttempt[] = items.map(({ message: m }) => ({
        id: crypto.randomUUID(), messageId: m.id, companyId: c.id, serverId: s.id, startedAt: T, finishedAt: at, outcome: 'sent', code: 'SENT',
        message: null, hint: null, replyCode: 250, enhanced: '2.0.0', replyText: `250 ok ${m.id}`, tls: null, recipients: ['x'],
      }));
      const recipients = items.slice(0, 2).flatMap(({ recipients: rs }, n) => rs.map((r) => ({ ...r, status: 'sent' as const, replyCode: 250, enhanced: '2.0.0', replyText: `queued ${n}`, updatedAt: at })));
      await store.transaction(async (tx) => {
        statements = 0;
        await tx.messages.insertAttempts(attempts);
        await tx.messages.updateRecipients(recipients);
        await tx.messages.updateMany(next);
        assert.equal(statements, 3, 'one statement each for all three messages');
      });

      for (const [n, { message: m }] of items.entries()) {
        const stored = (await store.messages.get(m.id))!;
        assert.equal(stored.raw, m.raw, 'raw stays as accepted');
        assert.equal(stored.subject, m.subject);
        assert.equal(stored.status, next[n]!.status);
        assert.equal(stored.attemptCount, 1);
        assert.equal(stored.possiblyDelivered, n === 1);
        assert.equal(stored.sentAt, next[n]!.sentAt);
        assert.equal(stored.lastCode, next[n]!.lastCode);
        assert.equal((await store.messages.attempts(m.id)).length, 1);
        const rs = await store.messages.recipients(m.id);
        assert.deepEqual(rs.map((r) => [r.status, r.replyCode, r.replyText]), n === 2
          ? [['pending', null, null], ['pending', null, null]]
          : [['sent', 250, `queued ${n}`], ['sent', 250, `queued ${n}`]]);
      }
      // A single update too keeps the rendered message.
      await store.messages.update({ ...next[0]!, status: 'failed', raw: 'nope' });
      assert.equal((await store.messages.get(items[0]!.message.id))!.raw, items[0]!.message.raw);
    });

    it('inserts many messages with their recipients as given, a column left undefined taking its default', async () => {
      const items = [0, 1, 2, 3].map((n) => message(c.id, s.id, 100 + n));
      // A message made without a route (as before the built-in service existed): the column's default.
      const { route, ...withoutRoute } = items[3]!.message;
      void route;
      items[3] = { ...items[3]!, message: withoutRoute as OutboundMessage };
      items[1]!.message.possiblyDelivered = true;
      items[2]!.message.idempotencyKey = 'key-2';
      await store.messages.insertMany(items.slice(0, 3));
      await store.messages.insertMany(items.slice(3));
      for (const { message: m, recipients } of items) {
        const stored = (await store.messages.get(m.id))!;
        assert.deepEqual(stored, { ...m, route: 'server' }, 'every column as given');
        assert.deepEqual((await store.messages.recipients(m.id)).sort((a, b) => a.address.localeCompare(b.address)), [...recipients].sort((a, b) => a.address.localeCompare(b.address)));
      }
      assert.equal((await store.messages.getByIdempotencyKey(c.id, 'key-2'))?.id, items[2]!.message.id);
    });

    it('completes several jobs at once, only those this worker still leases', async () => {
      const jobs = [0, 1, 2].map(() => ({ id: crypto.randomUUID(), kind: 'send-message', companyId: c.id, partitionKey: s.id, payload: {}, runAt: T }));
      await store.queue.enqueue(jobs);
      const claimed = await store.queue.claim({ kinds: ['send-message'], limit: 2, owner: 'w1', now: T, leaseUntil: '2026-01-01T01:00:00.000Z' });
      assert.equal(claimed.length, 2);
      const unclaimed = jobs.find((j) => !claimed.some((x) => x.id === j.id))!;
      assert.equal(await store.queue.completeMany([...claimed.map((j) => j.id), unclaimed.id], 'w2'), 0, 'not w2\'s');
      assert.equal(await store.queue.completeMany([...claimed.map((j) => j.id), unclaimed.id], 'w1'), 2, 'the unclaimed one stays');
      assert.deepEqual((await store.queue.counts()).filter((x) => x.kind === 'send-message').map((x) => [x.status, x.count]), [['ready', 1]]);
      await db.db.deleteFrom('jobs').execute();
    });

    it('shares reads of a server, its company, its delivery state and the webhook endpoint within a scope', async () => {
      const inScope = store.sharedReads!([]);
      await inScope(async () => {
        statements = 0;
        const [a, b] = await Promise.all([store.mailServers.get(s.id), store.mailServers.get(s.id)]);
        assert.equal(a, b, 'one read, one object');
        await store.companies.get(c.id);
        await store.companies.get(c.id);
        await store.serverDelivery.get(s.id);
        await store.serverDelivery.get(s.id);
        await store.webhookEndpoints.get(c.id);
        await store.transaction((tx) => tx.webhookEndpoints.get(c.id));
        assert.equal(statements, 1 + 1 + 1 + 1, 'server (with its shares, one statement), company, delivery state, endpoint: once each, in a transaction too');
      });
      statements = 0;
      await store.companies.get(c.id);
      await store.companies.get(c.id);
      assert.equal(statements, 2, 'outside a scope every read goes to the database');
    });

    it('sees a write through the store at once, inside a scope too', async () => {
      await store.sharedReads!([])(async () => {
        assert.equal((await store.mailServers.get(s.id))!.maxConnections, 5);
        await store.mailServers.update({ ...s, maxConnections: 7 });
        assert.equal((await store.mailServers.get(s.id))!.maxConnections, 7, 'after a plain write');

        assert.equal(await store.serverDelivery.get(s.id), undefined);
        await store.transaction(async (tx) => {
          assert.equal(await tx.serverDelivery.get(s.id), undefined);
          await tx.serverDelivery.put({ serverId: s.id, companyId: c.id, state: 'held', code: 'AUTH_FAILED', message: 'm', since: T });
          assert.equal((await tx.serverDelivery.get(s.id))?.state, 'held', 'the transaction reads its own write');
        });
        assert.equal((await store.serverDelivery.get(s.id))?.state, 'held', 'after the transaction');

        await assert.rejects(store.transaction(async (tx) => {
          await tx.serverDelivery.put({ serverId: s.id, companyId: c.id, state: 'healthy', code: null, message: null, since: T });
          throw new Error('rolled back');
        }));
        assert.equal((await store.serverDelivery.get(s.id))?.state, 'held', 'a rolled-back write is not seen');
      });
    });

    it('marks claimed messages sending and returns them as they were', async () => {
      const items = [0, 1].map((n) => message(c.id, s.id, 20 + n));
      await store.messages.insertMany(items);
      await store.messages.update({ ...items[1]!.message, status: 'sent' });
      const before = await store.transaction((tx) => tx.messages.getManyAndMarkSending(items.map((i) => i.message.id), '2026-01-01T00:03:00.000Z'));
      assert.deepEqual(before.map((m) => [m.subject, m.status]).sort(), [['s20', 'queued'], ['s21', 'sent']]);
      assert.equal((await store.messages.get(items[0]!.message.id))!.status, 'sending');
      assert.equal((await store.messages.get(items[1]!.message.id))!.status, 'sent', 'a finished message stays finished');
    });

    it('loads the recipients of a claim\'s messages in one query, each served once, never stale', async () => {
      const items = [0, 1, 2].map((n) => message(c.id, s.id, 10 + n));
      await store.messages.insertMany(items);
      const [a, b, d] = items.map((i) => i.message.id) as [string, string, string];
      statements = 0;
      await store.sharedReads!([a, b, d])(async () => {
        assert.deepEqual((await store.messages.recipients(a)).map((r) => r.address).sort(), ['cc10@x.example', 'to10@x.example']);
        assert.deepEqual((await store.messages.recipients(b)).map((r) => r.address).sort(), ['cc11@x.example', 'to11@x.example']);
        assert.equal(statements, 1, 'one query for all three, as the scope opened');
        const changed = items[2]!.recipients.map((r) => ({ ...r, status: 'failed' as const, replyText: 'gone', updatedAt: '2026-01-01T00:02:00.000Z' }));
        await store.transaction((tx) => tx.messages.updateRecipients(changed));
        assert.deepEqual((await store.messages.recipients(d)).map((r) => r.status), ['failed', 'failed'], 'the write is seen');
        statements = 0;
        await store.messages.recipients(a);
        assert.equal(statements, 1, 'served once: the second read goes to the database');
      });
    });
  });
}
