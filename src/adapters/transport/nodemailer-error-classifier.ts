// Classifies what nodemailer reports — a server reply, or an error without one — into the delivery
// outcome kinds (core/outbound/delivery-types.ts) and the connection test's result codes. Pure: the
// transport feeds it nodemailer's error objects, the tests feed it the same shapes.
//
// What nodemailer 8 gives (read in lib/smtp-connection/index.js and lib/smtp-pool/):
// - a reply that refused a command: `err.response` ("550 5.1.1 …", lines joined with "\n"),
//   `err.responseCode`, and `err.command` naming the command ("MAIL FROM", "RCPT TO", "DATA",
//   "AUTH PLAIN", "STARTTLS", "EHLO"; "CONN" for the greeting);
// - no reply: `err.code` is nodemailer's own (ESOCKET, ECONNECTION, ETIMEDOUT, ETLS, EAUTH, …) and
//   REPLACES the socket's code — ECONNREFUSED, ECONNRESET and the certificate codes
//   (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID) all arrive as
//   `code: 'ESOCKET', command: 'CONN'`. What survives is Node's message ("connect ECONNREFUSED …",
//   "read ECONNRESET", OpenSSL's verify text "self-signed certificate", "certificate has expired",
//   "Hostname/IP does not match certificate's altnames"), `err.syscall`, and for OpenSSL errors
//   `err.reason` ("wrong version number"). Those are matched here; the codes are matched too, in
//   case a later nodemailer keeps them.
// - a connection lost after the final "." looks exactly like one lost during RCPT (ECONNECTION or
//   ESOCKET, command "CONN", no reply): "possibly delivered" cannot be read from the error. The
//   transport watches the message stream instead (message-handover-watch.ts) and passes
//   `handedOver` in.
import { classifyReply, type ReplyContext, type ReplyStage } from '../../core/diagnostics/classify-reply.ts';
import { describeProbeCode, type ProbeCode, type ProbeCodeVars } from '../../core/diagnostics/result-codes.ts';
import { assembleReply, parseReplyLine, sanitizeServerText, type ReplyLine, type SmtpReply } from '../../core/diagnostics/smtp-reply.ts';
import { redactSecrets } from '../../core/diagnostics/transcript.ts';
import type { OutcomeKind } from '../../core/outbound/delivery-types.ts';

export type FailureKind = Exclude<OutcomeKind, 'sent'>;

export interface FailureClassification {
  kind: FailureKind;
  code: ProbeCode;
  message: string;
  hint: string | null;
  /** The server's reply that decided it, already scrubbed of the secret; null when there was none. */
  reply: SmtpReply | null;
  /** The stage the reply answered, when known. */
  stage: ReplyStage | null;
  /**
   * The connection itself failed (refused, unreachable, connect or greeting timeout, TLS): the pool's
   * address may be stale, so the transport retires the pool and the next attempt resolves again.
   */
  connectionFailed: boolean;
  /** The message was handed over completely and no final reply came (see the file comment). */
  possiblyDelivered: boolean;
}

export interface ClassifyContext extends ReplyContext {
  /** Forms of the secret to scrub from every reply before it is parsed (secretForms()). */
  secretForms: string[];
  /** The whole message, final "." included, went to the socket before the error. */
  handedOver?: boolean;
  /** The socket inactivity limit, for the timeout message. */
  socketTimeoutMs?: number;
}

/** The shape of nodemailer's errors; every field is optional because plain Errors arrive too. */
export interface NodemailerErrorLike {
  message?: string;
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  syscall?: string;
  reason?: string;
  library?: string;
  cert?: { subjectaltname?: string; subject?: { CN?: string | string[] } };
}

/** Codes that say the server's settings (or ours for it) are wrong: hold the server's mail. */
export const CONFIG_CODES: ReadonlySet<ProbeCode> = new Set<ProbeCode>([
  'DNS_NOT_FOUND',
  'HOST_BLOCKED',
  'NOT_SMTP',
  'TLS_REQUIRED_ON_PORT',
  'TLS_NOT_SUPPORTED_ON_PORT',
  'STARTTLS_NOT_OFFERED',
  'CERT_UNTRUSTED',
  'CERT_HOSTNAME_MISMATCH',
  'CERT_EXPIRED',
  'ENCRYPTION_REQUIRED',
  'AUTH_NOT_OFFERED',
  'AUTH_METHOD_UNSUPPORTED',
  'AUTH_REQUIRED',
  'AUTH_FAILED',
  'APP_PASSWORD_REQUIRED',
  'BASIC_AUTH_DISABLED',
]);

