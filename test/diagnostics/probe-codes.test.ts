// Every result code in the table, produced through the real probe against a real server on
// loopback: smtp-server instances scripted to give one answer, raw TCP servers that speak
// something else or nothing, TLS servers with bad certificates. The last test checks the table
// below covers every code.
//
// CONNECTION_TIMEOUT is the one code produced with an injected connector: the tests may reach only
// loopback, where a connect is answered at once. The connector hands the probe a real net.Socket
// that is never asked to connect — from the probe's side exactly a SYN that nobody answers — so
// the probe's own connect limit is what fires.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import { PROBE_CODE_NAMES, type ProbeCode } from '../../src/core/diagnostics/result-codes.ts';
import type { ProbeResult, StageName } from '../../src/core/diagnostics/probe-types.ts';
import { createSmtpProber } from '../../src/adapters/smtp-probe/smtp-prober.ts';
import { createEgressPolicy } from '../../src/core/diagnostics/egress-policy.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';
import { closedPort, startRawServer, startSmtpServer, type RunningServer } from './support/scripted-servers.ts';
import { createTestCertificates, type TestCertificates } from './support/test-certificates.ts';
import { dnsStandInResolver, FAST_TIMEOUTS, loopbackProber, probeRequest, smtpError } from './support/probe-fixtures.ts';

const PASSWORD = 'correct-horse-battery-staple';
const auth = (mechanism: 'plain' | 'login' | 'cram-md5' | 'xoauth2' = 'plain') => ({ mechanism, username: 'user@example.com', password: PASSWORD });
const acceptAll: SMTPServerOptions['onData'] = (stream, _session, callback) => {
  stream.resume();
  stream.on('end', () => callback());
};

let certs: TestCertificates;
let dns: DnsStandIn;

before(async () => {
  certs = createTestCertificates();
  dns = await startDnsStandIn({ 'smtp.probe.test': { A: ['127.0.0.1'] } });
});
after(async () => {
  certs.remove();
  await dns.close();
});

async function withSmtpServer(options: SMTPServerOptions, run: (port: number) => Promise<ProbeResult>): Promise<ProbeResult> {
  const server = await startSmtpServer(options);
  try {
    return await run(server.port);
  } finally {
    await server.close();
  }
}

async function withServer(starting: Promise<RunningServer>, run: (port: number) => Promise<ProbeResult>): Promise<ProbeResult> {
  const server = await starting;
  try {
    return await run(server.port);
  } finally {
    await server.close();
  }
}

const prober = () => loopbackProber({ extraCaCertificates: [certs.caPem] });

interface Row {
  code: ProbeCode;
  stage: StageName | null;
  name: string;
  run(): Promise<ProbeResult>;
  check?(result: ProbeResult): void;
}

