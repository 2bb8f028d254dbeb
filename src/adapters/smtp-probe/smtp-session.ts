// One connection's way through the stages after DNS: connect → (TLS) → greeting → EHLO →
// (STARTTLS) → AUTH → MAIL FROM → RCPT TO → (DATA). Used for the probe itself and, reduced to
// "up to EHLO, is AUTH offered", for the suggestion attempts.
import { randomUUID } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import type { ReplyContext, ReplyStage } from '../../core/diagnostics/classify-reply.ts';
import type { OfferedCapabilities, ProbeAuth, StageName } from '../../core/diagnostics/probe-types.ts';
import type { AuthMechanism, SecurityMode } from '../../core/model.ts';
import { identifyNonSmtpBanner, parseEhloReply, type EhloCapabilities, type SmtpReply } from '../../core/diagnostics/smtp-reply.ts';
import { chooseAuthMechanism, mechanismName, SUPPORTED_MECHANISM_NAMES } from '../../core/diagnostics/suggestion-plan.ts';
import { testMessageLines } from '../../core/diagnostics/test-message.ts';
import type { Transcript } from '../../core/diagnostics/transcript.ts';
import type { Clock } from '../../core/ports.ts';
import { answersSmtpOverTls } from './implicit-tls-check.ts';
import { failure, replyFailure, type ProbeFailure } from './probe-failure.ts';
import { cramMd5Frame, loginPasswordFrame, loginUsernameFrame, plainFrame, xoauth2Frame } from './sasl-frames.ts';
import { ChannelError, SmtpChannel } from './smtp-channel.ts';
import type { Deadline, StageRecorder } from './stage-recorder.ts';
import { connectTcp, TcpConnectError, type TcpConnector } from './tcp-connect.ts';
import { TlsHandshakeError, tlsHandshake } from './tls-handshake.ts';

/** Per-stage limits; each is further cut to the probe's overall deadline. */
export interface StageTimeouts {
  connectMs: number;
  greetingMs: number;
  tlsMs: number;
  commandMs: number;
  /** After the final "." of DATA: servers scan the message before answering. */
  dataMs: number;
  /** Silence after connect before checking whether the port expects TLS first. */
  implicitTlsCheckAfterMs: number;
  /** QUIT is a courtesy: never wait long for its 221. */
  quitMs: number;
}

export const DEFAULT_STAGE_TIMEOUTS: StageTimeouts = {
  connectMs: 10_000,
  greetingMs: 10_000,
  tlsMs: 10_000,
  commandMs: 10_000,
  dataMs: 15_000,
  implicitTlsCheckAfterMs: 1_500,
  quitMs: 1_000,
};

/** The port where a TLS check after silence is skipped: see `readGreeting`. */
const MX_PORT = 25;

export interface SessionTarget {
  /** The checked address; the only one connected to. */
  ip: string;
  /** The host as typed, for SNI, the certificate check and messages. */
  hostname: string;
  port: number;
  security: SecurityMode;
}

export interface SessionPlan {
  auth: ProbeAuth | null;
  /** 'login' authenticates; 'check-offered' only checks that a usable mechanism is offered. */
  authMode: 'login' | 'check-offered';
  /** Null stops after the auth stage (suggestion attempts). */
  envelope: { from: string; to: string | null; sendTestMessage: boolean } | null;
  allowInvalidCert: boolean;
  heloName: string | null;
  detectImplicitTls: boolean;
  preset?: string | null;
}

export interface SessionDeps {
  connector: TcpConnector;
  extraCaCertificates: string[];
  timeouts: StageTimeouts;
  clock: Clock;
}

/** What the session learnt; filled in as it goes, so it is complete up to a failure too. */
export interface SessionState {
  offered: OfferedCapabilities;
  encrypted: boolean;
  lastReply: SmtpReply | null;
  /** The mechanism a 'check-offered' session found usable. */
  usableMechanism: AuthMechanism | null;
  /** Frames that carried credentials, to scrub from anything the probe returns. */
  credentialFrames: string[];
}

export function emptySessionState(): SessionState {
  return {
    offered: { extensions: [], authMechanisms: [], startTls: false, maxSize: null },
    encrypted: false,
    lastReply: null,
    usableMechanism: null,
    credentialFrames: [],
  };
}

export interface SessionContext {
  target: SessionTarget;
  plan: SessionPlan;
  deps: SessionDeps;
  deadline: Deadline;
  stages: StageRecorder;
  transcript: Transcript;
  state: SessionState;
}

