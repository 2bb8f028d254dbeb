// Direct delivery against real servers on loopback: a DNS stand-in answers MX, A and TXT, and
// smtp-server instances play the mail exchangers. MX records carry no port, so the transport's
// `port` applies to every MX: two exchangers are two loopback addresses (127.0.0.1, 127.0.0.2)
// listening on the same port — Linux routes all of 127.0.0.0/8 to lo.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as nodeDns } from 'node:dns';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { authenticate } from 'mailauth';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { orderMxRecords, type DirectDeliveryTransportOptions } from '../../src/adapters/transport/direct-delivery-transport.ts';
import { DKIM_SIGNED_HEADERS } from '../../src/adapters/transport/dkim-signer.ts';
import { createEgressPolicy } from '../../src/core/diagnostics/egress-policy.ts';
import type { OutgoingEnvelope } from '../../src/core/outbound/delivery-types.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';
import { createTestCertificates, type TestCertificates } from '../diagnostics/support/test-certificates.ts';
import { directTransportVia, renderedMessage, smtpError, startScriptedSmtpServer, summary } from './support/delivery-fixtures.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
}

interface Exchanger {
  host: string;
  port: number;
  messages: Received[];
  connections(): number;
  close(): Promise<void>;
}

/** An smtp-server on `host:port` (port 0: any) that records what it accepts; `options` script it. */
async function startExchanger(host: string, port: number, options: SMTPServerOptions = {}): Promise<Exchanger> {
  const messages: Received[] = [];
  let connections = 0;
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    name: `mx.${host}`,
    ...options,
    onConnect(session, callback) {
      connections++;
      if (options.onConnect) options.onConnect(session, callback);
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
        });
        callback();
      });
    },
  });
  server.on('error', () => {}); // clients hanging up mid-TLS are part of these tests
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    host,
    port: (server.server.address() as AddressInfo).port,
    messages,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Two exchangers on one port: the first on 127.0.0.1, the second on 127.0.0.2. */
async function startExchangerPair(first: SMTPServerOptions, second: SMTPServerOptions): Promise<[Exchanger, Exchanger]> {
  const one = await startExchanger('127.0.0.1', 0, first);
  try {
    return [one, await startExchanger('127.0.0.2', one.port, second)];
  } catch (err) {
    await one.close();
    throw err;
  }
}

const NO_STARTTLS: SMTPServerOptions = { disabledCommands: ['STARTTLS'] };

function envelopeTo(recipients: string[], message = renderedMessage()): OutgoingEnvelope {
  return { mailFrom: 'bounce@example.com', recipients, raw: message.raw, messageId: message.messageId };
}

