// Accepting messages from the host application: validate, apply the mail server's profile (CC, BCC,
// reply-to, error-to, custom headers), render once with a final Message-ID and Date, and store the
// message with its queue job in one transaction — the 202 is sent only after that commit.
import crypto from 'node:crypto';
import { recordAudit } from '../audit/audit-recorder.ts';
import { AppError, validationError, type FieldIssue } from '../errors.ts';
import type { BuiltinDelivery, Company, MailServer, Principal } from '../model.ts';
import type { Clock, MessageQuery, Store } from '../ports.ts';
import type { MailServerService } from '../servers/mail-server-service.ts';
import { actorOf, requireAdmin } from '../tenancy/access-policy.ts';
import { parseEmailAddress } from '../validation/email-address.ts';
import { headerNameProblem, headerUnsafeReason } from '../validation/header-safety.ts';
import type { MessageRenderer, RenderAttachment } from './message-renderer.ts';
import { CommitBatcher } from './commit-batcher.ts';
import type { StorageGuard } from './storage-guard.ts';
import { resumeServer } from './server-circuit.ts';
import { JOB_KINDS, type DeliveryAttempt, type MessageRecipient, type MessageRoute, type MessageStatus, type NewJob, type OutboundMessage, type RecipientKind } from './outbound-model.ts';
import { senderProblem, type SenderCheck } from './sender-policy.ts';
import { newRecordId } from '../record-id.ts';

export interface MessageInput {
  from?: string | null;
  fromName?: string | null;
  to?: string[];
  cc?: string[];
  bcc?: string[];
  replyTo?: string | null;
  subject?: string;
  text?: string | null;
  html?: string | null;
  headers?: { name: string; value: string }[];
  attachments?: RenderAttachment[];
  mailServerId?: string | null;
  /** Give up retrying after this many seconds (default: the instance's, 4 days). */
  giveUpAfterSeconds?: number | null;
  /** In a batch, each message may carry its own key. */
  idempotencyKey?: string | null;
}

export interface DeliveryLimits {
  maxMessageBytes: number;
  maxRecipients: number;
  maxAttachments: number;
  defaultGiveUpSeconds: number;
  maxGiveUpSeconds: number;
  maxBatch: number;
}

export const DEFAULT_DELIVERY_LIMITS: DeliveryLimits = {
  maxMessageBytes: 10 * 1024 * 1024,
  maxRecipients: 100,
  maxAttachments: 20,
  defaultGiveUpSeconds: 4 * 24 * 3600, // RFC 5321 §4.5.4.1 suggests 4–5 days
  maxGiveUpSeconds: 7 * 24 * 3600,
  maxBatch: 1000,
};

interface PreparedMessage {
  message: OutboundMessage;
  recipients: MessageRecipient[];
}

/** The built-in service's settings for the whole instance. */
export interface BuiltinSettings {
  /** What it does for companies that did not choose: keep mail (catch) or deliver to MX hosts. */
  delivery: BuiltinDelivery;
  /** From for built-in mail that names none. */
  from: string;
}

/** Where one message goes: a mail server, or the built-in service (catcher or direct delivery). */
type Target = { route: 'server'; server: MailServer } | { route: 'catch' | 'direct'; server: null };

/** The queue partition of built-in direct delivery (mail servers partition by their id). */
export const DIRECT_PARTITION = 'builtin:direct';

export interface MessageDetail {
  message: OutboundMessage;
  recipients: MessageRecipient[];
  attempts: DeliveryAttempt[];
}

function canonicalHash(input: MessageInput): string {
  const { idempotencyKey, ...rest } = input;
  void idempotencyKey;
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v);
  return crypto.createHash('sha256').update(JSON.stringify(sorted(rest))).digest('hex');
}

