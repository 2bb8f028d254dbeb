import { sql, type Selectable } from 'kysely';
import type { MessageStore } from '../../core/ports.ts';
import type { AttemptOutcome, DeliveryAttempt, MessageRecipient, MessageStatus, OutboundMessage, RecipientKind, RecipientStatus } from '../../core/outbound/outbound-model.ts';
import type { DeliveryAttemptsTable, MessagesTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';
import { fromBool, toBool } from './row-codec.ts';

const toMessage = (r: MessagesTable): OutboundMessage => ({
  id: r.id, companyId: r.company_id, serverId: r.server_id, messageId: r.message_id, idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash, mailFrom: r.mail_from, fromAddress: r.from_address, subject: r.subject, raw: r.raw,
  sizeBytes: Number(r.size_bytes), status: r.status as MessageStatus, attemptCount: Number(r.attempt_count), lastCode: r.last_code,
  lastMessage: r.last_message, possiblyDelivered: toBool(r.possibly_delivered), giveUpAt: r.give_up_at, createdAt: r.created_at,
  updatedAt: r.updated_at, sentAt: r.sent_at,
});

const fromMessage = (m: OutboundMessage): MessagesTable => ({
  id: m.id, company_id: m.companyId, server_id: m.serverId, message_id: m.messageId, idempotency_key: m.idempotencyKey,
  request_hash: m.requestHash, mail_from: m.mailFrom, from_address: m.fromAddress, subject: m.subject, raw: m.raw,
  size_bytes: m.sizeBytes, status: m.status, attempt_count: m.attemptCount, last_code: m.lastCode, last_message: m.lastMessage,
  possibly_delivered: fromBool(m.possiblyDelivered), give_up_at: m.giveUpAt, created_at: m.createdAt, updated_at: m.updatedAt,
  sent_at: m.sentAt,
});

const toAttempt = (r: Selectable<DeliveryAttemptsTable>): DeliveryAttempt => ({
  id: r.id, messageId: r.message_id, companyId: r.company_id, serverId: r.server_id, startedAt: r.started_at, finishedAt: r.finished_at,
  outcome: r.outcome as AttemptOutcome | null, code: r.code, message: r.message, hint: r.hint,
  replyCode: r.reply_code === null ? null : Number(r.reply_code), enhanced: r.enhanced, replyText: r.reply_text, tls: r.tls,
  recipients: JSON.parse(r.recipients),
});

const fromAttempt = (a: DeliveryAttempt): Omit<DeliveryAttemptsTable, 'seq'> => ({
  id: a.id, message_id: a.messageId, company_id: a.companyId, server_id: a.serverId, started_at: a.startedAt, finished_at: a.finishedAt,
  outcome: a.outcome, code: a.code, message: a.message, hint: a.hint, reply_code: a.replyCode, enhanced: a.enhanced,
  reply_text: a.replyText, tls: a.tls, recipients: JSON.stringify(a.recipients),
});

export function messageStore(db: Db): MessageStore {
  return {
    async insert(message, recipients) {
      await db.insertInto('messages').values(fromMessage(message)).execute();
      for (let i = 0; i < recipients.length; i += 300) {
        await db.insertInto('message_recipients').values(recipients.slice(i, i + 300).map((r) => ({
          message_id: r.messageId, address: r.address, kind: r.kind, status: r.status, reply_code: r.replyCode,
          enhanced: r.enhanced, reply_text: r.replyText, updated_at: r.updatedAt,
        }))).execute();
      }
    },
    async get(id) {
      const r = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toMessage(r);
    },
    async getByIdempotencyKey(companyId, key) {
      const r = await db.selectFrom('messages').selectAll().where('company_id', '=', companyId).where('idempotency_key', '=', key).executeTakeFirst();
      return r && toMessage(r);
    },
    async update(m) {
      const { id, ...rest } = fromMessage(m);
      await db.updateTable('messages').set(rest).where('id', '=', id).execute();
    },
    async recipients(messageId) {
      const rows = await db.selectFrom('message_recipients').selectAll().where('message_id', '=', messageId).execute();
      return rows.map((r): MessageRecipient => ({
        messageId: r.message_id, address: r.address, kind: r.kind as RecipientKind, status: r.status as RecipientStatus,
        replyCode: r.reply_code === null ? null : Number(r.reply_code), enhanced: r.enhanced, replyText: r.reply_text, updatedAt: r.updated_at,
      }));
    },
    async recipientAddresses(messageIds) {
      const map = new Map<string, string[]>();
      if (messageIds.length === 0) return map;
      const rows = await db.selectFrom('message_recipients').select(['message_id', 'address']).where('message_id', 'in', messageIds).orderBy('kind', 'desc').orderBy('address').execute();
      for (const r of rows) map.set(r.message_id, [...(map.get(r.message_id) ?? []), r.address]);
      return map;
    },
    async updateRecipients(recipients) {
      for (const r of recipients) {
        await db.updateTable('message_recipients')
          .set({ status: r.status, reply_code: r.replyCode, enhanced: r.enhanced, reply_text: r.replyText, updated_at: r.updatedAt })
          .where('message_id', '=', r.messageId).where('address', '=', r.address).execute();
      }
    },
    async insertAttempt(a) {
      await db.insertInto('delivery_attempts').values(fromAttempt(a)).execute();
    },
    async finishAttempt(a) {
      const { id, ...rest } = fromAttempt(a);
      await db.updateTable('delivery_attempts').set(rest).where('id', '=', id).execute();
    },
    async attempts(messageId) {
      const rows = await db.selectFrom('delivery_attempts').selectAll().where('message_id', '=', messageId).orderBy('seq').execute();
      return rows.map(toAttempt);
    },
    async interruptUnfinishedAttempts(messageId, atIso) {
      const r = await db.updateTable('delivery_attempts')
        .set({ finished_at: atIso, outcome: 'interrupted', code: 'INTERRUPTED', message: 'The worker stopped during this attempt; the server may have received the message.' })
        .where('message_id', '=', messageId).where('finished_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async list(q) {
      let query = db.selectFrom('messages').selectAll().where('company_id', '=', q.companyId);
      if (q.statuses?.length) query = query.where('status', 'in', q.statuses);
      if (q.serverId) query = query.where('server_id', '=', q.serverId);
      if (q.code) query = query.where('last_code', '=', q.code);
      if (q.since) query = query.where('updated_at', '>=', q.since);
      if (q.until) query = query.where('updated_at', '<', q.until);
      if (q.before) query = query.where('updated_at', '<', q.before);
      if (q.after) {
        const { updatedAt, id } = q.after;
        query = query.where((eb) => eb.or([eb('updated_at', '<', updatedAt), eb.and([eb('updated_at', '=', updatedAt), eb('id', '<', id)])]));
      }
      if (q.recipient) {
        const recipient = q.recipient.toLowerCase();
        query = query.where('id', 'in', db.selectFrom('message_recipients').select('message_id').where('address', '=', recipient));
      }
      const rows = await query.orderBy('updated_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map(toMessage);
    },
    async getMany(ids) {
      if (ids.length === 0) return [];
      return (await db.selectFrom('messages').selectAll().where('id', 'in', ids).execute()).map(toMessage);
    },
    async markSending(ids, atIso) {
      if (ids.length === 0) return;
      await db.updateTable('messages').set({ status: 'sending', updated_at: atIso }).where('id', 'in', ids).where('status', 'not in', ['sent', 'failed']).execute();
    },
    async setStatusForServer(serverId, from, to, atIso) {
      const r = await db.updateTable('messages').set({ status: to, updated_at: atIso }).where('server_id', '=', serverId).where('status', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async statusCounts(companyId, sinceIso) {
      // The first 13 characters of an ISO timestamp are its hour: "2026-11-23T17".
      const hour = sql<string>`substr(updated_at, 1, 13)`;
      const rows = await db.selectFrom('messages').select([hour.as('hour'), 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('company_id', '=', companyId).where('updated_at', '>=', sinceIso)
        .groupBy([hour, 'status']).orderBy('hour').execute();
      return rows.map((r) => ({ hour: r.hour, status: r.status as MessageStatus, count: Number(r.n) }));
    },
  };
}
