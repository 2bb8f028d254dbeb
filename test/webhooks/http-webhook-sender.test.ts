// The HTTP webhook sender against real receivers on loopback: it connects to the address the
// egress rule checked (never re-resolving), keeps the name for Host and TLS, refuses what the rule
// refuses before any connection, follows no redirect, and gives up after its deadline.
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HostResolveError, type HostResolver } from '../../src/adapters/smtp-probe/host-resolver.ts';
import { createHttpWebhookSender } from '../../src/adapters/webhooks/http-webhook-sender.ts';
import { createEgressPolicy } from '../../src/core/diagnostics/egress-policy.ts';
import { closedLocalPort } from '../support/local-http-server.ts';
import { createTestCertificates, type TestCertificates } from '../diagnostics/support/test-certificates.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';

/** A resolver with a fixed table that counts its lookups (the real ones are tested in diagnostics). */
function tableResolver(table: Record<string, string[]>): HostResolver & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    async resolve(hostname) {
      lookups.push(hostname);
      const found = table[hostname];
      if (!found) throw new HostResolveError('not-found', `${hostname} has no address`);
      return found;
    },
  };
}

const allowLoopback = createEgressPolicy({ allowedNetworks: ['127.0.0.0/8'] });
const defaultPolicy = createEgressPolicy({ allowedNetworks: [] });
const request = (url: string) => ({ url, headers: { 'Content-Type': 'application/json', 'Mailroom-Event-Id': 'evt_1' }, body: '{"id":"evt_1"}' });

