// The one way a probe stage fails: a result code with its plain message and fix, the server reply
// that decided it (if any), and — filled in by the stage recorder — the stage it happened in.
import { classifyReply, type ReplyContext, type ReplyStage } from '../../core/diagnostics/classify-reply.ts';
import type { StageName } from '../../core/diagnostics/probe-types.ts';
import { describeProbeCode, type ProbeCode, type ProbeCodeVars } from '../../core/diagnostics/result-codes.ts';
import type { SmtpReply } from '../../core/diagnostics/smtp-reply.ts';

export class ProbeFailure extends Error {
  readonly code: ProbeCode;
  readonly reply: SmtpReply | null;
  readonly hint: string | null;
  stage: StageName | null = null;

  constructor(code: ProbeCode, message: string, hint: string | null, reply: SmtpReply | null = null) {
    super(message);
    this.name = 'ProbeFailure';
    this.code = code;
    this.hint = hint;
    this.reply = reply;
  }
}

/** A failure described by the code table; `message` replaces the table's message when given. */
export function failure(code: ProbeCode, options: { vars?: ProbeCodeVars; message?: string; reply?: SmtpReply } = {}): ProbeFailure {
  const described = describeProbeCode(code, options.vars);
  return new ProbeFailure(code, options.message ?? described.message, described.hint, options.reply ?? null);
}

/** A failure decided by a server reply. */
export function replyFailure(stage: ReplyStage, reply: SmtpReply, context: ReplyContext): ProbeFailure {
  const classified = classifyReply(stage, reply, context);
  if (classified.code === 'OK') {
    // A positive reply where another was required (e.g. 250 to STARTTLS): the dialogue is off track.
    return failure('PROTOCOL_ERROR', { reply, message: `The server gave an unexpected reply (${reply.code}) at ${stage.toUpperCase()}.` });
  }
  return new ProbeFailure(classified.code, classified.message, classified.hint, reply);
}
