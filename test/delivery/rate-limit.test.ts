// A mail server's configured rate holds for all worker processes together (the shared rate gate):
// two Mailroom instances on one PostgreSQL database send through a server limited to 4 messages a second.
// Each instance holds at most two messages at a time, so both take part; if each kept its own rate
// they would send about 8 a second together, and the 12 messages would arrive within a second.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { startScriptedSink, type ScriptedSink } from './support/scripted-sink.ts';

const MESSAGES = 12;
const RATE = 4; // per second; the burst is one second's worth

describe('rate limit across worker processes', () => {
  let one: TestApp;
  let two: TestApp;
  let sink: ScriptedSink;
  const arrivals: number[] = [];

  before(async () => {
    sink = await startScriptedSink({ data: () => { arrivals.push(Date.now()); return null; } });
    const env = { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' };
    // PostgreSQL, as scale-out runs: two SQLite connections in one process would wait on each
    // other's locks with the event loop blocked.
    one = await startTestApp({ backend: 'postgres', env, worker: { maxInFlight: 2, idlePollMs: 20 } });
    // The second instance: the first one's database and data folder (its sealing key).
    two = await startTestApp({ env: { ...env, MAILROOM_DATABASE_URL: one.db.databaseUrl! }, dataDir: one.db.dataDir, worker: { maxInFlight: 2, idlePollMs: 20 } });
  });
  after(async () => {
    await Promise.all([one.app.worker.stop(1_000), two.app.worker.stop(1_000)]);
    await two.close();
    await one.close();
    await sink.close();
  });

  it('sends no faster than the configured rate, however many workers send', async () => {
    const root = await setupRoot(one.url);
    const server = await root.post('/mail-servers', serverInput({
      host: '127.0.0.1', port: sink.port, security: 'none', authEnabled: false, password: null, username: null,
      maxConnections: 2, rateLimitCount: RATE, rateLimitPeriod: 'second',
    }));
    assert.equal(server.status, 201, server.text);
    await useCustomServer(one, server.body.id);
    const host = ApiClient.withApiKey(one.url, (await root.post('/api-keys', { name: 'host' })).body.key);
    const batch = await host.post('/messages/batch', { messages: Array.from({ length: MESSAGES }, (_, i) => ({ to: [`u${i}@x.example`], subject: `m${i}`, text: 't' })) });
    assert.equal(batch.status, 202, batch.text);

    one.app.startWorkers();
    two.app.startWorkers();
    const started = Date.now();
    while (sink.received.length < MESSAGES && Date.now() - started < 15_000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sink.received.length, MESSAGES, 'all delivered');
    assert.equal(new Set(sink.received.map((r) => r.raw.match(/^Subject: (.*)$/m)?.[1])).size, MESSAGES, 'each once');

    // A burst of RATE, then one every 1/RATE s: the last arrives (MESSAGES - RATE) / RATE s after
    // the first. Two per-process rates would take about a quarter of that.
    const span = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    const expected = (MESSAGES - RATE) / RATE;
    assert.ok(span >= expected * 0.8, `12 messages took ${span.toFixed(2)} s; at ${RATE}/s they need about ${expected} s`);
    // And within any one second, never more than the burst plus one second's rate.
    for (const t of arrivals) {
      const inWindow = arrivals.filter((a) => a >= t && a < t + 1000).length;
      assert.ok(inWindow <= RATE + RATE, `${inWindow} messages within one second`);
    }
  });
});