describe('direct delivery', () => {
  let dns: DnsStandIn;
  let certs: TestCertificates;
  const dkimKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dkim = { domainName: 'example.com', selector: 'mailroom1', privateKey: dkimKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };

  before(async () => {
    certs = createTestCertificates();
    dns = await startDnsStandIn({
      // The signer's public key, where receivers look for it.
      'mailroom1._domainkey.example.com': { TXT: [`v=DKIM1; k=rsa; p=${dkimKeys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`] },
      'mx1.loop.test': { A: ['127.0.0.1'] },
      'mx2.loop.test': { A: ['127.0.0.2'] },
      'mx3.loop.test': { A: ['127.0.0.3'] }, // nothing listens on 127.0.0.3
      'one.test': { MX: [{ preference: 10, exchange: 'mx1.loop.test' }] },
      'two.test': { MX: [{ preference: 10, exchange: 'mx1.loop.test' }, { preference: 20, exchange: 'mx2.loop.test' }] },
      'refused-first.test': { MX: [{ preference: 5, exchange: 'mx3.loop.test' }, { preference: 10, exchange: 'mx1.loop.test' }] },
      'other.test': { MX: [{ preference: 10, exchange: 'mx1.loop.test' }] },
      'nomx.test': { A: ['127.0.0.1'] },
      'nothing.test': {},
      'nullmx.test': { MX: [{ preference: 0, exchange: '.' }] },
      'servfail.test': { servfail: true },
      'unresolvable-mx.test': { MX: [{ preference: 10, exchange: 'gone.loop.test' }] },
    });
  });
  after(async () => {
    await dns.close();
    certs.remove();
  });

  const directTransport = (port: number, overrides: Partial<DirectDeliveryTransportOptions> = {}) =>
    directTransportVia(dns.server, port, { random: () => 0.5, ...overrides });


  it('delivers with a DKIM signature that verifies against the published key', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port);
    try {
      const message = renderedMessage();
      const result = await transport.send(envelopeTo(['ann@one.test'], message), { dkim });
      assert.equal(result.kind, 'sent', summary(result));
      assert.equal(result.code, 'SENT');
      assert.equal(result.replyCode, 250);
      assert.equal(result.tls, null);
      assert.deepEqual(result.recipients.map((r) => [r.address, r.kind]), [['ann@one.test', 'sent']]);
      assert.equal(mx.messages.length, 1);
      const received = mx.messages[0]!;
      assert.equal(received.from, 'bounce@example.com');
      assert.deepEqual(received.to, ['ann@one.test']);
      // The signature is prepended; the message below it is byte for byte the rendered one.
      assert.match(received.raw, /^DKIM-Signature: /);
      assert.equal(received.raw.slice(received.raw.indexOf('\r\nFrom: ') + 2), message.raw);
      const signature = received.raw.slice(0, received.raw.indexOf('\r\nFrom: ')).replace(/\r\n\s+/g, ' ');
      assert.match(signature, /\ba=rsa-sha256;/);
      assert.match(signature, /\bc=relaxed\/relaxed;/);
      assert.match(signature, /\bd=example\.com;/);
      assert.match(signature, /\bs=mailroom1;/);
      const signed = /\bh=([^;]+);/.exec(signature)?.[1]?.split(':').map((h) => h.trim().toLowerCase()) ?? [];
      for (const header of ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type']) assert.ok(signed.includes(header), `h= must include ${header}: ${signed.join(',')}`);
      assert.ok(signed.every((h) => DKIM_SIGNED_HEADERS.map((n) => n.toLowerCase()).includes(h)), `only the listed headers are signed: ${signed.join(',')}`);

      // A receiver's check, with the key looked up in the stand-in.
      const resolver = new nodeDns.Resolver();
      resolver.setServers([dns.server]);
      const verdict = await authenticate(received.raw, {
        ip: '127.0.0.1',
        helo: 'mailroom-test.example',
        sender: 'bounce@example.com',
        mta: 'mx.one.test',
        disableArc: true,
        disableBimi: true,
        resolver: (name: string, rrtype: string) => resolver.resolve(name, rrtype) as Promise<string[] | string[][]>,
      });
      assert.deepEqual(verdict.dkim.results.map((r) => [r.status.result, r.signingDomain]), [['pass', 'example.com']]);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('sends the message unchanged when no DKIM key is given', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port);
    try {
      const message = renderedMessage();
      const result = await transport.send(envelopeTo(['ann@one.test'], message), { dkim: null });
      assert.equal(result.kind, 'sent', summary(result));
      assert.equal(mx.messages[0]!.raw, message.raw);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('refuses to send with an unusable DKIM key, naming the key but not its contents, before any connection', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port);
    try {
      const result = await transport.send(envelopeTo(['ann@one.test']), { dkim: { ...dkim, privateKey: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' } });
      assert.equal(result.kind, 'config', summary(result));
      assert.match(result.message, /DKIM-signed.*example\.com.*mailroom1/);
      assert.doesNotMatch(JSON.stringify(result), /bm90IGEga2V5|BEGIN PRIVATE KEY/);
      assert.equal(mx.connections(), 0);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('tries the next MX when the first greets with 421', async () => {
    const [first, second] = await startExchangerPair(
      { ...NO_STARTTLS, onConnect: (_s, cb) => cb(smtpError(421, '4.3.2 Too busy, try again later')) },
      NO_STARTTLS,
    );
    const transport = directTransport(first.port);
    try {
      const result = await transport.send(envelopeTo(['ann@two.test']), { dkim: null });
      assert.equal(result.kind, 'sent', summary(result));
      assert.equal(first.connections(), 1);
      assert.equal(first.messages.length, 0);
      assert.equal(second.messages.length, 1);
      assert.deepEqual(second.messages[0]!.to, ['ann@two.test']);
    } finally {
      await transport.close();
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('tries the next MX when the first refuses the connection', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port);
    try {
      const result = await transport.send(envelopeTo(['ann@refused-first.test']), { dkim: null });
      assert.equal(result.kind, 'sent', summary(result));
      assert.equal(mx.messages.length, 1);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('is temporary when every MX failed, naming the last one', async () => {
    const [first, second] = await startExchangerPair(
      { ...NO_STARTTLS, onConnect: (_s, cb) => cb(smtpError(421, '4.3.2 Too busy')) },
      { ...NO_STARTTLS, onConnect: (_s, cb) => cb(smtpError(554, '5.7.1 No SMTP service here')) },
    );
    const transport = directTransport(first.port);
    try {
      const result = await transport.send(envelopeTo(['ann@two.test']), { dkim: null });
      assert.equal(result.kind, 'temporary', summary(result));
      assert.match(result.message, /two\.test.*2 tried.*mx2\.loop\.test/);
      assert.equal(result.replyCode, 554);
      assert.deepEqual(result.recipients.map((r) => r.kind), ['temporary']);
      assert.equal(first.connections() + second.connections(), 2);
    } finally {
      await transport.close();
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('a 4xx to RCPT is a temporary failure, and the next MX is not tried', async () => {
    const [first, second] = await startExchangerPair(
      { ...NO_STARTTLS, onRcptTo: (_a, _s, cb) => cb(smtpError(450, '4.2.1 Mailbox busy')) },
      NO_STARTTLS,
    );
    const transport = directTransport(first.port);
    try {
      const result = await transport.send(envelopeTo(['ann@two.test']), { dkim: null });
      assert.equal(result.kind, 'temporary', summary(result));
      assert.equal(result.replyCode, 450);
      assert.equal(result.enhanced, '4.2.1');
      assert.deepEqual(result.recipients.map((r) => [r.kind, r.replyCode]), [['temporary', 450]]);
      assert.equal(second.connections(), 0);
    } finally {
      await transport.close();
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('gives each recipient its own outcome across domains: 5xx for one, 250 for another', async () => {
    const [first, second] = await startExchangerPair(
      { ...NO_STARTTLS, onRcptTo: (address, _s, cb) => cb(address.address.startsWith('gone@') ? smtpError(550, '5.1.1 User unknown') : undefined) },
      NO_STARTTLS,
    );
    const transport = directTransport(first.port);
    try {
      const result = await transport.send(envelopeTo(['gone@two.test', 'ann@other.test', 'bob@two.test']), { dkim: null });
      assert.deepEqual(result.recipients.map((r) => [r.address, r.kind, r.replyCode]), [
        ['gone@two.test', 'permanent', 550],
        ['ann@other.test', 'sent', 250],
        ['bob@two.test', 'sent', 250],
      ], summary(result));
      assert.equal(result.kind, 'permanent');
      assert.equal(result.code, 'PARTIAL');
      assert.equal(result.enhanced, '5.1.1');
      assert.match(result.message, /^Sent to 2 of 3 recipients\. two\.test: /);
      // One session per domain, on the first MX; a 5xx is never retried on another MX.
      assert.equal(first.connections(), 2);
      assert.equal(second.connections(), 0);
      const byDomain = first.messages.map((m) => m.to.join(',')).sort();
      assert.deepEqual(byDomain, ['ann@other.test', 'bob@two.test']);
    } finally {
      await transport.close();
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('delivers to the domain\'s own address when it has no MX record', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port);
    try {
      const result = await transport.send(envelopeTo(['ann@nomx.test']), { dkim: null });
      assert.equal(result.kind, 'sent', summary(result));
      assert.equal(mx.messages.length, 1);
      assert.ok(dns.queries.includes('nomx.test MX'));
      assert.ok(dns.queries.includes('nomx.test A'));
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('fails permanently for a domain with neither MX nor address, a null MX, or no such domain', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port);
    try {
      const cases: [string, RegExp, string][] = [
        ['ann@nothing.test', /nothing\.test has no mail server/, '5.1.2'],
        ['ann@nullmx.test', /does not accept email.*null MX/, '5.1.10'],
        ['ann@no-such-domain.test', /domain no-such-domain\.test does not exist/, '5.1.2'],
      ];
      for (const [address, words, enhanced] of cases) {
        const result = await transport.send(envelopeTo([address]), { dkim: null });
        assert.equal(result.kind, 'permanent', `${address}: ${summary(result)}`);
        assert.match(result.message, words);
        assert.equal(result.enhanced, enhanced);
        assert.deepEqual(result.recipients.map((r) => [r.address, r.kind]), [[address, 'permanent']]);
      }
      assert.equal(mx.connections(), 0);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('is temporary when DNS fails (SERVFAIL), or when the MX names have no address', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port);
    try {
      const servfail = await transport.send(envelopeTo(['ann@servfail.test']), { dkim: null });
      assert.equal(servfail.kind, 'temporary', summary(servfail));
      assert.equal(servfail.enhanced, '4.4.3');
      const unresolvable = await transport.send(envelopeTo(['ann@unresolvable-mx.test']), { dkim: null });
      assert.equal(unresolvable.kind, 'temporary', summary(unresolvable));
      assert.match(unresolvable.message, /gone\.loop\.test.*no address/);
      assert.equal(mx.connections(), 0);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('requireTls for the instance applies to every domain', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port, { requireTls: true });
    try {
      const result = await transport.send(envelopeTo(['ann@one.test']), { dkim: null });
      assert.equal(result.kind, 'temporary', summary(result));
      assert.match(result.message, /requires TLS .*MAILROOM_DIRECT_REQUIRE_TLS/);
      assert.equal(mx.messages.length, 0);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('uses STARTTLS when offered, without checking the certificate, and records the TLS version', async () => {
    const mx = await startExchanger('127.0.0.1', 0, { key: certs.selfSigned.key, cert: certs.selfSigned.cert });
    const transport = directTransport(mx.port);
    try {
      const result = await transport.send(envelopeTo(['ann@one.test']), { dkim });
      assert.equal(result.kind, 'sent', summary(result));
      assert.match(result.tls ?? '', /^TLSv1\.[23]$/);
      assert.equal(mx.messages[0]!.secure, true);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('retries in clear text on the same MX when its STARTTLS handshake fails', async () => {
    // The server speaks only TLS 1.0, which Node's client refuses: STARTTLS is offered, the handshake fails.
    const mx = await startExchanger('127.0.0.1', 0, { key: certs.selfSigned.key, cert: certs.selfSigned.cert, minVersion: 'TLSv1', maxVersion: 'TLSv1' });
    const transport = directTransport(mx.port);
    try {
      const result = await transport.send(envelopeTo(['ann@one.test']), { dkim: null });
      assert.equal(result.kind, 'sent', summary(result));
      assert.equal(result.tls, null);
      assert.equal(mx.connections(), 2);
      assert.equal(mx.messages[0]!.secure, false);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('does not connect to an MX whose address the egress rule refuses', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port, { egressPolicy: createEgressPolicy({ allowedNetworks: [] }) });
    try {
      const result = await transport.send(envelopeTo(['ann@two.test']), { dkim: null });
      assert.equal(result.kind, 'permanent', summary(result));
      assert.equal(result.code, 'HOST_BLOCKED');
      assert.match(result.message, /two\.test.*private or internal addresses/);
      assert.doesNotMatch(result.message, /127\.0\.0\./);
      assert.equal(mx.connections(), 0);
      assert.equal(mx.messages.length, 0);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('marks a message possibly delivered when the connection is lost after the final "."', async () => {
    const server = await startScriptedSmtpServer({ ehlo: ['PIPELINING'], afterData: (socket) => socket.destroy() });
    const transport = directTransport(server.port);
    try {
      const result = await transport.send(envelopeTo(['ann@one.test']), { dkim: null });
      assert.equal(result.kind, 'temporary', summary(result));
      assert.equal(result.possiblyDelivered, true);
      assert.equal(server.sessions.length, 1, 'not retried on another host');
      assert.equal(server.sessions[0]!.lines.filter((l) => /^EHLO /i.test(l))[0], 'EHLO mailroom-test.example');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('refuses an address without a usable domain for that recipient only', async () => {
    const mx = await startExchanger('127.0.0.1', 0, NO_STARTTLS);
    const transport = directTransport(mx.port);
    try {
      const result = await transport.send(envelopeTo(['no-domain', 'ann@one.test', 'x@[127.0.0.1]']), { dkim: null });
      assert.deepEqual(result.recipients.map((r) => [r.address, r.kind]), [['no-domain', 'permanent'], ['ann@one.test', 'sent'], ['x@[127.0.0.1]', 'permanent']], summary(result));
      assert.equal(result.code, 'PARTIAL');
      assert.deepEqual(mx.messages.map((m) => m.to), [['ann@one.test']]);
    } finally {
      await transport.close();
      await mx.close();
    }
  });

  it('refuses an EHLO name that could inject a command', () => {
    assert.throws(() => directTransport(25, { heloName: 'host\r\nRSET' }), /heloName/);
  });
});

describe('MX order', () => {
  it('sorts by preference and orders equal preferences by the random draw', () => {
    const records = [
      { exchange: 'c', preference: 20 },
      { exchange: 'a1', preference: 10 },
      { exchange: 'a2', preference: 10 },
      { exchange: 'b', preference: 15 },
    ];
    const draws = [0.9, 0.8, 0.1, 0.5];
    let i = 0;
    assert.deepEqual(orderMxRecords(records, () => draws[i++]!).map((r) => r.exchange), ['a2', 'a1', 'b', 'c']);
    i = 0;
    const reversed = [0.9, 0.1, 0.8, 0.5];
    assert.deepEqual(orderMxRecords(records, () => reversed[i++]!).map((r) => r.exchange), ['a1', 'a2', 'b', 'c']);
  });
});
