// "Test connection" and "Send test email" through the API, against real SMTP servers on loopback.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';

const GOOD_PASSWORD = 'Pangolin-Smtp-Pass-5521';

interface Sink {
  port: number;
  logins: { username: string; password: string }[];
  messages: string[];
  connections: number;
  close(): Promise<void>;
}

async function startSmtp(): Promise<Sink> {
  const sink: Sink = { port: 0, logins: [], messages: [], connections: 0, close: async () => {} };
  const server = new SMTPServer({
    authOptional: false, allowInsecureAuth: true, disabledCommands: ['STARTTLS'], logger: false,
    onConnect(_s, cb) { sink.connections++; cb(); },
    onAuth(auth, _s, cb) {
      sink.logins.push({ username: auth.username ?? '', password: auth.password ?? '' });
      if (auth.password === GOOD_PASSWORD) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, _s, cb) {
      let text = '';
      stream.on('data', (d) => { text += d; });
      stream.on('end', () => { sink.messages.push(text); cb(); });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

describe('connection tests API', () => {
  let t: TestApp;
  let api: ApiClient;
  let smtp: Sink;
  let other: Sink;
  let serverId: string;
  const loopbackServer = (extra: Record<string, unknown> = {}) => serverInput({ host: '127.0.0.1', port: smtp.port, security: 'none', password: GOOD_PASSWORD, fromAddress: 'noreply@acme.example', ...extra });

  before(async () => {
    smtp = await startSmtp();
    other = await startSmtp();
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
    api = await setupRoot(t.url);
    const created = await api.post('/mail-servers', loopbackServer());
    assert.equal(created.status, 201, created.text);
    serverId = created.body.id;
  });
  after(async () => {
    await t.close();
    await smtp.close();
    await other.close();
  });

  it('tests a saved server without sending anything, and keeps the result', async () => {
    const res = await api.post(`/mail-servers/${serverId}/test`, {});
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.ok, true);
    assert.equal(res.body.code, 'OK');
    assert.deepEqual(res.body.result.stages.map((s: any) => s.name), ['dns', 'connect', 'greeting', 'ehlo', 'auth', 'mail', 'rcpt']);
    assert.equal(smtp.messages.length, 0, 'no DATA without a test email');
    assert.equal(smtp.logins.at(-1)!.password, GOOD_PASSWORD);
    const list = await api.get('/mail-servers');
    const listed = list.body.items.find((s: any) => s.id === serverId);
    assert.deepEqual([listed.lastTest.ok, listed.lastTest.code], [true, 'OK']);
    const history = await api.get(`/mail-servers/${serverId}/tests`);
    assert.equal(history.body.items.length, 1);
  });

  it('names the cause when the password is wrong', async () => {
    const { body: bad } = await api.post('/mail-servers', loopbackServer({ name: 'Wrong pw', password: 'wrong-password-1' }));
    const res = await api.post(`/mail-servers/${bad.id}/test`, {});
    assert.equal(res.status, 200);
    assert.equal(res.body.ok, false);
    assert.equal(res.body.code, 'AUTH_FAILED');
    assert.equal(res.body.stage, 'auth');
    assert.equal(res.body.result.reply.code, 535);
    assert.ok(res.body.result.hint);
    assert.ok(!res.text.includes('wrong-password-1'));
  });

  it('sends the fixed test email only to the admin\'s own address or a person of the company', async () => {
    const refused = await api.post(`/mail-servers/${serverId}/test`, { sendTestEmail: true, to: 'stranger@elsewhere.example' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.fields[0].rule, 'test_recipient');
    const before = smtp.messages.length;
    const res = await api.post(`/mail-servers/${serverId}/test`, { sendTestEmail: true });
    assert.equal(res.body.code, 'OK', res.text);
    assert.equal(res.body.testAddress, 'root@acme.example');
    assert.equal(smtp.messages.length, before + 1);
    assert.match(smtp.messages.at(-1)!, /Subject: Mailroom test message/);
    assert.match(smtp.messages.at(-1)!, /To: root@acme\.example/);
    const audit = await api.get(`/audit-log?targetId=${serverId}`);
    assert.ok(audit.body.items.some((e: any) => e.action === 'mail_server.test_email_sent'));
  });

  it('also sends it to a verified sender address of the company, not to a pending one', async () => {
    const companyId = (await api.get('/session')).body.company.id;
    const now = new Date().toISOString();
    const sender = (address: string, status: 'pending' | 'verified') => ({
      id: crypto.randomUUID(), companyId, address, displayName: null, kind: 'group' as const, status, tokenHash: null, tokenExpiresAt: null,
      verifiedAt: status === 'verified' ? now : null, linkRoute: 'server' as const, createdBy: 'test', createdAt: now, updatedAt: now,
    });
    await t.app.services.store.senderAddresses.insert(sender('support@acme.example', 'verified'));
    await t.app.services.store.senderAddresses.insert(sender('sales@acme.example', 'pending'));
    const pending = await api.post(`/mail-servers/${serverId}/test`, { sendTestEmail: true, to: 'sales@acme.example' });
    assert.equal(pending.status, 400);
    assert.equal(pending.body.error.fields[0].rule, 'test_recipient');
    const res = await api.post(`/mail-servers/${serverId}/test`, { sendTestEmail: true, to: 'support@acme.example' });
    assert.equal(res.body.code, 'OK', res.text);
    assert.match(smtp.messages.at(-1)!, /To: support@acme\.example/);
  });

  it('uses the saved password for unsaved values only while host, port, security and mechanism are unchanged', async () => {
    const same = await api.post('/mail-server-tests', { serverId, fromName: 'Only the name changed' });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.body.code, 'OK');
    const otherBefore = other.connections;
    const moved = await api.post('/mail-server-tests', { serverId, port: other.port });
    assert.equal(moved.status, 400);
    assert.equal(moved.body.error.fields[0].field, 'password');
    assert.equal(other.connections, otherBefore, 'nothing was sent to the new port');
    assert.ok(!other.logins.some((l) => l.password === GOOD_PASSWORD));
    const typed = await api.post('/mail-server-tests', { serverId, port: other.port, password: GOOD_PASSWORD });
    assert.equal(typed.body.code, 'OK');
  });

  it('can send the test email right after saving', async () => {
    const before = smtp.messages.length;
    const res = await api.post('/mail-servers?sendTestEmailTo=root@acme.example', loopbackServer({ name: 'Tested on save' }));
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.testResult.code, 'OK');
    assert.equal(smtp.messages.length, before + 1);
  });

  it('limits test emails per company', async () => {
    let limited: any = null;
    for (let i = 0; i < 8 && !limited; i++) {
      const res = await api.post(`/mail-servers/${serverId}/test`, { sendTestEmail: true });
      if (res.status === 429) limited = res.body;
    }
    assert.ok(limited, 'the limit was reached');
    assert.equal(limited.error.code, 'RATE_LIMITED');
    assert.ok(limited.error.details.retryAfterSeconds > 0);
  });

  it('warns about settings before any connection', async () => {
    const res = await api.post('/mail-server-warnings', { host: 'smtp.gmail.com', port: 587, security: 'tls', authEnabled: true, authMechanism: 'plain' });
    assert.equal(res.status, 200);
    assert.ok(res.body.items.length >= 1);
    assert.ok(res.body.items.some((w: any) => w.field === 'security'));
  });

  it('exports a support bundle with the settings, the test address and results, and no password', async () => {
    const res = await fetch(`${t.url}/api/v1/mail-servers/${serverId}/support-bundle`, { headers: { cookie: (api as any).cookie } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="mailroom-support-/);
    const text = await res.text();
    assert.ok(!text.includes(GOOD_PASSWORD));
    const bundle = JSON.parse(text);
    assert.equal(bundle.settings.host, '127.0.0.1');
    assert.equal(bundle.settings.hasPassword, true);
    assert.equal(bundle.testAddress, 'root@acme.example');
    assert.ok(bundle.lastTests.length > 0);
  });

  it('never returns or logs the password', () => {
    assert.ok(!api.transcript.join('\n').includes(GOOD_PASSWORD));
    assert.ok(!t.logs().includes(GOOD_PASSWORD));
  });
});

describe('egress rule by default (no allowed networks)', () => {
  let t: TestApp;
  let api: ApiClient;
  before(async () => {
    t = await startTestApp();
    api = await setupRoot(t.url);
  });
  after(() => t.close());

  for (const host of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1']) {
    it(`refuses ${host} as a host at save`, async () => {
      const res = await api.post('/mail-servers', serverInput({ host }));
      assert.equal(res.status, 400, res.text);
      assert.equal(res.body.error.fields[0].rule, 'blocked_address');
    });
  }

  it('answers HOST_BLOCKED for a name that resolves to loopback', async () => {
    const created = await api.post('/mail-servers', serverInput({ host: 'localhost', port: 25, security: 'none' }));
    assert.equal(created.status, 201, created.text);
    const res = await api.post(`/mail-servers/${created.body.id}/test`, {});
    assert.equal(res.body.code, 'HOST_BLOCKED');
    assert.equal(res.body.stage, 'dns');
  });
});

describe('secret references in connection tests', () => {
  let t: TestApp;
  let api: ApiClient;
  let smtp: Sink;
  before(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
    api = await setupRoot(t.url);
    await api.put('/secrets/relay', { value: GOOD_PASSWORD });
    await api.put('/secrets/stale', { value: 'not-the-password-1' });
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  it('tests unsaved values with a typed secret reference, resolved in the company\'s own scope', async () => {
    const base = { host: '127.0.0.1', port: smtp.port, security: 'none', authEnabled: true, authMechanism: 'plain', username: 'u@acme.example', fromAddress: 'noreply@acme.example' };
    const res = await api.post('/mail-server-tests', { ...base, passwordRef: 'secret:relay' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.code, 'OK');
    const missing = await api.post('/mail-server-tests', { ...base, passwordRef: 'secret:nope' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.fields[0].field, 'passwordRef');
  });

  it('tests a changed reference with the new secret, not the saved one', async () => {
    const created = await api.post('/mail-servers', serverInput({ host: '127.0.0.1', port: smtp.port, security: 'none', password: null, passwordRef: 'secret:relay' }));
    assert.equal(created.status, 201, created.text);
    const res = await api.post('/mail-server-tests', { serverId: created.body.id, passwordRef: 'secret:stale' });
    assert.equal(res.body.code, 'AUTH_FAILED');
    assert.ok(!res.text.includes(GOOD_PASSWORD) && !res.text.includes('not-the-password-1'));
  });
});
