// Fault injection through the whole path: API → queue → worker → SMTP transport → a scripted
// smtp-server on loopback. The worker runs step by step (runUntilIdle) and a manual clock jumps
// over retry delays, so nothing waits in real time.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { ManualClock, startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { startScriptedSink, type ScriptedSink } from './support/scripted-sink.ts';

const PASSWORD = 'Sink-Password-8812';
const HOUR_MS = 3_600_000;

describe('delivery under faults', () => {
  let t: TestApp;
  let api: ApiClient;
  let sink: ScriptedSink;
  let serverId: string;
  const clock = new ManualClock();

  before(async () => {
    sink = await startScriptedSink({ password: PASSWORD });
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' }, clock });
    // An API key, like the host application: the manual clock jumps days ahead, past any session.
    const admin = await setupRoot(t.url);
    api = ApiClient.withApiKey(t.url, (await admin.post('/api-keys', { name: 'host app' })).body.key);
    const created = await api.post('/mail-servers', serverInput({ host: '127.0.0.1', port: sink.port, security: 'none', password: PASSWORD, fromAddress: 'noreply@acme.example' }));
    assert.equal(created.status, 201, created.text);
    serverId = created.body.id;
    await useCustomServer(t, serverId);
  });
  after(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(() => {
    sink.script = { password: PASSWORD };
    sink.received.length = 0;
  });
  /** Answers `reply` to the first call only. */
  const firstOnly = <T>(reply: T) => {
    let calls = 0;
    return () => (++calls === 1 ? reply : null);
  };

  const send = async (extra: Record<string, unknown> = {}) => {
    const res = await api.post('/messages', { to: ['ann@customer.example'], subject: 'Invoice', text: 'Hello', ...extra });
    assert.equal(res.status, 202, res.text);
    return res.body.id as string;
  };
  const detail = async (id: string) => (await api.get(`/messages/${id}`)).body;
  const runWorker = () => t.app.worker.runUntilIdle();

  it('delivers the stored message byte for byte, once', async () => {
    const id = await send();
    assert.equal(await runWorker(), 1);
    const m = await detail(id);
    assert.equal(m.status, 'sent');
    assert.equal(sink.received.length, 1);
    assert.ok(sink.received[0]!.raw.includes(`Message-ID: ${m.messageId}`));
    assert.deepEqual(sink.received[0]!.rcpt, ['ann@customer.example']);
    assert.equal(m.attempts.length, 1);
    assert.equal(m.attempts[0].outcome, 'sent');
    assert.equal(m.recipients[0].status, 'sent');
  });

  for (const [code, text] of [[421, '4.3.2 Try again later'], [451, '4.3.0 Local error'], [452, '4.2.2 Mailbox full']] as const) {
    it(`retries after ${code} and delivers once`, async () => {
      sink.script.rcpt = firstOnly({ code, message: text });
      const id = await send();
      await runWorker();
      let m = await detail(id);
      assert.equal(m.status, 'retrying');
      assert.equal(m.attempts[0].replyCode, code);
      assert.equal(sink.received.length, 0);
      assert.equal(await runWorker(), 0, 'nothing is due before the backoff');
      clock.advance(HOUR_MS);
      await runWorker();
      m = await detail(id);
      assert.equal(m.status, 'sent');
      assert.equal(sink.received.length, 1, 'delivered once');
      assert.equal(m.attempts.length, 2);
    });
  }

  it('fails a 550 recipient for good while delivering to the other', async () => {
    sink.script.rcpt = (address) => (address === 'ghost@customer.example' ? { code: 550, message: '5.1.1 No such user' } : null);
    const id = await send({ to: ['ann@customer.example', 'ghost@customer.example'] });
    await runWorker();
    const m = await detail(id);
    assert.equal(m.status, 'sent');
    const byAddress = Object.fromEntries(m.recipients.map((r: any) => [r.address, r]));
    assert.equal(byAddress['ghost@customer.example'].status, 'failed');
    assert.equal(byAddress['ghost@customer.example'].replyCode, 550);
    assert.equal(byAddress['ann@customer.example'].status, 'sent');
    clock.advance(24 * HOUR_MS);
    assert.equal(await runWorker(), 0, 'never retried');
  });

  it('fails a message refused with 550 for every recipient, and shows it in the failure history', async () => {
    sink.script.data = () => ({ code: 550, message: '5.7.1 Message rejected as spam' });
    const id = await send();
    await runWorker();
    const m = await detail(id);
    assert.equal(m.status, 'failed');
    assert.equal(m.lastCode, 'MESSAGE_REJECTED');
    const history = await api.get(`/messages?status=failed,held,retrying&serverId=${serverId}`);
    assert.ok(history.body.items.some((x: any) => x.id === id && x.lastCode === 'MESSAGE_REJECTED'));
    const byRecipient = await api.get('/messages?status=failed&recipient=ann@customer.example');
    assert.ok(byRecipient.body.items.some((x: any) => x.id === id));
  });

  it('holds the server on 535, tells the admin, and resumes when the password is fixed', async () => {
    sink.script.password = 'rotated-by-it-dept-1';
    const first = await send();
    await runWorker();
    let m = await detail(first);
    assert.equal(m.status, 'held');
    assert.equal(m.lastCode, 'AUTH_FAILED');
    const state = await t.app.services.store.serverDelivery.get(serverId);
    assert.equal(state?.state, 'held');
    const loginsWhileHeld = sink.logins;
    const second = await send();
    clock.advance(HOUR_MS);
    await runWorker();
    assert.equal(sink.logins, loginsWhileHeld, 'a held server is not hammered');
    assert.equal((await detail(second)).status, 'held');
    const history = (await api.get('/messages?status=held')).body.items.map((x: any) => x.id);
    assert.ok(history.includes(first) && history.includes(second));
    // The admin types the new password: the server resumes and both go out.
    assert.equal((await api.patch(`/mail-servers/${serverId}`, { password: 'rotated-by-it-dept-1' })).status, 200);
    await runWorker();
    assert.equal((await detail(first)).status, 'sent');
    assert.equal((await detail(second)).status, 'sent');
    assert.equal((await t.app.services.store.serverDelivery.get(serverId))?.state, 'healthy');
    await api.patch(`/mail-servers/${serverId}`, { password: PASSWORD });
  });

  it('sends again after a connection lost before the 250: one duplicate at most, same Message-ID, marked', async () => {
    sink.script.data = firstOnly<'drop'>('drop');
    const id = await send();
    await runWorker();
    let m = await detail(id);
    assert.equal(m.status, 'retrying');
    assert.equal(m.possiblyDelivered, true);
    clock.advance(HOUR_MS);
    await runWorker();
    m = await detail(id);
    assert.equal(m.status, 'sent');
    assert.equal(sink.received.length, 2, 'the server got it twice');
    const ids = sink.received.map((r) => /^Message-ID: (.*)$/m.exec(r.raw)?.[1]?.trim());
    assert.deepEqual(ids, [m.messageId, m.messageId]);
  });

  it('gives up when the retry would come after the message\'s give-up time', async () => {
    sink.script.rcpt = () => ({ code: 451, message: '4.3.0 Try later' });
    const id = await send({ giveUpAfterSeconds: 60 });
    await runWorker();
    clock.advance(HOUR_MS);
    await runWorker();
    const m = await detail(id);
    assert.equal(m.status, 'failed');
    assert.equal(m.lastCode, 'GAVE_UP');
    assert.equal(m.recipients[0].status, 'failed');
  });

  it('retries now a failed message on request', async () => {
    sink.script.data = firstOnly({ code: 554, message: '5.7.1 Policy' });
    const id = await send();
    await runWorker();
    assert.equal((await detail(id)).status, 'failed');
    const retried = await api.post(`/messages/${id}/retry`);
    assert.equal(retried.status, 200);
    await runWorker();
    assert.equal((await detail(id)).status, 'sent');
    assert.equal((await api.post(`/messages/${id}/retry`)).status, 409, 'a sent message is not retried');
  });

  it('marks a message interrupted by a dead worker as possibly delivered, and sends it again', async () => {
    const id = await send();
    // A worker claims it and dies: the message stays "sending", the lease runs out.
    const claimed = await t.app.services.store.queue.claim({ kinds: ['send-message'], limit: 10, owner: 'dead-worker', now: clock.now().toISOString(), leaseUntil: new Date(clock.now().getTime() + 60_000).toISOString() });
    assert.equal(claimed.length, 1);
    await t.app.services.store.messages.markSending([id], clock.now().toISOString());
    assert.equal(await runWorker(), 0, 'the lease still holds');
    clock.advance(6 * 60_000);
    await runWorker();
    const m = await detail(id);
    assert.equal(m.status, 'sent');
    assert.equal(m.possiblyDelivered, true);
    assert.deepEqual(m.attempts.map((a: any) => a.outcome), ['interrupted', 'sent']);
  });

  it('exposes queue depth, sends and failures by code to Prometheus, without tenant data', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(text, /^mailroom_messages_accepted_total \d+/m);
    assert.match(text, /^mailroom_messages_sent_total [1-9]\d*/m);
    assert.match(text, /^mailroom_delivery_failures_total\{code="AUTH_FAILED"\} [1-9]/m);
    assert.match(text, /^mailroom_delivery_attempt_seconds_bucket\{le="[\d.]+",outcome="sent"\}/m);
    assert.match(text, /^mailroom_queue_jobs\{kind="send-message",status="ready"\} 0$/m);
    assert.ok(!text.includes('acme'), 'no company names in labels');
  });

  it('never shows the server password in messages, attempts or logs', () => {
    assert.ok(!api.transcript.join('\n').includes(PASSWORD));
    assert.ok(!t.logs().includes(PASSWORD));
  });
});
