// Turns what nodemailer returned — its SentMessageInfo, or an error — into the DeliveryResult the
// worker records: per recipient where the server said so, one verdict for the attempt, and nothing
// that holds the secret in any form it travelled in.
import type { ReplyStage } from '../../core/diagnostics/classify-reply.ts';
import { describeProbeCode, type ProbeCode } from '../../core/diagnostics/result-codes.ts';
import type { SmtpReply } from '../../core/diagnostics/smtp-reply.ts';
import { redactSecrets } from '../../core/diagnostics/transcript.ts';
import type { DeliveryResult, OutcomeKind, RecipientOutcome } from '../../core/outbound/delivery-types.ts';
import type { SecurityMode } from '../../core/model.ts';
import {
  classifyReplyOutcome,
  parseNodemailerReply,
  replyTextOf,
  type ClassifyContext,
  type FailureClassification,
  type FailureKind,
  type NodemailerErrorLike,
} from './nodemailer-error-classifier.ts';

export interface ResultContext {
  /** The envelope's recipients, as the worker gave them. */
  recipients: string[];
  /** The same recipients as nodemailer wrote them in RCPT TO (same order), when known. */
  sentRecipients: string[] | null;
  security: SecurityMode;
  classify: ClassifyContext;
}

/** What nodemailer's sendMail resolves with (SMTPPool.SentMessageInfo, the fields used here). */
export interface SentInfoLike {
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: NodemailerErrorLike[] & { recipient?: string }[];
  response?: string;
}

// When recipients of one attempt end differently, the attempt takes the verdict that asks the most
// of the worker: hold the server > slow down and retry > retry > give up.
const KIND_PRIORITY: FailureKind[] = ['config', 'throttled', 'temporary', 'permanent'];

export function resultFromInfo(info: SentInfoLike, ctx: ResultContext): DeliveryResult {
  const forms = ctx.classify.secretForms;
  const finalReply = parseNodemailerReply(info.response, forms);
  const accepted = new Set((info.accepted ?? []).map(String));
  const rejectedByAddress = rejectionsByAddress(info.rejectedErrors ?? [], ctx);
  const failures: FailureClassification[] = [];
  const recipients = ctx.recipients.map((address, i): RecipientOutcome => {
    const wire = wireForm(ctx, i);
    const rejection = rejectedByAddress.get(wire);
    if (rejection) {
      failures.push(rejection);
      return recipientOutcome(address, rejection.kind, rejection.reply, forms);
    }
    if (accepted.has(wire)) return recipientOutcome(address, 'sent', finalReply, forms);
    // Neither accepted nor refused: nodemailer did not say. Retrying is the safe reading.
    const unknown = unaccounted();
    failures.push(unknown);
    return recipientOutcome(address, unknown.kind, null, forms);
  });
  const tls = ctx.security === 'none' ? null : 'TLS';
  if (failures.length === 0) {
    return scrubResult({
      kind: 'sent',
      code: 'SENT',
      message: recipients.length === 1 ? 'Sent.' : `Sent to all ${recipients.length} recipients.`,
      hint: null,
      replyCode: finalReply?.code ?? null,
      enhanced: finalReply?.enhanced ?? null,
      replyText: replyTextOf(finalReply, forms),
      recipients,
      tls,
      possiblyDelivered: false,
    }, forms);
  }
  const decisive = decisiveFailure(failures);
  const sentCount = recipients.filter((r) => r.kind === 'sent').length;
  return scrubResult({
    kind: decisive.kind,
    code: 'PARTIAL',
    message: `Sent to ${sentCount} of ${recipients.length} recipients; the server refused the others. ${decisive.message}`,
    hint: decisive.hint,
    replyCode: decisive.reply?.code ?? null,
    enhanced: decisive.reply?.enhanced ?? null,
    replyText: replyTextOf(decisive.reply, forms),
    recipients,
    tls,
    possiblyDelivered: false,
  }, forms);
}

/** `whole` is classifyNodemailerError(err, ctx.classify), passed in because the caller needs it too. */
export function resultFromError(err: unknown, whole: FailureClassification, ctx: ResultContext): DeliveryResult {
  const forms = ctx.classify.secretForms;
  const e = (typeof err === 'object' && err !== null ? err : {}) as NodemailerErrorLike & { rejectedErrors?: NodemailerErrorLike[] };
  // Every recipient refused at RCPT: nodemailer stops before DATA and lists each refusal.
  if (e.command === 'RCPT TO' && Array.isArray(e.rejectedErrors) && e.rejectedErrors.length > 0) {
    const byAddress = rejectionsByAddress(e.rejectedErrors, ctx);
    const failures: FailureClassification[] = [];
    const recipients = ctx.recipients.map((address, i) => {
      const failure = byAddress.get(wireForm(ctx, i)) ?? whole;
      failures.push(failure);
      return recipientOutcome(address, failure.kind, failure.reply, forms);
    });
    return failureResult(decisiveFailure(failures), recipients, ctx);
  }
  return resultFromFailure(whole, ctx);
}

