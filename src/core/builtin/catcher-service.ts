// The catcher: the built-in mailbox that keeps every message of a company on the built-in service
// while it catches (a fresh install, a developer's machine). Admins read caught mail as a mail
// client shows it and "release" a message to send it through a real server once one is set up.
import { recordAudit } from '../audit/audit-recorder.ts';
import { AppError, validationError } from '../errors.ts';
import type { Company, Principal } from '../model.ts';
import type { Clock, Store } from '../ports.ts';
import type { OutboundMessage } from '../outbound/outbound-model.ts';
import { sendJob } from '../outbound/message-service.ts';
import { senderProblem, type SenderCheck } from '../outbound/sender-policy.ts';
import type { MailServerService } from '../servers/mail-server-service.ts';
import { actorOf, requireAdmin } from '../tenancy/access-policy.ts';
import type { MessageParser, ParsedAttachment, ParsedMessage } from './message-parser.ts';

export interface CaughtSummary {
  message: OutboundMessage;
  recipients: string[];
}

export interface CaughtDetail extends CaughtSummary {
  parsed: ParsedMessage;
}

/** "Load more" cursor of the catcher list: the last item's catch time and id. */
export function encodeCaughtCursor(m: { caughtAt: string | null; id: string }): string {
  return Buffer.from(`${m.caughtAt}|${m.id}`).toString('base64url');
}

export function decodeCaughtCursor(cursor: string): { caughtAt: string; id: string } | null {
  const [caughtAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  return caughtAt && id && /^\d{4}-\d\d-\d\dT/.test(caughtAt) ? { caughtAt, id } : null;
}

export class CatcherService {
  private readonly deps: { store: Store; clock: Clock; parser: MessageParser; servers: MailServerService; senders: SenderCheck; builtinFrom: string };

  constructor(deps: CatcherService['deps']) {
    this.deps = deps;
  }

  async list(principal: Principal, company: Company, query: { search?: string; cursor?: string; limit: number }): Promise<{ items: CaughtSummary[]; nextCursor: string | null }> {
    requireAdmin(principal);
    const after = query.cursor ? decodeCaughtCursor(query.cursor) : undefined;
    if (query.cursor && !after) throw validationError([{ field: 'cursor', rule: 'format', message: 'is not a cursor this list gave out' }]);
    const messages = await this.deps.store.messages.listCaught({ companyId: company.id, search: query.search?.trim() || undefined, after: after ?? undefined, limit: query.limit });
    const recipients = await this.deps.store.messages.recipientAddresses(messages.map((m) => m.id));
    const last = messages.at(-1);
    return {
      items: messages.map((message) => ({ message, recipients: recipients.get(message.id) ?? [] })),
      nextCursor: last && messages.length === query.limit ? encodeCaughtCursor(last) : null,
    };
  }

  async get(principal: Principal, company: Company, id: string): Promise<CaughtDetail> {
    const message = await this.caught(principal, company, id);
    const recipients = (await this.deps.store.messages.recipients(id)).map((r) => r.address);
    return { message, recipients, parsed: await this.deps.parser.parse(message.raw) };
  }

  /** The message exactly as it would have gone on the wire. */
  async raw(principal: Principal, company: Company, id: string): Promise<OutboundMessage> {
    return this.caught(principal, company, id);
  }

  async attachment(principal: Principal, company: Company, id: string, index: number): Promise<{ meta: ParsedAttachment; content: Buffer }> {
    const message = await this.caught(principal, company, id);
    const found = await this.deps.parser.attachment(message.raw, index);
    if (!found) throw new AppError('NOT_FOUND', 'This message has no such attachment.');
    return found;
  }

  /**
   * Sends a caught message through a real server: same Message-ID, Date and content, every
   * recipient again. The server's sender rule applies as if the message were submitted to it now.
   */
  async release(principal: Principal, company: Company, id: string, mailServerId: string): Promise<OutboundMessage> {
    const message = await this.caught(principal, company, id);
    if (message.releasedAt) throw new AppError('CONFLICT', 'This message was already released; follow it in the failure history.');
    let server;
    try {
      server = await this.deps.servers.get(principal, company, mailServerId);
    } catch (err) {
      if (err instanceof AppError && err.code === 'NOT_FOUND') throw validationError([{ field: 'mailServerId', rule: 'exists', message: 'is not a mail server of this company' }]);
      throw err;
    }
    if (server.status !== 'active') throw validationError([{ field: 'mailServerId', rule: 'active', message: 'names an inactive mail server' }]);
    const problem = await senderProblem(this.deps.senders, company.id, message.fromAddress, server, 'server', this.deps.builtinFrom);
    if (problem) throw new AppError('SENDER_NOT_VERIFIED', problem, { fields: [{ field: 'from', rule: 'verified_sender', message: problem }] });
    const now = this.deps.clock.now().toISOString();
    return this.deps.store.transaction(async (tx) => {
      // Re-read inside the transaction: two admins releasing at once send it once.
      const fresh = await tx.messages.get(id);
      if (!fresh || fresh.releasedAt) throw new AppError('CONFLICT', 'This message was already released; follow it in the failure history.');
      const recipients = await tx.messages.recipients(id);
      await tx.messages.updateRecipients(recipients.map((r) => ({ ...r, status: 'pending' as const, replyCode: null, enhanced: null, replyText: null, updatedAt: now })));
      const next: OutboundMessage = {
        ...fresh, route: 'server', serverId: server.id, status: 'queued', releasedAt: now, updatedAt: now,
        mailFrom: server.errorTo ?? fresh.fromAddress, lastCode: null, lastMessage: null,
        giveUpAt: fresh.giveUpAt > now ? fresh.giveUpAt : new Date(this.deps.clock.now().getTime() + 4 * 24 * 3600_000).toISOString(),
      };
      await tx.messages.update(next);
      await tx.queue.enqueue([sendJob(next, now)]);
      await recordAudit(tx, this.deps.clock, actorOf(principal), { companyId: company.id, action: 'message.released', targetType: 'message', targetId: id, details: { mailServerId: server.id } });
      return next;
    });
  }

  private async caught(principal: Principal, company: Company, id: string): Promise<OutboundMessage> {
    requireAdmin(principal);
    const message = await this.deps.store.messages.get(id);
    if (!message || message.companyId !== company.id || !message.caughtAt) throw new AppError('NOT_FOUND', 'No caught message with this id.');
    return message;
  }
}