// "Slow down" replies (RFC 5321 421 and 454, RFC 3463 4.3.2 "system not accepting messages", the
// 4.7.x rate limits of Google and Microsoft) and the words providers use in them.
const THROTTLE_TEXT = /try again later|too many|rate limit|throttl/i;
const RATE_TEXT = /rate|limit|too many|throttl|slow down|exceed/i;
// Refusals that hold for every recipient from this machine, whatever the message: the server
// will not relay for us. Treated as configuration (turn on auth, or have this machine allowed).
const RELAY_DENIED = /relay(ing)? (access )?(denied|not permitted)|not permitted to relay|unable to relay/i;
// Servers without SASL answer AUTH with these words (Postfix "503 5.5.1 Error: authentication not
// enabled"); the probe reads EHLO instead and calls this AUTH_NOT_OFFERED, and so do we.
const AUTH_NOT_ENABLED = /auth\w* (is )?not (enabled|available|implemented|supported|allowed)|no auth\w* (mechanisms? )?(available|offered)/i;

// OpenSSL's verify texts (X509_verify_cert_error_string) and Node's name check.
const CERT_EXPIRED_TEXT = /certificate has expired|certificate is not yet valid/i;
const CERT_UNTRUSTED_TEXT = /self[- ]signed certificate|unable to get local issuer certificate|unable to verify the first certificate|unable to get issuer certificate|certificate signature failure|certificate not trusted|unable to verify leaf signature/i;
const CERT_NAME_TEXT = /does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/i;
const CERT_CODES: Readonly<Record<string, ProbeCode>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'CERT_UNTRUSTED',
  SELF_SIGNED_CERT_IN_CHAIN: 'CERT_UNTRUSTED',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'CERT_UNTRUSTED',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'CERT_UNTRUSTED',
  UNABLE_TO_GET_ISSUER_CERT: 'CERT_UNTRUSTED',
  CERT_UNTRUSTED: 'CERT_UNTRUSTED',
  CERT_SIGNATURE_FAILURE: 'CERT_UNTRUSTED',
  CERT_HAS_EXPIRED: 'CERT_EXPIRED',
  CERT_NOT_YET_VALID: 'CERT_EXPIRED',
  ERR_TLS_CERT_ALTNAME_INVALID: 'CERT_HOSTNAME_MISMATCH',
  HOSTNAME_MISMATCH: 'CERT_HOSTNAME_MISMATCH',
};
// OpenSSL's answers when the peer's first bytes are not TLS: SSL/TLS chosen on a plain SMTP port.
const NOT_TLS_TEXT = /wrong version number|packet length too long|record layer failure|http request|unknown protocol/i;
const OLD_TLS_TEXT = /unsupported protocol|no protocols available|version too low|protocol version/i;
const UNREACHABLE = /\b(EHOSTUNREACH|ENETUNREACH|EHOSTDOWN|ENETDOWN|EADDRNOTAVAIL)\b/;

/** The wording the delivery history needs where the probe's table speaks of its test message. */
const DELIVERY_WORDING: Partial<Record<ProbeCode, string>> = {
  MESSAGE_REJECTED: 'The server refused the message (size, content or policy).',
};

/** Parses nodemailer's `err.response` (reply lines joined with "\n") after scrubbing the secret. */
export function parseNodemailerReply(response: unknown, secretForms: string[]): SmtpReply | null {
  if (typeof response !== 'string' || response.trim() === '') return null;
  // Scrubbed before parsing: the parser cuts long replies, and a cut must not leave half a secret.
  const lines = redactSecrets(response, secretForms).split(/\r?\n/).map((line) => parseReplyLine(line)).filter((line): line is ReplyLine => line !== null);
  const first = lines[0];
  if (!first) return null;
  return assembleReply(lines.filter((line) => line.code === first.code));
}

/** The dialogue stage a nodemailer `err.command` names. */
export function stageOfCommand(command: string | undefined): ReplyStage | null {
  if (!command) return null;
  if (command === 'CONN') return 'greeting';
  if (command === 'EHLO' || command === 'HELO' || command === 'LHLO') return 'ehlo';
  if (command === 'STARTTLS') return 'tls';
  if (command.startsWith('AUTH')) return 'auth';
  if (command === 'MAIL FROM' || command === 'RSET') return 'mail';
  if (command === 'RCPT TO') return 'rcpt';
  if (command === 'DATA') return 'data';
  return null;
}