export async function runSession(ctx: SessionContext): Promise<void> {
  const { target, plan, stages, transcript, deadline, deps } = ctx;
  transcript.note(`Trying ${target.ip}:${target.port}…`);
  const socket = await stages.run('connect', async () => {
    try {
      const connected = await connectTcp(deps.connector, { host: target.ip, port: target.port }, deadline.limit(deps.timeouts.connectMs));
      transcript.note(`Connected to ${target.ip}:${target.port}`);
      return connected;
    } catch (err) {
      if (!(err instanceof TcpConnectError)) throw err;
      transcript.note(`connect failed: ${err.code}`);
      if (err.kind === 'refused') throw failure('CONNECTION_REFUSED', { vars: { port: target.port } });
      throw failure('CONNECTION_TIMEOUT', { vars: { port: target.port }, message: deadlineMessage(ctx, 'connect') });
    }
  });
  const channel = new SmtpChannel(socket, transcript);
  const helo = plan.heloName ?? defaultHeloName(socket.localAddress ?? '');
  try {
    if (target.security === 'tls') await stages.run('tls', () => upgradeToTls(ctx, channel, true));
    await stages.run('greeting', () => readGreeting(ctx, channel));
    let capabilities = await stages.run('ehlo', () => ehlo(ctx, channel, helo));
    if (target.security === 'starttls') {
      capabilities = await stages.run('tls', async () => {
        if (!capabilities.startTls) throw failure('STARTTLS_NOT_OFFERED', { vars: { port: target.port } });
        channel.write('STARTTLS');
        await expectReply(ctx, channel, 'tls', [220]);
        await upgradeToTls(ctx, channel, false);
        // RFC 3207 §4.2: everything learnt before TLS is discarded, so EHLO again.
        return ehlo(ctx, channel, helo);
      });
    }
    if (plan.auth) {
      const auth = plan.auth;
      await stages.run('auth', () => (plan.authMode === 'login' ? authenticate(ctx, channel, capabilities, auth) : checkAuthOffered(ctx, capabilities, auth)));
    }
    if (plan.envelope) await envelopeStages(ctx, channel, capabilities, plan.envelope);
    await quit(ctx, channel);
  } finally {
    channel.destroy();
  }
}

async function upgradeToTls(ctx: SessionContext, channel: SmtpChannel, implicit: boolean): Promise<void> {
  const { target, plan, deps, deadline, transcript, state } = ctx;
  let result;
  try {
    result = await tlsHandshake(channel.detach(), {
      hostname: target.hostname,
      extraCaCertificates: deps.extraCaCertificates,
      timeoutMs: deadline.limit(deps.timeouts.tlsMs),
    });
  } catch (err) {
    if (!(err instanceof TlsHandshakeError)) throw err;
    transcript.note(`TLS handshake failed: ${err.code}`);
    if (err.kind === 'not-tls' && implicit) throw failure('TLS_NOT_SUPPORTED_ON_PORT', { vars: { port: target.port } });
    if (err.kind === 'timeout') {
      throw implicit
        ? failure('GREETING_TIMEOUT', { vars: { port: target.port }, message: deadlineMessage(ctx, 'tls') ?? 'Connected, but the server did not answer the TLS handshake.' })
        : failure('PROTOCOL_ERROR', { message: deadlineMessage(ctx, 'tls') ?? 'The server accepted STARTTLS but did not complete the TLS handshake.' });
    }
    if (/UNSUPPORTED_PROTOCOL|NO_PROTOCOLS|VERSION_TOO_LOW|PROTOCOL_VERSION/i.test(err.code)) {
      throw failure('PROTOCOL_ERROR', { message: 'The server supports only outdated TLS versions (older than TLS 1.2).' });
    }
    throw failure('PROTOCOL_ERROR', { message: `The TLS handshake failed (${err.code}).` });
  }
  const { info, problem } = result;
  state.offered.tls = info;
  transcript.note(`TLS ${info.version}, ${info.cipher}; certificate ${info.certSubject || '(no subject)'}, issued by ${info.certIssuer || '(unknown)'}, valid to ${info.certValidTo}`);
  if (problem) {
    transcript.note(`certificate problem: ${problem.reason} (certificate names: ${problem.certNames || 'none'})`);
    if (!plan.allowInvalidCert) {
      result.socket.destroy();
      throw failure(problem.code, { vars: { certNames: problem.certNames } });
    }
    transcript.note('continuing anyway: "Allow invalid certificate" is on');
  }
  channel.attach(result.socket);
  transcript.markEncrypted();
  state.encrypted = true;
}

