// MTA-STS (RFC 8461) in direct delivery, against real parts on loopback: a DNS stand-in answers the
// `_mta-sts` TXT records, MX and A records; an HTTPS server with a certificate from a test CA serves
// the policy files (chosen by Host header, as one web server hosting several mta-sts.<domain> names);
// smtp-server instances play the mail exchangers.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createDnsResolver } from '../../src/adapters/smtp-probe/host-resolver.ts';
import { createDnsMxResolver } from '../../src/adapters/transport/mx-resolver.ts';
import { createMtaStsPolicySource, mxMatchesPolicy, policyId, type MtaStsPolicy } from '../../src/adapters/transport/mta-sts-policy.ts';
import { createEgressPolicy } from '../../src/core/diagnostics/egress-policy.ts';
import type { OutgoingEnvelope } from '../../src/core/outbound/delivery-types.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';
import { createTestCertificates, type TestCertificates } from '../diagnostics/support/test-certificates.ts';
import { directTransportVia, renderedMessage, summary } from './support/delivery-fixtures.ts';

interface Exchanger {
  port: number;
  received: { to: string[]; secure: boolean }[];
  close(): Promise<void>;
}

async function startExchanger(options: SMTPServerOptions): Promise<Exchanger> {
  const received: Exchanger['received'] = [];
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    ...options,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), secure: session.secure });
        callback();
      });
    },
  });
  server.on('error', () => {}); // clients hanging up mid-TLS are part of these tests
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const policy = (mode: string, ...mx: string[]): string => ['version: STSv1', `mode: ${mode}`, ...mx.map((m) => `mx: ${m}`), 'max_age: 86400', ''].join('\r\n');

