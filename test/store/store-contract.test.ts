// The Store port's contract, run on SQLite and PostgreSQL: the same migrations, the same code.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { MIGRATION_NAMES, pendingMigrations, runMigrations } from '../../src/adapters/migrations/run-migrations.ts';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.ts';
import type { Company, MailServer } from '../../src/core/model.ts';
import type { Store } from '../../src/core/ports.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases.ts';

const now = () => new Date().toISOString();

function company(slug: string, parentId: string | null = null): Company {
  return { id: crypto.randomUUID(), slug, name: slug.toUpperCase(), parentId, defaultMailServerId: null, fallbackMailServerId: null, mailService: 'builtin' as const, builtinDelivery: null, fallbackToBuiltin: false, createdAt: now() };
}

function server(companyId: string, extra: Partial<MailServer> = {}): MailServer {
  return {
    id: crypto.randomUUID(), companyId, name: 'S', preset: 'custom', host: 'smtp.example.net', port: 587, security: 'starttls',
    authEnabled: true, authMechanism: 'plain', username: 'u', passwordSealed: 'v1.x.y.z.w', passwordRef: null,
    fromAddress: 'a@example.net', fromName: null, replyTo: null, errorTo: null, cc: ['c@example.net'], bcc: [],
    customHeaders: [{ name: 'X-App', value: 'crm' }], hasRelay: false, allowInvalidCert: false, status: 'active',
    maxConnections: 5, rateLimitCount: null, rateLimitPeriod: null,
    sharedWith: [], createdBy: 'test', createdAt: now(), updatedAt: now(), version: 1, ...extra,
  };
}

