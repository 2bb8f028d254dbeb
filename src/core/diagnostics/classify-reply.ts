// Classifies one SMTP reply, at one stage of the dialogue, into a probe result code with its plain
// message and fix. Pure, so delivery (issue 4) reuses it for send outcomes: `temporary` tells a
// retry (4xx) from a permanent failure (5xx).
//
// Codes follow RFC 5321 §4.2 and the enhanced status codes of RFC 3463 / RFC 4954, plus the
// provider-specific ones that matter for a non-expert: Google's 534 5.7.9 ("application-specific
// password required") and 5.7.14 (web login required), Microsoft's 535 5.7.139 (basic auth
// disabled), 5.7.57 (not authenticated) and 5.7.60 (may not send as this sender).
import { providerFamily } from './known-providers.ts';
import { describeProbeCode, type ProbeCode } from './result-codes.ts';
import { formatReply, type SmtpReply } from './smtp-reply.ts';

/** The stages that have a server reply (dns and connect have none). */
export type ReplyStage = 'greeting' | 'ehlo' | 'tls' | 'auth' | 'mail' | 'rcpt' | 'data';

export interface ReplyContext {
  /** Whether the client logged in (or tried to). */
  authConfigured?: boolean;
  host?: string;
  port?: number;
  /** The SASL mechanism used at the auth stage. */
  mechanism?: string;
  /** Mechanisms the server offered, for the AUTH_METHOD_UNSUPPORTED fix. */
  offeredMechanisms?: string[];
  /** Provider preset id, when the settings came from one. */
  preset?: string | null;
}

export interface ReplyClassification {
  code: ProbeCode;
  /** A 4xx reply: the same action may succeed later. */
  temporary: boolean;
  message: string;
  hint: string | null;
}

const DEMANDS_ENCRYPTION = /starttls|\btls\b|\bssl\b|encrypt/i;
const DEMANDS_AUTH = /auth\w* (is )?required|must (first )?(authenticate|log ?in)|not authenticated|log ?in first|authentication needed/i;
const SENDER_REFUSED = /sender address rejected|not owned by|send(ing)? (mail )?as\b|sender .{0,40}not (allowed|authori[sz]ed|permitted)|sender (is )?not (allowed|authori[sz]ed)/i;
const RECIPIENT_REFUSED = /recipient address rejected|relay(ing)? (access )?(denied|not permitted)|unknown user|user unknown|no such user|mailbox unavailable/i;
const RELAY_DENIED = /relay(ing)? (access )?(denied|not permitted)|not permitted to relay/i;
const CLIENT_REFUSED = /client host rejected|blocked using|listed (at|by|on)\b/i;
const APP_PASSWORD = /application-specific password|app password/i;
const BASIC_AUTH_OFF = /basic auth\w* (is )?disabled|SmtpClientAuthentication is disabled|basic authentication is (turned off|disabled)/i;
const MECHANISM_UNKNOWN = /unrecognized authentication type|mechanism.{0,30}not (supported|available|enabled)|unsupported (auth(entication)? )?mechanism|authentication mechanism is too weak/i;

export function classifyReply(stage: ReplyStage, reply: SmtpReply, context: ReplyContext = {}): ReplyClassification {
  const code = codeFor(stage, reply, context);
  return { code, temporary: reply.code >= 400 && reply.code < 500, ...describe(code, reply, context) };
}

function codeFor(stage: ReplyStage, reply: SmtpReply, context: ReplyContext): ProbeCode {
  const positive = reply.code < 400;
  if (positive) return 'OK';
  const text = reply.text;
  const enhanced = reply.enhanced ?? '';
  const temporary = reply.code < 500;

  switch (stage) {
    case 'greeting':
      return 'SERVER_REJECTED';
    case 'ehlo':
      return temporary && reply.code !== 421 ? 'TEMPORARY_FAILURE' : 'SERVER_REJECTED';
    case 'tls':
      if (temporary) return 'TEMPORARY_FAILURE';
      return 'STARTTLS_NOT_OFFERED';
    case 'auth':
      if (enhanced === '5.7.139' || BASIC_AUTH_OFF.test(text)) return 'BASIC_AUTH_DISABLED';
      // RFC 4954 defines 534 5.7.9 as "mechanism too weak"; Google uses it for "app password required".
      if ((enhanced === '5.7.9' || reply.code === 534) && /too weak/i.test(text)) return 'AUTH_METHOD_UNSUPPORTED';
      if (enhanced === '5.7.9' || enhanced === '5.7.14' || reply.code === 534 || APP_PASSWORD.test(text)) return 'APP_PASSWORD_REQUIRED';
      if (reply.code === 538 || enhanced === '5.7.11' || (reply.code === 530 && DEMANDS_ENCRYPTION.test(text))) return 'ENCRYPTION_REQUIRED';
      if (reply.code === 504 || MECHANISM_UNKNOWN.test(text)) return 'AUTH_METHOD_UNSUPPORTED';
      if (reply.code === 500 || reply.code === 502) return 'AUTH_NOT_OFFERED';
      if (reply.code === 503) return 'PROTOCOL_ERROR';
      if (temporary) return 'TEMPORARY_FAILURE';
      return 'AUTH_FAILED';
    case 'mail':
    case 'rcpt':
    case 'data': {
      if (temporary) return 'TEMPORARY_FAILURE';
      if (enhanced === '5.7.11' || ((reply.code === 530 || reply.code === 538 || enhanced === '5.7.0' || enhanced === '5.7.3') && DEMANDS_ENCRYPTION.test(text))) return 'ENCRYPTION_REQUIRED';
      if (reply.code === 530 || enhanced === '5.7.57' || DEMANDS_AUTH.test(text)) return 'AUTH_REQUIRED';
      if (enhanced === '5.7.60' || SENDER_REFUSED.test(text)) return 'SENDER_REJECTED';
      if (CLIENT_REFUSED.test(text)) return 'SERVER_REJECTED';
      if (stage === 'mail') return 'SENDER_REJECTED';
      if (stage === 'rcpt' || RECIPIENT_REFUSED.test(text)) return 'RECIPIENT_REJECTED';
      return 'MESSAGE_REJECTED';
    }
  }
}

function describe(code: ProbeCode, reply: SmtpReply, context: ReplyContext): { message: string; hint: string | null } {
  const described = describeProbeCode(code, {
    port: context.port,
    mechanism: context.mechanism,
    offered: context.offeredMechanisms,
    reply: formatReply(reply),
  });
  const family = context.host ? providerFamily(context.host, context.preset) : null;
  if (code === 'APP_PASSWORD_REQUIRED' && family === 'google') {
    return {
      message: 'Google requires an app password for this account, not the normal password.',
      hint: 'Turn on 2-step verification, create an app password at myaccount.google.com/apppasswords and use it as the password, or sign in with OAuth2.',
    };
  }
  if (code === 'AUTH_FAILED' && family === 'google') {
    return { ...described, hint: 'Google accepts only an app password here (myaccount.google.com/apppasswords) or OAuth2; check the user name is the full address.' };
  }
  if (code === 'AUTH_FAILED' && family === 'microsoft') {
    return { ...described, hint: 'Check the user name and password, and that SMTP AUTH is enabled for this mailbox; Microsoft is switching password login off, so prefer OAuth2 (XOAUTH2).' };
  }
  if (code === 'RECIPIENT_REJECTED' && RELAY_DENIED.test(reply.text) && !context.authConfigured) {
    return { ...described, hint: 'The server does not relay mail for this machine without a login: turn on authentication.' };
  }
  return described;
}