describe('MTA-STS in direct delivery', () => {
  let dns: DnsStandIn;
  let certs: TestCertificates;
  let https: Server;
  let httpsPort: number;
  /** Policy files by host name; a missing entry answers 404. */
  const files: Record<string, { body: string; type?: string; status?: number }> = {};
  const requests: string[] = [];

  before(async () => {
    certs = createTestCertificates();
    const policyHosts = ['enforce', 'mismatch', 'testing', 'none', 'wildcard', 'cached', 'html', 'valid-cert'].map((d) => `mta-sts.${d}.test`);
    const { key, cert } = certs.issue(policyHosts);
    https = createServer({ key, cert }, (req, res) => {
      const host = (req.headers.host ?? '').replace(/:\d+$/, '');
      requests.push(`${host}${req.url ?? ''}`);
      const file = req.url === '/.well-known/mta-sts.txt' ? files[host] : undefined;
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(file.status ?? 200, { 'content-type': file.type ?? 'text/plain; charset=utf-8' }).end(file.body);
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', () => resolve()));
    httpsPort = (https.address() as AddressInfo).port;

    const zone: Parameters<typeof startDnsStandIn>[0] = {
      'mx1.loop.test': { A: ['127.0.0.1'] },
      'mx.other.test': { A: ['127.0.0.1'] },
      // The test CA's "valid" leaf names localhost: an MX of that name has a valid certificate.
      localhost: { A: ['127.0.0.1'] },
      // A policy host that resolves to an address outside the allowed networks.
      'mta-sts.blocked.test': { A: ['10.0.0.1'] },
      'blocked.test': { MX: [{ preference: 10, exchange: 'mx1.loop.test' }] },
      '_mta-sts.blocked.test': { TXT: ['v=STSv1; id=1;'] },
      // A TXT record and no policy host at all.
      'unfetchable.test': { MX: [{ preference: 10, exchange: 'mx1.loop.test' }] },
      '_mta-sts.unfetchable.test': { TXT: ['v=STSv1; id=1;'] },
    };
    for (const domain of ['enforce', 'mismatch', 'testing', 'none', 'wildcard', 'cached', 'html', 'valid-cert']) {
      zone[`${domain}.test`] = { MX: [{ preference: 10, exchange: domain === 'valid-cert' ? 'localhost' : 'mx1.loop.test' }] };
      zone[`_mta-sts.${domain}.test`] = { TXT: ['v=STSv1; id=20261201T000000;'] };
      zone[`mta-sts.${domain}.test`] = { A: ['127.0.0.1'] };
    }
    dns = await startDnsStandIn(zone);
    files['mta-sts.enforce.test'] = { body: policy('enforce', 'mx1.loop.test') };
    files['mta-sts.mismatch.test'] = { body: policy('enforce', 'mx.mismatch.test') };
    files['mta-sts.testing.test'] = { body: policy('testing', 'mx.elsewhere.test') };
    files['mta-sts.none.test'] = { body: policy('none') };
    files['mta-sts.wildcard.test'] = { body: policy('enforce', '*.loop.test') };
    files['mta-sts.cached.test'] = { body: policy('enforce', 'mx1.loop.test') };
    files['mta-sts.html.test'] = { body: policy('enforce', 'mx1.loop.test'), type: 'text/html' };
    files['mta-sts.valid-cert.test'] = { body: policy('enforce', 'localhost') };
  });
  after(async () => {
    await new Promise<void>((resolve) => https.close(() => resolve()));
    await dns.close();
    certs.remove();
  });

  const directTransport = (port: number) => directTransportVia(dns.server, port, { mtaStsPort: httpsPort, extraCaCertificates: [certs.caPem] });


  function policySource() {
    return createMtaStsPolicySource({
      mxResolver: createDnsMxResolver({ servers: [dns.server] }),
      hostResolver: createDnsResolver({ servers: [dns.server] }),
      egressPolicy: createEgressPolicy({ allowedNetworks: ['127.0.0.0/8'] }),
      port: httpsPort,
      extraCaCertificates: [certs.caPem],
      dnsTimeoutMs: 1_000,
      fetchTimeoutMs: 2_000,
    });
  }

  function envelopeTo(recipient: string): OutgoingEnvelope {
    const message = renderedMessage();
    return { mailFrom: 'bounce@example.com', recipients: [recipient], raw: message.raw, messageId: message.messageId };
  }

  /** Sends one message to `recipient` through a fresh transport and an exchanger with `options`. */
  async function sendTo(recipient: string, options: SMTPServerOptions) {
    const mx = await startExchanger(options);
    const transport = directTransport(mx.port);
    try {
      const result = await transport.send(envelopeTo(recipient), { dkim: null });
      return { result, received: [...mx.received] };
    } finally {
      await transport.close();
      await mx.close();
    }
  }

  it('enforce: an MX without STARTTLS gets nothing, and the failure says why', async () => {
    const { result, received } = await sendTo('ann@enforce.test', { disabledCommands: ['STARTTLS'] });
    assert.equal(result.kind, 'temporary', summary(result));
    assert.equal(result.code, 'STARTTLS_NOT_OFFERED');
    assert.match(result.message, /enforce\.test requires TLS \(the domain's MTA-STS policy is in enforce mode\).*mx1\.loop\.test.*does not offer STARTTLS/);
    assert.equal(received.length, 0);
  });

  it('enforce: a self-signed certificate is refused; a certificate valid for the MX name is accepted', async () => {
    const refused = await sendTo('ann@enforce.test', { key: certs.selfSigned.key, cert: certs.selfSigned.cert });
    assert.equal(refused.result.kind, 'temporary', summary(refused.result));
    assert.equal(refused.result.code, 'CERT_UNTRUSTED');
    assert.equal(refused.received.length, 0);

    const accepted = await sendTo('ann@valid-cert.test', { key: certs.valid.key, cert: certs.valid.cert });
    assert.equal(accepted.result.kind, 'sent', summary(accepted.result));
    assert.match(accepted.result.tls ?? '', /^TLSv1\.[23]$/);
    assert.deepEqual(accepted.received, [{ to: ['ann@valid-cert.test'], secure: true }]);
  });

  it('enforce: an MX the policy does not list is never connected to', async () => {
    let connections = 0;
    const { result, received } = await sendTo('ann@mismatch.test', {
      disabledCommands: ['STARTTLS'],
      onConnect(_session, callback) {
        connections++;
        callback();
      },
    });
    assert.equal(result.kind, 'temporary', summary(result));
    assert.match(result.message, /mismatch\.test's MTA-STS policy allows only the mail servers mx\.mismatch\.test, and none of its MX hosts \(mx1\.loop\.test\)/);
    assert.equal(result.enhanced, '4.7.5');
    assert.equal(connections, 0);
    assert.equal(received.length, 0);
  });

  it('enforce: "*.loop.test" allows mx1.loop.test', async () => {
    const { result } = await sendTo('ann@wildcard.test', { disabledCommands: ['STARTTLS'] });
    // Allowed by name, then refused for the missing STARTTLS: the wildcard matched.
    assert.equal(result.code, 'STARTTLS_NOT_OFFERED', summary(result));
  });

  it('testing and none: delivered as without a policy (opportunistic TLS, any MX)', async () => {
    for (const domain of ['testing.test', 'none.test']) {
      const { result, received } = await sendTo(`ann@${domain}`, { disabledCommands: ['STARTTLS'] });
      assert.equal(result.kind, 'sent', `${domain}: ${summary(result)}`);
      assert.deepEqual(received, [{ to: [`ann@${domain}`], secure: false }]);
    }
  });

  it('a TXT record whose policy cannot be fetched (no host, wrong content type, blocked address) counts as no policy', async () => {
    for (const domain of ['unfetchable.test', 'html.test', 'blocked.test']) {
      const { result, received } = await sendTo(`ann@${domain}`, { disabledCommands: ['STARTTLS'] });
      assert.equal(result.kind, 'sent', `${domain}: ${summary(result)}`);
      assert.equal(received.length, 1, domain);
    }
    // The blocked policy host was never asked (it would have been this server, had it resolved here).
    assert.equal(requests.some((r) => r.startsWith('mta-sts.blocked.test')), false);
  });

  it('caches the policy until the TXT id changes, and keeps it when the TXT record disappears', async () => {
    const sts = policySource();
    const fetches = () => requests.filter((r) => r.startsWith('mta-sts.cached.test')).length;
    const before = fetches();
    assert.equal((await sts.policyFor('cached.test'))?.mode, 'enforce');
    assert.equal((await sts.policyFor('cached.test'))?.mode, 'enforce');
    assert.equal(fetches(), before + 1, 'fetched once for two lookups');

    files['mta-sts.cached.test'] = { body: policy('testing', 'mx1.loop.test') };
    dns.zone['_mta-sts.cached.test'] = { TXT: ['v=STSv1; id=20261202T000000;'] };
    assert.equal((await sts.policyFor('cached.test'))?.mode, 'testing', 'a new id fetches the new policy');
    assert.equal(fetches(), before + 2);

    // An attacker who strips the TXT answer does not switch TLS off: the cached policy still applies.
    delete dns.zone['_mta-sts.cached.test'];
    assert.equal((await sts.policyFor('cached.test'))?.mode, 'testing');
    assert.equal(fetches(), before + 2);
  });

  it('reads the id from the one v=STSv1 record, and matches MX names as RFC 8461 says', () => {
    assert.equal(policyId(['v=STSv1; id=20160831085700Z;']), '20160831085700Z');
    assert.equal(policyId(['v=spf1 -all', 'v=STSv1;id=abc']), 'abc');
    assert.equal(policyId(['v=STSv1; id=1;', 'v=STSv1; id=2;']), null, 'two records: no policy');
    assert.equal(policyId(['v=STSv1;']), null, 'no id');
    assert.equal(policyId(['v=STSv10; id=1']), null);

    const p: MtaStsPolicy = { id: '1', mode: 'enforce', mx: ['mail.example.com', '*.example.net'], maxAgeSeconds: 86400 };
    assert.equal(mxMatchesPolicy('mail.example.com', p), true);
    assert.equal(mxMatchesPolicy('MAIL.example.com.', p), true);
    assert.equal(mxMatchesPolicy('mx1.example.net', p), true);
    assert.equal(mxMatchesPolicy('a.b.example.net', p), false, 'the star is one label');
    assert.equal(mxMatchesPolicy('example.net', p), false);
    assert.equal(mxMatchesPolicy('evilexample.net', p), false);
    assert.equal(mxMatchesPolicy('other.example.com', p), false);
  });
});
