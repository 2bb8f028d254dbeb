// The probe against a real Postfix (Debian's package), set up by scripts/test-env/postfix-setup.sh:
// STARTTLS submission with Cyrus SASL on 127.0.0.1:10587, implicit TLS on 10465, a self-signed
// certificate on 10466 and a wrong-name one on 10467; nothing is relayed (every transport discards).
// Skipped, with the reason printed, only when Postfix is not installed; any other set-up problem
// fails the test.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProbeRequest, SmtpProber } from '../../src/core/diagnostics/probe-types.ts';
import { loopbackProber } from './support/probe-fixtures.ts';

interface PostfixTestEnv {
  host: string;
  submissionPort: number;
  submissionsPort: number;
  selfSignedPort: number;
  wrongNamePort: number;
  username: string;
  password: string;
  caFile: string;
}

const SETUP_SCRIPT = fileURLToPath(new URL('../../scripts/test-env/postfix-setup.sh', import.meta.url));
const SETUP_TIMEOUT_MS = 60_000;
const POSTFIX_BINARIES = ['/usr/sbin/postfix', '/usr/bin/postfix'];
const postfixMissing = POSTFIX_BINARIES.every((path) => !existsSync(path));
const skip = postfixMissing ? 'Postfix is not installed (apt-get install -y postfix sasl2-bin libsasl2-modules); skipping the real-Postfix probe tests' : false;
if (skip) console.log(`# ${skip}`);

