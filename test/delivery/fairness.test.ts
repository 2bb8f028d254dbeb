// One tenant's dead server never starves another (SECURITY.md delivery promise 4): company A's
// server accepts connections and never answers; company B's mail still goes out promptly.
import assert from 'node:assert/strict';
import net, { type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { startScriptedSink, type ScriptedSink } from './support/scripted-sink.ts';

describe('fairness between companies', () => {
  let t: TestApp;
  let healthy: ScriptedSink;
  let stalled: net.Server;
  const sockets: Socket[] = [];

  before(async () => {
    healthy = await startScriptedSink();
    // Accepts the TCP connection and then says nothing, ever: a hung server.
    stalled = net.createServer((s) => { sockets.push(s); s.on('error', () => {}); });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' }, worker: { maxInFlight: 20, idlePollMs: 20 } });
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    stalled.close();
    await t.app.worker.stop(1_000);
    await t.close();
    await healthy.close();
  });

  it('sends company B\'s mail while company A\'s server hangs', async () => {
    const root = await setupRoot(t.url);
    const clientFor = async (slug: string, port: number) => {
      const company = (await root.post('/companies', { name: slug, slug })).body;
      root.company = company.id;
      const server = await root.post('/mail-servers', serverInput({ host: '127.0.0.1', port, security: 'none', authEnabled: false, password: null, username: null, maxConnections: 3 }));
      assert.equal(server.status, 201, server.text);
      await useCustomServer(t, server.body.id);
      const key = (await root.post('/api-keys', { name: 'host' })).body.key;
      root.company = null;
      return ApiClient.withApiKey(t.url, key);
    };
    const a = await clientFor('tenant-a', (stalled.address() as AddressInfo).port);
    const b = await clientFor('tenant-b', healthy.port);
    const send = (client: ApiClient, n: number) => client.post('/messages/batch', { messages: Array.from({ length: n }, (_, i) => ({ to: [`u${i}@x.example`], subject: 's', text: 't' })) });
    assert.equal((await send(a, 60)).status, 202);
    t.app.startWorkers();
    // Let A's jobs be claimed first and fill what they can.
    await new Promise((r) => setTimeout(r, 300));
    const batchB = await send(b, 10);
    assert.equal(batchB.status, 202);
    const started = Date.now();
    while (healthy.received.length < 10 && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(healthy.received.length, 10, `company B got ${healthy.received.length}/10 while A's server hung`);
    const aMessages = (await a.get('/messages?status=sent')).body.items.length;
    assert.equal(aMessages, 0, 'nothing of A went out (its server never answered)');
  });
});
