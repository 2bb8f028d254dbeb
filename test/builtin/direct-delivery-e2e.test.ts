// The built-in service delivering directly, end to end: submit through the API → queue → worker →
// MX lookup in a local DNS stand-in → local smtp-server instances, DKIM-signed with the key the
// company's verified domain got from Mailroom, verified by mailauth against the published record.
import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { after, before, describe, it } from 'node:test';
import { authenticate } from 'mailauth';
import { ApiClient, setupRoot } from '../support/api-client.ts';
import { ManualClock, startTestApp, type TestApp } from '../support/app-harness.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';
import { startScriptedSink, type ScriptedSink } from '../delivery/support/scripted-sink.ts';

const HOUR_MS = 3600_000;

describe('built-in direct delivery, end to end', () => {
  let dnsServer: DnsStandIn;
  let sink: ScriptedSink;
  let t: TestApp;
  let api: ApiClient;
  const clock = new ManualClock();

  before(async () => {
    sink = await startScriptedSink();
    dnsServer = await startDnsStandIn({
      // Two MX hosts: the preferred one (127.0.0.2) has nothing listening on the sink's port.
      'customer.example': { MX: [{ preference: 10, exchange: 'mx1.customer.example' }, { preference: 20, exchange: 'mx2.customer.example' }] },
      'mx1.customer.example': { A: ['127.0.0.2'] },
      'mx2.customer.example': { A: ['127.0.0.1'] },
      'acme.example': {},
      '_dmarc.acme.example': {},
    });
    t = await startTestApp({
      clock,
      env: {
        MAILROOM_BUILTIN_DELIVERY: 'direct', MAILROOM_DNS_SERVERS: dnsServer.server, MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8',
        MAILROOM_DIRECT_PORT: String(sink.port), MAILROOM_HELO_NAME: 'mailroom.test', MAILROOM_SPF_INCLUDE: '_spf.mailroom.test',
      },
    });
    const admin = await setupRoot(t.url);
    api = ApiClient.withApiKey(t.url, (await admin.post('/api-keys', { name: 'host app' })).body.key);
  });
  after(async () => {
    await t.close();
    await sink.close();
    await dnsServer.close();
  });

  const send = (from: string, extra: Record<string, unknown> = {}) => api.post('/messages', { from, to: ['ann@customer.example'], subject: 'Your invoice', text: 'Hello Ann', ...extra });

  it('refuses a From that is neither a verified sender address nor in a verified domain', async () => {
    const res = await send('billing@acme.example');
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error.code, 'SENDER_NOT_VERIFIED');
    assert.equal(res.body.error.fields[0].field, 'from');
    assert.match(res.body.error.message, /not a verified sender address/);
    assert.equal(Number((await t.app.database.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing stored');
  });

  it('delivers through the second MX when the first refuses, signed with the domain\'s DKIM key', async () => {
    const added = await api.post('/domains', { domain: 'acme.example' });
    assert.equal(added.status, 201, added.text);
    // Publish exactly what Mailroom asks for, then check: the domain becomes verified.
    for (const record of added.body.records as { type: string; name: string; value: string }[]) {
      const zone = (dnsServer.zone[record.name] ??= {});
      if (record.type === 'TXT') zone.TXT = [...(zone.TXT ?? []), record.value];
      else zone.CNAME = record.value;
    }
    const checked = await api.post(`/domains/${added.body.id}/check`, {});
    assert.equal(checked.status, 200, checked.text);
    assert.equal(checked.body.status, 'verified', JSON.stringify(checked.body.lastCheck ?? checked.body));

    const res = await send('billing@acme.example');
    assert.equal(res.status, 202, res.text);
    await t.app.worker.runUntilIdle();

    const detail = (await api.get(`/messages/${res.body.id}`)).body;
    assert.equal(detail.status, 'sent', JSON.stringify(detail.attempts));
    assert.equal(detail.route, 'direct');
    assert.equal(sink.received.length, 1);
    const raw = sink.received[0]!.raw;
    assert.match(raw, new RegExp(`^Message-ID: ${detail.messageId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'mi'));

    const resolver = new dns.Resolver();
    resolver.setServers([dnsServer.server]);
    const result = await authenticate(raw, {
      ip: '127.0.0.1', helo: 'mailroom.test', sender: 'billing@acme.example', mta: 'mx2.customer.example',
      resolver: async (name: string, type: string) => (type === 'TXT' ? resolver.resolveTxt(name) : (resolver.resolve(name, type) as Promise<unknown>)),
    } as Parameters<typeof authenticate>[1]);
    const dkim = result.dkim?.results?.[0];
    assert.equal(dkim?.status?.result, 'pass', JSON.stringify(result.dkim));
    assert.equal(dkim?.signingDomain, 'acme.example');
    assert.equal(dkim?.selector, added.body.dkimSelector);
  });

  it('retries a 4xx later and delivers once', async () => {
    sink.received.length = 0;
    let rcpts = 0;
    sink.script.rcpt = () => (++rcpts === 1 ? { code: 451, message: '4.7.1 Greylisted, try again later' } : null);
    const res = await send('billing@acme.example', { subject: 'Greylisted once' });
    assert.equal(res.status, 202, res.text);
    await t.app.worker.runUntilIdle();
    let detail = (await api.get(`/messages/${res.body.id}`)).body;
    assert.equal(detail.status, 'retrying', JSON.stringify(detail.attempts));
    assert.equal(detail.attempts[0].replyCode, 451);
    assert.equal(sink.received.length, 0);

    clock.advance(HOUR_MS);
    await t.app.worker.runUntilIdle();
    detail = (await api.get(`/messages/${res.body.id}`)).body;
    assert.equal(detail.status, 'sent', JSON.stringify(detail.attempts));
    assert.equal(sink.received.length, 1, 'delivered once');
    sink.script.rcpt = undefined;
  });

  it('fails a recipient whose domain does not exist, without retrying', async () => {
    const res = await api.post('/messages', { from: 'billing@acme.example', to: ['bob@nowhere.example'], subject: 'x', text: 'y' });
    assert.equal(res.status, 202, res.text);
    await t.app.worker.runUntilIdle();
    const detail = (await api.get(`/messages/${res.body.id}`)).body;
    assert.equal(detail.status, 'failed', JSON.stringify(detail.attempts));
    assert.equal(detail.attempts.length, 1);
  });
});

