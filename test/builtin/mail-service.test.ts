// The company's mail service through the API, on SQLite and PostgreSQL: built-in out of the box;
// switching to a custom server only after its connection test passes (a scripted SMTP sink on
// loopback accepts, a closed port and a wrong password fail); switching back in one step; queued
// mail keeps the way out it was accepted with; the built-in delivery choice for system admins only;
// and the server's password in no answer.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { serverInput } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { closedLocalPort } from '../support/local-http-server.ts';
import { BACKENDS } from '../support/test-databases.ts';
import { startScriptedSink, type ScriptedSink } from '../delivery/support/scripted-sink.ts';
import { messageIdHeader, setupTenants, transcripts, type Tenants } from './support/tenants.ts';

const SINK_PASSWORD = 'Relay-leak-canary-5Vt28!';
const WRONG_PASSWORD = 'Wrong-leak-canary-8Mb63?';
const CLOSED_PASSWORD = 'Closed-leak-canary-1Hx74#';

for (const backend of BACKENDS) {
  describe(`mail service API (${backend})`, () => {
    let t: TestApp;
    let p: Tenants;
    let sink: ScriptedSink;
    let goodId: string;
    let wrongPasswordId: string;
    let closedId: string;
    let caughtBeforeId: string;

    const send = async (subject: string) => {
      const res = await p.keyA.post('/messages', { to: ['ann@customer.example'], from: 'noreply@a.example', subject, text: 'Body' });
      assert.equal(res.status, 202, res.text);
      return res.body as { id: string; messageId: string; status: string };
    };
    const state = async () => {
      const res = await p.adminA.get('/mail-service');
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    /** The fields this suite is about (the answer may carry more). */
    const choice = (s: Record<string, unknown>) => ({
      service: s.service, mailServerId: s.mailServerId, builtinDelivery: s.builtinDelivery, builtinDeliveryOverride: s.builtinDeliveryOverride, instanceBuiltinDelivery: s.instanceBuiltinDelivery,
    });
    const switches = async () => {
      const res = await p.adminA.get(`/audit-log?targetType=company&targetId=${p.companyA}&limit=200`);
      assert.equal(res.status, 200, res.text);
      return (res.body.items as any[]).filter((e) => e.action === 'company.mail_service_changed');
    };
    const receivedIds = () => sink.received.map((r) => messageIdHeader(r.raw));
    const server = (name: string, port: number, password: string) => p.adminA.post('/mail-servers', serverInput({
      name, host: '127.0.0.1', port, security: 'none', username: 'mailer', password, fromAddress: 'noreply@a.example',
    }));

    before(async () => {
      sink = await startScriptedSink({ password: SINK_PASSWORD });
      t = await startTestApp({ backend, env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
      p = await setupTenants(t.url);
    });
    after(async () => {
      await t?.close();
      await sink?.close();
    });

    it('starts on the built-in service, which catches; members may not read or change it', async () => {
      assert.deepEqual(choice(await state()), { service: 'builtin', mailServerId: null, builtinDelivery: 'catch', builtinDeliveryOverride: null, instanceBuiltinDelivery: 'catch' });
      assert.equal((await p.memberA.get('/mail-service')).status, 403);
      assert.equal((await p.memberA.put('/mail-service', { service: 'builtin' })).status, 403);
      const caught = await send('Caught before the switch');
      assert.equal(caught.status, 'caught');
      caughtBeforeId = caught.id;
    });

    it('adding a server does not switch: mail is still caught until the admin chooses the server', async () => {
      const good = await server('Office relay', sink.port, SINK_PASSWORD);
      assert.equal(good.status, 201, good.text);
      goodId = good.body.id;
      const s = await state();
      assert.equal(s.service, 'builtin');
      assert.equal(s.mailServerId, goodId, 'the first server became the default, ready for "custom"');
      assert.equal((await send('Still caught')).status, 'caught');
    });

    it('refuses a server whose connection test fails (nothing listening): 422, nothing switched, nothing audited', async () => {
      const closed = await server('Closed port', await closedLocalPort(), CLOSED_PASSWORD);
      assert.equal(closed.status, 201, closed.text);
      closedId = closed.body.id;
      const before = (await switches()).length;
      const res = await p.adminA.put('/mail-service', { service: 'custom', mailServerId: closedId });
      assert.equal(res.status, 422, res.text);
      assert.equal(res.body.error.code, 'MAIL_SERVICE_TEST_FAILED');
      const test = res.body.error.details.test;
      assert.equal(test.ok, false);
      assert.equal(test.code, 'CONNECTION_REFUSED');
      assert.equal(test.stage, 'connect');
      assert.ok(test.message && test.hint, 'the cause and the fix in plain words');
      assert.match(res.body.error.message, /Nothing was switched/);
      // The same shape as the connection test's own result.
      const direct = await p.adminA.post(`/mail-servers/${closedId}/test`, { sendTestEmail: false });
      assert.equal(direct.status, 200, direct.text);
      assert.deepEqual(Object.keys(test).sort(), Object.keys(direct.body.result).sort());
      assert.equal(direct.body.result.code, test.code);

      assert.equal((await state()).service, 'builtin');
      assert.equal((await switches()).length, before, 'a refused switch leaves no audit entry');
      assert.equal((await send('Caught after a refused switch')).status, 'caught');
    });

    it('refuses a server that rejects the login: 422 with the probe\'s AUTH_FAILED', async () => {
      const wrong = await server('Wrong password', sink.port, WRONG_PASSWORD);
      assert.equal(wrong.status, 201, wrong.text);
      wrongPasswordId = wrong.body.id;
      const before = (await switches()).length;
      const res = await p.adminA.put('/mail-service', { service: 'custom', mailServerId: wrongPasswordId });
      assert.equal(res.status, 422, res.text);
      assert.equal(res.body.error.code, 'MAIL_SERVICE_TEST_FAILED');
      assert.equal(res.body.error.details.test.code, 'AUTH_FAILED');
      assert.equal(res.body.error.details.test.stage, 'auth');
      assert.equal(res.body.error.details.test.reply.code, 535);
      assert.equal((await state()).service, 'builtin');
      assert.equal((await switches()).length, before);
    });

    it('refuses an inactive server, an unknown one and another company\'s, naming mailServerId', async () => {
      const off = await p.adminA.post('/mail-servers', serverInput({ name: 'Off', host: '127.0.0.1', port: sink.port, security: 'none', password: SINK_PASSWORD, fromAddress: 'noreply@a.example', status: 'inactive' }));
      assert.equal(off.status, 201, off.text);
      const inactive = await p.adminA.put('/mail-service', { service: 'custom', mailServerId: off.body.id });
      assert.equal(inactive.status, 400, inactive.text);
      assert.equal(inactive.body.error.fields[0].field, 'mailServerId');
      assert.equal(inactive.body.error.fields[0].rule, 'active');

      const unknown = await p.adminA.put('/mail-service', { service: 'custom', mailServerId: crypto.randomUUID() });
      assert.equal(unknown.status, 400, unknown.text);
      assert.equal(unknown.body.error.fields[0].field, 'mailServerId');

      const theirs = await p.adminB.post('/mail-servers', serverInput({ name: 'B relay', host: '127.0.0.1', port: sink.port, security: 'none', password: SINK_PASSWORD, fromAddress: 'noreply@b.example' }));
      assert.equal(theirs.status, 201, theirs.text);
      const foreign = await p.adminA.put('/mail-service', { service: 'custom', mailServerId: theirs.body.id });
      assert.equal(foreign.status, 400, foreign.text);
      assert.equal(foreign.body.error.fields[0].field, 'mailServerId');
      assert.equal((await state()).service, 'builtin');
    });

    it('switches to a server whose test passes: new mail goes there, mail caught before stays caught', async () => {
      const before = (await switches()).length;
      const res = await p.adminA.put('/mail-service', { service: 'custom', mailServerId: goodId });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.service, 'custom');
      assert.equal(res.body.mailServerId, goodId);
      assert.equal(res.body.test.ok, true);
      assert.equal(res.body.test.code, 'OK');
      assert.deepEqual(choice(await state()), { service: 'custom', mailServerId: goodId, builtinDelivery: 'catch', builtinDeliveryOverride: null, instanceBuiltinDelivery: 'catch' });
      const audit = await switches();
      assert.equal(audit.length, before + 1);
      assert.deepEqual(
        { from: audit[0].details.from, to: audit[0].details.to, mailServerId: audit[0].details.mailServerId, testCode: audit[0].details.testCode },
        { from: 'builtin', to: 'custom', mailServerId: goodId, testCode: 'OK' },
      );

      const sent = await send('After the switch');
      assert.equal(sent.status, 'queued');
      await t.app.worker.runUntilIdle();
      assert.ok(receivedIds().includes(sent.messageId), 'the server received it');
      const detail = (await p.adminA.get(`/messages/${sent.id}`)).body;
      assert.equal(detail.status, 'sent');
      assert.equal(detail.route, 'server');
      assert.equal(detail.serverId, goodId);
      assert.equal((await p.adminA.get(`/caught-messages/${sent.id}`)).status, 404);

      const earlier = (await p.adminA.get(`/messages/${caughtBeforeId}`)).body;
      assert.equal(earlier.status, 'caught', 'switching does not send what was caught');
      assert.ok(!receivedIds().includes(earlier.messageId));
    });

    it('switches back to built-in at once; mail queued on the server before keeps going to the server', async () => {
      const queued = await send('Queued on the server');
      assert.equal(queued.status, 'queued');
      const before = (await switches()).length;
      const logins = sink.logins;
      const res = await p.adminA.put('/mail-service', { service: 'builtin' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.service, 'builtin');
      assert.equal(res.body.test, null, 'no test to switch back');
      assert.equal(sink.logins, logins, 'no connection to switch back');
      assert.equal((await switches()).length, before + 1);

      const next = await send('Caught again');
      assert.equal(next.status, 'caught');
      await t.app.worker.runUntilIdle();
      const detail = (await p.adminA.get(`/messages/${queued.id}`)).body;
      assert.equal(detail.status, 'sent', 'the queued message kept its route');
      assert.equal(detail.route, 'server');
      assert.ok(receivedIds().includes(queued.messageId));
      assert.ok(!receivedIds().includes(next.messageId));
      assert.equal((await p.adminA.get(`/messages/${next.id}`)).body.status, 'caught');
    });

    it('"custom" without a server uses the company default', async () => {
      const res = await p.adminA.put('/mail-service', { service: 'custom' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.mailServerId, goodId);
      assert.equal((await p.adminA.put('/mail-service', { service: 'builtin' })).status, 200);
    });

    it('the built-in delivery is for system admins: 403 for a company admin and an API key', async () => {
      for (const client of [p.adminA, p.keyA]) {
        const res = await client.put('/mail-service', { builtinDelivery: 'direct' });
        assert.equal(res.status, 403, res.text);
      }
      assert.equal((await state()).builtinDeliveryOverride, null);

      p.root.company = p.companyA;
      try {
        const direct = await p.root.put('/mail-service', { builtinDelivery: 'direct' });
        assert.equal(direct.status, 200, direct.text);
        assert.equal(direct.body.builtinDelivery, 'direct');
        assert.equal(direct.body.builtinDeliveryOverride, 'direct');
        assert.equal(direct.body.service, 'builtin');
        // Direct delivery sends only as verified addresses: the same message the catcher kept is now refused.
        const refused = await p.keyA.post('/messages', { to: ['ann@customer.example'], from: 'noreply@a.example', subject: 'Direct', text: 'Body' });
        assert.equal(refused.status, 422, refused.text);
        assert.equal(refused.body.error.code, 'SENDER_NOT_VERIFIED');

        const follow = await p.root.put('/mail-service', { builtinDelivery: null });
        assert.equal(follow.status, 200, follow.text);
        assert.equal(follow.body.builtinDelivery, 'catch');
        assert.equal(follow.body.builtinDeliveryOverride, null);
      } finally {
        p.root.company = null;
      }
      assert.equal((await send('Caught once more')).status, 'caught');
    });

    it('never answers with a server password', () => {
      const all = transcripts(p.all);
      for (const secret of [SINK_PASSWORD, WRONG_PASSWORD, CLOSED_PASSWORD]) {
        assert.ok(!all.includes(secret), 'a password appears in an answer');
        assert.ok(!t.logs().includes(secret), 'a password appears in the logs');
      }
    });
  });
}
