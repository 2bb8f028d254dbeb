// The SMTP delivery transport against real servers on 127.0.0.1: smtp-server instances scripted to
// give one answer each, and a hand-written server for the faults smtp-server cannot produce.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HostResolveError, type HostResolver } from '../../src/adapters/smtp-probe/host-resolver.ts';
import { createEgressPolicy } from '../../src/core/diagnostics/egress-policy.ts';
import type { DeliveryResult } from '../../src/core/outbound/delivery-types.ts';
import { startRawServer } from '../diagnostics/support/scripted-servers.ts';
import { createTestCertificates, type TestCertificates } from '../diagnostics/support/test-certificates.ts';
import {
  closedPort,
  envelope,
  FAST_DELIVERY_TIMEOUTS,
  loopbackTransport,
  renderedMessage,
  serverConnection,
  smtpError,
  startCapturingServer,
  startScriptedSmtpServer,
  summary,
} from './support/delivery-fixtures.ts';

/** Resolves every name to fixed addresses, and counts the lookups. */
function fixedResolver(addresses: string[]): HostResolver & { lookups: number } {
  const resolver = {
    lookups: 0,
    async resolve(): Promise<string[]> {
      resolver.lookups++;
      return addresses;
    },
  };
  return resolver;
}

describe('delivery: success', () => {
  it('sends the rendered message byte for byte, with the envelope as given', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const message = renderedMessage({ messageId: '<fixed-id.1@mailroom.test>', date: 'Mon, 02 Feb 2026 10:11:12 +0100' });
      const result = await transport.send(serverConnection(server.port), envelope(['one@example.com', 'two@example.com'], message));
      assert.equal(result.kind, 'sent', summary(result));
      assert.equal(result.code, 'SENT');
      assert.equal(result.replyCode, 250);
      assert.equal(result.possiblyDelivered, false);
      assert.equal(result.tls, null);
      assert.deepEqual(result.recipients.map((r) => [r.address, r.kind, r.replyCode]), [['one@example.com', 'sent', 250], ['two@example.com', 'sent', 250]]);
      assert.equal(server.messages.length, 1);
      const received = server.messages[0]!;
      assert.equal(received.from, 'bounce@example.com');
      assert.deepEqual(received.to, ['one@example.com', 'two@example.com']);
      assert.equal(received.raw.toString('utf8'), message.raw, 'the message must arrive exactly as rendered');
      assert.match(received.raw.toString('utf8'), /^Message-ID: <fixed-id\.1@mailroom\.test>\r$/m);
      assert.match(received.raw.toString('utf8'), /^Date: Mon, 02 Feb 2026 10:11:12 \+0100\r$/m);
      assert.doesNotMatch(received.raw.toString('utf8'), /^X-Mailer:/im);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('sends the same bytes, Message-ID and Date on every attempt', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const message = renderedMessage();
      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await transport.send(serverConnection(server.port), envelope(['one@example.com'], message));
        assert.equal(result.kind, 'sent', summary(result));
      }
      assert.equal(server.messages.length, 2);
      assert.deepEqual(server.messages[0]!.raw, server.messages[1]!.raw);
      assert.equal(server.messages[1]!.raw.toString('utf8'), message.raw);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('sends with the null sender, and reports recipients as given when nodemailer rewrites them on the wire', async () => {
    const server = await startCapturingServer({
      onRcptTo: (address, _s, cb) => cb(address.address.startsWith('gone@') ? smtpError(550, '5.1.1 User unknown') : undefined),
    });
    const transport = loopbackTransport();
    try {
      // nodemailer writes the domain in RCPT TO lower-cased and as punycode.
      const result = await transport.send(serverConnection(server.port), { ...envelope(['Ann@Bücher.example', 'gone@Example.COM']), mailFrom: '' });
      assert.deepEqual(result.recipients.map((r) => [r.address, r.kind]), [['Ann@Bücher.example', 'sent'], ['gone@Example.COM', 'permanent']], summary(result));
      assert.equal(server.messages[0]!.from, '');
      assert.equal(server.messages[0]!.to.length, 1);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('security "none" does not use STARTTLS even when the server offers it (as the connection test)', async () => {
    const certs = createTestCertificates();
    const server = await startCapturingServer({ key: certs.selfSigned.key, cert: certs.selfSigned.cert });
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port, { security: 'none' }), envelope());
      assert.equal(result.kind, 'sent', summary(result));
      assert.equal(result.tls, null);
      assert.equal(server.messages[0]!.secure, false);
    } finally {
      await transport.close();
      await server.close();
      certs.remove();
    }
  });

  for (const mechanism of ['plain', 'login', 'cram-md5', 'xoauth2'] as const) {
    it(`logs in with ${mechanism.toUpperCase()} as chosen`, async () => {
      const methods: string[] = [];
      const server = await startCapturingServer({
        authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'],
        allowInsecureAuth: true,
        onAuth(auth, _session, callback) {
          methods.push(auth.method);
          const ok = auth.method === 'CRAM-MD5' ? auth.validatePassword?.('s3cret-pass') : auth.method === 'XOAUTH2' ? auth.accessToken === 's3cret-pass' : auth.password === 's3cret-pass';
          callback(ok ? null : smtpError(535, '5.7.8 Authentication credentials invalid'), ok ? { user: auth.username } : undefined);
        },
      });
      const transport = loopbackTransport();
      try {
        const connection = serverConnection(server.port, { authEnabled: true, authMechanism: mechanism, username: 'user@example.com', password: 's3cret-pass' });
        const result = await transport.send(connection, envelope());
        assert.equal(result.kind, 'sent', summary(result));
        assert.deepEqual(methods, [mechanism.toUpperCase()]);
        assert.equal(server.messages[0]!.user, 'user@example.com');
      } finally {
        await transport.close();
        await server.close();
      }
    });
  }
});

describe('delivery: what the server answers', () => {
  const cases: Array<{ name: string; options: Parameters<typeof startCapturingServer>[0]; kind: DeliveryResult['kind']; code: string; replyCode: number; recipients?: string[] }> = [
    { name: '451 at RCPT', options: { onRcptTo: (_a, _s, cb) => cb(smtpError(451, '4.3.0 Temporary local problem')) }, kind: 'temporary', code: 'TEMPORARY_FAILURE', replyCode: 451 },
    { name: '452 "too many recipients" at RCPT', options: { onRcptTo: (_a, _s, cb) => cb(smtpError(452, '4.5.3 Too many recipients')) }, kind: 'throttled', code: 'TEMPORARY_FAILURE', replyCode: 452 },
    // smtp-server hangs up after a 421. With one recipient nodemailer reports the 421; with several
    // (pipelined) it reports only the lost connection — still temporary, see the next test.
    { name: '421 at RCPT', options: { onRcptTo: (_a, _s, cb) => cb(smtpError(421, '4.7.0 Service shutting down')) }, kind: 'throttled', code: 'TEMPORARY_FAILURE', replyCode: 421, recipients: ['one@example.com'] },
    { name: '451 at DATA', options: { onData: (stream, _s, cb) => { stream.resume(); stream.on('end', () => cb(smtpError(451, '4.3.0 Error in processing'))); } }, kind: 'temporary', code: 'TEMPORARY_FAILURE', replyCode: 451 },
    { name: '452 at DATA', options: { onData: (stream, _s, cb) => { stream.resume(); stream.on('end', () => cb(smtpError(452, '4.3.1 Insufficient system storage'))); } }, kind: 'temporary', code: 'TEMPORARY_FAILURE', replyCode: 452 },
    { name: '421 4.7.0 rate limit at DATA', options: { onData: (stream, _s, cb) => { stream.resume(); stream.on('end', () => cb(smtpError(421, '4.7.0 Message rate limit exceeded, slow down'))); } }, kind: 'throttled', code: 'TEMPORARY_FAILURE', replyCode: 421 },
    { name: '450 4.7.1 "try again later" at MAIL FROM', options: { onMailFrom: (_a, _s, cb) => cb(smtpError(450, '4.7.1 Greylisted, try again later')) }, kind: 'throttled', code: 'TEMPORARY_FAILURE', replyCode: 450 },
    { name: '550 at MAIL FROM', options: { onMailFrom: (_a, _s, cb) => cb(smtpError(550, '5.7.1 Sender address rejected: not owned by user')) }, kind: 'permanent', code: 'SENDER_REJECTED', replyCode: 550 },
    { name: '554 at DATA', options: { onData: (stream, _s, cb) => { stream.resume(); stream.on('end', () => cb(smtpError(554, '5.6.0 Message content rejected'))); } }, kind: 'permanent', code: 'MESSAGE_REJECTED', replyCode: 554 },
    { name: '552 message too big at DATA', options: { onData: (stream, _s, cb) => { stream.resume(); stream.on('end', () => cb(smtpError(552, '5.3.4 Message size exceeds fixed limit'))); } }, kind: 'permanent', code: 'MESSAGE_REJECTED', replyCode: 552 },
    { name: '530 authentication required at MAIL FROM', options: { onMailFrom: (_a, _s, cb) => cb(smtpError(530, '5.7.0 Authentication required')) }, kind: 'config', code: 'AUTH_REQUIRED', replyCode: 530 },
    { name: '554 relay access denied at RCPT', options: { onRcptTo: (a, _s, cb) => cb(smtpError(554, `5.7.1 <${a.address}>: Relay access denied`)) }, kind: 'config', code: 'RECIPIENT_REJECTED', replyCode: 554 },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.kind} ${c.code}`, async () => {
      const server = await startCapturingServer(c.options);
      const transport = loopbackTransport();
      try {
        const recipients = c.recipients ?? ['one@example.com', 'two@example.com'];
        const result = await transport.send(serverConnection(server.port), envelope(recipients));
        assert.equal(result.kind, c.kind, summary(result));
        assert.equal(result.code, c.code, summary(result));
        assert.equal(result.replyCode, c.replyCode);
        assert.equal(result.possiblyDelivered, false);
        assert.ok(result.replyText && result.replyText.length > 0);
        assert.ok(!result.replyText.includes('\n'));
        assert.ok(result.message.length > 0);
        assert.equal(result.recipients.length, recipients.length);
        for (const recipient of result.recipients) assert.equal(recipient.kind, c.kind);
      } finally {
        await transport.close();
        await server.close();
      }
    });
  }

  it('421 and hang-up at RCPT with two recipients → temporary, not delivered', async () => {
    const server = await startCapturingServer({ onRcptTo: (_a, _s, cb) => cb(smtpError(421, '4.7.0 Service shutting down')) });
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port), envelope(['one@example.com', 'two@example.com']));
      assert.deepEqual([result.kind, result.possiblyDelivered], ['temporary', false], summary(result));
      assert.ok(result.recipients.every((r) => r.kind === 'temporary'));
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('550 at RCPT for one of two recipients: that one permanent, the other sent', async () => {
    const server = await startCapturingServer({
      onRcptTo: (address, _s, cb) => cb(address.address === 'gone@example.com' ? smtpError(550, '5.1.1 <gone@example.com>: Recipient address rejected: User unknown') : undefined),
    });
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port), envelope(['gone@example.com', 'here@example.com']));
      assert.equal(result.code, 'PARTIAL', summary(result));
      assert.equal(result.kind, 'permanent');
      const [gone, here] = result.recipients;
      assert.deepEqual([gone!.address, gone!.kind, gone!.replyCode, gone!.enhanced], ['gone@example.com', 'permanent', 550, '5.1.1']);
      assert.match(gone!.replyText ?? '', /User unknown/);
      assert.deepEqual([here!.address, here!.kind, here!.replyCode], ['here@example.com', 'sent', 250]);
      assert.equal(server.messages.length, 1);
      assert.deepEqual(server.messages[0]!.to, ['here@example.com']);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('every recipient refused at RCPT: each with its own verdict, nothing sent', async () => {
    const server = await startCapturingServer({
      onRcptTo: (address, _s, cb) => cb(address.address === 'full@example.com' ? smtpError(452, '4.2.2 Mailbox full') : smtpError(550, '5.1.1 User unknown')),
    });
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port), envelope(['gone@example.com', 'full@example.com']));
      assert.deepEqual(result.recipients.map((r) => [r.address, r.kind, r.replyCode]), [['gone@example.com', 'permanent', 550], ['full@example.com', 'temporary', 452]]);
      assert.equal(result.kind, 'temporary', 'a retry is still due for the temporary one');
      assert.equal(server.messages.length, 0);
    } finally {
      await transport.close();
      await server.close();
    }
  });
});

describe('delivery: configuration errors', () => {
  let certs: TestCertificates;
  before(() => {
    certs = createTestCertificates();
  });
  after(() => certs.remove());

  it('535 → config AUTH_FAILED', async () => {
    const server = await startCapturingServer({ allowInsecureAuth: true, onAuth: (_a, _s, cb) => cb(smtpError(535, '5.7.8 Authentication credentials invalid')) });
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port, { authEnabled: true, username: 'user@example.com', password: 'wrong-pass' }), envelope());
      assert.equal(result.kind, 'config', summary(result));
      assert.equal(result.code, 'AUTH_FAILED');
      assert.equal(result.replyCode, 535);
      assert.equal(result.enhanced, '5.7.8');
      assert.ok(result.hint);
      assert.equal(server.messages.length, 0);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('534 5.7.9 → config APP_PASSWORD_REQUIRED', async () => {
    const server = await startCapturingServer({ allowInsecureAuth: true, onAuth: (_a, _s, cb) => cb(smtpError(534, '5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor')) });
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port, { authEnabled: true, username: 'user@example.com', password: 'normal-pass' }), envelope());
      assert.equal(result.kind, 'config', summary(result));
      assert.equal(result.code, 'APP_PASSWORD_REQUIRED');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('auth on, but the server offers no AUTH: no credentials are sent, the server\'s refusal decides', async () => {
    const server = await startScriptedSmtpServer({ ehlo: ['PIPELINING'] });
    const transport = loopbackTransport();
    try {
      // The scripted server accepts anything: the mail goes out as it would from this machine anyway.
      const result = await transport.send(serverConnection(server.port, { authEnabled: true, username: 'user@example.com', password: 'never-sent-pass' }), envelope());
      assert.equal(result.kind, 'sent', summary(result));
      assert.ok(server.sessions[0]!.lines.every((line) => !/^AUTH/i.test(line)), server.sessions[0]!.lines.join(' | '));
    } finally {
      await transport.close();
      await server.close();
    }
    const refusing = await startCapturingServer({ disabledCommands: ['AUTH'], onMailFrom: (_a, _s, cb) => cb(smtpError(530, '5.7.0 Authentication required')) });
    const second = loopbackTransport();
    try {
      const result = await second.send(serverConnection(refusing.port, { authEnabled: true, username: 'user@example.com', password: 'never-sent-pass' }), envelope());
      assert.equal(result.kind, 'config', summary(result));
      assert.equal(result.code, 'AUTH_REQUIRED');
    } finally {
      await second.close();
      await refusing.close();
    }
  });

  it('auth on without a stored password → config AUTH_FAILED, no connection', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port, { authEnabled: true, username: 'user@example.com', password: null }), envelope());
      assert.equal(result.kind, 'config', summary(result));
      assert.equal(result.code, 'AUTH_FAILED');
      assert.equal(server.connections(), 0);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('STARTTLS chosen but not offered → config STARTTLS_NOT_OFFERED, nothing sent in plain text', async () => {
    const server = await startCapturingServer({ disabledCommands: ['STARTTLS'] });
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port, { security: 'starttls' }), envelope());
      assert.equal(result.kind, 'config', summary(result));
      assert.equal(result.code, 'STARTTLS_NOT_OFFERED');
      assert.equal(server.messages.length, 0);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  for (const security of ['tls', 'starttls'] as const) {
    it(`self-signed certificate (${security}) → config CERT_UNTRUSTED; sent when the profile allows invalid certificates`, async () => {
      const server = await startCapturingServer({ secure: security === 'tls', key: certs.selfSigned.key, cert: certs.selfSigned.cert });
      const transport = loopbackTransport();
      try {
        const refused = await transport.send(serverConnection(server.port, { security }), envelope());
        assert.equal(refused.kind, 'config', summary(refused));
        assert.equal(refused.code, 'CERT_UNTRUSTED');
        assert.equal(refused.tls, null);
        assert.equal(server.messages.length, 0);

        const allowed = await transport.send(serverConnection(server.port, { security, allowInvalidCert: true }), envelope());
        assert.equal(allowed.kind, 'sent', summary(allowed));
        assert.equal(allowed.tls, 'TLS');
        assert.equal(server.messages.length, 1);
        assert.equal(server.messages[0]!.secure, true);
      } finally {
        await transport.close();
        await server.close();
      }
    });
  }

  it('connects to the checked address and checks the certificate against the host name as typed', async () => {
    const server = await startCapturingServer({ key: certs.valid.key, cert: certs.valid.cert });
    const wrong = await startCapturingServer({ key: certs.wrongName.key, cert: certs.wrongName.cert });
    const expired = await startCapturingServer({ key: certs.expired.key, cert: certs.expired.cert });
    const transport = loopbackTransport({ resolver: fixedResolver(['127.0.0.1']), extraCaCertificates: [certs.caPem] });
    try {
      const ok = await transport.send(serverConnection(server.port, { host: 'localhost', security: 'starttls' }), envelope());
      assert.equal(ok.kind, 'sent', summary(ok));
      assert.equal(ok.tls, 'TLS');
      const mismatch = await transport.send(serverConnection(wrong.port, { id: 'server-2', host: 'localhost', security: 'starttls' }), envelope());
      assert.equal(mismatch.kind, 'config', summary(mismatch));
      assert.equal(mismatch.code, 'CERT_HOSTNAME_MISMATCH');
      assert.match(mismatch.message, /mail\.other\.test/);
      const old = await transport.send(serverConnection(expired.port, { id: 'server-3', host: 'localhost', security: 'starttls' }), envelope());
      assert.equal(old.kind, 'config', summary(old));
      assert.equal(old.code, 'CERT_EXPIRED');
    } finally {
      await transport.close();
      await Promise.all([server.close(), wrong.close(), expired.close()]);
    }
  });

  it('SSL/TLS on a plain SMTP port → config TLS_NOT_SUPPORTED_ON_PORT', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port, { security: 'tls' }), envelope());
      assert.equal(result.kind, 'config', summary(result));
      assert.equal(result.code, 'TLS_NOT_SUPPORTED_ON_PORT');
    } finally {
      await transport.close();
      await server.close();
    }
  });
});

describe('delivery: egress and DNS', () => {
  it('a blocked host (default egress rule, 127.0.0.1) → config HOST_BLOCKED, no connection made', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport({ egressPolicy: createEgressPolicy({ allowedNetworks: [] }) });
    try {
      const result = await transport.send(serverConnection(server.port), envelope());
      assert.equal(result.kind, 'config', summary(result));
      assert.equal(result.code, 'HOST_BLOCKED');
      assert.ok(result.recipients.every((r) => r.kind === 'config'));
      assert.equal(server.connections(), 0);
      assert.doesNotMatch(JSON.stringify(result), /127\.0\.0\.1/, 'the refused address is not shown');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a name that resolves to a blocked address first connects to the allowed one only', async () => {
    const server = await startCapturingServer();
    const transport = loopbackTransport({ resolver: fixedResolver(['169.254.169.254', '10.1.2.3', '127.0.0.1']) });
    try {
      const result = await transport.send(serverConnection(server.port, { host: 'mail.example.test' }), envelope());
      assert.equal(result.kind, 'sent', summary(result));
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a name that does not exist → config DNS_NOT_FOUND; a failed lookup → temporary', async () => {
    const notFound: HostResolver = { resolve: async () => { throw new HostResolveError('not-found', 'no such name'); } };
    const servfail: HostResolver = { resolve: async () => { throw new HostResolveError('temporary', 'SERVFAIL'); } };
    const port = await closedPort();
    const a = await loopbackTransport({ resolver: notFound }).send(serverConnection(port, { host: 'nope.example.test' }), envelope());
    assert.deepEqual([a.kind, a.code], ['config', 'DNS_NOT_FOUND']);
    const b = await loopbackTransport({ resolver: servfail }).send(serverConnection(port, { host: 'flaky.example.test' }), envelope());
    assert.deepEqual([b.kind, b.code], ['temporary', 'TEMPORARY_FAILURE']);
  });

  it('resolves the host once per pool, not per message: a later DNS answer cannot redirect the pool', async () => {
    const server = await startCapturingServer();
    const resolver = fixedResolver(['127.0.0.1']);
    const transport = loopbackTransport({ resolver });
    try {
      const connection = serverConnection(server.port, { host: 'mail.example.test' });
      assert.equal((await transport.send(connection, envelope())).kind, 'sent');
      // The name now "rebinds" to the metadata address; the pool keeps the checked one.
      resolver.resolve = async () => {
        resolver.lookups++;
        return ['169.254.169.254'];
      };
      for (let i = 0; i < 3; i++) assert.equal((await transport.send(connection, envelope())).kind, 'sent');
      assert.equal(resolver.lookups, 1);
      // A new pool (settings changed) resolves again, and the egress rule refuses the new answer.
      const moved = await transport.send({ ...connection, maxConnections: 3 }, envelope());
      assert.deepEqual([moved.kind, moved.code], ['config', 'HOST_BLOCKED']);
      assert.equal(resolver.lookups, 2);
    } finally {
      await transport.close();
      await server.close();
    }
  });
});

describe('delivery: connection faults', () => {
  it('connection reset right after the final "." → temporary, possibly delivered', async () => {
    const server = await startScriptedSmtpServer({ afterData: (socket) => socket.resetAndDestroy() });
    const transport = loopbackTransport();
    try {
      const message = renderedMessage();
      const result = await transport.send(serverConnection(server.port), envelope(['one@example.com'], message));
      assert.equal(result.kind, 'temporary', summary(result));
      assert.equal(result.possiblyDelivered, true);
      assert.equal(result.replyCode, null);
      assert.match(result.message, /may have been delivered/);
      assert.equal(server.sessions[0]!.data.replace(/^\.\./gm, '.'), message.raw, 'the whole message reached the server');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('connection reset during RCPT → temporary, certainly not delivered', async () => {
    const server = await startRawServer((socket) => {
      socket.write('220 flaky.localhost ESMTP\r\n');
      socket.on('data', (chunk: Buffer) => {
        const text = chunk.toString('latin1');
        if (/^RCPT/im.test(text)) socket.resetAndDestroy();
        else if (/^EHLO/im.test(text)) socket.write('250-flaky.localhost\r\n250 8BITMIME\r\n');
        else socket.write('250 2.0.0 Ok\r\n');
      });
    });
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(server.port), envelope());
      assert.equal(result.kind, 'temporary', summary(result));
      assert.equal(result.possiblyDelivered, false);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a server that never answers the final "." → temporary after the socket timeout, possibly delivered', async () => {
    const server = await startCapturingServer({ onData: (stream) => stream.resume() /* and never answer */ });
    const transport = loopbackTransport({ timeouts: { ...FAST_DELIVERY_TIMEOUTS, socketMs: 500 } });
    try {
      const started = performance.now();
      const result = await transport.send(serverConnection(server.port), envelope());
      const elapsedMs = performance.now() - started;
      assert.equal(result.kind, 'temporary', summary(result));
      assert.equal(result.code, 'TEMPORARY_FAILURE');
      assert.equal(result.possiblyDelivered, true);
      assert.match(result.message, /did not answer within 500 ms/);
      assert.ok(elapsedMs < 3_000, `bounded by the socket timeout, took ${Math.round(elapsedMs)} ms`);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('a server that never greets → temporary GREETING_TIMEOUT, bounded', async () => {
    const server = await startRawServer(() => {});
    const transport = loopbackTransport({ timeouts: { ...FAST_DELIVERY_TIMEOUTS, greetingMs: 300 } });
    try {
      const started = performance.now();
      const result = await transport.send(serverConnection(server.port), envelope());
      assert.deepEqual([result.kind, result.code, result.possiblyDelivered], ['temporary', 'GREETING_TIMEOUT', false], summary(result));
      assert.ok(performance.now() - started < 3_000);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  it('connection refused → temporary CONNECTION_REFUSED (servers restart)', async () => {
    const transport = loopbackTransport();
    try {
      const result = await transport.send(serverConnection(await closedPort()), envelope());
      assert.deepEqual([result.kind, result.code, result.possiblyDelivered], ['temporary', 'CONNECTION_REFUSED', false], summary(result));
    } finally {
      await transport.close();
    }
  });
});
