// Suggestions after a mismatch: the probe tries the likely alternatives on the same checked address
// only, never logs in while doing so, and returns the one that works as a one-click change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { planAlternatives, chooseAuthMechanism, MAX_ALTERNATIVES } from '../../src/core/diagnostics/suggestion-plan.ts';
import type { TcpConnector } from '../../src/adapters/smtp-probe/tcp-connect.ts';
import { closedPort, startSmtpServer, type RunningServer } from './support/scripted-servers.ts';
import { createTestCertificates, type TestCertificates } from './support/test-certificates.ts';
import { FAST_TIMEOUTS, loopbackProber, probeRequest } from './support/probe-fixtures.ts';

const auth = (mechanism: 'plain' | 'login' | 'cram-md5') => ({ mechanism, username: 'user@example.com', password: 'suggestion-test-password' });

describe('planAlternatives', () => {
  it('tries SSL/TLS on the same port first when the port expects TLS', () => {
    assert.deepEqual(planAlternatives({ port: 465, security: 'starttls', authConfigured: true }, 'TLS_REQUIRED_ON_PORT'), [{ security: 'tls', port: 465 }]);
    assert.deepEqual(planAlternatives({ port: 2465, security: 'none', authConfigured: true }, 'TLS_REQUIRED_ON_PORT'), [{ security: 'tls', port: 2465 }, { security: 'tls', port: 465 }]);
  });

  it('tries STARTTLS on the same port, then the usual ports, when SSL/TLS meets plain SMTP', () => {
    assert.deepEqual(planAlternatives({ port: 587, security: 'tls', authConfigured: true }, 'TLS_NOT_SUPPORTED_ON_PORT'), [{ security: 'starttls', port: 587 }, { security: 'tls', port: 465 }]);
    assert.deepEqual(planAlternatives({ port: 25, security: 'tls', authConfigured: true }, 'TLS_NOT_SUPPORTED_ON_PORT'), [{ security: 'starttls', port: 25 }, { security: 'tls', port: 465 }, { security: 'starttls', port: 587 }]);
  });

  it('proposes no encryption only when no password would travel in clear', () => {
    const withAuth = planAlternatives({ port: 2525, security: 'starttls', authConfigured: true }, 'STARTTLS_NOT_OFFERED');
    assert.ok(withAuth.every((c) => c.security !== 'none'));
    const withoutAuth = planAlternatives({ port: 2525, security: 'starttls', authConfigured: false }, 'STARTTLS_NOT_OFFERED');
    assert.deepEqual(withoutAuth.at(-1), { security: 'none', port: 2525 });
  });

  it('tries nothing for codes a change of port or mode cannot fix, and never more than the cap', () => {
    for (const code of ['AUTH_FAILED', 'DNS_NOT_FOUND', 'HOST_BLOCKED', 'CONNECTION_TIMEOUT', 'CERT_UNTRUSTED', 'OK'] as const) {
      assert.deepEqual(planAlternatives({ port: 587, security: 'starttls', authConfigured: true }, code), [], code);
    }
    assert.ok(planAlternatives({ port: 2525, security: 'tls', authConfigured: false }, 'TLS_NOT_SUPPORTED_ON_PORT').length <= MAX_ALTERNATIVES);
  });

  it('chooses an offered mechanism: PLAIN inside TLS, CRAM-MD5 without', () => {
    assert.equal(chooseAuthMechanism(['LOGIN', 'PLAIN', 'CRAM-MD5'], true), 'plain');
    assert.equal(chooseAuthMechanism(['LOGIN', 'PLAIN', 'CRAM-MD5'], false), 'cram-md5');
    assert.equal(chooseAuthMechanism(['LOGIN', 'PLAIN'], true, 'login'), 'login');
    assert.equal(chooseAuthMechanism(['GSSAPI', 'NTLM'], true), null);
  });
});

