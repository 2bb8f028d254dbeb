// Webhooks through the API and the webhook worker, on SQLite and PostgreSQL: the endpoint and its
// secret (shown once), the egress rule at save, signed deliveries that a real receiver verifies,
// retries with backoff and their history, redelivery, tenancy and roles, and that the secret never
// leaks into logs, answers or stored records. The worker runs step by step (runUntilIdle) and a
// manual clock jumps over retry delays.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifySignature } from '../../src/core/webhooks/webhook-signature.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';
import { ApiClient, signedInUser, setupRoot } from '../support/api-client.ts';
import { ManualClock, startTestApp, type TestApp } from '../support/app-harness.ts';
import { closedLocalPort } from '../support/local-http-server.ts';
import { BACKENDS } from '../support/test-databases.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

const HOUR_MS = 3_600_000;
const USER_PASSWORD = 'user-password-123';

for (const backend of BACKENDS) {
  describe(`webhooks API (${backend})`, () => {
    const clock = new ManualClock();
    const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
    let t: TestApp;
    let dns: DnsStandIn;
    let receiver: WebhookReceiver;
    let receiverB: WebhookReceiver;
    let root: ApiClient;
    let adminA: ApiClient;
    let memberA: ApiClient;
    let keyA: ApiClient;
    let adminB: ApiClient;
    let keyB: ApiClient;
    let companyA: string;
    let companyB: string;
    const secrets: string[] = [];
    let testDeliveryId = '';

    before(async () => {
      dns = await startDnsStandIn({
        'hooks.internal.example': { A: ['10.1.2.3'] },
        'receiver-b.example': { A: ['127.0.0.1'] },
        'hooks.public.example': { A: ['93.184.216.34'] },
      });
      receiver = await startWebhookReceiver({ nowSeconds });
      receiverB = await startWebhookReceiver({ nowSeconds });
      t = await startTestApp({ backend, clock, env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8', MAILROOM_DNS_SERVERS: dns.server } });
      root = await setupRoot(t.url);
      companyA = (await root.post('/companies', { name: 'Child A', slug: 'child-a' })).body.id;
      companyB = (await root.post('/companies', { name: 'Child B', slug: 'child-b' })).body.id;
      const user = (company: string, email: string, role: string) => signedInUser(root, company, email, role, USER_PASSWORD);
      adminA = await user(companyA, 'admin@a.example', 'company_admin');
      memberA = await user(companyA, 'member@a.example', 'member');
      adminB = await user(companyB, 'admin@b.example', 'company_admin');
      keyA = ApiClient.withApiKey(t.url, (await adminA.post('/api-keys', { name: 'host app' })).body.key);
      keyB = ApiClient.withApiKey(t.url, (await adminB.post('/api-keys', { name: 'host app' })).body.key);
    });
    after(async () => {
      await t.close();
      await receiver.close();
      await receiverB.close();
      await dns.close();
    });

    const runWebhooks = () => t.app.webhookWorker.runUntilIdle();
    const deliveries = async (client: ApiClient = keyA, query = '') => {
      const res = await client.get(`/webhook/deliveries${query}`);
      assert.equal(res.status, 200, res.text);
      return res.body.items as any[];
    };
    const delivery = async (id: string) => (await deliveries()).find((d) => d.id === id);
    const sendTest = async () => {
      const res = await keyA.post('/webhook/test');
      assert.equal(res.status, 202, res.text);
      return res.body.id as string;
    };

    it('creates the endpoint and shows its secret this once', async () => {
      const created = await adminA.put('/webhook', { url: `${receiver.url}/hooks/mailroom?token=abc#ignored` });
      assert.equal(created.status, 201, created.text);
      assert.match(created.body.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.body.webhook.url, `${receiver.url}/hooks/mailroom?token=abc`);
      assert.deepEqual(created.body.webhook.events, ['message.sent', 'message.failed', 'message.held']);
      assert.equal(created.body.webhook.enabled, true);
      secrets.push(created.body.secret);
      receiver.secret = created.body.secret;

      const read = await adminA.get('/webhook');
      assert.equal(read.status, 200);
      assert.equal(read.body.secret, undefined);
      assert.equal(read.body.url, created.body.webhook.url);

      const changed = await keyA.put('/webhook', { events: ['message.sent', 'message.failed', 'message.held', 'message.sent'] });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.secret, undefined);
      assert.deepEqual(changed.body.webhook.events, ['message.sent', 'message.failed', 'message.held']);
      const audit = await adminA.get('/audit-log?targetType=webhook');
      assert.deepEqual(audit.body.items.map((e: any) => e.action), ['webhook.updated', 'webhook.created']);
      assert.ok(!audit.text.includes('token=abc'), 'the query string (it may hold a token) stays out of the audit log');
    });

    it('names the field of an invalid endpoint', async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ enabled: true }, 'url', 'required'],
        [{ url: 'ftp://files.example/x' }, 'url', 'url'],
        [{ url: 'not a url' }, 'url', 'url'],
        [{ url: `${receiverB.url}/x\r\nX-Injected: 1` }, 'url', 'url'],
        [{ url: `http://user:pw@127.0.0.1:${receiverB.port}/` }, 'url', 'url'],
        [{ url: `${receiverB.url}/x`, events: ['message.bounced'] }, 'events.0', 'enum'],
        [{ url: `${receiverB.url}/x`, events: [] }, 'events', 'required'],
        [{ url: `${receiverB.url}/x`, secret: 'mine' }, 'secret', 'unknown_field'],
      ];
      for (const [body, field, rule] of cases) {
        const res = await adminB.put('/webhook', body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.text}`);
        assert.ok(res.body.error.fields.some((f: any) => f.field === field && f.rule === rule), `${JSON.stringify(body)} → ${res.text}`);
      }
      assert.equal((await adminB.get('/webhook')).status, 404, 'nothing was stored');
    });

    it('applies the egress rule when saving: private names refused, public hosts need https', async () => {
      const internal = await adminB.put('/webhook', { url: 'https://hooks.internal.example/mailroom' });
      assert.equal(internal.status, 400);
      assert.equal(internal.body.error.fields[0].rule, 'host_blocked');
      assert.ok(!internal.text.includes('10.1.2.3'), 'the resolved address is not disclosed');
      const metadata = await adminB.put('/webhook', { url: 'http://169.254.169.254/latest/meta-data/' });
      assert.equal(metadata.body.error.fields[0].rule, 'host_blocked');
      const plain = await adminB.put('/webhook', { url: 'http://hooks.public.example/mailroom' });
      assert.equal(plain.status, 400);
      assert.equal(plain.body.error.fields[0].rule, 'https_required');
      const tls = await adminB.put('/webhook', { url: 'https://hooks.public.example/mailroom' });
      assert.equal(tls.status, 201, tls.text);
      secrets.push(tls.body.secret);
      // A name that resolves into the allowed network may use http.
      const lan = await adminB.put('/webhook', { url: `http://receiver-b.example:${receiverB.port}/b` });
      assert.equal(lan.status, 200, lan.text);
    });

    it('sends a signed test event that the receiver verifies; a tampered body does not verify', async () => {
      receiver.received.length = 0;
      testDeliveryId = await sendTest();
      assert.equal((await delivery(testDeliveryId)).status, 'pending');
      assert.equal(await runWebhooks(), 1);
      assert.equal(receiver.received.length, 1);
      const got = receiver.received[0]!;
      assert.equal(got.verified, true, 'signature verifies with the secret given at creation');
      assert.equal(got.path, '/hooks/mailroom?token=abc');
      assert.equal(got.headers['content-type'], 'application/json');
      assert.equal(got.headers['mailroom-event-id'], got.json.id);
      assert.equal(got.headers['mailroom-event-type'], 'webhook.test');
      assert.equal(got.json.type, 'webhook.test');
      assert.equal(got.json.companyId, companyA);
      assert.match(got.headers['mailroom-signature'] as string, new RegExp(`^t=${nowSeconds()},v1=[0-9a-f]{64}$`));
      const header = got.headers['mailroom-signature'] as string;
      assert.equal(verifySignature(receiver.secret!, header, got.body.replace('test', 'tset'), nowSeconds()), false);
      assert.equal(verifySignature(receiver.secret!, header, `${got.body} `, nowSeconds()), false);

      const d = await delivery(testDeliveryId);
      assert.equal(d.status, 'delivered');
      assert.equal(d.attemptCount, 1);
      assert.equal(d.lastStatusCode, 200);
      assert.equal(d.nextAttemptAt, null);
      assert.equal(d.eventId, got.json.id);
      assert.deepEqual(d.payload, got.json);
      assert.equal(d.attempts.length, 1);
      assert.equal(d.attempts[0].outcome, 'delivered');
      assert.equal(d.attempts[0].url, `${receiver.url}/hooks/mailroom`, 'the query string is not kept in the history');
    });

    it('keeps endpoints and deliveries per company', async () => {
      const bView = await adminB.get('/webhook');
      assert.equal(bView.status, 200);
      assert.equal(bView.body.url, `http://receiver-b.example:${receiverB.port}/b`);
      assert.ok(!(await deliveries(adminB)).some((d) => d.id === testDeliveryId));
      assert.ok(!(await deliveries(keyB)).some((d) => d.id === testDeliveryId));
      for (const client of [adminB, keyB]) {
        const res = await client.post(`/webhook/deliveries/${testDeliveryId}/redeliver`);
        assert.equal(res.status, 404, res.text);
      }
      adminB.company = companyA;
      assert.equal((await adminB.get('/webhook')).status, 404, 'B cannot act for A');
      assert.equal((await adminB.get('/webhook/deliveries')).status, 404);
      adminB.company = null;
      // The parent's system admin may act for A.
      root.company = companyA;
      assert.equal((await root.get('/webhook')).body.url, `${receiver.url}/hooks/mailroom?token=abc`);
      assert.ok((await deliveries(root)).some((d) => d.id === testDeliveryId));
      root.company = null;
      assert.equal((await root.get('/webhook')).status, 404, 'the parent has no endpoint of its own');
    });

    it('is for admins and API keys only', async () => {
      for (const [method, path] of [['GET', '/webhook'], ['PUT', '/webhook'], ['POST', '/webhook/rotate-secret'], ['POST', '/webhook/test'], ['GET', '/webhook/deliveries'], ['POST', `/webhook/deliveries/${testDeliveryId}/redeliver`]] as const) {
        const body = method === 'GET' ? undefined : method === 'PUT' ? { enabled: false } : {};
        assert.equal((await memberA.request(method, path, body)).status, 403, `member ${method} ${path}`);
        assert.equal((await new ApiClient(t.url).request(method, path, body)).status, 401, `anonymous ${method} ${path}`);
        if (method !== 'GET') assert.equal((await adminA.withoutCsrf().request(method, path, body)).status, 403, `forged ${method} ${path}`);
      }
      assert.equal((await adminA.get('/webhook')).body.enabled, true, 'nothing changed');
    });

    it('retries a non-2xx answer and delivers once', async () => {
      receiver.received.length = 0;
      receiver.respond = (n) => (n === 1 ? { status: 503, body: 'maintenance' } : 200);
      const id = await sendTest();
      await runWebhooks();
      let d = await delivery(id);
      assert.equal(d.status, 'retrying');
      assert.equal(d.lastStatusCode, 503);
      assert.equal(d.lastError, 'HTTP 503 Service Unavailable: maintenance');
      assert.ok(d.nextAttemptAt > clock.now().toISOString());
      assert.equal(await runWebhooks(), 0, 'nothing is due before the backoff');
      clock.advance(HOUR_MS);
      await runWebhooks();
      d = await delivery(id);
      assert.equal(d.status, 'delivered');
      assert.equal(d.attemptCount, 2);
      assert.deepEqual(d.attempts.map((a: any) => a.statusCode), [503, 200]);
      assert.equal(receiver.received.length, 2);
      assert.ok(receiver.received.every((r) => r.verified && r.json.id === d.eventId), 'the same event, signed each time');
      assert.equal(await runWebhooks(), 0, 'delivered once: nothing left');
      receiver.respond = () => 200;
    });

    it('retries with growing waits while the receiver is down, shows each attempt, then gives up', async () => {
      const down = `http://127.0.0.1:${await closedLocalPort()}/down`;
      assert.equal((await keyA.put('/webhook', { url: down })).status, 200);
      const id = await sendTest();
      const waits: number[] = [];
      let d: any;
      for (let i = 0; i < 100; i++) {
        await runWebhooks();
        d = await delivery(id);
        if (d.status !== 'retrying') break;
        const wait = Date.parse(d.nextAttemptAt) - clock.now().getTime();
        waits.push(wait);
        clock.advance(wait);
      }
      assert.equal(d.status, 'failed');
      assert.match(d.lastError, /^Gave up after \d+ attempts: Connection refused/);
      assert.equal(d.attempts.length, d.attemptCount);
      assert.equal(d.attemptCount, waits.length + 1);
      assert.ok(d.attempts.every((a: any) => a.outcome === 'network' && a.statusCode === null));
      for (let i = 1; i < 5; i++) assert.ok(waits[i]! > waits[i - 1]!, `exponential: ${waits.slice(0, 6)}`);
      assert.ok(waits.every((w) => w <= 1.2 * HOUR_MS), 'capped');
      assert.ok(Date.parse(d.updatedAt) - Date.parse(d.createdAt) <= 24 * HOUR_MS, 'given up within the day');
      assert.ok((await deliveries(keyA, '?status=failed')).some((x) => x.id === id));
      assert.ok((await deliveries(keyA, '?status=failed')).every((x) => x.status === 'failed'));
      assert.equal((await keyA.get('/webhook/deliveries?status=lost')).status, 400);

      // Redeliver: the same event again, as a new delivery, once the receiver is back.
      assert.equal((await keyA.put('/webhook', { url: `${receiver.url}/hooks/mailroom?token=abc` })).status, 200);
      receiver.received.length = 0;
      const again = await keyA.post(`/webhook/deliveries/${id}/redeliver`);
      assert.equal(again.status, 202, again.text);
      assert.notEqual(again.body.id, id);
      assert.equal(again.body.eventId, d.eventId);
      assert.equal(again.body.redeliveryOf, id);
      await runWebhooks();
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]!.headers['mailroom-event-id'], d.eventId);
      assert.equal(receiver.received[0]!.verified, true);
      assert.equal((await delivery(again.body.id)).status, 'delivered');
    });

    it('redelivering a delivery that waits for its retry tries it now', async () => {
      receiver.respond = (n) => (n === 1 ? 500 : 200);
      receiver.received.length = 0;
      const id = await sendTest();
      await runWebhooks();
      assert.equal((await delivery(id)).status, 'retrying');
      const res = await keyA.post(`/webhook/deliveries/${id}/redeliver`);
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.id, id);
      assert.equal(res.body.attempts.length, 1);
      await runWebhooks();
      const d = await delivery(id);
      assert.equal(d.status, 'delivered');
      assert.equal(d.attemptCount, 2);
      receiver.respond = () => 200;
    });

    it('rotates the secret: the old one no longer verifies', async () => {
      const rotated = await keyA.post('/webhook/rotate-secret');
      assert.equal(rotated.status, 200, rotated.text);
      assert.match(rotated.body.secret, /^whsec_/);
      assert.ok(!secrets.includes(rotated.body.secret));
      secrets.push(rotated.body.secret);
      receiver.received.length = 0;
      await sendTest();
      await runWebhooks();
      const got = receiver.received[0]!;
      assert.equal(got.verified, false, 'signed with the new secret, not the old one');
      assert.equal(verifySignature(rotated.body.secret, got.headers['mailroom-signature'] as string, got.body, nowSeconds()), true);
      receiver.secret = rotated.body.secret;
      assert.equal((await keyB.post('/webhook/rotate-secret')).status, 200, 'B rotates its own');
    });

    it('still sends test events while disabled', async () => {
      assert.equal((await keyA.put('/webhook', { enabled: false })).body.webhook.enabled, false);
      receiver.received.length = 0;
      await sendTest();
      await runWebhooks();
      assert.equal(receiver.received.length, 1);
      assert.equal(receiver.received[0]!.verified, true);
      assert.equal((await keyA.put('/webhook', { enabled: true })).status, 200);
    });

    it('limits test events per company', async () => {
      let last = 0;
      for (let i = 0; i < 12 && last !== 429; i++) last = (await keyB.post('/webhook/test')).status;
      assert.equal(last, 429);
      await runWebhooks();
      assert.ok(receiverB.received.length > 0 && receiverB.received.every((r) => r.headers.host === `receiver-b.example:${receiverB.port}`));
    });

    it('never lets the secret out: logs, answers (but the one that creates or rotates it), records, requests', async () => {
      const answers = [root, adminA, memberA, keyA, adminB, keyB].flatMap((c) => c.transcript)
        .filter((entry) => !/^PUT \/webhook → 201 /.test(entry) && !/^POST \/webhook\/rotate-secret → 200 /.test(entry));
      const logs = t.logs();
      assert.ok(logs.includes('webhook delivery attempt'));
      const db = t.app.database.db;
      const rows = JSON.stringify([
        await db.selectFrom('webhook_deliveries').selectAll().execute(),
        await db.selectFrom('webhook_delivery_attempts').selectAll().execute(),
        await db.selectFrom('audit_log').selectAll().execute(),
        await db.selectFrom('jobs').selectAll().execute(),
        await db.selectFrom('webhook_endpoints').selectAll().execute(),
      ]);
      const requests = JSON.stringify([...receiver.received, ...receiverB.received]);
      for (const secret of secrets) {
        const core = secret.slice('whsec_'.length);
        assert.ok(!answers.some((a) => a.includes(core)), 'in an API answer');
        assert.ok(!logs.includes(core), 'in the logs');
        assert.ok(!rows.includes(core), 'in a stored record');
        assert.ok(!requests.includes(core), 'in a webhook request');
      }
      const sealed = await db.selectFrom('webhook_endpoints').select('secret_sealed').execute();
      assert.equal(sealed.length, 2);
    });
  });
}
