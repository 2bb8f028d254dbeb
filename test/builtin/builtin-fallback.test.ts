// The built-in service as a company's fallback (issue 4: "where the company chose a fallback (the
// built-in service or another server), sent through the fallback, with the admin told"): while the
// company's own server is held by a configuration error, mail from senders the built-in service
// may use goes out by direct delivery; other mail waits for the fix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { ManualClock, startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';
import { startScriptedSink, type ScriptedSink } from '../delivery/support/scripted-sink.ts';

describe('the built-in service as the fallback of a held server', () => {
  let own: ScriptedSink;
  let mx: ScriptedSink;
  let dnsServer: DnsStandIn;
  let t: TestApp;
  let api: ApiClient;
  let serverId: string;
  const clock = new ManualClock();

  before(async () => {
    own = await startScriptedSink({ password: 'the-right-password' });
    mx = await startScriptedSink();
    dnsServer = await startDnsStandIn({ 'customer.example': { MX: [{ preference: 10, exchange: 'mx.customer.example' }] }, 'mx.customer.example': { A: ['127.0.0.1'] } });
    t = await startTestApp({
      clock,
      env: {
        MAILROOM_BUILTIN_DELIVERY: 'direct', MAILROOM_DNS_SERVERS: dnsServer.server, MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8',
        MAILROOM_DIRECT_PORT: String(mx.port), MAILROOM_BUILTIN_FROM: 'noreply@acme.example',
      },
    });
    const admin = await setupRoot(t.url);
    api = ApiClient.withApiKey(t.url, (await admin.post('/api-keys', { name: 'host app' })).body.key);
    // The password is wrong: the first attempt gets 535 and the server is held.
    const created = await api.post('/mail-servers', serverInput({ host: '127.0.0.1', port: own.port, security: 'none', password: 'a-wrong-password', fromAddress: 'noreply@acme.example' }));
    assert.equal(created.status, 201, created.text);
    serverId = created.body.id;
    await useCustomServer(t, serverId);
  });
  after(async () => {
    await t.close();
    await own.close();
    await mx.close();
    await dnsServer.close();
  });

  it('is off until the company turns it on', async () => {
    assert.equal((await api.get('/mail-service')).body.fallbackToBuiltin, false);
    const on = await api.put('/mail-service', { fallbackToBuiltin: true });
    assert.equal(on.status, 200, on.text);
    assert.equal(on.body.fallbackToBuiltin, true);
    assert.equal(on.body.service, 'custom', 'the company still sends through its own server');
  });

  it('sends mail from the built-in From by direct delivery while the server is held', async () => {
    const res = await api.post('/messages', { to: ['ann@customer.example'], subject: 'Invoice', text: 'Hello' });
    assert.equal(res.status, 202, res.text);
    await t.app.worker.runUntilIdle();
    const detail = (await api.get(`/messages/${res.body.id}`)).body;
    assert.equal(detail.status, 'sent', JSON.stringify(detail.attempts));
    assert.deepEqual(detail.attempts.map((a: { code: string; serverId: string | null }) => [a.code, a.serverId]), [['AUTH_FAILED', serverId], ['SENT', null]]);
    assert.equal(own.received.length, 0);
    assert.equal(mx.received.length, 1, 'delivered by the built-in service');
    const held = (await api.get(`/mail-servers/${serverId}`)).body;
    assert.match(JSON.stringify(held), /built-in service until this is fixed/, 'the admin is told on the server');
  });

  it('keeps mail from a From the built-in service may not use waiting for the fix', async () => {
    const res = await api.post('/messages', { from: 'sales@acme.example', to: ['bob@customer.example'], subject: 'Offer', text: 'Hi' });
    assert.equal(res.status, 202, res.text);
    await t.app.worker.runUntilIdle();
    const detail = (await api.get(`/messages/${res.body.id}`)).body;
    assert.equal(detail.status, 'held', JSON.stringify(detail));
    assert.equal(mx.received.length, 1, 'nothing more went out directly');
  });

  it('stops standing in once the company turns it off', async () => {
    assert.equal((await api.put('/mail-service', { fallbackToBuiltin: false })).status, 200);
    const res = await api.post('/messages', { to: ['cy@customer.example'], subject: 'Later', text: 'Hi' });
    await t.app.worker.runUntilIdle();
    assert.equal((await api.get(`/messages/${res.body.id}`)).body.status, 'held');
    assert.equal(mx.received.length, 1);
  });
});