describe('probe against a real Postfix', { skip }, () => {
  let env: PostfixTestEnv;
  let prober: SmtpProber;

  before(() => {
    const output = execFileSync('bash', [SETUP_SCRIPT], { encoding: 'utf8', timeout: SETUP_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
    env = JSON.parse(output) as PostfixTestEnv;
    prober = loopbackProber({ extraCaCertificates: [readFileSync(env.caFile, 'utf8')] });
  }, { timeout: SETUP_TIMEOUT_MS + 5_000 });

  const request = (port: number, overrides: Partial<ProbeRequest> = {}): ProbeRequest => ({
    host: env.host,
    port,
    security: 'starttls',
    auth: { mechanism: 'plain', username: env.username, password: env.password },
    from: env.username,
    to: 'somebody@example.com',
    sendTestMessage: false,
    allowInvalidCert: false,
    timeoutMs: 15_000,
    ...overrides,
  });

  for (const mechanism of ['plain', 'login', 'cram-md5'] as const) {
    it(`OK on submission with STARTTLS and ${mechanism.toUpperCase()} login, test message discarded`, { timeout: 20_000 }, async () => {
      const result = await prober.probe(request(env.submissionPort, {
        host: 'localhost', // resolved by the system resolver; the certificate is checked against this name
        auth: { mechanism, username: env.username, password: env.password },
        sendTestMessage: true,
      }));
      assert.equal(result.code, 'OK', result.transcript.join('\n'));
      assert.deepEqual(result.stages.map((s) => s.name), ['dns', 'connect', 'greeting', 'ehlo', 'tls', 'auth', 'mail', 'rcpt', 'data']);
      assert.ok(result.offered.startTls);
      assert.deepEqual(result.offered.authMechanisms, ['PLAIN', 'LOGIN', 'CRAM-MD5']);
      assert.equal(result.offered.maxSize, 10_240_000);
      assert.match(result.reply?.text ?? '', /queued as/);
      assert.ok(!JSON.stringify(result).includes(env.password));
    });
  }

  it('OK on implicit TLS (submissions)', { timeout: 20_000 }, async () => {
    const result = await prober.probe(request(env.submissionsPort, { security: 'tls' }));
    assert.equal(result.code, 'OK', result.transcript.join('\n'));
    assert.equal(result.stages[2]?.name, 'tls');
  });

  it('AUTH_FAILED with a wrong password', { timeout: 20_000 }, async () => {
    const result = await prober.probe(request(env.submissionPort, { auth: { mechanism: 'login', username: env.username, password: 'not-the-password' } }));
    assert.equal(result.code, 'AUTH_FAILED', result.transcript.join('\n'));
    assert.equal(result.reply?.code, 535);
    assert.equal(result.reply?.enhanced, '5.7.8');
    assert.ok(!JSON.stringify(result).includes('not-the-password'));
  });

  it('TLS_REQUIRED_ON_PORT for no encryption on the implicit-TLS port, suggesting SSL/TLS there', { timeout: 20_000 }, async () => {
    const result = await prober.probe(request(env.submissionsPort, { security: 'none' }));
    assert.equal(result.code, 'TLS_REQUIRED_ON_PORT', result.transcript.join('\n'));
    assert.deepEqual(result.suggestion, { security: 'tls', port: env.submissionsPort, text: `SSL/TLS on port ${env.submissionsPort} works.` });
    const check = await prober.probe(request(result.suggestion.port, { security: result.suggestion.security }));
    assert.equal(check.code, 'OK', 'the suggested mode works');
  });

  it('TLS_NOT_SUPPORTED_ON_PORT for SSL/TLS on the STARTTLS port, suggesting STARTTLS there', { timeout: 20_000 }, async () => {
    const result = await prober.probe(request(env.submissionPort, { security: 'tls' }));
    assert.equal(result.code, 'TLS_NOT_SUPPORTED_ON_PORT', result.transcript.join('\n'));
    assert.equal(result.suggestion?.security, 'starttls');
    assert.equal(result.suggestion?.port, env.submissionPort);
    const check = await prober.probe(request(env.submissionPort, { security: 'starttls' }));
    assert.equal(check.code, 'OK', 'the suggested mode works');
  });

  it('ENCRYPTION_REQUIRED when logging in without TLS (AUTH offered only inside TLS)', { timeout: 20_000 }, async () => {
    const result = await prober.probe(request(env.submissionPort, { security: 'none' }));
    assert.equal(result.code, 'ENCRYPTION_REQUIRED', result.transcript.join('\n'));
    assert.equal(result.suggestion?.security, 'starttls');
  });

  it('RECIPIENT_REJECTED (relay denied) without login, with a fix that says to log in', { timeout: 20_000 }, async () => {
    const result = await prober.probe(request(env.submissionsPort, { security: 'tls', auth: null }));
    assert.equal(result.code, 'RECIPIENT_REJECTED', result.transcript.join('\n'));
    assert.match(result.reply?.text ?? '', /Relay access denied/);
    assert.match(result.hint ?? '', /turn on authentication/);
  });

  it('CERT_UNTRUSTED for the self-signed certificate', { timeout: 20_000 }, async () => {
    const result = await prober.probe(request(env.selfSignedPort, { security: 'tls' }));
    assert.equal(result.code, 'CERT_UNTRUSTED', result.transcript.join('\n'));
    assert.equal(result.stage, 'tls');
    assert.ok(!result.transcript.some((line) => line.includes('AUTH')), 'nothing is sent after a failed certificate check');
  });

  it('CERT_HOSTNAME_MISMATCH for the wrong-name certificate', { timeout: 20_000 }, async () => {
    const result = await prober.probe(request(env.wrongNamePort, { security: 'tls' }));
    assert.equal(result.code, 'CERT_HOSTNAME_MISMATCH', result.transcript.join('\n'));
    assert.match(result.message, /mail\.other\.test/);
  });

  it('continues past the self-signed certificate when invalid certificates are allowed', { timeout: 20_000 }, async () => {
    const allowed = await prober.probe(request(env.selfSignedPort, { security: 'tls', allowInvalidCert: true }));
    assert.equal(allowed.code, 'OK', allowed.transcript.join('\n'));
    assert.ok(allowed.transcript.some((line) => line.includes('continuing anyway')));
  });
});
