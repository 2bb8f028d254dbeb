// Submitting messages: validation that stores nothing, idempotency, batches, the profile applied.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';

describe('messages API', () => {
  let t: TestApp;
  let api: ApiClient;
  let host: ApiClient;
  let serverId: string;
  const countRows = async () => Number((await t.app.database.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const countJobs = async () => Number((await t.app.database.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const message = (extra: Record<string, unknown> = {}) => ({ to: ['ann@customer.example'], subject: 'Hello', text: 'Body', ...extra });

  before(async () => {
    t = await startTestApp();
    api = await setupRoot(t.url);
    const created = await api.post('/mail-servers', serverInput({
      fromAddress: 'noreply@acme.example', fromName: 'Acme', replyTo: 'help@acme.example', errorTo: 'bounces@acme.example',
      cc: ['audit@acme.example'], bcc: ['archive@acme.example'], customHeaders: [{ name: 'X-App', value: 'crm' }],
    }));
    serverId = created.body.id;
    await useCustomServer(t, serverId);
    host = ApiClient.withApiKey(t.url, (await api.post('/api-keys', { name: 'crm' })).body.key);
  });
  after(() => t.close());

  it('answers 202 only after the message and its job are stored, with the profile applied', async () => {
    const res = await host.post('/messages', message({ headers: [{ name: 'X-Trace', value: 'abc' }] }));
    assert.equal(res.status, 202, res.text);
    assert.match(res.body.messageId, /^<[0-9a-f-]+@acme\.example>$/);
    const row = await t.app.services.store.messages.get(res.body.id);
    assert.ok(row, 'stored');
    assert.equal(row.mailFrom, 'bounces@acme.example', 'error-to is the envelope sender');
    assert.match(row.raw, /^From: Acme <noreply@acme\.example>/m);
    assert.match(row.raw, /^Reply-To: help@acme\.example/m);
    assert.match(row.raw, /^Cc: audit@acme\.example/m);
    assert.match(row.raw, /^X-App: crm/m);
    assert.match(row.raw, /^X-Trace: abc/m);
    assert.match(row.raw, new RegExp(`^Message-ID: ${row.messageId}`, 'm'));
    assert.ok(!/^Bcc:/mi.test(row.raw), 'BCC never in a header');
    const recipients = (await t.app.services.store.messages.recipients(row.id)).map((r) => `${r.kind}:${r.address}`).sort();
    assert.deepEqual(recipients, ['bcc:archive@acme.example', 'cc:audit@acme.example', 'to:ann@customer.example']);
    const job = await t.app.database.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `send:${row.id}`).executeTakeFirst();
    assert.ok(job, 'queued in the same commit');
    const detail = await host.get(`/messages/${res.body.id}`);
    assert.equal(detail.body.status, 'queued');
    assert.equal(detail.body.recipients.length, 3);
  });

  const invalid: [string, Record<string, unknown>, string, number?][] = [
    ['a bad address', message({ to: ['"a@x y"@z.example'] }), 'to.0'],
    ['header injection in the subject', message({ subject: 'Hi\r\nBcc: victim@x.example' }), 'subject'],
    ['an encoded line break', message({ fromName: '=?utf-8?q?A=0D=0ABcc:_x@y.example?=' }), 'fromName'],
    ['a reserved header', message({ headers: [{ name: 'Bcc', value: 'x@y.example' }] }), 'headers.0.name'],
    ['no body', message({ text: null }), 'text'],
    ['no recipient', message({ to: [] }), 'to'],
    ['an oversize attachment', message({ attachments: [{ filename: 'big.bin', contentType: 'application/octet-stream', contentBase64: 'A'.repeat(14 * 1024 * 1024) }] }), 'attachments'],
    ['bad base64', message({ attachments: [{ filename: 'x.txt', contentType: 'text/plain', contentBase64: '%%%' }] }), 'attachments.0.contentBase64'],
    ['an unknown server', message({ mailServerId: '00000000-0000-0000-0000-000000000000' }), 'mailServerId'],
    ['an unknown field', message({ priority: 'high' }), 'priority'],
  ];
  for (const [what, body, field] of invalid) {
    it(`refuses ${what}, naming ${field}, and stores nothing`, async () => {
      const [rows, jobs] = [await countRows(), await countJobs()];
      const res = await host.post('/messages', body);
      assert.equal(res.status, 400, res.text);
      assert.ok(res.body.error.fields.some((f: any) => f.field === field), JSON.stringify(res.body.error.fields));
      assert.deepEqual([await countRows(), await countJobs()], [rows, jobs]);
    });
  }

  it('refuses an inactive server and another company\'s server', async () => {
    const inactive = (await api.post('/mail-servers', serverInput({ name: 'Off', status: 'inactive' }))).body.id;
    const res = await host.post('/messages', message({ mailServerId: inactive }));
    assert.equal(res.status, 400);
    assert.equal(res.body.error.fields[0].rule, 'active');
    const child = (await api.post('/companies', { name: 'Other', slug: 'other' })).body;
    api.company = child.id;
    const foreign = (await api.post('/mail-servers', serverInput({ name: 'Theirs' }))).body.id;
    api.company = null;
    const refused = await host.post('/messages', message({ mailServerId: foreign }));
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.fields[0].rule, 'exists');
  });

  it('returns the same message for the same Idempotency-Key and body, 409 for another body', async () => {
    const first = await host.request('POST', '/messages', message({ subject: 'Once' }), { 'idempotency-key': 'order-42' });
    const again = await host.request('POST', '/messages', message({ subject: 'Once' }), { 'idempotency-key': 'order-42' });
    assert.equal(first.status, 202);
    assert.equal(again.status, 202);
    assert.equal(again.body.id, first.body.id);
    assert.equal(again.body.duplicate, true);
    const conflict = await host.request('POST', '/messages', message({ subject: 'Changed' }), { 'idempotency-key': 'order-42' });
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.error.code, 'IDEMPOTENCY_CONFLICT');
  });

  it('keeps each request to itself when concurrent submissions share a commit (same key twice, a conflicting key)', async () => {
    const [rows, jobs] = [await countRows(), await countJobs()];
    const plain = Array.from({ length: 12 }, (_, i) => host.post('/messages', message({ to: [`c${i}@customer.example`] })));
    const keyed = [
      host.request('POST', '/messages', message({ subject: 'Shared' }), { 'idempotency-key': 'together-1' }),
      host.request('POST', '/messages', message({ subject: 'Shared' }), { 'idempotency-key': 'together-1' }),
    ];
    // Its key is taken by the earlier test's message with another body: a 409, for it alone.
    const conflicting = host.request('POST', '/messages', message({ subject: 'Other body' }), { 'idempotency-key': 'order-42' });
    const [plainRes, keyedRes, conflict] = await Promise.all([Promise.all(plain), Promise.all(keyed), conflicting]);
    for (const res of plainRes) assert.equal(res.status, 202, res.text);
    assert.equal(new Set(plainRes.map((r) => r.body.id)).size, 12);
    assert.deepEqual(keyedRes.map((r) => r.status), [202, 202], keyedRes.map((r) => r.text).join(' | '));
    assert.equal(keyedRes[0]!.body.id, keyedRes[1]!.body.id, 'one message for one key');
    assert.deepEqual(keyedRes.map((r) => Boolean(r.body.duplicate)).sort(), [false, true]);
    assert.equal(conflict.status, 409, conflict.text);
    assert.equal(conflict.body.error.code, 'IDEMPOTENCY_CONFLICT');
    // Every accepted message stored once with its job (each has the server's CC and BCC: 3 recipients, 1 job).
    assert.deepEqual([await countRows(), await countJobs()], [rows + 13, jobs + 13]);
  });

  it('accepts a batch in one commit, or refuses it whole naming the message', async () => {
    const rows = await countRows();
    const bad = await host.post('/messages/batch', { messages: [message(), message({ to: ['nope'] })] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.fields[0].field, 'messages.1.to.0');
    assert.equal(await countRows(), rows);
    const batch = Array.from({ length: 1000 }, (_, i) => message({ to: [`user${i}@customer.example`] }));
    const ok = await host.post('/messages/batch', { messages: batch });
    assert.equal(ok.status, 202, ok.text.slice(0, 300));
    assert.equal(ok.body.items.length, 1000);
    assert.equal(await countRows(), rows + 1000);
    const tooMany = await host.post('/messages/batch', { messages: [...batch, message()] });
    assert.equal(tooMany.status, 400);
  });

  it('pages through messages with a cursor, without gaps or repeats even within one millisecond', async () => {
    const all = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await host.get(`/messages?limit=97${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200, res.text);
      for (const m of res.body.items) {
        assert.ok(!all.has(m.id), 'no repeats');
        all.add(m.id);
        assert.ok(Array.isArray(m.recipients) && m.recipients.length > 0);
      }
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    assert.equal(all.size, await countRows(), 'no gaps');
    assert.equal((await host.get('/messages?cursor=bm9wZQ')).status, 400);
  });

  it('keeps the mail of a company with no mail server in the built-in catcher', async () => {
    const child = (await api.post('/companies', { name: 'Empty', slug: 'empty' })).body;
    api.company = child.id;
    const jobsBefore = await countJobs();
    const res = await api.post('/messages', message());
    const listed = await api.get('/caught-messages');
    api.company = null;
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.status, 'caught');
    assert.equal(await countJobs(), jobsBefore, 'caught mail is kept, not queued');
    assert.deepEqual(listed.body.items.map((m: { id: string }) => m.id), [res.body.id]);
  });

  it('says clearly when a company on a custom server has lost its default server', async () => {
    const child = (await api.post('/companies', { name: 'Lost', slug: 'lost' })).body;
    await t.app.services.store.companies.setMailService(child.id, 'custom', null);
    api.company = child.id;
    const res = await api.post('/messages', message());
    api.company = null;
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'NO_MAIL_SERVER');
  });

  it('keeps other companies\' messages absent', async () => {
    const mine = (await host.post('/messages', message())).body.id;
    const child = (await api.post('/companies', { name: 'Third', slug: 'third' })).body;
    api.company = child.id;
    assert.equal((await api.get(`/messages/${mine}`)).status, 404);
    assert.equal((await api.post(`/messages/${mine}/retry`)).status, 404);
    api.company = null;
    void serverId;
  });
});