describe('http webhook sender', () => {
  let receiver: WebhookReceiver;
  before(async () => { receiver = await startWebhookReceiver(); });
  after(() => receiver.close());

  it('posts to the checked address while the request keeps the name (Host header)', async () => {
    receiver.received.length = 0;
    receiver.respond = () => 204;
    const resolver = tableResolver({ 'hooks.customer.test': ['127.0.0.1'] });
    const sender = createHttpWebhookSender({ resolver, egressPolicy: allowLoopback });
    const result = await sender.send(request(`http://hooks.customer.test:${receiver.port}/mailroom?token=abc`));
    assert.equal(result.outcome, 'delivered', result.error ?? '');
    assert.equal(result.statusCode, 204);
    assert.deepEqual(resolver.lookups, ['hooks.customer.test'], 'resolved once');
    const got = receiver.received[0]!;
    assert.equal(got.method, 'POST');
    assert.equal(got.path, '/mailroom?token=abc');
    assert.equal(got.headers.host, `hooks.customer.test:${receiver.port}`);
    assert.equal(got.headers['mailroom-event-id'], 'evt_1');
    assert.equal(got.headers['user-agent'], 'Mailroom-Webhooks/1');
    assert.equal(got.body, '{"id":"evt_1"}');
  });

  it('connects to the first allowed address only, never to a refused one the name also has', async () => {
    receiver.received.length = 0;
    receiver.respond = () => 200;
    const resolver = tableResolver({ 'mixed.test': ['169.254.169.254', '10.0.0.7', '127.0.0.1'] });
    const result = await createHttpWebhookSender({ resolver, egressPolicy: allowLoopback }).send(request(`http://mixed.test:${receiver.port}/`));
    assert.equal(result.outcome, 'delivered');
    assert.equal(receiver.received.length, 1);
  });

  it('refuses loopback by default, and a name that resolves to a private address, before connecting', async () => {
    receiver.received.length = 0;
    const resolver = tableResolver({ 'internal.customer.test': ['10.20.30.40'], 'loop.test': ['127.0.0.1'] });
    const sender = createHttpWebhookSender({ resolver, egressPolicy: defaultPolicy });
    for (const url of [`http://127.0.0.1:${receiver.port}/`, `https://127.0.0.1:${receiver.port}/`, `http://[::1]:${receiver.port}/`, `https://loop.test:${receiver.port}/`, 'https://internal.customer.test/hook', 'https://169.254.169.254/latest/meta-data']) {
      const result = await sender.send(request(url));
      assert.equal(result.outcome, 'blocked', url);
      assert.match(result.error ?? '', /may not connect to/, url);
      assert.ok(!(result.error ?? '').includes('10.20.30.40'), 'the resolved address is not disclosed');
      const problem = await sender.checkTarget(url);
      assert.equal(problem?.rule, 'host_blocked', url);
    }
    assert.equal(receiver.received.length, 0, 'nothing reached the receiver');
  });

  it('requires https for a public host; http only inside an allowed network', async () => {
    const resolver = tableResolver({ 'hooks.public.test': ['93.184.216.34'], 'hooks.lan.test': ['127.0.0.1'] });
    const sender = createHttpWebhookSender({ resolver, egressPolicy: allowLoopback });
    assert.equal((await sender.checkTarget('http://hooks.public.test/hook'))?.rule, 'https_required');
    assert.equal(await sender.checkTarget('https://hooks.public.test/hook'), null);
    assert.equal(await sender.checkTarget(`http://hooks.lan.test:${receiver.port}/hook`), null);
    const sent = await sender.send(request('http://hooks.public.test/hook'));
    assert.equal(sent.outcome, 'blocked');
    assert.match(sent.error ?? '', /https:\/\//);
    assert.equal((await sender.checkTarget('ftp://hooks.public.test/x'))?.rule, 'url');
    assert.equal((await sender.checkTarget('https://nowhere.test/x'))?.rule, 'dns_not_found');
  });

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    receiver.received.length = 0;
    receiver.respond = (n) => (n === 1 ? { status: 302, headers: { Location: `http://127.0.0.1:${receiver.port}/elsewhere` } } : 200);
    const result = await createHttpWebhookSender({ resolver: tableResolver({}), egressPolicy: allowLoopback }).send(request(`${receiver.url}/hook`));
    assert.equal(result.outcome, 'http-error');
    assert.equal(result.statusCode, 302);
    assert.match(result.error ?? '', /redirects are not followed/);
    assert.equal(receiver.received.length, 1, 'the Location was not requested');
  });

  it('keeps a short, clean excerpt of an error answer', async () => {
    receiver.respond = () => ({ status: 500, body: `Internal\r\nerror ${'x'.repeat(10_000)}` });
    const result = await createHttpWebhookSender({ resolver: tableResolver({}), egressPolicy: allowLoopback }).send(request(`${receiver.url}/hook`));
    assert.equal(result.outcome, 'http-error');
    assert.equal(result.statusCode, 500);
    assert.match(result.error ?? '', /^HTTP 500 Internal Server Error: Internal error x+$/);
    assert.ok((result.error ?? '').length < 260);
  });

  it('gives up after its deadline, and says when nothing listens', async () => {
    receiver.respond = () => 'hang';
    const sender = createHttpWebhookSender({ resolver: tableResolver({}), egressPolicy: allowLoopback, timeoutMs: 300 });
    const slow = await sender.send(request(`${receiver.url}/hook`));
    assert.equal(slow.outcome, 'timeout');
    assert.ok(slow.durationMs >= 250 && slow.durationMs < 5_000, String(slow.durationMs));
    const refused = await sender.send(request(`http://127.0.0.1:${await closedLocalPort()}/hook`));
    assert.equal(refused.outcome, 'network');
    assert.match(refused.error ?? '', /Connection refused/);
  });

  describe('over TLS', () => {
    let certs: TestCertificates;
    let server: https.Server | null = null;
    before(() => { certs = createTestCertificates(); });
    after(async () => {
      certs.remove();
      if (server) await new Promise<void>((r) => { server!.closeAllConnections(); server!.close(() => r()); });
    });
    const listen = async (pair: { key: string; cert: string }) => {
      if (server) await new Promise<void>((r) => { server!.closeAllConnections(); server!.close(() => r()); });
      const names: string[] = [];
      server = https.createServer({ ...pair }, (req, res) => { names.push(String(req.headers.host)); res.writeHead(200).end('ok'); });
      server.on('secureConnection', (socket) => names.push(`sni:${(socket as unknown as { servername: string }).servername}`));
      await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
      return { port: (server.address() as AddressInfo).port, names };
    };

    it('checks the certificate against the name (SNI) while connecting to the checked address', async () => {
      const { port, names } = await listen(certs.valid);
      const sender = createHttpWebhookSender({ resolver: tableResolver({ localhost: ['127.0.0.1'] }), egressPolicy: allowLoopback, ca: certs.caPem });
      const ok = await sender.send(request(`https://localhost:${port}/hook`));
      assert.equal(ok.outcome, 'delivered', ok.error ?? '');
      assert.deepEqual(names, ['sni:localhost', `localhost:${port}`]);
    });

    it('refuses a certificate for another name', async () => {
      const { port } = await listen(certs.wrongName);
      const sender = createHttpWebhookSender({ resolver: tableResolver({ localhost: ['127.0.0.1'] }), egressPolicy: allowLoopback, ca: certs.caPem });
      const refused = await sender.send(request(`https://localhost:${port}/hook`));
      assert.equal(refused.outcome, 'network');
      assert.match(refused.error ?? '', /certificate was refused/);
    });
  });
});