async function readGreeting(ctx: SessionContext, channel: SmtpChannel): Promise<void> {
  const { target, plan, deps, deadline, transcript } = ctx;
  type GreetingOutcome = { reply: SmtpReply; error: null } | { reply: null; error: unknown } | 'tls';
  const outcome: Promise<GreetingOutcome> = channel.readReply(deadline.limit(deps.timeouts.greetingMs)).then(
    (reply) => ({ reply, error: null }),
    (error: unknown) => ({ reply: null, error }),
  );
  // Port 25 is left out: MX hosts there often delay their greeting on purpose (postscreen), and a
  // client that talks first on a second connection is what they are built to catch.
  const check = plan.detectImplicitTls && target.security !== 'tls' && target.port !== MX_PORT ? scheduleImplicitTlsCheck(ctx, channel) : null;
  try {
    const tlsFirst = check ? check.result.then((tls): GreetingOutcome | Promise<GreetingOutcome> => (tls ? 'tls' : outcome)) : outcome;
    let settled: GreetingOutcome = await Promise.race([outcome, tlsFirst]);
    if (settled !== 'tls' && settled.error instanceof ChannelError && settled.error.kind === 'timeout' && check?.started()) {
      // The greeting time ran out while the TLS check was still going: its answer is worth the wait.
      if (await check.result) settled = 'tls';
    }
    if (settled === 'tls') {
      transcript.note(`port ${target.port} answers a TLS handshake with an SMTP greeting`);
      throw failure('TLS_REQUIRED_ON_PORT', { vars: { port: target.port } });
    }
    if (settled.reply === null) throw greetingFailure(ctx, settled.error);
    const reply = settled.reply;
    ctx.state.lastReply = reply;
    if (reply.code >= 400) throw replyFailure('greeting', reply, replyContext(ctx));
    const firstLine = `${reply.code} ${reply.text.split('\n')[0] ?? ''}`;
    const protocol = identifyNonSmtpBanner(firstLine);
    if (protocol) throw failure('NOT_SMTP', { vars: { port: target.port, protocol } });
    if (reply.code !== 220) throw failure('PROTOCOL_ERROR', { reply, message: `The server greeted with ${reply.code} instead of 220.` });
  } finally {
    check?.cancel();
  }
}

function greetingFailure(ctx: SessionContext, error: unknown): ProbeFailure | unknown {
  if (!(error instanceof ChannelError)) return error;
  const port = ctx.target.port;
  switch (error.kind) {
    case 'timeout':
      return failure('GREETING_TIMEOUT', { vars: { port }, message: deadlineMessage(ctx, 'greeting') });
    case 'malformed':
    case 'overflow':
      return failure('NOT_SMTP', { vars: { port, protocol: identifyNonSmtpBanner(error.line ?? '') ?? 'an unknown protocol' } });
    case 'closed':
      return failure('SERVER_REJECTED', { message: 'The server closed the connection without greeting.' });
  }
}

interface ImplicitTlsCheck {
  result: Promise<boolean>;
  started(): boolean;
  cancel(): void;
}

function scheduleImplicitTlsCheck(ctx: SessionContext, channel: SmtpChannel): ImplicitTlsCheck {
  const { target, deps, deadline, transcript } = ctx;
  const controller = new AbortController();
  let started = false;
  let timer: NodeJS.Timeout | undefined;
  const result = new Promise<boolean>((resolve) => {
    controller.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      if (!started) resolve(false);
    }, { once: true });
    timer = setTimeout(() => {
      if (channel.bytesReceived > 0) {
        resolve(false);
        return;
      }
      started = true;
      transcript.note(`no greeting after ${deps.timeouts.implicitTlsCheckAfterMs} ms; checking whether port ${target.port} expects TLS first`);
      void answersSmtpOverTls(deps.connector, { ip: target.ip, port: target.port, hostname: target.hostname }, deadline.limit(deps.timeouts.tlsMs), controller.signal).then(resolve);
    }, Math.min(deps.timeouts.implicitTlsCheckAfterMs, deadline.remainingMs()));
  });
  return { result, started: () => started, cancel: () => controller.abort() };
}

async function ehlo(ctx: SessionContext, channel: SmtpChannel, helo: string): Promise<EhloCapabilities> {
  const { state } = ctx;
  channel.write(`EHLO ${helo}`);
  const reply = await readReply(ctx, channel, 'ehlo');
  let capabilities: EhloCapabilities;
  if (reply.code === 250) {
    capabilities = parseEhloReply(reply);
  } else if (reply.code === 500 || reply.code === 502) {
    // RFC 5321 §3.2: a server that does not know EHLO still knows HELO; it then offers no extensions.
    channel.write(`HELO ${helo}`);
    const heloReply = await readReply(ctx, channel, 'ehlo');
    if (heloReply.code !== 250) throw replyFailure('ehlo', heloReply, replyContext(ctx));
    capabilities = { extensions: [], authMechanisms: [], startTls: false, maxSize: null };
  } else {
    throw replyFailure('ehlo', reply, replyContext(ctx));
  }
  // STARTTLS disappears from the EHLO reply inside TLS; it was still offered.
  state.offered = { ...state.offered, ...capabilities, startTls: state.offered.startTls || capabilities.startTls };
  return capabilities;
}

