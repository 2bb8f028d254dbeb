// No password in any output: for every mechanism, on success and on failure, the JSON result, the
// human output, the transcript and stderr are searched for the password in every form it travelled
// in (itself, base64, the PLAIN/XOAUTH2/CRAM-MD5 frames). A hostile server that echoes the
// credentials back must not get them into the result either. One run goes through the real
// `mailroom` process, as an operator would run it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SMTPServerOptions } from 'smtp-server';
import { runSmtpTest } from '../../src/cli/smtp-test.ts';
import { loginUsernameFrame, plainFrame, xoauth2Frame } from '../../src/adapters/smtp-probe/sasl-frames.ts';
import { CREDENTIALS_PLACEHOLDER } from '../../src/core/diagnostics/transcript.ts';
import type { ProbeResult } from '../../src/core/diagnostics/probe-types.ts';
import { startRawServer, startSmtpServer, type RunningServer } from './support/scripted-servers.ts';

const USERNAME = 'probe-user@example.com';
const PASSWORD = 'Pa55-w0rd.Never/Shown+1';
const WRONG_PASSWORD = 'Wr0ng-But-Still-Secret+2';
const MECHANISMS = ['plain', 'login', 'cram-md5', 'xoauth2'] as const;

function forbiddenForms(password: string): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [password, b64(password), plainFrame(USERNAME, password), xoauth2Frame(USERNAME, password), b64(password).replace(/=+$/, '')];
}

function assertNoSecret(output: string, password: string, where: string): void {
  for (const form of forbiddenForms(password)) assert.ok(!output.includes(form), `${where} contains a credential form: ${form}`);
}

async function runCli(args: string[], password: string): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runSmtpTest(args, {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    env: { PROBE_PASSWORD: password },
  });
  return { status, stdout, stderr };
}

describe('no password in any output', () => {
  let server: RunningServer;
  let echo: RunningServer;

  before(async () => {
    const options: SMTPServerOptions = {
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2'],
      onAuth(auth, _session, callback) {
        const ok = auth.method === 'XOAUTH2' ? auth.accessToken === PASSWORD
          : auth.method === 'CRAM-MD5' ? auth.validatePassword(PASSWORD)
            : auth.password === PASSWORD;
        if (ok) return callback(null, { user: auth.username });
        if (auth.method === 'XOAUTH2') return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' } });
        return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    };
    server = await startSmtpServer(options);
    // Echoes every line it gets back in its reply, credentials included.
    echo = await startRawServer((socket) => {
      socket.write('220 echo.example ESMTP\r\n');
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('utf8');
        for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          if (line.startsWith('EHLO')) socket.write('250-echo.example\r\n250 AUTH PLAIN LOGIN\r\n');
          else if (line === 'AUTH LOGIN') socket.write('334 VXNlcm5hbWU6\r\n');
          else if (line === 'QUIT') socket.end('221 bye\r\n');
          else socket.write(`535 5.7.8 rejected: ${line} (${Buffer.from(line.replace(/^AUTH \w+ /, ''), 'base64').toString('utf8').replace(/[^\x20-\x7e]/g, ' ')})\r\n`);
        }
      });
    });
  });
  after(async () => {
    await server.close();
    await echo.close();
  });

  for (const mechanism of MECHANISMS) {
    for (const [outcome, password] of [['accepted', PASSWORD], ['refused', WRONG_PASSWORD]] as const) {
      it(`${mechanism}, ${outcome}: JSON, human output and transcript hold no credential`, { timeout: 10_000 }, async () => {
        const args = ['--host', '127.0.0.1', '--port', String(server.port), '--security', 'none', '--auth', mechanism,
          '--user', USERNAME, '--password-env', 'PROBE_PASSWORD', '--to', 'rcpt@example.com', '--send', '--allow-private'];
        const json = await runCli([...args, '--json'], password);
        const result = JSON.parse(json.stdout) as ProbeResult;
        assert.equal(result.code, outcome === 'accepted' ? 'OK' : 'AUTH_FAILED', result.transcript.join('\n'));
        assert.equal(json.status, outcome === 'accepted' ? 0 : 1);
        assertNoSecret(json.stdout + json.stderr, password, 'JSON output');
        assert.ok(result.transcript.some((line) => line.includes(CREDENTIALS_PLACEHOLDER)), 'the AUTH exchange is shown with the placeholder');
        // LOGIN's base64 user name is a credential frame too: the client line shows the placeholder.
        assert.ok(!result.transcript.some((line) => line.includes(loginUsernameFrame(USERNAME))));

        const human = await runCli(args, password);
        assert.equal(human.status, json.status);
        assertNoSecret(human.stdout + human.stderr, password, 'human output');
        assert.match(human.stdout, new RegExp(CREDENTIALS_PLACEHOLDER.replace(/[[\]]/g, '\\$&')));
      });
    }
  }

  for (const mechanism of ['plain', 'login'] as const) {
    it(`a server echoing the ${mechanism} credentials back does not get them into the result`, { timeout: 10_000 }, async () => {
      const { stdout } = await runCli(['--host', '127.0.0.1', '--port', String(echo.port), '--security', 'none', '--auth', mechanism,
        '--user', USERNAME, '--password-env', 'PROBE_PASSWORD', '--allow-private', '--json'], PASSWORD);
      const result = JSON.parse(stdout) as ProbeResult;
      assert.equal(result.code, 'AUTH_FAILED');
      assert.match(result.reply?.text ?? '', /rejected: /, 'the echo reached the reply text');
      assertNoSecret(stdout, PASSWORD, 'echoed reply');
    });
  }

  it('the real mailroom process prints no password, with --json and without', { timeout: 20_000 }, async () => {
    const bin = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
    const run = (extra: string[]): Promise<{ code: number; out: string }> => new Promise((resolve) => {
      execFile(process.execPath, [bin, 'smtp', 'test', '--host', '127.0.0.1', '--port', String(server.port), '--security', 'none', '--auth', 'login',
        '--user', USERNAME, '--password-env', 'PROBE_PASSWORD', '--allow-private', ...extra],
      { env: { ...process.env, PROBE_PASSWORD: WRONG_PASSWORD }, timeout: 15_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` });
      });
    });
    for (const extra of [['--json'], []]) {
      const { code, out } = await run(extra);
      assert.equal(code, 1, out);
      assert.match(out, /AUTH_FAILED/);
      assertNoSecret(out, WRONG_PASSWORD, `mailroom smtp test ${extra.join(' ')}`);
    }
  });
});