/** One verdict for every recipient: a whole-message error, or a failure before any connection. */
export function resultFromFailure(failure: FailureClassification, ctx: ResultContext): DeliveryResult {
  const forms = ctx.classify.secretForms;
  const recipients = ctx.recipients.map((address) => recipientOutcome(address, failure.kind, failure.reply, forms));
  return failureResult(failure, recipients, ctx);
}

/** A failure found before nodemailer was asked (egress, DNS, missing credentials). */
export function setupFailure(kind: FailureKind, code: ProbeCode, message?: string): FailureClassification {
  const described = describeProbeCode(code);
  return { kind, code, message: message ?? described.message, hint: described.hint, reply: null, stage: null, connectionFailed: false, possiblyDelivered: false };
}

function failureResult(failure: FailureClassification, recipients: RecipientOutcome[], ctx: ResultContext): DeliveryResult {
  const forms = ctx.classify.secretForms;
  return scrubResult({
    kind: failure.kind,
    code: failure.code,
    message: failure.message,
    hint: failure.hint,
    replyCode: failure.reply?.code ?? null,
    enhanced: failure.reply?.enhanced ?? null,
    replyText: replyTextOf(failure.reply, forms),
    recipients,
    tls: tlsInUse(ctx.security, failure),
    possiblyDelivered: failure.possiblyDelivered,
  }, forms);
}

function rejectionsByAddress(errors: (NodemailerErrorLike & { recipient?: string })[], ctx: ResultContext): Map<string, FailureClassification> {
  const map = new Map<string, FailureClassification>();
  for (const error of errors) {
    if (typeof error.recipient !== 'string') continue;
    const reply = parseNodemailerReply(error.response, ctx.classify.secretForms);
    // LMTP is not used, so these are RCPT refusals.
    const stage: ReplyStage = error.command === 'DATA' ? 'data' : 'rcpt';
    map.set(error.recipient, reply
      ? { ...classifyReplyOutcome(stage, reply, ctx.classify), connectionFailed: false, possiblyDelivered: false }
      : unaccounted());
  }
  return map;
}

function wireForm(ctx: ResultContext, index: number): string {
  return ctx.sentRecipients?.[index] ?? ctx.recipients[index]?.trim() ?? '';
}

function unaccounted(): FailureClassification {
  return setupFailure('temporary', 'PROTOCOL_ERROR', 'The server\'s answer for this recipient was not recorded.');
}

function decisiveFailure(failures: FailureClassification[]): FailureClassification {
  for (const kind of KIND_PRIORITY) {
    const found = failures.find((f) => f.kind === kind);
    if (found) return found;
  }
  return failures[0] ?? unaccounted();
}

function recipientOutcome(address: string, kind: OutcomeKind, reply: SmtpReply | null, forms: string[]): RecipientOutcome {
  return { address, kind, replyCode: reply?.code ?? null, enhanced: reply?.enhanced ?? null, replyText: replyTextOf(reply, forms) };
}

/**
 * "TLS" when the attempt certainly ran inside TLS: the security mode requires it and the dialogue got
 * past the handshake. nodemailer's pool does not expose the socket, so the version is not known.
 */
function tlsInUse(security: SecurityMode, failure: FailureClassification): string | null {
  if (security === 'none') return null;
  if (failure.possiblyDelivered) return 'TLS';
  return failure.stage === 'auth' || failure.stage === 'mail' || failure.stage === 'rcpt' || failure.stage === 'data' ? 'TLS' : null;
}

/** Defence in depth: no string anywhere in the result may hold the secret, whatever produced it. */
export function scrubResult(result: DeliveryResult, forms: string[]): DeliveryResult {
  return forms.length > 0 ? scrub(result, forms) : result;
}

function scrub<T>(value: T, forms: string[]): T {
  if (typeof value === 'string') return redactSecrets(value, forms) as T;
  if (Array.isArray(value)) return value.map((item) => scrub(item, forms)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, forms)])) as T;
  return value;
}
