// `mailroom smtp test`: the staged SMTP probe from a shell, in the manner of swaks. Prints the
// transcript, each stage with its time, the verdict and the fix — or, with --json, the probe
// result as one JSON object. Exit status: 0 when every stage passed, 1 when the probe failed,
// 2 for a usage error. The password is read from an environment variable so it never appears in
// the process list or shell history.
import { parseArgs } from 'node:util';
import { createSystemResolver } from '../adapters/smtp-probe/host-resolver.ts';
import { createSmtpProber } from '../adapters/smtp-probe/smtp-prober.ts';
import { createEgressPolicy, parseAllowedNetworks, type EgressPolicy } from '../core/diagnostics/egress-policy.ts';
import type { ProbeRequest, ProbeResult, SmtpProber } from '../core/diagnostics/probe-types.ts';
import { validateProbeRequest } from '../core/diagnostics/probe-request-validation.ts';
import { formatReply } from '../core/diagnostics/smtp-reply.ts';
import { AUTH_MECHANISMS, SECURITY_MODES, type AuthMechanism, type SecurityMode } from '../core/model.ts';

const USAGE = `Usage: mailroom smtp test --host HOST --port PORT --security none|starttls|tls
         [--auth none|plain|login|cram-md5|xoauth2] [--user USER --password-env VAR]
         [--from ADDRESS] [--to ADDRESS] [--send] [--allow-private] [--allow-invalid-cert]
         [--timeout SECONDS] [--helo NAME] [--json]

Tests an SMTP server stage by stage (DNS, connect, greeting, EHLO, TLS, AUTH, MAIL FROM,
RCPT TO, and DATA with --send) and names the cause of a failure with a fix.

  --password-env VAR     read the password (or OAuth2 access token) from environment variable VAR
  --send                 send the fixed test message to --to (default: stop before DATA)
  --allow-private        allow loopback and private addresses (MAILROOM_ALLOWED_SMTP_NETWORKS
                         allows chosen networks)
  --allow-invalid-cert   continue past a certificate problem
  --timeout SECONDS      overall time limit (default 20)
  --json                 print the result as one JSON object

Exit status: 0 when every stage passed, 1 when the test failed, 2 for a usage error.
`;

const FLAG_FOR_FIELD: Record<string, string> = {
  host: '--host', port: '--port', security: '--security', 'auth.mechanism': '--auth', 'auth.username': '--user',
  'auth.password': '--password-env', from: '--from', to: '--to', timeoutMs: '--timeout', heloName: '--helo',
};

export interface SmtpTestIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Replaces the real prober (tests); receives the egress policy the flags asked for. */
  createProber?: (egressPolicy: EgressPolicy) => SmtpProber;
}

export async function smtpTestCommand(args: string[]): Promise<number> {
  return runSmtpTest(args, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  });
}

class UsageError extends Error {}

