// Sender addresses through the API, on SQLite and PostgreSQL: adding lists the address as pending and
// emails it a link (captured here); the link verifies once, without sign-in; an expired, replaced or
// used link is refused in plain words; resends are rate-limited per address; roles and tenancy are
// enforced; and the token never shows up in an answer or a log line. A manual clock passes expiry.
//
// A second suite leaves the default mailer in place and checks that the verification email really
// is submitted as a message of the company, with a link that works.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { AppError } from '../../src/core/errors.ts';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { ManualClock, startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { BACKENDS } from '../support/test-databases.ts';
import { capturingMailer, type CapturingMailer } from './support/capturing-mailer.ts';

const HOUR_MS = 3_600_000;
const USER_PASSWORD = 'user-password-123';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

for (const backend of BACKENDS) {
  describe(`sender addresses API (${backend})`, () => {
    const clock = new ManualClock();
    let mailer: CapturingMailer;
    let t: TestApp;
    let root: ApiClient;
    let adminA: ApiClient;
    let memberA: ApiClient;
    let keyA: ApiClient;
    let adminB: ApiClient;
    let anonymous: ApiClient;
    let companyA: string;
    let companyB: string;
    const clients: ApiClient[] = [];

    before(async () => {
      mailer = capturingMailer();
      // Sessions outlive the hours the clock jumps over (links expire after 24 h; sessions after 12 by default).
      t = await startTestApp({ backend, clock, verificationMailer: mailer, env: { MAILROOM_SESSION_TTL_HOURS: '1000' } });
      root = await setupRoot(t.url);
      companyA = (await root.post('/companies', { name: 'Child A', slug: 'child-a' })).body.id;
      companyB = (await root.post('/companies', { name: 'Child B', slug: 'child-b' })).body.id;
      const user = async (company: string, email: string, name: string, role: string) => {
        root.company = company;
        assert.equal((await root.post('/users', { email, name, role, password: USER_PASSWORD })).status, 201);
        root.company = null;
        const c = new ApiClient(t.url);
        assert.equal((await c.signIn(email, USER_PASSWORD)).status, 200);
        return c;
      };
      adminA = await user(companyA, 'ann@a.example', 'Ann Admin', 'company_admin');
      memberA = await user(companyA, 'max@a.example', 'Max Member', 'member');
      adminB = await user(companyB, 'bob@b.example', 'Bob Admin', 'company_admin');
      keyA = ApiClient.withApiKey(t.url, (await adminA.post('/api-keys', { name: 'crm' })).body.key);
      anonymous = new ApiClient(t.url);
      clients.push(root, adminA, memberA, keyA, adminB, anonymous);
    });
    after(() => t.close());

    const add = async (client: ApiClient, body: Record<string, unknown>) => {
      const res = await client.post('/sender-addresses', body);
      assert.equal(res.status, 201, res.text);
      return res.body;
    };
    const list = async (client: ApiClient = adminA) => {
      const res = await client.get('/sender-addresses');
      assert.equal(res.status, 200, res.text);
      return res.body.items as any[];
    };
    const verify = (token: string) => anonymous.post('/sender-addresses/verify', { token });

    it('adds an address as pending and emails it a link that names who asked and when it expires', async () => {
      const before = mailer.sent.length;
      const sender = await add(adminA, { address: 'Support@Acme.example', displayName: 'Acme Support', kind: 'group' });
      assert.equal(sender.address, 'support@acme.example');
      assert.equal(sender.displayName, 'Acme Support');
      assert.equal(sender.kind, 'group');
      assert.equal(sender.status, 'pending');
      assert.equal(sender.verifiedAt, null);
      assert.equal(sender.createdBy, 'Ann Admin <ann@a.example>');
      assert.equal(sender.linkExpiresAt, new Date(clock.now().getTime() + 24 * HOUR_MS).toISOString());
      assert.ok(!('token' in sender) && !('tokenHash' in sender), 'neither the token nor its hash is answered');

      assert.equal(mailer.sent.length, before + 1);
      const mail = mailer.last('support@acme.example');
      assert.equal(mail.company.id, companyA);
      assert.match(mail.token, TOKEN_SHAPE);
      assert.equal(mail.link, `http://localhost:0/verify-sender?token=${mail.token}`, 'MAILROOM_PUBLIC_URL unset: the local address');
      assert.equal(mail.subject, 'Confirm support@acme.example as a sender address for Child A');
      assert.match(mail.text, /^Hello Acme Support,/);
      assert.match(mail.text, /Ann Admin <ann@a\.example> asked to send email for Child A from this address: support@acme\.example\./);
      assert.ok(mail.text.includes(`\n${mail.link}\n`), 'the link on a line of its own');
      assert.match(mail.text, new RegExp(`expires at ${sender.linkExpiresAt.slice(0, 10)} ${sender.linkExpiresAt.slice(11, 16)} UTC`));
      assert.match(mail.text, /anyone who reads it may confirm/, 'a group address says so');
      assert.match(mail.text, /If you did not expect this email, ignore it/);

      const stored = await t.app.services.store.senderAddresses.get(sender.id);
      assert.equal(stored?.tokenHash, crypto.createHash('sha256').update(mail.token).digest('hex'), 'only the hash is stored');
      const [listed] = await list();
      assert.equal(listed.status, 'pending');
      assert.equal(await t.app.services.senders.isVerified(companyA, 'support@acme.example'), false);
    });

    it('verifies with the link without sign-in, once', async () => {
      const mail = mailer.last('support@acme.example');
      const res = await verify(mail.token);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['address', 'displayName', 'kind', 'verifiedAt']);
      assert.equal(res.body.address, 'support@acme.example');
      assert.equal(res.body.kind, 'group');

      const [listed] = await list();
      assert.equal(listed.status, 'verified');
      assert.equal(listed.linkExpiresAt, null);
      assert.equal(listed.verifiedAt, clock.now().toISOString());
      assert.equal(await t.app.services.senders.isVerified(companyA, 'SUPPORT@acme.example'), true, 'case-insensitive');
      assert.equal(await t.app.services.senders.isVerified(companyB, 'support@acme.example'), false, 'per company');

      const again = await verify(mail.token);
      assert.equal(again.status, 410, again.text);
      assert.equal(again.body.error.code, 'VERIFICATION_LINK_INVALID');
      assert.equal(again.body.error.message, 'This link was already used or is not valid.');

      const audit = await adminA.get('/audit-log?targetType=sender_address');
      assert.deepEqual(audit.body.items.map((e: any) => e.action), ['sender_address.verified', 'sender_address.added']);
      assert.equal(audit.body.items[0].actorLabel, 'Verification link');
    });

    it('refuses a link after 24 hours in plain words, and a new one works', async () => {
      const sender = await add(keyA, { address: 'late@acme.example' });
      assert.equal(sender.kind, 'person', 'person unless said otherwise');
      assert.equal(sender.createdBy, 'API key "crm"');
      const first = mailer.last('late@acme.example');
      assert.doesNotMatch(first.text, /anyone who reads it/);
      clock.advance(25 * HOUR_MS);
      const expired = await verify(first.token);
      assert.equal(expired.status, 410, expired.text);
      assert.equal(expired.body.error.code, 'VERIFICATION_LINK_EXPIRED');
      assert.equal(expired.body.error.message, 'This link expired; send a new one from the Sender addresses page.');
      assert.equal((await list()).find((s) => s.id === sender.id).status, 'pending');
      assert.equal(await t.app.services.senders.isVerified(companyA, 'late@acme.example'), false);

      const resent = await adminA.post(`/sender-addresses/${sender.id}/resend`);
      assert.equal(resent.status, 200, resent.text);
      assert.equal(resent.body.linkExpiresAt, new Date(clock.now().getTime() + 24 * HOUR_MS).toISOString());
      assert.equal((await verify(mailer.last('late@acme.example').token)).status, 200);
    });

    it('a resend kills the previous link', async () => {
      const sender = await add(adminA, { address: 'ops@acme.example', displayName: null, kind: 'person' });
      const old = mailer.last('ops@acme.example');
      const resent = await adminA.post(`/sender-addresses/${sender.id}/resend`);
      assert.equal(resent.status, 200, resent.text);
      const fresh = mailer.last('ops@acme.example');
      assert.notEqual(fresh.token, old.token);
      assert.match(fresh.text, /^Hello,/);
      const stale = await verify(old.token);
      assert.equal(stale.status, 410);
      assert.equal(stale.body.error.code, 'VERIFICATION_LINK_INVALID');
      assert.equal((await verify(fresh.token)).status, 200);

      const verifiedResend = await adminA.post(`/sender-addresses/${sender.id}/resend`);
      assert.equal(verifiedResend.status, 409, 'nothing to resend once verified');
      assert.equal(verifiedResend.body.error.code, 'CONFLICT');
    });

    it('sends at most 5 verification emails per address per hour', async () => {
      const sender = await add(adminA, { address: 'busy@acme.example' });
      for (let i = 0; i < 4; i++) assert.equal((await adminA.post(`/sender-addresses/${sender.id}/resend`)).status, 200);
      const linkBefore = mailer.last('busy@acme.example').token;
      const limited = await adminA.post(`/sender-addresses/${sender.id}/resend`);
      assert.equal(limited.status, 429, limited.text);
      assert.equal(limited.body.error.code, 'RATE_LIMITED');
      assert.match(limited.body.error.message, /Too many verification emails to busy@acme\.example; try again in \d+ minutes?\./);
      assert.equal(mailer.last('busy@acme.example').token, linkBefore, 'no email sent');
      assert.equal((await verify(linkBefore)).status, 200, 'a refused resend leaves the current link working');

      // The limit protects the mailbox: deleting and adding again, or another company, counts too.
      const other = await adminB.post('/sender-addresses', { address: 'busy@acme.example' });
      assert.equal(other.status, 429, other.text);
      clock.advance(HOUR_MS);
      assert.equal((await adminB.post('/sender-addresses', { address: 'busy@acme.example' })).status, 201, 'a new hour, a new allowance');
    });

    it('refuses an address the company already lists', async () => {
      const res = await adminA.post('/sender-addresses', { address: 'SUPPORT@acme.example' });
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.error.code, 'CONFLICT');
      assert.match(res.body.error.message, /support@acme\.example is already a sender address/);
    });

    const invalid: [string, Record<string, unknown>, string, string][] = [
      ['no address', { kind: 'person' }, 'address', 'invalid_type'],
      ['an empty address', { address: '  ' }, 'address', 'required'],
      ['an address without @', { address: 'support.acme.example' }, 'address', 'email'],
      ['a quoted local part', { address: '"a@x y"@acme.example' }, 'address', 'email'],
      ['a display name in the address', { address: 'Acme <support@acme.example>' }, 'address', 'email'],
      ['a line break in the address', { address: 'support@acme.example\r\nBcc: victim@x.example' }, 'address', 'email'],
      ['a line break in the name', { address: 'name@acme.example', displayName: 'Acme\r\nBcc: victim@x.example' }, 'displayName', 'no_line_breaks'],
      ['an encoded line break in the name', { address: 'name@acme.example', displayName: '=?utf-8?q?A=0D=0ABcc:_x@y.example?=' }, 'displayName', 'no_line_breaks'],
      ['an unknown kind', { address: 'name@acme.example', kind: 'robot' }, 'kind', 'enum'],
      ['an unknown field', { address: 'name@acme.example', token: 'mine' }, 'token', 'unknown_field'],
    ];
    for (const [what, body, field, rule] of invalid) {
      it(`refuses ${what}, naming ${field}, and stores and sends nothing`, async () => {
        const [count, sent] = [(await list()).length, mailer.sent.length];
        const res = await adminA.post('/sender-addresses', body);
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
        assert.ok(res.body.error.fields.some((f: any) => f.field === field && f.rule === rule), JSON.stringify(res.body.error.fields));
        assert.deepEqual([(await list()).length, mailer.sent.length], [count, sent]);
      });
    }

    it('lists nothing when the email could not be handed over', async () => {
      mailer.failWith = new AppError('NO_MAIL_SERVER');
      try {
        const res = await adminA.post('/sender-addresses', { address: 'unsent@acme.example' });
        assert.equal(res.status, 409, res.text);
        assert.equal(res.body.error.code, 'NO_MAIL_SERVER');
      } finally {
        mailer.failWith = null;
      }
      assert.ok(!(await list()).some((s) => s.address === 'unsent@acme.example'));
      assert.equal((await adminA.post('/sender-addresses', { address: 'unsent@acme.example' })).status, 201, 'adding again works');
    });

    it('refuses members with 403 on every route', async () => {
      const id = (await list()).find((s) => s.address === 'late@acme.example').id;
      const calls: [string, () => Promise<{ status: number; body: any }>][] = [
        ['list', () => memberA.get('/sender-addresses')],
        ['add', () => memberA.post('/sender-addresses', { address: 'member@acme.example' })],
        ['resend', () => memberA.post(`/sender-addresses/${id}/resend`)],
        ['delete', () => memberA.delete(`/sender-addresses/${id}`)],
      ];
      for (const [what, call] of calls) {
        const res = await call();
        assert.equal(res.status, 403, what);
        assert.equal(res.body.error.code, 'FORBIDDEN', what);
      }
      assert.ok((await list()).some((s) => s.id === id), 'still there');
    });

    it('answers 404 for another company\'s address and keeps lists apart', async () => {
      const id = (await list()).find((s) => s.address === 'ops@acme.example').id;
      for (const res of [await adminB.post(`/sender-addresses/${id}/resend`), await adminB.delete(`/sender-addresses/${id}`)]) {
        assert.equal(res.status, 404, res.text);
        assert.equal(res.body.error.code, 'NOT_FOUND');
      }
      // A system admin acting for company B sees B's list, not A's.
      root.company = companyB;
      const asB = await list(root);
      root.company = null;
      assert.deepEqual(asB.map((s) => s.address), ['busy@acme.example']);
      assert.ok((await list()).some((s) => s.id === id), 'untouched');
      assert.equal((await adminB.post('/sender-addresses', { address: 'ops@acme.example' })).status, 201, 'each company lists its own');
      assert.equal(await t.app.services.senders.isVerified(companyB, 'ops@acme.example'), false, 'A\'s verification is not B\'s');
    });

    it('needs sign-in for everything but opening a link', async () => {
      assert.equal((await anonymous.get('/sender-addresses')).status, 401);
      assert.equal((await anonymous.post('/sender-addresses', { address: 'x@acme.example' })).status, 401);
      const bogus = await verify('x'.repeat(43));
      assert.equal(bogus.status, 410);
      assert.equal(bogus.body.error.code, 'VERIFICATION_LINK_INVALID');
      assert.equal((await verify('')).status, 410);
      const missing = await anonymous.post('/sender-addresses/verify', {});
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.fields[0].field, 'token');
    });

    it('deletes an address, and its pending link stops working', async () => {
      const sender = await add(adminA, { address: 'gone@acme.example' });
      const mail = mailer.last('gone@acme.example');
      const res = await adminA.delete(`/sender-addresses/${sender.id}`);
      assert.equal(res.status, 204, res.text);
      assert.ok(!(await list()).some((s) => s.id === sender.id));
      assert.equal((await verify(mail.token)).body.error.code, 'VERIFICATION_LINK_INVALID');
      assert.equal((await adminA.delete(`/sender-addresses/${sender.id}`)).status, 404);
      const audit = await adminA.get('/audit-log?targetType=sender_address');
      assert.equal(audit.body.items[0].action, 'sender_address.deleted');
      assert.equal(audit.body.items[0].details.address, 'gone@acme.example');
    });

    it('never shows a token or its hash in an answer or a log line', async () => {
      const tokens = mailer.sent.map((m) => m.token);
      assert.ok(tokens.length >= 10);
      const hashes = tokens.map((tk) => crypto.createHash('sha256').update(tk).digest('hex'));
      const answers = clients.flatMap((c) => c.transcript).join('\n');
      const logs = t.logs();
      assert.match(logs, /sender-addresses/, 'the request log was captured');
      for (const secret of [...tokens, ...hashes]) {
        // Only the verify requests carry a token, in their body — which the transcript does not keep.
        assert.ok(!answers.includes(secret), 'a token or hash in an API answer');
        assert.ok(!logs.includes(secret), 'a token or hash in the logs');
      }
    });
  });
}