/** An opaque "load more" cursor: the last item's change time and id. */
export function encodeCursor(m: { updatedAt: string; id: string }): string {
  return Buffer.from(`${m.updatedAt}|${m.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { updatedAt: string; id: string } | null {
  const [updatedAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  return updatedAt && id && /^\d{4}-\d\d-\d\dT/.test(updatedAt) ? { updatedAt, id } : null;
}

export class MessageService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly renderer: MessageRenderer;
  private readonly servers: MailServerService;
  private readonly limits: DeliveryLimits;

  private readonly onAccepted: ((count: number) => void) | null;
  private readonly storage: StorageGuard | null;
  private readonly commits: CommitBatcher;
  private readonly builtin: BuiltinSettings;
  private readonly senders: SenderCheck;

  constructor(deps: {
    store: Store; clock: Clock; renderer: MessageRenderer; servers: MailServerService; limits?: Partial<DeliveryLimits>; onAccepted?: (count: number) => void;
    builtin?: BuiltinSettings; senders?: SenderCheck;
    /** Refuses new mail while the database's disk is low (storage-guard.ts). */
    storage?: StorageGuard;
  }) {
    this.onAccepted = deps.onAccepted ?? null;
    this.storage = deps.storage ?? null;
    this.builtin = deps.builtin ?? { delivery: 'catch', from: 'mailroom@localhost' };
    this.senders = deps.senders ?? { isVerified: async () => false };
    this.commits = new CommitBatcher(deps.store);
    this.store = deps.store;
    this.clock = deps.clock;
    this.renderer = deps.renderer;
    this.servers = deps.servers;
    this.limits = { ...DEFAULT_DELIVERY_LIMITS, ...deps.limits };
  }

  /** One message. Same key and same body → the first message again (`created: false`). */
  async submit(principal: Principal, company: Company, input: MessageInput, idempotencyKey: string | null): Promise<{ message: OutboundMessage; created: boolean }> {
    const [outcome] = await this.submitMany(principal, company, [{ ...input, idempotencyKey: idempotencyKey ?? input.idempotencyKey ?? null }], '');
    return outcome!;
  }

  /** Up to 1,000 messages, all validated first, then stored in one transaction (one commit, one fsync). */
  async submitBatch(principal: Principal, company: Company, inputs: MessageInput[]): Promise<{ message: OutboundMessage; created: boolean }[]> {
    if (inputs.length === 0) throw validationError([{ field: 'messages', rule: 'min_items', message: 'must hold at least one message' }]);
    if (inputs.length > this.limits.maxBatch) throw validationError([{ field: 'messages', rule: 'max_items', message: `must hold at most ${this.limits.maxBatch} messages` }]);
    return this.submitMany(principal, company, inputs, 'messages.');
  }

  private async submitMany(principal: Principal, company: Company, inputs: MessageInput[], prefix: string) {
    requireAdmin(principal);
    const servers = new Map<string, MailServer>();
    const issues: FieldIssue[] = [];
    const senderIssues: FieldIssue[] = [];
    const prepared: (PreparedMessage & { hash: string | null })[] = [];
    const now = this.clock.now();
    for (const [i, input] of inputs.entries()) {
      const at = prefix ? `${prefix}${i}.` : '';
      const before = issues.length;
      const target = await this.targetFor(principal, company, input.mailServerId ?? null, servers, `${at}mailServerId`, issues);
      this.check(input, at, issues);
      if (issues.length > before || !target) continue;
      const from = this.fromOf(input, target);
      const problem = await senderProblem(this.senders, company.id, from, target.route === 'server' ? target.server : null, target.route, this.builtin.from);
      if (problem) {
        senderIssues.push({ field: `${at}from`, rule: 'verified_sender', message: problem });
        continue;
      }
      // The request's hash only matters with an idempotency key (a sorted JSON and a SHA-256 per
      // message otherwise spent for nothing: bench/README.md, pass 3).
      const p = await this.prepare(company, target, input, now);
      prepared.push({ ...p, hash: p.message.idempotencyKey ? canonicalHash(input) : null });
    }
    if (issues.length) throw validationError([...issues, ...senderIssues]);
    if (senderIssues.length) throw new AppError('SENDER_NOT_VERIFIED', senderIssues[0]!.message, { fields: senderIssues });
    // Refused while nothing is stored yet, rather than accepted now and unrecordable later.
    await this.storage?.admit(prepared.reduce((bytes, p) => bytes + p.message.sizeBytes, 0));

    // Concurrent submissions share a commit (one fsync for many requests), and their rows are
    // written together (multi-row statements for all of them: on PostgreSQL each statement is a
    // round trip); each answer still waits for the commit that holds its messages. A request that
    // fails (an idempotency conflict, two requests with one key) fails the shared write, and the
    // batcher then writes each request alone (commit-batcher.ts): only that one gets the error.
    const outcome = await this.commits.runBatched('accept', { companyId: company.id, prepared }, acceptAll);
    this.onAccepted?.(outcome.filter((r) => r.created).length);
    return outcome;
  }

  /** What the built-in service does for this company now. */
  builtinDeliveryOf(company: Company): BuiltinDelivery {
    return company.builtinDelivery ?? this.builtin.delivery;
  }

  /** A named server wins; else the company's choice: its default server, or the built-in service. */
  private async targetFor(principal: Principal, company: Company, id: string | null, cache: Map<string, MailServer>, field: string, issues: FieldIssue[]): Promise<Target | null> {
    if (!id && company.mailService === 'builtin') return { route: this.builtinDeliveryOf(company), server: null };
    const server = await this.serverFor(principal, company, id, cache, field, issues);
    return server ? { route: 'server', server } : null;
  }

  private fromOf(input: MessageInput, target: Target): string {
    const fallback = target.route === 'server' ? target.server.fromAddress : this.builtin.from;
    const parsed = parseEmailAddress(input.from || fallback);
    return parsed.ok ? parsed.value.address : fallback;
  }

  private async serverFor(principal: Principal, company: Company, id: string | null, cache: Map<string, MailServer>, field: string, issues: FieldIssue[]): Promise<MailServer | null> {
    const wanted = id ?? company.defaultMailServerId;
    if (!wanted) throw new AppError('NO_MAIL_SERVER');
    let server = cache.get(wanted);
    if (!server) {
      try {
        server = await this.servers.get(principal, company, wanted);
      } catch (err) {
        if (err instanceof AppError && err.code === 'NOT_FOUND') {
          issues.push({ field, rule: 'exists', message: 'is not a mail server of this company' });
          return null;
        }
        throw err;
      }
      cache.set(wanted, server);
    }
    if (server.status !== 'active') {
      if (!id) throw new AppError('NO_MAIL_SERVER', 'The company\'s default mail server is inactive; activate it or name another with mailServerId.');
      issues.push({ field, rule: 'active', message: 'names an inactive mail server' });
      return null;
    }
    return server;
  }

  private check(input: MessageInput, at: string, issues: FieldIssue[]): void {
    const address = (field: string, value: string) => {
      const parsed = parseEmailAddress(value);
      if (!parsed.ok) issues.push({ field: `${at}${field}`, rule: 'email', message: parsed.reason });
    };
    const text = (field: string, value: string | null | undefined, max: number) => {
      if (value === null || value === undefined) return;
      const unsafe = headerUnsafeReason(value);
      if (unsafe) issues.push({ field: `${at}${field}`, rule: 'no_line_breaks', message: unsafe });
      if (value.length > max) issues.push({ field: `${at}${field}`, rule: 'max_length', message: `must be at most ${max} characters` });
    };
    const to = input.to ?? [];
    const cc = input.cc ?? [];
    const bcc = input.bcc ?? [];
    if (to.length + cc.length + bcc.length === 0) issues.push({ field: `${at}to`, rule: 'required', message: 'needs at least one recipient in to, cc or bcc' });
    if (to.length + cc.length + bcc.length > this.limits.maxRecipients) issues.push({ field: `${at}to`, rule: 'max_items', message: `at most ${this.limits.maxRecipients} recipients in to, cc and bcc together` });
    for (const [kind, list] of [['to', to], ['cc', cc], ['bcc', bcc]] as const) list.forEach((a, i) => address(`${kind}.${i}`, a));
    if (input.from) address('from', input.from);
    if (input.replyTo) address('replyTo', input.replyTo);
    text('fromName', input.fromName, 200);
    if (input.subject === undefined || input.subject === null) issues.push({ field: `${at}subject`, rule: 'required', message: 'must be given (it may be empty)' });
    text('subject', input.subject, 998);
    if (!input.text && !input.html) issues.push({ field: `${at}text`, rule: 'required', message: 'give text, html or both' });
    (input.headers ?? []).forEach((h, i) => {
      const nameProblem = headerNameProblem(h.name);
      if (nameProblem) issues.push({ field: `${at}headers.${i}.name`, rule: 'header_name', message: nameProblem });
      text(`headers.${i}.value`, h.value, 998);
    });
    const attachments = input.attachments ?? [];
    if (attachments.length > this.limits.maxAttachments) issues.push({ field: `${at}attachments`, rule: 'max_items', message: `at most ${this.limits.maxAttachments} attachments` });
    let bytes = Buffer.byteLength(input.text ?? '') + Buffer.byteLength(input.html ?? '');
    attachments.forEach((a, i) => {
      text(`attachments.${i}.filename`, a.filename, 255);
      if (!a.filename) issues.push({ field: `${at}attachments.${i}.filename`, rule: 'required', message: 'must not be empty' });
      if (!/^[\w.+-]+\/[\w.+-]+$/.test(a.contentType)) issues.push({ field: `${at}attachments.${i}.contentType`, rule: 'mime_type', message: 'must be a MIME type like application/pdf' });
      if (!/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(a.contentBase64)) issues.push({ field: `${at}attachments.${i}.contentBase64`, rule: 'base64', message: 'must be base64' });
      bytes += Math.floor((a.contentBase64.replace(/\s/g, '').length * 3) / 4);
    });
    if (bytes > this.limits.maxMessageBytes) issues.push({ field: `${at}attachments`, rule: 'max_size', message: `the message must be at most ${Math.round(this.limits.maxMessageBytes / 1024 / 1024)} MiB with its attachments` });
    if (input.giveUpAfterSeconds !== undefined && input.giveUpAfterSeconds !== null && (!Number.isInteger(input.giveUpAfterSeconds) || input.giveUpAfterSeconds < 60 || input.giveUpAfterSeconds > this.limits.maxGiveUpSeconds)) {
      issues.push({ field: `${at}giveUpAfterSeconds`, rule: 'range', message: `must be between 60 and ${this.limits.maxGiveUpSeconds} seconds` });
    }
    if (input.idempotencyKey && (input.idempotencyKey.length > 200 || /[^\x21-\x7e]/.test(input.idempotencyKey))) {
      issues.push({ field: `${at}idempotencyKey`, rule: 'format', message: 'must be 1–200 printable ASCII characters' });
    }
  }

  private async prepare(company: Company, target: Target, input: MessageInput, now: Date): Promise<PreparedMessage> {
    const id = newRecordId();
    // The built-in service has no profile: no CC, BCC, reply-to, error-to or headers of its own.
    const server = target.server ?? builtinProfile(this.builtin.from);
    const fromAddress = this.fromOf(input, target);
    const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
    const messageId = `<${id}@${domain}>`;
    const to = input.to ?? [];
    const cc = [...(input.cc ?? []), ...server.cc];
    const bcc = [...(input.bcc ?? []), ...server.bcc];
    // The message's own headers win over the server's defaults of the same name.
    const own = new Set((input.headers ?? []).map((h) => h.name.toLowerCase()));
    const headers = [...server.customHeaders.filter((h) => !own.has(h.name.toLowerCase())), ...(input.headers ?? [])];
    const raw = await this.renderer.render({
      from: { address: fromAddress, name: input.fromName ?? (input.from ? null : server.fromName) },
      to, cc, replyTo: input.replyTo ?? server.replyTo, subject: input.subject ?? '', text: input.text ?? null, html: input.html ?? null,
      headers, attachments: input.attachments ?? [], messageId, date: now,
    });
    const createdAt = now.toISOString();
    const giveUp = input.giveUpAfterSeconds ?? this.limits.defaultGiveUpSeconds;
    const message: OutboundMessage = {
      id, companyId: company.id, route: target.route, serverId: target.server?.id ?? null, messageId, idempotencyKey: input.idempotencyKey ?? null, requestHash: null,
      caughtAt: target.route === 'catch' ? createdAt : null, releasedAt: null,
      // Bounces go to error-to when the server sets one: it becomes the envelope sender (Return-Path).
      mailFrom: server.errorTo ?? fromAddress, fromAddress, subject: input.subject ?? '', raw, sizeBytes: Buffer.byteLength(raw),
      status: target.route === 'catch' ? 'caught' : 'queued', attemptCount: 0, lastCode: null, lastMessage: null, possiblyDelivered: false,
      giveUpAt: new Date(now.getTime() + giveUp * 1000).toISOString(), createdAt, updatedAt: createdAt, sentAt: null,
    };
    const seen = new Set<string>();
    const recipients: MessageRecipient[] = [];
    for (const [kind, list] of [['to', to], ['cc', cc], ['bcc', bcc]] as [RecipientKind, string[]][]) {
      for (const a of list) {
        const parsed = parseEmailAddress(a);
        const address = parsed.ok ? parsed.value.address.toLowerCase() : a.toLowerCase();
        if (seen.has(address)) continue; // one RCPT per address, even if named twice
        seen.add(address);
        recipients.push({ messageId: id, address, kind, status: 'pending', replyCode: null, enhanced: null, replyText: null, updatedAt: createdAt });
      }
    }
    return { message, recipients };
  }

  async get(principal: Principal, company: Company, id: string): Promise<MessageDetail> {
    requireAdmin(principal);
    const message = await this.store.messages.get(id);
    if (!message || message.companyId !== company.id) throw new AppError('NOT_FOUND', 'Message not found.');
    return { message, recipients: await this.store.messages.recipients(id), attempts: await this.store.messages.attempts(id) };
  }

  /** A page of messages with their recipients and next retry time, and the cursor of the next page. */
  async list(principal: Principal, company: Company, query: Omit<MessageQuery, 'companyId'>): Promise<{ items: (OutboundMessage & { recipients: string[]; nextAttemptAt: string | null })[]; nextCursor: string | null }> {
    requireAdmin(principal);
    const messages = await this.store.messages.list({ ...query, companyId: company.id });
    const recipients = await this.store.messages.recipientAddresses(messages.map((m) => m.id));
    const retrying = messages.filter((m) => m.status === 'retrying' || m.status === 'queued');
    const runAt = await this.store.queue.runAtByDedupeKey(retrying.map((m) => sendJobKey(m.id)));
    const items = messages.map((m) => ({ ...m, recipients: recipients.get(m.id) ?? [], nextAttemptAt: runAt.get(sendJobKey(m.id)) ?? null }));
    const last = messages.at(-1);
    return { items, nextCursor: last && messages.length === query.limit ? encodeCursor(last) : null };
  }

  async statusCounts(principal: Principal, company: Company, sinceIso: string) {
    requireAdmin(principal);
    return this.store.messages.statusCounts(company.id, sinceIso);
  }

  /** "Retry now" for held, retrying and failed messages: failed recipients are tried again. */
  async retryNow(principal: Principal, company: Company, id: string): Promise<OutboundMessage> {
    const { message, recipients } = await this.get(principal, company, id);
    const retryable: MessageStatus[] = ['held', 'failed', 'retrying'];
    if (!retryable.includes(message.status)) throw new AppError('CONFLICT', `A ${message.status} message cannot be retried.`);
    const now = this.clock.now().toISOString();
    // "Retry now" on a held message means "I fixed it": the whole server resumes, not just this one.
    if (message.serverId && (await this.store.serverDelivery.get(message.serverId))?.state === 'held') {
      await resumeServer(this.store, this.clock, { id: message.serverId, companyId: message.companyId });
    }
    return this.store.transaction(async (tx) => {
      const reopened = recipients.filter((r) => r.status === 'failed').map((r) => ({ ...r, status: 'pending' as const, updatedAt: now }));
      await tx.messages.updateRecipients(reopened);
      const giveUpAt = message.giveUpAt > now ? message.giveUpAt : new Date(this.clock.now().getTime() + this.limits.defaultGiveUpSeconds * 1000).toISOString();
      const next: OutboundMessage = { ...message, status: 'queued', giveUpAt, updatedAt: now };
      await tx.messages.update(next);
      const moved = await tx.queue.runNow(sendJobKey(id), now);
      if (!moved) await tx.queue.enqueue([sendJob(message, now)]);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: 'message.retried', targetType: 'message', targetId: id, details: { previousStatus: message.status } });
      return next;
    });
  }
}

/** The queue partition a message's job belongs to: its mail server, or the built-in direct route. */
export function partitionOf(message: Pick<OutboundMessage, 'route' | 'serverId'>): string {
  return message.route === 'server' ? message.serverId ?? 'none' : DIRECT_PARTITION;
}

/** A message's send job is found by this key (retry now, the next attempt's time). */
export function sendJobKey(messageId: string): string {
  return `send:${messageId}`;
}

/** The job that sends `message` at `runAt`: one per message (its dedupe key). */
export function sendJob(message: Pick<OutboundMessage, 'id' | 'companyId' | 'route' | 'serverId'>, runAt: string): NewJob {
  return {
    id: newRecordId(), kind: JOB_KINDS.SEND_MESSAGE, companyId: message.companyId, partitionKey: partitionOf(message),
    payload: { messageId: message.id }, runAt, dedupeKey: sendJobKey(message.id),
  };
}

function builtinProfile(from: string): Pick<MailServer, 'fromAddress' | 'fromName' | 'cc' | 'bcc' | 'customHeaders' | 'replyTo' | 'errorTo'> {
  return { fromAddress: from, fromName: null, cc: [], bcc: [], customHeaders: [], replyTo: null, errorTo: null };
}

export type { MessageRoute };

/** One submit request as the accept's group commit writes it. */
interface AcceptRequest {
  companyId: string;
  prepared: (PreparedMessage & { hash: string | null })[];
}

/** The requests of one commit: idempotency checks per message, then one multi-row write for all. */
async function acceptAll(tx: Store, requests: AcceptRequest[]): Promise<{ message: OutboundMessage; created: boolean }[][]> {
  const fresh: PreparedMessage[] = [];
  const out: { message: OutboundMessage; created: boolean }[][] = [];
  for (const { companyId, prepared } of requests) {
    const results: { message: OutboundMessage; created: boolean }[] = [];
    for (const p of prepared) {
      const key = p.message.idempotencyKey;
      const existing = key ? await tx.messages.getByIdempotencyKey(companyId, key) : undefined;
      if (existing) {
        if (existing.requestHash !== p.hash) throw new AppError('IDEMPOTENCY_CONFLICT', `Idempotency-Key "${key}" was already used with a different message.`);
        results.push({ message: existing, created: false });
        continue;
      }
      p.message.requestHash = key ? p.hash : null;
      fresh.push(p);
      results.push({ message: p.message, created: true });
    }
    out.push(results);
  }
  // Multi-row inserts: a 1,000-message batch is ~25 statements, not 2,000 (bench/README.md, pass 3).
  await tx.messages.insertMany(fresh);
  // Caught mail is kept, not sent: it has no job.
  await tx.queue.enqueue(fresh.filter((p) => p.message.route !== 'catch').map((p) => sendJob(p.message, p.message.createdAt)));
  return out;
}