export async function runSmtpTest(args: string[], io: SmtpTestIo): Promise<number> {
  let parsed: { request: ProbeRequest; json: boolean; allowPrivate: boolean } | 'help';
  try {
    parsed = parseFlags(args, io.env);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`mailroom smtp test: ${message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  const { request, json, allowPrivate } = parsed;

  let egressPolicy: EgressPolicy;
  try {
    egressPolicy = createEgressPolicy({ allowedNetworks: parseAllowedNetworks(io.env.MAILROOM_ALLOWED_SMTP_NETWORKS), allowPrivate });
  } catch (err) {
    io.stderr(`mailroom smtp test: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const prober = io.createProber ? io.createProber(egressPolicy) : createSmtpProber({ resolver: createSystemResolver(), egressPolicy });
  const result = await prober.probe(request);
  io.stdout(json ? `${JSON.stringify(result, null, 2)}\n` : formatHuman(request, result));
  return result.ok ? 0 : 1;
}

function parseFlags(args: string[], env: Record<string, string | undefined>): { request: ProbeRequest; json: boolean; allowPrivate: boolean } | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        security: { type: 'string' },
        auth: { type: 'string' },
        user: { type: 'string' },
        'password-env': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        send: { type: 'boolean' },
        'allow-private': { type: 'boolean' },
        'allow-invalid-cert': { type: 'boolean' },
        timeout: { type: 'string' },
        helo: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    // parseArgs names the flag ("Unknown option '--hots'"); its wording is safe to show.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';

  const missing = (['host', 'port', 'security'] as const).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new UsageError(`missing ${missing.map((m) => `--${m}`).join(', ')}`);

  const port = Number(values.port);
  if (!/^\d+$/.test(values.port ?? '') || port < 1 || port > 65535) throw new UsageError('--port must be a whole number between 1 and 65535');
  const security = values.security as SecurityMode;
  if (!(SECURITY_MODES as readonly string[]).includes(security)) throw new UsageError(`--security must be one of ${SECURITY_MODES.join(', ')}`);

  const authFlag = values.auth ?? (values.user !== undefined ? 'plain' : 'none');
  if (authFlag !== 'none' && !(AUTH_MECHANISMS as readonly string[]).includes(authFlag)) {
    throw new UsageError(`--auth must be one of none, ${AUTH_MECHANISMS.join(', ')}`);
  }
  let auth: ProbeRequest['auth'] = null;
  if (authFlag === 'none') {
    if (values.user !== undefined || values['password-env'] !== undefined) throw new UsageError('--user and --password-env need --auth plain, login, cram-md5 or xoauth2');
  } else {
    if (values.user === undefined) throw new UsageError(`--auth ${authFlag} needs --user`);
    const variable = values['password-env'];
    if (variable === undefined) throw new UsageError(`--auth ${authFlag} needs --password-env VAR (the name of an environment variable holding the password)`);
    const password = env[variable];
    if (password === undefined || password === '') throw new UsageError(`environment variable ${variable} (from --password-env) is not set or empty`);
    auth = { mechanism: authFlag as AuthMechanism, username: values.user, password };
  }

  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > 120) throw new UsageError('--timeout must be a number of seconds between 1 and 120');
    timeoutMs = Math.round(seconds * 1000);
  }

  const request: ProbeRequest = {
    host: values.host ?? '',
    port,
    security,
    auth,
    from: values.from,
    to: values.to,
    sendTestMessage: values.send ?? false,
    allowInvalidCert: values['allow-invalid-cert'] ?? false,
    timeoutMs,
    heloName: values.helo,
  };
  const issues = validateProbeRequest(request);
  if (issues.length > 0) {
    throw new UsageError(issues.map((issue) => `${FLAG_FOR_FIELD[issue.field] ?? issue.field} ${issue.message}`).join('; '));
  }
  return { request, json: values.json ?? false, allowPrivate: values['allow-private'] ?? false };
}

function formatHuman(request: ProbeRequest, result: ProbeResult): string {
  const out: string[] = [];
  out.push(`Testing ${request.host} port ${request.port} (${request.security === 'tls' ? 'SSL/TLS' : request.security === 'starttls' ? 'STARTTLS' : 'no encryption'})`, '');
  out.push(...result.transcript, '');

  out.push('Stages');
  for (const stage of result.stages) out.push(`  ${stage.ok ? 'ok  ' : 'FAIL'}  ${stage.name.padEnd(9)} ${String(stage.ms).padStart(6)} ms`);
  out.push('');

  const { offered } = result;
  if (offered.extensions.length > 0) out.push(`Offered:  ${offered.extensions.join(', ')}`);
  if (offered.tls) {
    const tls = offered.tls;
    out.push(`TLS:      ${tls.version}, ${tls.cipher}`, `Cert:     ${tls.certSubject}; issued by ${tls.certIssuer}; valid to ${tls.certValidTo}`);
  }
  if (offered.extensions.length > 0 || offered.tls) out.push('');

  out.push(result.ok ? `Result:   OK (${result.durationMs} ms)` : `Result:   ${result.code} at ${result.stage ?? 'start'} (${result.durationMs} ms)`);
  out.push(`          ${result.message}`);
  if (result.reply && !result.ok) out.push(`Reply:    ${formatReply(result.reply)}`);
  if (result.hint) out.push(`Fix:      ${result.hint}`);
  if (result.suggestion) out.push(`Suggests: ${result.suggestion.text}`);
  return `${out.join('\n')}\n`;
}