export function isThrottlingReply(reply: SmtpReply): boolean {
  if (reply.code < 400 || reply.code >= 500) return false;
  if (reply.code === 421 || reply.code === 454) return true;
  const enhanced = reply.enhanced ?? '';
  if (enhanced === '4.3.2') return true;
  if (enhanced.startsWith('4.7.') && RATE_TEXT.test(reply.text)) return true;
  return THROTTLE_TEXT.test(reply.text);
}

/** One server reply at one stage → kind and code. */
export function classifyReplyOutcome(stage: ReplyStage, reply: SmtpReply, context: ReplyContext): Omit<FailureClassification, 'connectionFailed' | 'possiblyDelivered'> {
  if (reply.code < 400) {
    // A positive reply where a refusal was reported: nodemailer lost its place in the dialogue.
    return { kind: 'temporary', code: 'PROTOCOL_ERROR', message: `The server gave an unexpected reply (${reply.code}).`, hint: describeProbeCode('PROTOCOL_ERROR').hint, reply, stage };
  }
  const classified = classifyReply(stage, reply, context);
  let code = classified.code;
  let described = { message: DELIVERY_WORDING[code] ?? classified.message, hint: classified.hint };
  if (stage === 'auth' && reply.code >= 500 && (code === 'AUTH_FAILED' || code === 'PROTOCOL_ERROR') && AUTH_NOT_ENABLED.test(reply.text)) {
    code = 'AUTH_NOT_OFFERED';
    described = describeProbeCode(code, { port: context.port });
  }
  const temporary = reply.code < 500;
  let kind: FailureKind;
  if (CONFIG_CODES.has(code)) kind = 'config';
  else if (temporary) kind = isThrottlingReply(reply) ? 'throttled' : 'temporary';
  // Refused before any message was offered, or the server refuses this machine: no message can
  // pass until someone changes the settings or the server's rules.
  else if (stage === 'greeting' || stage === 'ehlo' || stage === 'tls' || stage === 'auth' || code === 'SERVER_REJECTED' || RELAY_DENIED.test(reply.text)) kind = 'config';
  else kind = 'permanent';
  return { kind, code, ...described, reply, stage };
}