async function authenticate(ctx: SessionContext, channel: SmtpChannel, capabilities: EhloCapabilities, auth: ProbeAuth): Promise<void> {
  const { state, transcript } = ctx;
  ensureAuthOffered(ctx, capabilities);
  const name = mechanismName(auth.mechanism);
  if (!capabilities.authMechanisms.includes(name)) {
    throw failure('AUTH_METHOD_UNSUPPORTED', { vars: { mechanism: name, offered: capabilities.authMechanisms.filter((m) => SUPPORTED_MECHANISM_NAMES.has(m)) } });
  }
  const { username, password } = auth;
  let reply: SmtpReply;
  switch (auth.mechanism) {
    case 'plain': {
      const frame = plainFrame(username, password);
      state.credentialFrames.push(frame);
      channel.writeCredentials(`AUTH PLAIN ${frame}`, 'AUTH PLAIN');
      reply = await readReply(ctx, channel, 'auth');
      if (reply.code === 334) {
        // A server that does not take an initial response asks for the frame on its own line.
        channel.writeCredentials(frame);
        reply = await readReply(ctx, channel, 'auth');
      }
      break;
    }
    case 'login': {
      channel.write('AUTH LOGIN');
      reply = await readReply(ctx, channel, 'auth');
      if (reply.code === 334) {
        channel.writeCredentials(loginUsernameFrame(username));
        reply = await readReply(ctx, channel, 'auth');
        if (reply.code === 334) {
          state.credentialFrames.push(loginPasswordFrame(password));
          channel.writeCredentials(loginPasswordFrame(password));
          reply = await readReply(ctx, channel, 'auth');
        }
      }
      break;
    }
    case 'cram-md5': {
      channel.write('AUTH CRAM-MD5');
      reply = await readReply(ctx, channel, 'auth');
      if (reply.code === 334) {
        const frame = cramMd5Frame(username, password, reply.text);
        state.credentialFrames.push(frame);
        channel.writeCredentials(frame);
        reply = await readReply(ctx, channel, 'auth');
      }
      break;
    }
    case 'xoauth2': {
      const frame = xoauth2Frame(username, password);
      state.credentialFrames.push(frame);
      channel.writeCredentials(`AUTH XOAUTH2 ${frame}`, 'AUTH XOAUTH2');
      reply = await readReply(ctx, channel, 'auth');
      if (reply.code === 334) {
        // The 334 carries a base64 JSON error; the client answers with an empty line to get the final reply.
        const detail = Buffer.from(reply.text.trim(), 'base64').toString('utf8').replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
        transcript.note(`XOAUTH2 error from the server: ${detail}`);
        channel.write('', '');
        reply = await readReply(ctx, channel, 'auth');
      }
      break;
    }
  }
  state.lastReply = reply;
  if (reply.code !== 235) throw replyFailure('auth', reply, replyContext(ctx));
}

/** The suggestion attempts stop here: a usable mechanism is offered, no password is sent. */
async function checkAuthOffered(ctx: SessionContext, capabilities: EhloCapabilities, auth: ProbeAuth): Promise<void> {
  ensureAuthOffered(ctx, capabilities);
  const usable = chooseAuthMechanism(capabilities.authMechanisms, ctx.state.encrypted, auth.mechanism);
  if (!usable) throw failure('AUTH_METHOD_UNSUPPORTED', { vars: { mechanism: mechanismName(auth.mechanism) } });
  ctx.state.usableMechanism = usable;
}

function ensureAuthOffered(ctx: SessionContext, capabilities: EhloCapabilities): void {
  if (capabilities.authMechanisms.length > 0) return;
  // Postfix with smtpd_tls_auth_only (and most submission servers) offer AUTH only inside TLS.
  if (!ctx.state.encrypted && capabilities.startTls) {
    throw failure('ENCRYPTION_REQUIRED', { message: 'The server offers login only over an encrypted connection.' });
  }
  throw failure('AUTH_NOT_OFFERED', { vars: { port: ctx.target.port } });
}