describe('suggestions from the real probe', () => {
  let certs: TestCertificates;
  let implicitTls: RunningServer;
  let starttls: RunningServer;
  let authAttempts = 0;

  before(async () => {
    certs = createTestCertificates();
    const onAuth = (_a: unknown, _s: unknown, cb: (err: Error | null, response?: { user: string }) => void): void => {
      authAttempts++;
      cb(null, { user: 'x' });
    };
    implicitTls = await startSmtpServer({ secure: true, key: certs.valid.key, cert: certs.valid.cert, authMethods: ['PLAIN', 'LOGIN'], onAuth });
    starttls = await startSmtpServer({ key: certs.valid.key, cert: certs.valid.cert, authMethods: ['PLAIN', 'LOGIN'], onAuth });
  });
  after(async () => {
    await implicitTls.close();
    await starttls.close();
    certs.remove();
  });

  /** Records every connection; the usual ports 465/587 are mapped to test servers on loopback. */
  function routingConnector(routes: Record<number, number>): { connector: TcpConnector; targets: string[] } {
    const targets: string[] = [];
    return {
      targets,
      connector: (target) => {
        targets.push(`${target.host}:${target.port}`);
        return net.connect({ host: target.host, port: routes[target.port] ?? target.port });
      },
    };
  }

  it('STARTTLS on an implicit-TLS port: "SSL/TLS on port N works"', { timeout: 10_000 }, async () => {
    authAttempts = 0;
    const spy = routingConnector({});
    const prober = loopbackProber({ extraCaCertificates: [certs.caPem], connector: spy.connector, timeouts: { ...FAST_TIMEOUTS, implicitTlsCheckAfterMs: 100 } });
    const result = await prober.probe(probeRequest(implicitTls.port, { security: 'starttls', auth: auth('plain') }));
    assert.equal(result.code, 'TLS_REQUIRED_ON_PORT');
    assert.deepEqual(result.suggestion, { security: 'tls', port: implicitTls.port, text: `SSL/TLS on port ${implicitTls.port} works.` });
    assert.ok(spy.targets.every((t) => t.startsWith('127.0.0.1:')), spy.targets.join(' '));
    assert.equal(authAttempts, 0, 'no login during the main probe (it failed first) nor during the suggestion check');
  });

  it('SSL/TLS on a STARTTLS port: suggests STARTTLS and an offered mechanism', { timeout: 10_000 }, async () => {
    authAttempts = 0;
    const prober = loopbackProber({ extraCaCertificates: [certs.caPem] });
    const result = await prober.probe(probeRequest(starttls.port, { security: 'tls', auth: auth('cram-md5') }));
    assert.equal(result.code, 'TLS_NOT_SUPPORTED_ON_PORT');
    assert.deepEqual(result.suggestion, { security: 'starttls', port: starttls.port, authMechanism: 'plain', text: `STARTTLS on port ${starttls.port} works, with PLAIN login.` });
    assert.equal(authAttempts, 0);
    assert.ok(result.transcript.some((line) => line.includes(`suggestion check: STARTTLS on port ${starttls.port}: works`)));
  });

  it('STARTTLS not offered: tries the usual ports on the same address and finds SSL/TLS on 465', { timeout: 10_000 }, async () => {
    const plain = await startSmtpServer({ hideSTARTTLS: true, disabledCommands: ['AUTH'] });
    try {
      const spy = routingConnector({ 465: implicitTls.port, 587: await closedPort() });
      const prober = loopbackProber({ extraCaCertificates: [certs.caPem], connector: spy.connector });
      const result = await prober.probe(probeRequest(plain.port, { security: 'starttls', auth: auth('login') }));
      assert.equal(result.code, 'STARTTLS_NOT_OFFERED');
      assert.deepEqual(result.suggestion, { security: 'tls', port: 465, text: 'SSL/TLS on port 465 works.' });
      assert.deepEqual(spy.targets, [`127.0.0.1:${plain.port}`, '127.0.0.1:465']);
    } finally {
      await plain.close();
    }
  });

  it('no suggestion when no alternative works, and the attempts are listed', { timeout: 10_000 }, async () => {
    const plain = await startSmtpServer({ hideSTARTTLS: true, disabledCommands: ['AUTH'] });
    try {
      const refused = await closedPort();
      const spy = routingConnector({ 465: refused, 587: refused });
      const prober = loopbackProber({ connector: spy.connector });
      const result = await prober.probe(probeRequest(plain.port, { security: 'starttls', auth: auth('login') }));
      assert.equal(result.code, 'STARTTLS_NOT_OFFERED');
      assert.equal(result.suggestion, null);
      assert.ok(result.transcript.some((line) => line.includes('suggestion check: SSL/TLS on port 465: no (CONNECTION_REFUSED)')));
    } finally {
      await plain.close();
    }
  });

  it('ENCRYPTION_REQUIRED without TLS: suggests STARTTLS on the same port', { timeout: 10_000 }, async () => {
    const prober = loopbackProber({ extraCaCertificates: [certs.caPem] });
    const result = await prober.probe(probeRequest(starttls.port, { security: 'none', auth: auth('login') }));
    assert.equal(result.code, 'ENCRYPTION_REQUIRED');
    assert.deepEqual(result.suggestion, { security: 'starttls', port: starttls.port, text: `STARTTLS on port ${starttls.port} works.` });
  });

  it('AUTH_METHOD_UNSUPPORTED: suggests an offered mechanism without another connection', { timeout: 10_000 }, async () => {
    const spy = routingConnector({});
    const prober = loopbackProber({ extraCaCertificates: [certs.caPem], connector: spy.connector });
    const result = await prober.probe(probeRequest(starttls.port, { security: 'starttls', auth: auth('cram-md5') }));
    assert.equal(result.code, 'AUTH_METHOD_UNSUPPORTED');
    assert.deepEqual(result.suggestion, { security: 'starttls', port: starttls.port, authMechanism: 'plain', text: 'The server offers PLAIN login: choose PLAIN.' });
    assert.equal(spy.targets.length, 1);
  });

  it('tries nothing when asked not to', { timeout: 10_000 }, async () => {
    const spy = routingConnector({});
    const prober = loopbackProber({ extraCaCertificates: [certs.caPem], connector: spy.connector });
    const result = await prober.probe(probeRequest(starttls.port, { security: 'tls' }), { suggest: false });
    assert.equal(result.code, 'TLS_NOT_SUPPORTED_ON_PORT');
    assert.equal(result.suggestion, null);
    assert.equal(spy.targets.length, 1);
  });
});
