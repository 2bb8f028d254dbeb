// The catcher through the API, on SQLite and PostgreSQL: a fresh company's mail is kept (status
// "caught", no queue job), listed newest first and searched; read as a mail client shows it
// (decoded headers, text, HTML, attachments); its raw source and attachments are downloads; and
// released once to a real server (a scripted SMTP sink on loopback) with the same Message-ID.
// Roles and tenancy: members are refused, other companies' messages and servers do not exist.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { BACKENDS } from '../support/test-databases.ts';
import { startScriptedSink, type ScriptedSink } from '../delivery/support/scripted-sink.ts';
import { messageIdHeader, setupTenants, transcripts, type Tenants } from './support/tenants.ts';

const SINK_PASSWORD = 'Sink-leak-canary-7Qp41!';
const OTHER_PASSWORD = 'Other-leak-canary-2Zk90?';
// Long enough that the encoder splits it into several encoded words, some mid-way through a letter.
const UNICODE_SUBJECT = 'Grüße aus München — Rechnung Nr. 42 für Zoë Ærøskøbing, ça va? 日本語のテキストもあります';

for (const backend of BACKENDS) {
  describe(`catcher API (${backend})`, () => {
    let t: TestApp;
    let p: Tenants;
    let sink: ScriptedSink;
    let sinkServerId: string;
    let foreignServerId: string;
    const attachmentBytes = crypto.randomBytes(3000);
    // Every byte value at least once, too.
    attachmentBytes.set(Array.from({ length: 256 }, (_, i) => i), 0);
    let richId = '';

    const send = async (body: Record<string, unknown>, client?: ApiClient) => {
      const res = await (client ?? p.keyA).post('/messages', { to: ['ann@customer.example'], subject: 'Hello', text: 'Body', ...body });
      assert.equal(res.status, 202, res.text);
      return res.body as { id: string; messageId: string; status: string };
    };
    const jobsOf = async (id: string) => (await t.app.database.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `send:${id}`).execute()).length;
    const search = async (q: string) => {
      const res = await p.adminA.get(`/caught-messages?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200, res.text);
      return (res.body.items as { subject: string }[]).map((m) => m.subject).sort();
    };

    before(async () => {
      sink = await startScriptedSink({ password: SINK_PASSWORD });
      t = await startTestApp({ backend, env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
      p = await setupTenants(t.url);
      p.root.company = p.companyB;
      const foreign = await p.root.post('/mail-servers', serverInput({ name: 'B relay', host: '127.0.0.1', port: sink.port, security: 'none', password: OTHER_PASSWORD, fromAddress: 'noreply@b.example' }));
      assert.equal(foreign.status, 201, foreign.text);
      foreignServerId = foreign.body.id;
      p.root.company = null;
    });
    after(async () => {
      await t?.close();
      await sink?.close();
    });

    it('a fresh company is on the built-in service, which keeps its mail: status caught, no job', async () => {
      const service = await p.adminA.get('/mail-service');
      assert.equal(service.status, 200, service.text);
      assert.equal(service.body.service, 'builtin');
      assert.equal(service.body.builtinDelivery, 'catch');
      const sent = await send({ subject: 'First caught message', to: ['first@customer.example'] });
      assert.equal(sent.status, 'caught');
      assert.equal(await jobsOf(sent.id), 0, 'caught mail has no queue job');
      const detail = await p.keyA.get(`/messages/${sent.id}`);
      assert.equal(detail.body.status, 'caught');
      assert.equal(detail.body.route, 'catch');
      assert.equal(detail.body.serverId, null);
      assert.ok(detail.body.caughtAt, 'caughtAt set');
      assert.equal(detail.body.releasedAt, null);
      const list = await p.adminA.get('/caught-messages');
      assert.equal(list.status, 200, list.text);
      const item = list.body.items.find((m: any) => m.id === sent.id);
      assert.ok(item, 'listed');
      assert.deepEqual(item.recipients, ['first@customer.example']);
      assert.equal(item.status, 'caught');
      // Nothing is delivered: the worker has nothing to do for it.
      await t.app.worker.runUntilIdle();
      assert.equal(sink.received.length, 0);
      assert.equal((await p.keyA.get(`/messages/${sent.id}`)).body.status, 'caught');
    });

    it('lists newest first and pages with "load more" without gaps or repeats', async () => {
      for (let i = 1; i <= 5; i++) await send({ subject: `Paging ${i}` });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await p.adminA.get(`/caught-messages?q=paging&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.status, 200, res.text);
        assert.ok(res.body.items.length <= 2);
        seen.push(...res.body.items.map((m: any) => m.subject));
        cursor = res.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, ['Paging 5', 'Paging 4', 'Paging 3', 'Paging 2', 'Paging 1']);
      const bad = await p.adminA.get('/caught-messages?cursor=not-a-cursor');
      assert.equal(bad.status, 400);
    });

    it('searches subject, From and recipients, ignoring case; % and _ are literal', async () => {
      await send({ subject: 'Invoice 100% PAID', to: ['zoe@customer.example'] });
      await send({ subject: 'Invoice 1000 paid' });
      await send({ subject: 'Report_Q1 ready' });
      await send({ subject: 'ReportXQ1 ready' });
      await send({ subject: 'From test', from: 'Billing.Team@Acme-Mail.example' });
      await send({ subject: 'Recipient test', to: ['Quentin.Hidden@Partner.example'], cc: ['cc-person@partner.example'] });

      assert.deepEqual(await search('INVOICE'), ['Invoice 100% PAID', 'Invoice 1000 paid']);
      assert.deepEqual(await search('100%'), ['Invoice 100% PAID']);
      assert.deepEqual(await search('%'), ['Invoice 100% PAID']);
      assert.deepEqual(await search('report_q'), ['Report_Q1 ready']);
      assert.deepEqual(await search('_'), ['Report_Q1 ready']);
      assert.deepEqual(await search('billing.team@acme-mail'), ['From test']);
      assert.deepEqual(await search('quentin.HIDDEN@partner'), ['Recipient test']);
      assert.deepEqual(await search('CC-PERSON'), ['Recipient test']);
      assert.deepEqual(await search('ZOE@CUSTOMER'), ['Invoice 100% PAID']);
      assert.deepEqual(await search('nothing like this'), []);
      // A backslash is literal too, not an escape of the pattern.
      assert.deepEqual(await search('\\'), []);
    });

    it('shows a message as a mail client does: decoded headers, text, HTML, attachments', async () => {
      const sent = await send({
        subject: UNICODE_SUBJECT, fromName: 'Zoë Müller', from: 'zoe@a.example', to: ['ann@customer.example'], cc: ['bob@customer.example'],
        text: 'Plain part: grüße', html: '<p>Hello <b>Zoë</b></p>',
        headers: [{ name: 'X-Campaign', value: 'spring' }],
        attachments: [
          { filename: 'report.bin', contentType: 'application/pdf', contentBase64: attachmentBytes.toString('base64') },
          { filename: 'notes "quoted"/../x.txt', contentType: 'text/html', contentBase64: Buffer.from('<script>alert(1)</script>').toString('base64') },
        ],
      });
      richId = sent.id;
      const res = await p.adminA.get(`/caught-messages/${sent.id}`);
      assert.equal(res.status, 200, res.text);
      const d = res.body;
      assert.equal(d.subject, UNICODE_SUBJECT);
      assert.equal(d.messageId, sent.messageId);
      assert.deepEqual(d.recipients.sort(), ['ann@customer.example', 'bob@customer.example']);
      const header = (name: string) => d.headers.find((h: any) => h.name.toLowerCase() === name.toLowerCase())?.value;
      assert.equal(header('Subject'), UNICODE_SUBJECT, 'Subject decoded from its encoded words');
      assert.match(header('From'), /Zoë Müller/);
      assert.match(header('From'), /zoe@a\.example/);
      assert.equal(header('X-Campaign'), 'spring');
      assert.equal(header('Message-ID'), sent.messageId);
      assert.equal(d.text.trim(), 'Plain part: grüße');
      assert.equal(d.html.trim(), '<p>Hello <b>Zoë</b></p>');
      assert.equal(d.attachments.length, 2);
      assert.deepEqual(
        { index: d.attachments[0].index, filename: d.attachments[0].filename, contentType: d.attachments[0].contentType, size: d.attachments[0].size },
        { index: 0, filename: 'report.bin', contentType: 'application/pdf', size: attachmentBytes.length },
      );
    });

    it('downloads an attachment byte for byte, always as application/octet-stream', async () => {
      const res = await fetch(`${t.url}/api/v1/caught-messages/${richId}/attachments/0`, { headers: { authorization: `Bearer ${p.apiKeyA}` } });
      assert.equal(res.status, 200);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(attachmentBytes), 'the same bytes as sent');
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.equal(res.headers.get('content-disposition'), 'attachment; filename="report.bin"');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      // An HTML attachment is a download too, under a name that cannot break out of the header.
      const html = await fetch(`${t.url}/api/v1/caught-messages/${richId}/attachments/1`, { headers: { authorization: `Bearer ${p.apiKeyA}` } });
      assert.equal(html.status, 200);
      assert.equal(html.headers.get('content-type'), 'application/octet-stream');
      const disposition = html.headers.get('content-disposition') ?? '';
      assert.match(disposition, /^attachment; filename="[^"/\\]+"$/);
      assert.equal(await html.text(), '<script>alert(1)</script>');
      assert.equal((await p.adminA.get(`/caught-messages/${richId}/attachments/2`)).status, 404);
    });

    it('serves the raw source exactly as stored: text/plain to view, message/rfc822 to download', async () => {
      const stored = await t.app.services.store.messages.get(richId);
      assert.ok(stored);
      const res = await p.adminA.get(`/caught-messages/${richId}/raw`);
      assert.equal(res.status, 200);
      assert.equal(res.text, stored.raw);
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const download = await p.adminA.get(`/caught-messages/${richId}/raw?download`);
      assert.equal(download.status, 200);
      assert.equal(download.text, stored.raw);
      assert.equal(download.headers.get('content-type'), 'message/rfc822');
      assert.equal(download.headers.get('content-disposition'), `attachment; filename="${richId}.eml"`);
    });

    it('refuses to release to another company\'s server, an inactive one, or with a From the server may not send', async () => {
      const caught = await send({ subject: 'Refused releases', from: 'noreply@a.example' });
      const foreign = await p.adminA.post(`/caught-messages/${caught.id}/release`, { mailServerId: foreignServerId });
      assert.equal(foreign.status, 400, foreign.text);
      assert.equal(foreign.body.error.fields[0].field, 'mailServerId');
      const unknown = await p.adminA.post(`/caught-messages/${caught.id}/release`, { mailServerId: crypto.randomUUID() });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.fields[0].field, 'mailServerId');

      const inactive = await p.adminA.post('/mail-servers', serverInput({ name: 'Off', host: '127.0.0.1', port: sink.port, security: 'none', password: SINK_PASSWORD, fromAddress: 'noreply@a.example', status: 'inactive' }));
      assert.equal(inactive.status, 201, inactive.text);
      const off = await p.adminA.post(`/caught-messages/${caught.id}/release`, { mailServerId: inactive.body.id });
      assert.equal(off.status, 400);
      assert.equal(off.body.error.fields[0].rule, 'active');

      const elsewhere = await p.adminA.post('/mail-servers', serverInput({ name: 'Elsewhere', host: '127.0.0.1', port: sink.port, security: 'none', password: SINK_PASSWORD, fromAddress: 'noreply@elsewhere.example' }));
      assert.equal(elsewhere.status, 201, elsewhere.text);
      const sender = await p.adminA.post(`/caught-messages/${caught.id}/release`, { mailServerId: elsewhere.body.id });
      assert.equal(sender.status, 422, sender.text);
      assert.equal(sender.body.error.code, 'SENDER_NOT_VERIFIED');
      // Still caught, never queued.
      assert.equal((await p.adminA.get(`/messages/${caught.id}`)).body.status, 'caught');
      assert.equal(await jobsOf(caught.id), 0);
    });

    it('releases a caught message once: the server receives it with the same Message-ID', async () => {
      const created = await p.adminA.post('/mail-servers', serverInput({
        name: 'Office relay', host: '127.0.0.1', port: sink.port, security: 'none', username: 'mailer', password: SINK_PASSWORD, fromAddress: 'noreply@a.example',
      }));
      assert.equal(created.status, 201, created.text);
      sinkServerId = created.body.id;
      // Adding a server does not switch the company: that is the mail service's choice.
      assert.equal((await p.adminA.get('/mail-service')).body.service, 'builtin');

      const caught = await send({ subject: 'Release me', from: 'noreply@a.example', to: ['ann@customer.example'], bcc: ['hidden@customer.example'] });
      const before = sink.received.length;
      const released = await p.adminA.post(`/caught-messages/${caught.id}/release`, { mailServerId: sinkServerId });
      assert.equal(released.status, 202, released.text);
      assert.equal(released.body.status, 'queued');
      assert.equal(released.body.route, 'server');
      assert.equal(released.body.serverId, sinkServerId);
      assert.ok(released.body.releasedAt);
      assert.equal(released.body.messageId, caught.messageId);

      await t.app.worker.runUntilIdle();
      assert.equal(sink.received.length, before + 1, 'received once');
      const got = sink.received.at(-1)!;
      assert.equal(messageIdHeader(got.raw), caught.messageId);
      assert.deepEqual(got.rcpt.sort(), ['ann@customer.example', 'hidden@customer.example']);
      assert.doesNotMatch(got.raw, /^Bcc:/im);
      const detail = await p.adminA.get(`/messages/${caught.id}`);
      assert.equal(detail.body.status, 'sent');
      assert.ok(detail.body.caughtAt);

      // It stays in the catcher's list, marked released.
      const list = await p.adminA.get('/caught-messages?q=release%20me');
      assert.equal(list.body.items.length, 1);
      assert.ok(list.body.items[0].releasedAt);
      assert.equal(list.body.items[0].serverId, sinkServerId);

      const again = await p.adminA.post(`/caught-messages/${caught.id}/release`, { mailServerId: sinkServerId });
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.error.code, 'CONFLICT');
      await t.app.worker.runUntilIdle();
      assert.equal(sink.received.filter((r) => messageIdHeader(r.raw) === caught.messageId).length, 1, 'still only once');

      const audit = await p.adminA.get(`/audit-log?targetType=message&targetId=${caught.id}`);
      assert.equal(audit.status, 200, audit.text);
      assert.ok(audit.body.items.some((e: any) => e.action === 'message.released' && e.details.mailServerId === sinkServerId));
    });

    it('releases at the same moment send it once', async () => {
      const caught = await send({ subject: 'Raced release', from: 'noreply@a.example' });
      const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => p.adminA.post(`/caught-messages/${caught.id}/release`, { mailServerId: sinkServerId })));
      assert.deepEqual(answers.map((a) => a.status).sort(), [202, 409, 409, 409, 409, 409]);
      await t.app.worker.runUntilIdle();
      assert.equal(sink.received.filter((r) => messageIdHeader(r.raw) === caught.messageId).length, 1);
    });

    it('a message sent through a server is not in the catcher', async () => {
      const sent = await send({ subject: 'Through the server', from: 'noreply@a.example', mailServerId: sinkServerId });
      assert.equal(sent.status, 'queued');
      assert.equal((await p.adminA.get(`/caught-messages/${sent.id}`)).status, 404);
      assert.deepEqual(await search('through the server'), []);
      await t.app.worker.runUntilIdle();
    });

    it('is for admins and API keys: members get 403', async () => {
      const paths = ['/caught-messages', `/caught-messages/${richId}`, `/caught-messages/${richId}/raw`, `/caught-messages/${richId}/attachments/0`];
      for (const path of paths) {
        assert.equal((await p.memberA.get(path)).status, 403, path);
        assert.equal((await p.keyA.get(path)).status, 200, path);
      }
      const caught = await send({ subject: 'Member tries', from: 'noreply@a.example' });
      const res = await p.memberA.post(`/caught-messages/${caught.id}/release`, { mailServerId: sinkServerId });
      assert.equal(res.status, 403);
      assert.equal((await p.adminA.get(`/messages/${caught.id}`)).body.status, 'caught');
    });

    it('another company\'s caught message does not exist', async () => {
      const caught = await send({ subject: 'Only for A', from: 'noreply@a.example' });
      for (const path of [`/caught-messages/${caught.id}`, `/caught-messages/${caught.id}/raw`, `/caught-messages/${caught.id}/attachments/0`]) {
        assert.equal((await p.adminB.get(path)).status, 404, path);
      }
      assert.equal((await p.adminB.post(`/caught-messages/${caught.id}/release`, { mailServerId: foreignServerId })).status, 404);
      const listB = await p.adminB.get('/caught-messages');
      assert.equal(listB.status, 200);
      assert.ok(!listB.body.items.some((m: any) => m.id === caught.id));
      assert.equal((await p.adminA.get(`/messages/${caught.id}`)).body.status, 'caught');
    });

    it('never answers with a server password', () => {
      const all = transcripts(p.all);
      for (const secret of [SINK_PASSWORD, OTHER_PASSWORD]) assert.ok(!all.includes(secret), 'a password appears in an answer');
      for (const secret of [SINK_PASSWORD, OTHER_PASSWORD]) assert.ok(!t.logs().includes(secret), 'a password appears in the logs');
    });
  });
}