describe('the default verification mailer (sqlite)', () => {
  let t: TestApp;
  let admin: ApiClient;

  before(async () => {
    t = await startTestApp({ env: { MAILROOM_PUBLIC_URL: 'https://mail.acme.example/' } });
    admin = await setupRoot(t.url);
    const server = await admin.post('/mail-servers', serverInput({ fromAddress: 'noreply@acme.example' }));
    assert.equal(server.status, 201);
    await useCustomServer(t, server.body.id);
  });
  after(() => t.close());

  it('submits the email as a message of the company, with a link that verifies', async () => {
    const added = await admin.post('/sender-addresses', { address: 'help@acme.example', displayName: 'Acme Help', kind: 'group' });
    assert.equal(added.status, 201, added.text);
    const rows = await t.app.database.db.selectFrom('messages').select(['id', 'raw']).execute();
    assert.equal(rows.length, 1);
    assert.deepEqual((await t.app.services.store.messages.recipients(rows[0]!.id)).map((r) => r.address), ['help@acme.example']);
    const parsed = await simpleParser(rows[0]!.raw);
    assert.equal(parsed.subject, 'Confirm help@acme.example as a sender address for Acme Reseller');
    const link = /https:\/\/mail\.acme\.example\/verify-sender\?token=([A-Za-z0-9_-]{43})\n/.exec(parsed.text ?? '');
    assert.ok(link, parsed.text);

    const detail = await admin.get(`/messages/${rows[0]!.id}`);
    assert.equal(detail.status, 200);
    assert.ok(!detail.text.includes(link[1]!), 'the message API does not show the body');

    const res = await new ApiClient(t.url).post('/sender-addresses/verify', { token: link[1] });
    assert.equal(res.status, 200, res.text);
    const companyId = (await admin.get('/session')).body.company.id;
    assert.equal(await t.app.services.senders.isVerified(companyId, 'help@acme.example'), true);
    assert.ok(!t.logs().includes(link[1]!), 'the token is not logged');
  });

  it('does not count a link that was only caught: the company\'s admins could read it', async () => {
    const child = (await admin.post('/companies', { name: 'Catching', slug: 'catching' })).body;
    admin.company = child.id;
    try {
      const added = await admin.post('/sender-addresses', { address: 'ceo@bigcorp.example' });
      assert.equal(added.status, 201, added.text);
      const caught = await admin.get('/caught-messages?q=ceo@bigcorp.example');
      assert.equal(caught.body.items.length, 1, 'the verification email was caught, not sent');
      const shown = await admin.get(`/caught-messages/${caught.body.items[0].id}`);
      const token = /verify-sender\?token=([A-Za-z0-9_-]{43})/.exec(shown.body.text)?.[1];
      assert.ok(token, 'an admin can read the link in the catcher');
      assert.equal((await new ApiClient(t.url).post('/sender-addresses/verify', { token })).status, 200);
      assert.equal(await t.app.services.senders.isVerified(child.id, 'ceo@bigcorp.example'), false, 'a caught link proves nothing');
    } finally {
      admin.company = null;
    }
  });
});