for (const backend of BACKENDS) {
  describe(`store contract (${backend})`, () => {
    let tdb: TestDatabase;
    let db: OpenDatabase;
    let store: Store;
    before(async () => {
      tdb = await createTestDatabase(backend);
      db = openDatabase({ dataDir: tdb.dataDir, databaseUrl: tdb.databaseUrl });
    });
    after(async () => {
      await db.close();
      await tdb.drop();
    });

    it('applies migrations once, even when several processes start together', async () => {
      const child = path.join(import.meta.dirname, '..', 'support', 'migrate-child.ts');
      const outcomes = await Promise.all([0, 1, 2, 3].map(() => new Promise<{ applied: string[] }>((resolve, reject) => {
        execFile(process.execPath, [child, tdb.dataDir, tdb.databaseUrl ?? ''], { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(JSON.parse(stdout))));
      })));
      const applied = outcomes.flatMap((o) => o.applied).sort();
      assert.deepEqual(applied, [...MIGRATION_NAMES].sort(), 'each migration applied by exactly one process');
      assert.deepEqual(await pendingMigrations(db.db, db.capabilities), []);
      assert.deepEqual((await runMigrations(db.db, db.capabilities)).applied, []);
      store = createKyselyStore(db.db, db.capabilities);
    });

    it('stores companies with their parent and default server', async () => {
      const parent = company('parent');
      const child = company('child', parent.id);
      await store.companies.insert(parent);
      await store.companies.insert(child);
      assert.deepEqual(await store.companies.get(child.id), child);
      assert.deepEqual(await store.companies.getBySlug('parent'), parent);
      await store.companies.setDefaultMailServer(parent.id, 'srv-1');
      assert.equal((await store.companies.get(parent.id))!.defaultMailServerId, 'srv-1');
      await assert.rejects(store.companies.insert(company('parent')), 'slugs are unique');
    });

    it('round-trips a mail server with lists, booleans and shares', async () => {
      const [parent, child] = await store.companies.list();
      const sibling = company('sibling', parent!.id);
      await store.companies.insert(sibling);
      // Shares come back sorted, however many (get() folds them into one column).
      const s = server(parent!.id, { sharedWith: [child!.id, sibling.id].sort(), hasRelay: true });
      await store.mailServers.insert(s);
      assert.deepEqual(await store.mailServers.get(s.id), s);
      assert.deepEqual(await store.mailServers.get(s.id), (await store.mailServers.listVisibleTo(parent!.id)).find((x) => x.id === s.id));
      assert.deepEqual((await store.mailServers.listVisibleTo(child!.id)).map((x) => x.id), [s.id]);
      const changed = { ...s, sharedWith: [], port: 465, version: 2 };
      await store.mailServers.update(changed);
      assert.deepEqual(await store.mailServers.get(s.id), changed);
      assert.deepEqual(await store.mailServers.listVisibleTo(child!.id), []);
    });

    it('keeps versions newest first and lists every sealed value for rotation', async () => {
      const [parent] = await store.companies.list();
      const s = server(parent!.id);
      await store.mailServers.insert(s);
      const { passwordSealed, passwordRef, version, ...snapshot } = s;
      for (const v of [1, 2]) {
        await store.mailServers.addVersion({ serverId: s.id, version: v, snapshot, passwordSealed: `sealed-${v}`, passwordRef, change: v === 1 ? 'create' : 'update', changedBy: 't', changedAt: now() });
      }
      assert.deepEqual((await store.mailServers.listVersions(s.id)).map((v) => v.version), [2, 1]);
      assert.equal((await store.mailServers.getVersion(s.id, 1))!.passwordSealed, 'sealed-1');
      await store.mailServers.replaceSealed('mail_server_versions', `${s.id}:1`, 'resealed');
      assert.equal((await store.mailServers.getVersion(s.id, 1))!.passwordSealed, 'resealed');
      const sealed = await store.mailServers.listSealed();
      assert.ok(sealed.some((x) => x.table === 'mail_servers' && x.key === s.id));
      assert.ok(sealed.some((x) => x.table === 'mail_server_versions' && x.key === `${s.id}:2`));
      await store.mailServers.delete(s.id);
      assert.deepEqual(await store.mailServers.listVersions(s.id), [], 'versions go with their server');
    });

    it('rolls a transaction back whole when it fails', async () => {
      const before = await store.companies.count();
      await assert.rejects(store.transaction(async (tx) => {
        await tx.companies.insert(company('doomed'));
        // A nested transaction joins the outer one.
        await tx.transaction(async (inner) => inner.companies.insert(company('doomed-too')));
        throw new Error('boom');
      }), /boom/);
      assert.equal(await store.companies.count(), before);
      assert.equal(await store.companies.getBySlug('doomed'), undefined);
    });

    it('scopes secrets by company and upserts by name', async () => {
      const [a, b] = await store.companies.list();
      const base = { description: null, createdBy: 't', createdAt: now(), updatedAt: now() };
      await store.secrets.upsert({ ...base, id: crypto.randomUUID(), companyId: a!.id, name: 'relay', valueSealed: 'one' });
      await store.secrets.upsert({ ...base, id: crypto.randomUUID(), companyId: a!.id, name: 'relay', valueSealed: 'two' });
      assert.equal((await store.secrets.list(a!.id)).length, 1);
      assert.equal((await store.secrets.get(a!.id, 'relay'))!.valueSealed, 'two');
      assert.equal(await store.secrets.get(b!.id, 'relay'), undefined);
    });

    it('appends audit entries and lists them newest first per company', async () => {
      const [a, b] = await store.companies.list();
      for (const action of ['first', 'second']) {
        await store.audit.append({ id: crypto.randomUUID(), companyId: a!.id, actorType: 'user', actorId: null, actorLabel: 'x', action, targetType: 't', targetId: null, details: { n: 1 }, createdAt: now() });
      }
      assert.deepEqual((await store.audit.list({ companyIds: [a!.id], limit: 10 })).map((e) => e.action), ['second', 'first']);
      assert.deepEqual(await store.audit.list({ companyIds: [b!.id], limit: 10 }), []);
    });

    it('expires sessions and revokes API keys', async () => {
      const [a] = await store.companies.list();
      const userId = crypto.randomUUID();
      await store.users.insert({ id: userId, companyId: a!.id, email: 'U@Example.com', name: 'U', role: 'member', passwordHash: 'h', disabled: false, createdAt: now() });
      assert.equal((await store.users.getByEmail('u@example.com'))!.id, userId);
      await store.sessions.insert({ id: 's1', userId, csrfToken: 'c', createdAt: now(), expiresAt: '2000-01-01T00:00:00.000Z' });
      await store.sessions.deleteExpired(now());
      assert.equal(await store.sessions.get('s1'), undefined);
      const key = { id: crypto.randomUUID(), companyId: a!.id, name: 'k', prefix: 'mr_abc', keyHash: 'hash', createdBy: 't', createdAt: now(), lastUsedAt: null, revokedAt: null };
      await store.apiKeys.insert(key);
      const found = await store.apiKeys.getByHashWithCompany('hash');
      assert.deepEqual(found, { apiKey: key, company: a }, 'the key with its company, in one read');
      await store.apiKeys.revoke(key.id, now());
      assert.ok((await store.apiKeys.getByHashWithCompany('hash'))!.apiKey.revokedAt);
      assert.equal(await store.apiKeys.getByHashWithCompany('other'), undefined);
    });
  });
}

describe('PostgreSQL connection loss', () => {
  it('survives the server ending idle pooled connections, and reconnects', async () => {
    const tdb = await createTestDatabase('postgres');
    const errors: Error[] = [];
    const db = openDatabase({ dataDir: tdb.dataDir, databaseUrl: tdb.databaseUrl, onConnectionError: (e) => errors.push(e) });
    try {
      await runMigrations(db.db, db.capabilities);
      const store = createKyselyStore(db.db, db.capabilities);
      await Promise.all([store.companies.count(), store.companies.count(), store.companies.count()]);
      const name = new URL(tdb.databaseUrl!).pathname.slice(1);
      const admin = new pg.Client({ connectionString: process.env.MAILROOM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' });
      await admin.connect();
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      await admin.end();
      await new Promise((r) => setTimeout(r, 200)); // the terminated clients report their error
      assert.ok(errors.length > 0, 'the pool told us about the lost connections');
      assert.equal(await store.companies.count(), 0, 'and the next query works on a new connection');
    } finally {
      await db.close();
      await tdb.drop();
    }
  });
});
