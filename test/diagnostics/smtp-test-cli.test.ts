// `mailroom smtp test`: flags, exit status, the JSON object and the swaks-like human output.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSmtpTest } from '../../src/cli/smtp-test.ts';
import type { EgressPolicy } from '../../src/core/diagnostics/egress-policy.ts';
import type { ProbeRequest, ProbeResult, SmtpProber } from '../../src/core/diagnostics/probe-types.ts';
import { startSmtpServer, type RunningServer } from './support/scripted-servers.ts';

interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}, createProber?: (policy: EgressPolicy) => SmtpProber): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const status = await runSmtpTest(args, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env, createProber });
  return { status, stdout, stderr };
}

describe('mailroom smtp test: usage errors exit 2 with a clear message', () => {
  const rows: [string, string[], Record<string, string>, RegExp][] = [
    ['no flags', [], {}, /missing --host, --port, --security/],
    ['missing --security', ['--host', 'smtp.example.com', '--port', '587'], {}, /missing --security/],
    ['a port that is not a number', ['--host', 'smtp.example.com', '--port', '58x7', '--security', 'starttls'], {}, /--port must be a whole number/],
    ['port 0', ['--host', 'smtp.example.com', '--port', '0', '--security', 'starttls'], {}, /--port must be a whole number/],
    ['an unknown security mode', ['--host', 'smtp.example.com', '--port', '587', '--security', 'ssl'], {}, /--security must be one of none, starttls, tls/],
    ['an unknown flag', ['--host', 'smtp.example.com', '--port', '587', '--security', 'tls', '--pasword', 'x'], {}, /Unknown option '--pasword'/],
    ['an unknown mechanism', ['--host', 'h.example', '--port', '587', '--security', 'tls', '--auth', 'ntlm', '--user', 'u'], {}, /--auth must be one of none, plain, login, cram-md5, xoauth2/],
    ['--auth without --user', ['--host', 'h.example', '--port', '587', '--security', 'tls', '--auth', 'login'], {}, /--auth login needs --user/],
    ['--user without --password-env', ['--host', 'h.example', '--port', '587', '--security', 'tls', '--user', 'u'], {}, /needs --password-env VAR/],
    ['--password-env naming an unset variable', ['--host', 'h.example', '--port', '587', '--security', 'tls', '--user', 'u', '--password-env', 'NOPE'], {}, /environment variable NOPE .* is not set/],
    ['--user with --auth none', ['--host', 'h.example', '--port', '587', '--security', 'tls', '--auth', 'none', '--user', 'u'], {}, /--user and --password-env need --auth/],
    ['an address as host', ['--host', 'me@example.com', '--port', '587', '--security', 'tls'], {}, /--host must be a host name like smtp.example.com, not an email address/],
    ['--send without a recipient', ['--host', 'h.example', '--port', '587', '--security', 'tls', '--send'], {}, /--to a test message needs a recipient address/],
    ['a bad --to', ['--host', 'h.example', '--port', '587', '--security', 'tls', '--to', 'not an address'], {}, /--to must be a plain address/],
    ['a timeout out of range', ['--host', 'h.example', '--port', '587', '--security', 'tls', '--timeout', '0.1'], {}, /--timeout must be a number of seconds between 1 and 120/],
    ['a bad MAILROOM_ALLOWED_SMTP_NETWORKS', ['--host', 'h.example', '--port', '587', '--security', 'tls'], { MAILROOM_ALLOWED_SMTP_NETWORKS: 'intranet' }, /"intranet" is not a CIDR/],
  ];
  for (const [name, args, env, message] of rows) {
    it(name, async () => {
      const run = await cli(args, env, () => { throw new Error('must not probe on a usage error'); });
      assert.equal(run.status, 2);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    });
  }

  it('prints usage with --help and exits 0', async () => {
    const run = await cli(['--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^Usage: mailroom smtp test --host HOST --port PORT --security none\|starttls\|tls/);
  });
});

describe('mailroom smtp test against a server', () => {
  let server: RunningServer;

  before(async () => {
    server = await startSmtpServer({
      disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _s, cb) => (auth.password === 'cli-secret' ? cb(null, { user: 'u' }) : cb(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }))),
      hideENHANCEDSTATUSCODES: true,
    });
  });
  after(() => server.close());

  const base = (): string[] => ['--host', '127.0.0.1', '--port', String(server.port), '--security', 'none', '--user', 'u@example.com', '--password-env', 'PW', '--allow-private'];

  it('prints one JSON object with the documented fields and exits 0 when ok', { timeout: 10_000 }, async () => {
    const run = await cli([...base(), '--json'], { PW: 'cli-secret' });
    assert.equal(run.status, 0, run.stdout);
    const result = JSON.parse(run.stdout) as ProbeResult;
    for (const key of ['ok', 'code', 'stage', 'message', 'hint', 'reply', 'stages', 'transcript', 'suggestion', 'offered']) assert.ok(key in result, key);
    assert.equal(result.ok, true);
    assert.equal(result.code, 'OK');
    assert.deepEqual(result.stages.map((s) => s.name), ['dns', 'connect', 'greeting', 'ehlo', 'auth', 'mail', 'rcpt']);
    assert.ok(result.stages.every((s) => typeof s.ms === 'number'));
  });

  it('prints stages with times, the transcript, the verdict and the fix; exits 1 on failure', { timeout: 10_000 }, async () => {
    const run = await cli(base(), { PW: 'wrong' });
    assert.equal(run.status, 1);
    assert.match(run.stdout, /^Testing 127\.0\.0\.1 port \d+ \(no encryption\)/);
    assert.match(run.stdout, /<- {2}220 /);
    assert.match(run.stdout, / -> AUTH PLAIN \[credentials hidden\]/);
    assert.match(run.stdout, /Stages\n {2}ok {4}dns +\d+ ms\n/);
    assert.match(run.stdout, / {2}FAIL {2}auth +\d+ ms/);
    assert.match(run.stdout, /Result: {3}AUTH_FAILED at auth/);
    assert.match(run.stdout, /Reply: {4}535 5\.7\.8 Authentication credentials invalid/);
    assert.match(run.stdout, /Fix: {6}Check the user name/);
  });

  it('refuses loopback without --allow-private (HOST_BLOCKED, exit 1)', { timeout: 10_000 }, async () => {
    const run = await cli(['--host', '127.0.0.1', '--port', String(server.port), '--security', 'none', '--json']);
    assert.equal(run.status, 1);
    assert.equal((JSON.parse(run.stdout) as ProbeResult).code, 'HOST_BLOCKED');
  });

  it('allows loopback through MAILROOM_ALLOWED_SMTP_NETWORKS', { timeout: 10_000 }, async () => {
    const run = await cli(['--host', '127.0.0.1', '--port', String(server.port), '--security', 'none', '--json'], { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' });
    assert.equal((JSON.parse(run.stdout) as ProbeResult).code, 'AUTH_REQUIRED');
  });

  it('maps every flag onto the probe request', async () => {
    let seen: ProbeRequest | null = null;
    let policy: EgressPolicy | null = null;
    const fake = (p: EgressPolicy): SmtpProber => {
      policy = p;
      return { probe: async (request) => { seen = request; throw new Error('stop here'); } };
    };
    await assert.rejects(cli(['--host', 'smtp.example.com', '--port', '465', '--security', 'tls', '--auth', 'xoauth2', '--user', 'me@example.com', '--password-env', 'TOKEN',
      '--from', 'me@example.com', '--to', 'you@example.com', '--send', '--allow-invalid-cert', '--timeout', '7.5', '--helo', 'client.example.com'], { TOKEN: 'ya29.token' }, fake), /stop here/);
    assert.deepEqual(seen, {
      host: 'smtp.example.com', port: 465, security: 'tls', auth: { mechanism: 'xoauth2', username: 'me@example.com', password: 'ya29.token' },
      from: 'me@example.com', to: 'you@example.com', sendTestMessage: true, allowInvalidCert: true, timeoutMs: 7500, heloName: 'client.example.com',
    });
    assert.equal(policy!.check('127.0.0.1').allowed, false, 'private addresses stay refused without --allow-private');
  });
});