/** A whole-attempt error from nodemailer → kind and code. */
export function classifyNodemailerError(err: unknown, context: ClassifyContext): FailureClassification {
  const e: NodemailerErrorLike = typeof err === 'object' && err !== null ? (err as NodemailerErrorLike) : { message: String(err) };
  const code = e.code ?? '';
  const text = `${e.message ?? ''} ${e.reason ?? ''}`;
  const vars: ProbeCodeVars = { port: context.port, mechanism: context.mechanism, offered: context.offeredMechanisms };
  const lost = (message: string, probeCode: ProbeCode = 'TEMPORARY_FAILURE', connectionFailed = false): FailureClassification => ({
    kind: 'temporary',
    code: probeCode,
    message,
    hint: describeProbeCode(probeCode, vars).hint,
    reply: null,
    stage: null,
    connectionFailed,
    possiblyDelivered: !connectionFailed && context.handedOver === true,
  });
  const fixed = (kind: FailureKind, probeCode: ProbeCode, message?: string, extra: ProbeCodeVars = {}, connectionFailed = false): FailureClassification => {
    const described = describeProbeCode(probeCode, { ...vars, ...extra });
    return { kind, code: probeCode, message: message ?? DELIVERY_WORDING[probeCode] ?? described.message, hint: described.hint, reply: null, stage: null, connectionFailed, possiblyDelivered: false };
  };

  // 1. The server said something: its reply decides (unless it was a positive fragment read as
  //    the connection closed, which says nothing about the message).
  const reply = parseNodemailerReply(e.response, context.secretForms);
  if (reply && reply.code >= 400) {
    // "CONN" is nodemailer's name for the greeting, and for a reply read as the socket closed: after
    // the message was handed over, that reply answered the final ".".
    const stage = e.command === 'CONN' && context.handedOver ? 'data' : stageOfCommand(e.command) ?? 'greeting';
    return { ...classifyReplyOutcome(stage, reply, context), connectionFailed: false, possiblyDelivered: false };
  }

  // 2. Certificates: checked during the handshake (rejectUnauthorized), before a byte of SMTP.
  const certCode = CERT_CODES[code] ?? (CERT_NAME_TEXT.test(text) ? 'CERT_HOSTNAME_MISMATCH' : CERT_EXPIRED_TEXT.test(text) ? 'CERT_EXPIRED' : CERT_UNTRUSTED_TEXT.test(text) ? 'CERT_UNTRUSTED' : null);
  if (certCode) return fixed('config', certCode, undefined, { certNames: certificateNames(e) }, true);

  // 3. TLS that did not come up: a port that does not speak it, or only outdated versions.
  if (NOT_TLS_TEXT.test(text)) return fixed('config', 'TLS_NOT_SUPPORTED_ON_PORT', undefined, {}, true);
  if (OLD_TLS_TEXT.test(text)) return fixed('config', 'PROTOCOL_ERROR', 'The server supports only outdated TLS versions (older than TLS 1.2).', {}, true);
  if (e.library === 'SSL routines' || /\bSSL routines\b|\balert\b.*\bhandshake\b|handshake failure/i.test(text)) {
    return fixed('config', 'PROTOCOL_ERROR', 'The TLS handshake with the server failed.', {}, true);
  }

  // 4. Login problems nodemailer found without a reply: no credentials, an OAuth2 token it could not use.
  if (code === 'EAUTH' || code === 'ENOAUTH' || code === 'EOAUTH2') return fixed('config', 'AUTH_FAILED', 'The login could not be made: no usable password or access token.');

  // 5. Refusals of the envelope or message by nodemailer itself.
  if (code === 'EENVELOPE') return fixed('permanent', 'MESSAGE_REJECTED', 'The message\'s envelope (sender or recipients) could not be used.');
  if (code === 'EMESSAGE') return fixed('permanent', 'MESSAGE_REJECTED', 'The message is larger than the server accepts.');

  // 6. The network: temporary for delivery (servers restart, links drop).
  if (/\bECONNREFUSED\b/.test(text) || code === 'ECONNREFUSED') return lost(describeProbeCode('CONNECTION_REFUSED', vars).message, 'CONNECTION_REFUSED', true);
  if (UNREACHABLE.test(text) || UNREACHABLE.test(code)) return lost(describeProbeCode('CONNECTION_TIMEOUT', vars).message, 'CONNECTION_TIMEOUT', true);
  if (code === 'ETIMEDOUT') {
    if (/connection timeout/i.test(text)) return lost(describeProbeCode('CONNECTION_TIMEOUT', vars).message, 'CONNECTION_TIMEOUT', true);
    if (/greeting never received/i.test(text)) return lost(describeProbeCode('GREETING_TIMEOUT', vars).message, 'GREETING_TIMEOUT', true);
    const seconds = context.socketTimeoutMs ? ` within ${formatSeconds(context.socketTimeoutMs)}` : '';
    return lost(context.handedOver
      ? `The server received the whole message but did not answer${seconds}; it may have accepted it.`
      : `The server stopped answering${seconds}.`);
  }
  if (code === 'EDNS') return lost('The server\'s address could not be looked up; it may work again shortly.', 'TEMPORARY_FAILURE', true);
  if (/connection pool was closed/i.test(text)) {
    return { ...lost('Not sent: the connection to this server was closed (its settings changed, or Mailroom is stopping) before the message\'s turn.'), possiblyDelivered: false };
  }
  if (code === 'ECONNECTION' || code === 'ESOCKET' || code === 'ETLS' || /\bECONNRESET\b|\bEPIPE\b|socket close|connection was closed|closed unexpectedly/i.test(text)) {
    return lost(context.handedOver
      ? 'The connection was lost after the whole message was sent, before the server confirmed it; it may have been delivered.'
      : 'The connection to the server was lost.');
  }
  if (code === 'EPROTOCOL') return lost('The server answered out of turn.', 'PROTOCOL_ERROR');
  return lost('The attempt stopped on an unexpected error.', 'PROTOCOL_ERROR');
}

/** One line, at most 500 characters, no control characters, no secret: for `replyText`. */
export const MAX_REPLY_TEXT_CHARS = 500;

export function replyTextOf(reply: SmtpReply | null, secretForms: string[]): string | null {
  if (!reply) return null;
  // Lines are joined before control characters are replaced, so a line break reads as a space.
  const lines = redactSecrets(reply.text, secretForms).split(/\r?\n/).map((line) => sanitizeServerText(line).trim());
  const clean = lines.filter((line) => line !== '').join(' ').replace(/\s+/g, ' ');
  if (clean === '') return null;
  return clean.length > MAX_REPLY_TEXT_CHARS ? `${clean.slice(0, MAX_REPLY_TEXT_CHARS - 1)}…` : clean;
}

function certificateNames(e: NodemailerErrorLike): string {
  const san = e.cert?.subjectaltname;
  if (typeof san === 'string' && san !== '') return sanitizeServerText(san.split(/,\s*/).map((entry) => entry.replace(/^(DNS|IP Address):/, '')).join(', '));
  const cn = e.cert?.subject?.CN;
  return typeof cn === 'string' ? sanitizeServerText(cn) : '';
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