const rows: Row[] = [
  {
    code: 'OK', stage: null, name: 'STARTTLS, PLAIN login, MAIL, RCPT and DATA on a server that accepts everything',
    run: () => withSmtpServer({
      key: certs.valid.key, cert: certs.valid.cert, authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (a, _s, cb) => cb(null, { user: a.username }), onData: acceptAll,
    }, (port) => prober().probe(probeRequest(port, { security: 'starttls', auth: auth(), sendTestMessage: true }))),
    check: (result) => {
      assert.deepEqual(result.stages.map((s) => s.name), ['dns', 'connect', 'greeting', 'ehlo', 'tls', 'auth', 'mail', 'rcpt', 'data']);
      assert.ok(result.stages.every((s) => s.ok && s.ms >= 0));
      assert.equal(result.offered.startTls, true);
      assert.deepEqual(result.offered.authMechanisms, ['PLAIN', 'LOGIN']);
      assert.match(result.offered.tls?.version ?? '', /^TLSv1\.[23]$/);
      assert.match(result.offered.tls?.certIssuer ?? '', /Mailroom Probe Test CA/);
      assert.equal(result.reply?.code, 250);
      assert.ok(result.transcript.some((line) => line.startsWith(' ~> AUTH PLAIN [credentials hidden]')));
    },
  },
  {
    code: 'DNS_NOT_FOUND', stage: 'dns', name: 'a name the DNS stand-in does not know',
    run: () => loopbackProber({ resolver: dnsStandInResolver(dns.server) }).probe(probeRequest(25, { host: 'missing.probe.test' })),
  },
  {
    code: 'HOST_BLOCKED', stage: 'dns', name: 'loopback with the default egress rule',
    run: () => createSmtpProber({ resolver: dnsStandInResolver(dns.server), egressPolicy: createEgressPolicy({ allowedNetworks: [] }) })
      .probe(probeRequest(25, { host: 'smtp.probe.test' })),
  },
  {
    code: 'CONNECTION_REFUSED', stage: 'connect', name: 'a port nothing listens on',
    run: async () => prober().probe(probeRequest(await closedPort(), { security: 'starttls' }), { suggest: false }),
    check: (result) => assert.match(result.message, /Nothing listens on port \d+/),
  },
  {
    code: 'CONNECTION_TIMEOUT', stage: 'connect', name: 'a connect nobody answers (socket never connected)',
    run: () => loopbackProber({ connector: () => new net.Socket(), timeouts: { ...FAST_TIMEOUTS, connectMs: 200 } }).probe(probeRequest(2525)),
  },
  {
    code: 'GREETING_TIMEOUT', stage: 'greeting', name: 'a server that accepts and never speaks',
    run: () => withServer(startRawServer(() => {}), (port) => loopbackProber({
      timeouts: { ...FAST_TIMEOUTS, greetingMs: 400, implicitTlsCheckAfterMs: 50, tlsMs: 200 },
    }).probe(probeRequest(port))),
  },
  {
    code: 'NOT_SMTP', stage: 'greeting', name: 'an IMAP server',
    run: () => withServer(startRawServer((socket) => socket.write('* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n')), (port) => prober().probe(probeRequest(port))),
    check: (result) => assert.match(result.message, /answers with IMAP/),
  },
  {
    code: 'NOT_SMTP', stage: 'greeting', name: 'an HTTP server',
    run: () => withServer(startRawServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')), (port) => prober().probe(probeRequest(port))),
    check: (result) => assert.match(result.message, /answers with HTTP/),
  },
  {
    code: 'TLS_REQUIRED_ON_PORT', stage: 'greeting', name: 'STARTTLS against an implicit-TLS port',
    run: () => withSmtpServer({ secure: true, key: certs.valid.key, cert: certs.valid.cert },
      (port) => loopbackProber({ extraCaCertificates: [certs.caPem], timeouts: { ...FAST_TIMEOUTS, implicitTlsCheckAfterMs: 100 } })
        .probe(probeRequest(port, { security: 'starttls' }), { suggest: false })),
  },
  {
    code: 'TLS_NOT_SUPPORTED_ON_PORT', stage: 'tls', name: 'SSL/TLS against a plain SMTP port',
    run: () => withSmtpServer({ key: certs.valid.key, cert: certs.valid.cert }, (port) => prober().probe(probeRequest(port, { security: 'tls' }), { suggest: false })),
  },
  {
    code: 'STARTTLS_NOT_OFFERED', stage: 'tls', name: 'STARTTLS against a server that hides it',
    run: () => withSmtpServer({ hideSTARTTLS: true }, (port) => prober().probe(probeRequest(port, { security: 'starttls' }), { suggest: false })),
  },
  {
    code: 'CERT_UNTRUSTED', stage: 'tls', name: 'a self-signed certificate',
    run: () => withSmtpServer({ secure: true, key: certs.selfSigned.key, cert: certs.selfSigned.cert }, (port) => prober().probe(probeRequest(port, { security: 'tls' }))),
  },
  {
    code: 'CERT_HOSTNAME_MISMATCH', stage: 'tls', name: 'a certificate for another name',
    run: () => withSmtpServer({ secure: true, key: certs.wrongName.key, cert: certs.wrongName.cert }, (port) => prober().probe(probeRequest(port, { security: 'tls' }))),
    check: (result) => assert.match(result.message, /mail\.other\.test/),
  },
  {
    code: 'CERT_EXPIRED', stage: 'tls', name: 'an expired certificate (STARTTLS)',
    run: () => withSmtpServer({ key: certs.expired.key, cert: certs.expired.cert }, (port) => prober().probe(probeRequest(port, { security: 'starttls' }))),
  },
  {
    code: 'SERVER_REJECTED', stage: 'greeting', name: 'a 554 greeting',
    run: () => withSmtpServer({ onConnect: (_s, cb) => cb(smtpError(554, 'No SMTP service here')) }, (port) => prober().probe(probeRequest(port))),
    check: (result) => assert.equal(result.reply?.code, 554),
  },
  {
    code: 'ENCRYPTION_REQUIRED', stage: 'auth', name: 'AUTH without TLS on a server that demands STARTTLS first (538)',
    run: () => withSmtpServer({ key: certs.valid.key, cert: certs.valid.cert, onAuth: (_a, _s, cb) => cb(null, { user: 'x' }) },
      (port) => prober().probe(probeRequest(port, { auth: auth() }), { suggest: false })),
  },
  {
    code: 'ENCRYPTION_REQUIRED', stage: 'mail', name: 'MAIL FROM answered with 530 5.7.0 Must issue a STARTTLS command first',
    run: () => withSmtpServer({ hideENHANCEDSTATUSCODES: true, authOptional: true, disabledCommands: ['AUTH'], hideSTARTTLS: true, onMailFrom: (_a, _s, cb) => cb(smtpError(530, '5.7.0 Must issue a STARTTLS command first')) },
      (port) => prober().probe(probeRequest(port), { suggest: false })),
  },
  {
    code: 'AUTH_NOT_OFFERED', stage: 'auth', name: 'auth configured, server offers no AUTH and no STARTTLS',
    run: () => withSmtpServer({ disabledCommands: ['AUTH', 'STARTTLS'] }, (port) => prober().probe(probeRequest(port, { auth: auth() }), { suggest: false })),
  },
  {
    code: 'AUTH_METHOD_UNSUPPORTED', stage: 'auth', name: 'CRAM-MD5 chosen, server offers LOGIN only',
    run: () => withSmtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authMethods: ['LOGIN'] }, (port) => prober().probe(probeRequest(port, { auth: auth('cram-md5') }))),
    check: (result) => {
      assert.match(result.message, /CRAM-MD5/);
      assert.match(result.hint ?? '', /LOGIN/);
      assert.equal(result.suggestion?.authMechanism, 'login');
    },
  },
  {
    code: 'AUTH_REQUIRED', stage: 'mail', name: 'no auth configured, server requires it (530)',
    run: () => withSmtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true }, (port) => prober().probe(probeRequest(port))),
  },
  {
    code: 'AUTH_FAILED', stage: 'auth', name: 'LOGIN refused with 535 5.7.8',
    run: () => withSmtpServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true, hideENHANCEDSTATUSCODES: true, onAuth: (_a, _s, cb) => cb(smtpError(535, '5.7.8 Authentication credentials invalid')) },
      (port) => prober().probe(probeRequest(port, { auth: auth('login') }))),
    check: (result) => assert.deepEqual(result.reply, { code: 535, enhanced: '5.7.8', text: 'Authentication credentials invalid' }),
  },
  {
    code: 'APP_PASSWORD_REQUIRED', stage: 'auth', name: 'Google\'s 534 5.7.9',
    run: () => withSmtpServer({
      disabledCommands: ['STARTTLS'], allowInsecureAuth: true, hideENHANCEDSTATUSCODES: true,
      onAuth: (_a, _s, cb) => cb(smtpError(534, '5.7.9 Application-specific password required. Learn more at https://support.google.com/mail/?p=InvalidSecondFactor')),
    }, (port) => prober().probe(probeRequest(port, { auth: auth() }))),
  },
  {
    code: 'BASIC_AUTH_DISABLED', stage: 'auth', name: 'Microsoft\'s 535 5.7.139',
    run: () => withSmtpServer({
      disabledCommands: ['STARTTLS'], allowInsecureAuth: true, hideENHANCEDSTATUSCODES: true,
      onAuth: (_a, _s, cb) => cb(smtpError(535, '5.7.139 Authentication unsuccessful, basic authentication is disabled.')),
    }, (port) => prober().probe(probeRequest(port, { auth: auth('login') }))),
  },
  {
    code: 'SENDER_REJECTED', stage: 'mail', name: 'MAIL FROM refused with 550',
    run: () => withSmtpServer({ disabledCommands: ['STARTTLS', 'AUTH'], hideENHANCEDSTATUSCODES: true, onMailFrom: (_a, _s, cb) => cb(smtpError(550, '5.7.1 Sender address not allowed for this account')) },
      (port) => prober().probe(probeRequest(port))),
  },
  {
    code: 'RECIPIENT_REJECTED', stage: 'rcpt', name: 'RCPT TO refused with 550 5.1.1',
    run: () => withSmtpServer({ disabledCommands: ['STARTTLS', 'AUTH'], hideENHANCEDSTATUSCODES: true, onRcptTo: (_a, _s, cb) => cb(smtpError(550, '5.1.1 User unknown')) },
      (port) => prober().probe(probeRequest(port))),
  },
  {
    code: 'MESSAGE_REJECTED', stage: 'data', name: 'DATA refused with 552 after the message',
    run: () => withSmtpServer({
      disabledCommands: ['STARTTLS', 'AUTH'], hideENHANCEDSTATUSCODES: true,
      onData: (stream, _s, cb) => {
        stream.resume();
        stream.on('end', () => cb(smtpError(552, '5.3.4 Message refused by policy')));
      },
    }, (port) => prober().probe(probeRequest(port, { sendTestMessage: true }))),
  },
  {
    code: 'TEMPORARY_FAILURE', stage: 'rcpt', name: 'RCPT TO answered with 451',
    run: () => withSmtpServer({ disabledCommands: ['STARTTLS', 'AUTH'], hideENHANCEDSTATUSCODES: true, onRcptTo: (_a, _s, cb) => cb(smtpError(451, '4.3.0 Greylisted, try again in 5 minutes')) },
      (port) => prober().probe(probeRequest(port))),
    check: (result) => assert.match(result.message, /Greylisted, try again in 5 minutes/),
  },
  {
    code: 'PROTOCOL_ERROR', stage: 'ehlo', name: 'a server that hangs up in the middle of its EHLO reply',
    run: () => withServer(startRawServer((socket) => {
      socket.write('220 half.example ESMTP\r\n');
      socket.once('data', () => socket.end('250-half.example\r\n'));
    }), (port) => prober().probe(probeRequest(port))),
    check: (result) => assert.match(result.message, /closed the connection during EHLO/),
  },
];

describe('every result code through the real probe', () => {
  for (const row of rows) {
    it(`${row.code}: ${row.name}`, { timeout: 15_000 }, async () => {
      const result = await row.run();
      assert.equal(result.code, row.code, `transcript:\n${result.transcript.join('\n')}`);
      assert.equal(result.stage, row.stage);
      assert.equal(result.ok, row.code === 'OK');
      assert.ok(result.message.length > 0);
      if (row.code !== 'OK') assert.ok(result.hint && result.hint.length > 0, 'a failure comes with a fix');
      assert.ok(result.durationMs < 10_000);
      row.check?.(result);
    });
  }

  it('covers every code in the table', () => {
    assert.deepEqual(new Set(rows.map((row) => row.code)), new Set(PROBE_CODE_NAMES));
  });
});
