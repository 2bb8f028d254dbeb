// The shared rate gate on SQLite and PostgreSQL, asked by two independent database handles (two
// worker processes): together they get exactly the configured rate, never a slot twice. The clock
// is passed in, so the expected counts are exact.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { runMigrations } from '../../src/adapters/migrations/run-migrations.ts';
import { createKyselyStore } from '../../src/adapters/store/kysely-store.ts';
import { createSharedRateGate } from '../../src/adapters/store/shared-rate-gate-store.ts';
import type { SharedRateGate } from '../../src/core/outbound/shared-rate-gate.ts';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases.ts';

const T = '2026-01-01T00:00:00.000Z';
const T0 = Date.parse('2026-12-01T00:00:00.000Z');

for (const backend of BACKENDS) {
  describe(`shared rate gate (${backend})`, () => {
    let tdb: TestDatabase;
    let one: OpenDatabase;
    let two: OpenDatabase;
    let gates: [SharedRateGate, SharedRateGate];
    const servers: string[] = [];

    before(async () => {
      tdb = await createTestDatabase(backend);
      one = openDatabase({ dataDir: tdb.dataDir, databaseUrl: tdb.databaseUrl });
      await runMigrations(one.db, one.capabilities);
      two = openDatabase({ dataDir: tdb.dataDir, databaseUrl: tdb.databaseUrl });
      gates = [createSharedRateGate(one.db), createSharedRateGate(two.db)];
      const store = createKyselyStore(one.db, one.capabilities);
      const companyId = crypto.randomUUID();
      await store.companies.insert({ id: companyId, slug: 'c', name: 'C', parentId: null, defaultMailServerId: null, fallbackMailServerId: null, mailService: 'custom', builtinDelivery: null, fallbackToBuiltin: false, createdAt: T });
      for (let i = 0; i < 3; i++) {
        const id = crypto.randomUUID();
        servers.push(id);
        await store.mailServers.insert({
          id, companyId, name: `S${i}`, preset: 'custom', host: 'smtp.example.net', port: 587, security: 'starttls',
          authEnabled: false, authMechanism: 'plain', username: null, passwordSealed: null, passwordRef: null,
          fromAddress: 'a@example.net', fromName: null, replyTo: null, errorTo: null, cc: [], bcc: [], customHeaders: [],
          hasRelay: false, allowInvalidCert: false, status: 'active', maxConnections: 5, rateLimitCount: 10, rateLimitPeriod: 'second',
          sharedWith: [], createdBy: 'test', createdAt: T, updatedAt: T, version: 1,
        });
      }
    });
    after(async () => {
      await two?.close();
      await one?.close();
      await tdb.drop();
    });

    /** Both handles ask `perHandle` times each, concurrently, at `nowMs`; how many were granted. */
    async function askBoth(serverId: string, nowMs: number, perHandle: number, burst: number): Promise<{ granted: number; waits: number[] }> {
      const asks = gates.flatMap((gate) => Array.from({ length: perHandle }, () => gate.take({ serverId, intervalMs: 100, burst, nowMs })));
      const results = await Promise.all(asks);
      return { granted: results.filter((w) => w === 0).length, waits: results.filter((w) => w > 0) };
    }

    it('two processes together get the burst, then one message per interval, never more', async () => {
      const server = servers[0]!;
      // 10 per second = one per 100 ms, burst 3: at the start, three of the twenty asks go.
      let r = await askBoth(server, T0, 10, 3);
      assert.equal(r.granted, 3);
      assert.ok(r.waits.every((w) => w > 0 && w <= 100), `the refused wait at most one interval: ${r.waits.join(',')}`);
      // 50 ms later nothing is free yet; 100 ms later exactly one.
      assert.equal((await askBoth(server, T0 + 50, 5, 3)).granted, 0);
      assert.equal((await askBoth(server, T0 + 100, 5, 3)).granted, 1);
      // Over the next second, asked every 10 ms by both: ten more, one per interval.
      let total = 0;
      for (let t = T0 + 110; t <= T0 + 1100; t += 10) total += (await askBoth(server, t, 2, 3)).granted;
      assert.equal(total, 10);
      // After a quiet spell the burst is back, and no more than it.
      r = await askBoth(server, T0 + 60_000, 10, 3);
      assert.equal(r.granted, 3);
    });

    it('a refused ask says how long until the next slot', async () => {
      const server = servers[1]!;
      assert.equal(await gates[0].take({ serverId: server, intervalMs: 250, burst: 1, nowMs: T0 }), 0);
      assert.equal(await gates[1].take({ serverId: server, intervalMs: 250, burst: 1, nowMs: T0 + 40 }), 210);
      assert.equal(await gates[1].take({ serverId: server, intervalMs: 250, burst: 1, nowMs: T0 + 250 }), 0);
    });

    it('a raised limit applies at once, not after the old interval', async () => {
      const server = servers[1]!;
      const start = T0 + 600_000;
      // One a minute: the next slot is a minute away.
      assert.equal(await gates[0].take({ serverId: server, intervalMs: 60_000, burst: 1, nowMs: start }), 0);
      assert.ok(await gates[1].take({ serverId: server, intervalMs: 60_000, burst: 1, nowMs: start + 10 }) > 50_000);
      // Now ten a second: at most one new interval to wait, then one per 100 ms.
      assert.equal(await gates[1].take({ serverId: server, intervalMs: 100, burst: 1, nowMs: start + 20 }), 100);
      assert.equal(await gates[0].take({ serverId: server, intervalMs: 100, burst: 1, nowMs: start + 120 }), 0);
      assert.equal(await gates[1].take({ serverId: server, intervalMs: 100, burst: 1, nowMs: start + 220 }), 0);
    });

    it('servers have separate gates, and a deleted server\'s gate goes with it', async () => {
      const [a, b] = [servers[0]!, servers[2]!];
      assert.equal(await gates[0].take({ serverId: b, intervalMs: 1000, burst: 1, nowMs: T0 + 120_000 }), 0);
      assert.equal(await gates[0].take({ serverId: a, intervalMs: 1000, burst: 1, nowMs: T0 + 120_000 }), 0, 'a\'s slot is not b\'s');
      assert.ok(await gates[1].take({ serverId: b, intervalMs: 1000, burst: 1, nowMs: T0 + 120_000 }) > 0);
      await one.db.deleteFrom('mail_servers').where('id', '=', b).execute();
      assert.equal((await one.db.selectFrom('server_rate_gate').select('server_id').where('server_id', '=', b).execute()).length, 0);
      assert.equal(await gates[1].take({ serverId: b, intervalMs: 1000, burst: 1, nowMs: T0 + 120_000 }), 0, 'nothing to wait for');
    });
  });
}
