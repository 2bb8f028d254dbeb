// End to end: a message submitted through the API, sent by the delivery worker to a scripted SMTP
// sink, and its outcome reported to the company's webhook receiver — signed, with the payload the
// docs promise. Also the egress rule with the instance's defaults (no allowed networks).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { ManualClock, startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { startScriptedSink, type ScriptedSink } from '../delivery/support/scripted-sink.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const PASSWORD = 'Sink-Password-5150';
const HOUR_MS = 3_600_000;

describe('delivery-status webhooks, end to end', () => {
  const clock = new ManualClock();
  let t: TestApp;
  let api: ApiClient;
  let sink: ScriptedSink;
  let receiver: WebhookReceiver;
  let serverId: string;
  let companyId: string;

  before(async () => {
    sink = await startScriptedSink({ password: PASSWORD });
    receiver = await startWebhookReceiver({ nowSeconds: () => Math.floor(clock.now().getTime() / 1000) });
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' }, clock });
    const admin = await setupRoot(t.url);
    companyId = (await admin.get('/session')).body.company.id;
    api = ApiClient.withApiKey(t.url, (await admin.post('/api-keys', { name: 'host app' })).body.key);
    const created = await api.post('/mail-servers', serverInput({ host: '127.0.0.1', port: sink.port, security: 'none', password: PASSWORD, fromAddress: 'noreply@acme.example' }));
    assert.equal(created.status, 201, created.text);
    serverId = created.body.id;
    await useCustomServer(t, serverId);
    const hook = await api.put('/webhook', { url: `${receiver.url}/events` });
    assert.equal(hook.status, 201, hook.text);
    receiver.secret = hook.body.secret;
  });
  after(async () => {
    await t.close();
    await sink.close();
    await receiver.close();
  });
  beforeEach(() => {
    sink.script = { password: PASSWORD };
    receiver.received.length = 0;
  });

  const send = async (to = ['ann@customer.example']) => {
    const res = await api.post('/messages', { to, subject: 'Invoice', text: 'Hello' });
    assert.equal(res.status, 202, res.text);
    return res.body.id as string;
  };
  /** Runs the delivery worker, then the webhook worker; returns the events the receiver got. */
  const deliverAll = async () => {
    await t.app.worker.runUntilIdle();
    await t.app.webhookWorker.runUntilIdle();
    return receiver.received;
  };

  it('tells the receiver a message was sent', async () => {
    const id = await send(['ann@customer.example', 'bob@customer.example']);
    const events = await deliverAll();
    assert.equal(events.length, 1);
    const event = events[0]!;
    assert.equal(event.verified, true);
    assert.equal(event.headers['mailroom-event-type'], 'message.sent');
    const message = (await api.get(`/messages/${id}`)).body;
    assert.deepEqual(Object.keys(event.json).sort(), ['companyId', 'createdAt', 'data', 'id', 'type']);
    assert.equal(event.json.type, 'message.sent');
    assert.equal(event.json.companyId, companyId);
    assert.equal(event.headers['mailroom-event-id'], event.json.id);
    assert.deepEqual(event.json.data, {
      messageId: id, messageIdHeader: message.messageId, status: 'sent', lastCode: null, lastMessage: null,
      recipients: [
        { address: 'ann@customer.example', status: 'sent', replyCode: 250 },
        { address: 'bob@customer.example', status: 'sent', replyCode: 250 },
      ].sort((a, b) => a.address.localeCompare(b.address)),
      serverId,
    });
    const history = (await api.get('/webhook/deliveries')).body.items;
    assert.equal(history[0].messageId, id);
    assert.equal(history[0].eventType, 'message.sent');
    assert.equal(history[0].status, 'delivered');
  });

  it('says nothing while a message is retrying (unless chosen), and reports it sent once it is', async () => {
    let calls = 0;
    sink.script.rcpt = () => (++calls === 1 ? { code: 451, message: '4.3.0 Try later' } : null);
    const id = await send();
    assert.equal((await deliverAll()).length, 0, 'retrying is not an event by default');
    clock.advance(HOUR_MS);
    const events = await deliverAll();
    assert.deepEqual(events.map((e) => [e.json.type, e.json.data.messageId]), [['message.sent', id]]);
  });

  it('reports retrying when the endpoint chose it', async () => {
    assert.equal((await api.put('/webhook', { events: ['message.sent', 'message.failed', 'message.held', 'message.retrying'] })).status, 200);
    let calls = 0;
    sink.script.rcpt = () => (++calls === 1 ? { code: 452, message: '4.2.2 Mailbox full' } : null);
    const id = await send();
    let events = await deliverAll();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.json.type, 'message.retrying');
    assert.equal(events[0]!.json.data.status, 'retrying');
    assert.equal(typeof events[0]!.json.data.lastCode, 'string');
    assert.equal(events[0]!.json.data.recipients[0].status, 'pending');
    clock.advance(HOUR_MS);
    events = await deliverAll();
    assert.deepEqual(events.map((e) => [e.json.type, e.json.data.messageId]), [['message.retrying', id], ['message.sent', id]]);
    assert.equal((await api.put('/webhook', { events: ['message.sent', 'message.failed', 'message.held'] })).status, 200);
  });

  it('reports a message refused for good as failed, with each recipient\'s reply', async () => {
    sink.script.data = () => ({ code: 550, message: '5.7.1 Message rejected as spam' });
    const id = await send();
    const [event] = await deliverAll();
    assert.equal(event!.json.type, 'message.failed');
    assert.equal(event!.json.data.messageId, id);
    assert.equal(event!.json.data.status, 'failed');
    assert.equal(event!.json.data.lastCode, 'MESSAGE_REJECTED');
    assert.deepEqual(event!.json.data.recipients, [{ address: 'ann@customer.example', status: 'failed', replyCode: 550 }]);
    assert.equal(event!.verified, true);
  });

  it('sends no event while the endpoint is disabled, nor events it did not choose', async () => {
    assert.equal((await api.put('/webhook', { enabled: false })).status, 200);
    await send();
    assert.equal((await deliverAll()).length, 0);
    assert.equal((await api.put('/webhook', { enabled: true, events: ['message.failed'] })).status, 200);
    await send();
    assert.equal((await deliverAll()).length, 0, 'message.sent was not chosen');
    assert.equal((await api.put('/webhook', { events: ['message.sent', 'message.failed', 'message.held'] })).status, 200);
  });

  it('reports a message held by a configuration error, then sent once the server is fixed', async () => {
    sink.script.password = 'rotated-by-it-dept-2';
    // Saving the server drops its pooled connections, so the next one signs in (and is refused).
    assert.equal((await api.patch(`/mail-servers/${serverId}`, { fromName: 'Example Billing' })).status, 200);
    const id = await send();
    let events = await deliverAll();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.json.type, 'message.held');
    assert.equal(events[0]!.json.data.lastCode, 'AUTH_FAILED');
    assert.equal(events[0]!.json.data.status, 'held');
    assert.equal((await api.patch(`/mail-servers/${serverId}`, { password: 'rotated-by-it-dept-2' })).status, 200);
    events = await deliverAll();
    assert.deepEqual(events.map((e) => [e.json.type, e.json.data.messageId]), [['message.held', id], ['message.sent', id]]);
    assert.ok(events.every((e) => e.verified));
  });
});

describe('webhook egress with the instance defaults (no allowed networks)', () => {
  let t: TestApp;
  let api: ApiClient;
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestApp();
    api = await setupRoot(t.url);
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  it('refuses loopback addresses and names that resolve to them', async () => {
    for (const url of [`http://127.0.0.1:${receiver.port}/hook`, `https://127.0.0.1:${receiver.port}/hook`, `http://localhost:${receiver.port}/hook`, `https://[::1]:${receiver.port}/hook`, 'http://0.0.0.0/hook']) {
      const res = await api.put('/webhook', { url });
      assert.equal(res.status, 400, `${url} → ${res.text}`);
      assert.equal(res.body.error.fields[0].field, 'url');
      assert.equal(res.body.error.fields[0].rule, 'host_blocked', url);
    }
    assert.equal((await api.get('/webhook')).status, 404);
    assert.equal(receiver.received.length, 0);
  });
});