async function envelopeStages(ctx: SessionContext, channel: SmtpChannel, capabilities: EhloCapabilities, envelope: NonNullable<SessionPlan['envelope']>): Promise<void> {
  const { stages, transcript, deps } = ctx;
  const international = /[^\x00-\x7f]/.test(`${envelope.from}${envelope.to ?? ''}`);
  const utf8 = international && capabilities.extensions.some((e) => e.toUpperCase() === 'SMTPUTF8') ? ' SMTPUTF8' : '';
  await stages.run('mail', async () => {
    channel.write(`MAIL FROM:<${envelope.from}>${utf8}`);
    await expectReply(ctx, channel, 'mail', [250]);
  });
  const to = envelope.to;
  if (to === null) {
    transcript.note('no recipient given: RCPT TO skipped');
    return;
  }
  await stages.run('rcpt', async () => {
    channel.write(`RCPT TO:<${to}>`);
    await expectReply(ctx, channel, 'rcpt', [250, 251, 252]);
  });
  if (!envelope.sendTestMessage) {
    transcript.note('no test message requested: stopping before DATA, nothing was sent');
    return;
  }
  await stages.run('data', async () => {
    channel.write('DATA');
    await expectReply(ctx, channel, 'data', [354]);
    const lines = testMessageLines({ from: envelope.from || 'mailroom@mailroom.invalid', to, date: deps.clock.now(), messageIdLocalPart: randomUUID() });
    for (const line of lines) channel.write(line);
    channel.write('.');
    await expectReply(ctx, channel, 'data', [250], deps.timeouts.dataMs);
  });
}

async function quit(ctx: SessionContext, channel: SmtpChannel): Promise<void> {
  try {
    channel.write('QUIT');
    await channel.readReply(ctx.deadline.limit(ctx.deps.timeouts.quitMs));
  } catch {
    // The verdict is already made; a server that hangs up without 221 changes nothing.
  }
}

async function expectReply(ctx: SessionContext, channel: SmtpChannel, stage: ReplyStage, expected: number[], limitMs?: number): Promise<SmtpReply> {
  const reply = await readReply(ctx, channel, stage, limitMs);
  ctx.state.lastReply = reply;
  if (!expected.includes(reply.code)) throw replyFailure(stage, reply, replyContext(ctx));
  return reply;
}

async function readReply(ctx: SessionContext, channel: SmtpChannel, stage: ReplyStage, limitMs = ctx.deps.timeouts.commandMs): Promise<SmtpReply> {
  try {
    return await channel.readReply(ctx.deadline.limit(limitMs));
  } catch (err) {
    if (!(err instanceof ChannelError)) throw err;
    const step = stage === 'tls' ? 'STARTTLS' : stage.toUpperCase();
    switch (err.kind) {
      case 'timeout':
        throw failure('PROTOCOL_ERROR', { message: deadlineMessage(ctx, stage) ?? `The server did not answer ${step} within ${Math.round(limitMs / 1000)} s.` });
      case 'closed':
        throw failure('PROTOCOL_ERROR', { message: `The server closed the connection during ${step}.` });
      case 'malformed':
      case 'overflow':
        throw failure('PROTOCOL_ERROR', { message: `The server answered ${step} with something that is not an SMTP reply.` });
    }
  }
}

function replyContext(ctx: SessionContext): ReplyContext {
  return {
    authConfigured: ctx.plan.auth !== null,
    host: ctx.target.hostname,
    port: ctx.target.port,
    mechanism: ctx.plan.auth ? mechanismName(ctx.plan.auth.mechanism) : undefined,
    offeredMechanisms: ctx.state.offered.authMechanisms.filter((m) => SUPPORTED_MECHANISM_NAMES.has(m)),
    preset: ctx.plan.preset ?? null,
  };
}

/** When the overall deadline, not the stage's own limit, ran out: say so. */
function deadlineMessage(ctx: SessionContext, stage: StageName | ReplyStage): string | undefined {
  if (!ctx.deadline.expired()) return undefined;
  return `The test reached its time limit of ${Math.round(ctx.deadline.totalMs / 1000)} s during ${stage === 'tls' ? 'TLS' : stage.toUpperCase()}.`;
}

/**
 * The EHLO name: this machine's name when it is a full domain name, else the address literal of
 * the local end (as nodemailer does); some servers refuse a bare "localhost".
 */
function defaultHeloName(localAddress: string): string {
  const name = osHostname();
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(name)) return name.toLowerCase();
  if (!localAddress) return '[127.0.0.1]';
  const v4 = localAddress.replace(/^::ffff:/, '');
  return /^\d+\.\d+\.\d+\.\d+$/.test(v4) ? `[${v4}]` : `[IPv6:${localAddress}]`;
}
