import { CompiledQuery, sql, type Selectable } from 'kysely';
import type { MessageStore } from '../../core/ports.ts';
import type { AttemptOutcome, DeliveryAttempt, MessageRoute, MessageRecipient, MessageStatus, OutboundMessage, RecipientKind, RecipientStatus } from '../../core/outbound/outbound-model.ts';
import type { DeliveryAttemptsTable, MessageRecipientsTable, MessagesTable } from '../db/schema.ts';
import type { DialectCapabilities } from '../db/dialect-capabilities.ts';
import type { Db } from './kysely-store.ts';
import { fromBool, toBool } from './row-codec.ts';

const toMessage = (r: MessagesTable): OutboundMessage => ({
  id: r.id, companyId: r.company_id, serverId: r.server_id, messageId: r.message_id, idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash, mailFrom: r.mail_from, fromAddress: r.from_address, subject: r.subject, raw: r.raw,
  sizeBytes: Number(r.size_bytes), status: r.status as MessageStatus, attemptCount: Number(r.attempt_count), lastCode: r.last_code,
  lastMessage: r.last_message, possiblyDelivered: toBool(r.possibly_delivered), giveUpAt: r.give_up_at, createdAt: r.created_at,
  updatedAt: r.updated_at, sentAt: r.sent_at, route: (r.route ?? 'server') as MessageRoute, caughtAt: r.caught_at ?? null, releasedAt: r.released_at ?? null,
});

const fromMessage = (m: OutboundMessage): MessagesTable => ({
  id: m.id, company_id: m.companyId, server_id: m.serverId, message_id: m.messageId, idempotency_key: m.idempotencyKey,
  request_hash: m.requestHash, mail_from: m.mailFrom, from_address: m.fromAddress, subject: m.subject, raw: m.raw,
  size_bytes: m.sizeBytes, status: m.status, attempt_count: m.attemptCount, last_code: m.lastCode, last_message: m.lastMessage,
  possibly_delivered: fromBool(m.possiblyDelivered), give_up_at: m.giveUpAt, created_at: m.createdAt, updated_at: m.updatedAt,
  sent_at: m.sentAt, route: m.route, caught_at: m.caughtAt, released_at: m.releasedAt,
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

const toRecipient = (r: MessageRecipientsTable): MessageRecipient => ({
  messageId: r.message_id, address: r.address, kind: r.kind as RecipientKind, status: r.status as RecipientStatus,
  replyCode: r.reply_code === null ? null : Number(r.reply_code), enhanced: r.enhanced, replyText: r.reply_text, updatedAt: r.updated_at,
});

/** The columns fixed when a message is accepted (its identity and its rendered bytes): never rewritten. */
const FIXED_AT_ACCEPT = ['id', 'company_id', 'message_id', 'idempotency_key', 'request_hash', 'from_address', 'subject', 'raw', 'size_bytes', 'created_at'] as const;

/** The rest: what a status change, a retry or a release may change. */
function changeableColumns(m: OutboundMessage): Partial<MessagesTable> {
  const row: Partial<MessagesTable> = fromMessage(m);
  for (const column of FIXED_AT_ACCEPT) delete row[column];
  return row;
}

/** Integer columns among those written from a VALUES list: its parameters arrive as text on PostgreSQL. */
const INTEGER_COLUMNS = new Set(['attempt_count', 'possibly_delivered', 'reply_code']);

/** Rows per statement for the multi-row writes (well under SQLite's and PostgreSQL's parameter limits). */
const ROWS_PER_STATEMENT = 200;

/**
 * The hot multi-row writes (accept's inserts, a group commit's outcome writes) as SQL text built once
 * per shape — table, columns, rows — and run without Kysely's builder and compiler: building and
 * compiling a 50-row insert cost more CPU than SQLite's own work on it (bench/README.md, pass 3).
 * The text holds only fixed identifiers and parameters; every value is a parameter.
 */
const texts = new Map<string, string>();
/**
 * Shapes kept at most: row counts vary from 1 to ROWS_PER_STATEMENT per table, about 850 shapes in
 * all, a few KB each at most; the bound keeps a surprise (a new caller's shapes) from growing it.
 */
const MAX_TEXTS = 1_000;

function textFor(key: string, build: () => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    text = build();
    if (texts.size >= MAX_TEXTS) texts.delete(texts.keys().next().value!);
    texts.set(key, text);
  }
  return text;
}

const quote = (identifier: string) => `"${identifier}"`;

/** `(?, ?, …), (?, ?, …)`: `rows` tuples of `width` parameters. */
function tuples(caps: DialectCapabilities, rows: number, width: number): string {
  const out: string[] = [];
  for (let r = 0, n = 1; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < width; c++) row.push(caps.parameter(n++));
    out.push(`(${row.join(', ')})`);
  }
  return out.join(', ');
}

/**
 * One multi-row INSERT of rows made by one mapper (fromMessage, fromAttempt, …): the same columns in
 * each. Rows with an undefined value, or with other columns than the first row's, go through Kysely,
 * which leaves a missing column to its default (the text here would write NULL).
 */
async function insertRows(db: Db, caps: DialectCapabilities, table: 'messages' | 'message_recipients' | 'delivery_attempts', rows: Record<string, unknown>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const params: unknown[] = [];
  for (const row of rows) {
    // A row with other columns than the first (not what the mappers make) must not lose any.
    if (Object.keys(row).length !== columns.length) {
      await db.insertInto(table).values(rows as never).execute();
      return;
    }
    for (const c of columns) {
      const value = row[c];
      if (value === undefined) {
        await db.insertInto(table).values(rows as never).execute();
        return;
      }
      params.push(value);
    }
  }
  const text = textFor(`${caps.name}|insert|${table}|${columns.join(',')}|${rows.length}`, () =>
    `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values ${tuples(caps, rows.length, columns.length)}`);
  await db.executeQuery(CompiledQuery.raw(text, params));
}

/**
 * One UPDATE for many rows, each with its own values: `with v(key…, column…) as (values …) update
 * table set column = v.column … from v where table.key = v.key`. Both SQLite (3.33+) and PostgreSQL
 * take this form.
 */
async function updateFromValues(db: Db, caps: DialectCapabilities, table: string, keys: string[], rows: Record<string, unknown>[]): Promise<void> {
  const columns = Object.keys(rows[0]!).filter((c) => !keys.includes(c));
  const all = [...keys, ...columns];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    const text = textFor(`${caps.name}|update|${table}|${all.join(',')}|${chunk.length}`, () => {
      const set = columns.map((c) => (INTEGER_COLUMNS.has(c) ? `${quote(c)} = cast(v.${quote(c)} as integer)` : `${quote(c)} = v.${quote(c)}`));
      const match = keys.map((k) => `${quote(table)}.${quote(k)} = v.${quote(k)}`);
      return `with v(${all.map(quote).join(', ')}) as (values ${tuples(caps, chunk.length, all.length)}) `
        + `update ${quote(table)} set ${set.join(', ')} from v where ${match.join(' and ')}`;
    });
    const params: unknown[] = [];
    for (const row of chunk) for (const c of all) params.push(row[c] ?? null);
    await db.executeQuery(CompiledQuery.raw(text, params));
  }
}

/** Messages, then their recipients, in multi-row statements (at most ROWS_PER_STATEMENT rows each). */
async function insertMessages(db: Db, caps: DialectCapabilities, messages: { message: OutboundMessage; recipients: MessageRecipient[] }[]): Promise<void> {
  // Rows per statement for messages: each carries its rendered `raw`, so fewer than for small rows.
  for (let i = 0; i < messages.length; i += 50) {
    await insertRows(db, caps, 'messages', messages.slice(i, i + 50).map((m) => fromMessage(m.message) as unknown as Record<string, unknown>));
  }
  const recipients = messages.flatMap((m) => m.recipients);
  for (let i = 0; i < recipients.length; i += ROWS_PER_STATEMENT) {
    await insertRows(db, caps, 'message_recipients', recipients.slice(i, i + ROWS_PER_STATEMENT).map((r) => ({
      message_id: r.messageId, address: r.address, kind: r.kind, status: r.status, reply_code: r.replyCode,
      enhanced: r.enhanced, reply_text: r.replyText, updated_at: r.updatedAt,
    })));
  }
}

export function messageStore(db: Db, caps: DialectCapabilities): MessageStore {
  const markSending = async (ids: string[], atIso: string) => {
    await db.updateTable('messages').set({ status: 'sending', updated_at: atIso }).where('id', 'in', ids).where('status', 'not in', ['sent', 'failed']).execute();
  };
  return {
    async insert(message, recipients) {
      await insertMessages(db, caps, [{ message, recipients }]);
    },
    async insertMany(messages) {
      await insertMessages(db, caps, messages);
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
      // The rendered message (`raw`, up to megabytes) and the identity never change after accept:
      // not sending them back on every status change saves the bytes and the work.
      await db.updateTable('messages').set(changeableColumns(m)).where('id', '=', m.id).execute();
    },
    async updateMany(messages) {
      if (messages.length === 0) return;
      if (messages.length === 1) {
        await db.updateTable('messages').set(changeableColumns(messages[0]!)).where('id', '=', messages[0]!.id).execute();
        return;
      }
      await updateFromValues(db, caps, 'messages', ['id'], messages.map((m) => ({ id: m.id, ...changeableColumns(m) })));
    },
    async recipients(messageId) {
      const rows = await db.selectFrom('message_recipients').selectAll().where('message_id', '=', messageId).execute();
      return rows.map(toRecipient);
    },
    async recipientsOf(messageIds) {
      const map = new Map<string, MessageRecipient[]>(messageIds.map((id) => [id, []]));
      for (let i = 0; i < messageIds.length; i += 500) {
        const rows = await db.selectFrom('message_recipients').selectAll().where('message_id', 'in', messageIds.slice(i, i + 500)).execute();
        for (const r of rows) map.get(r.message_id)?.push(toRecipient(r));
      }
      return map;
    },
    async recipientAddresses(messageIds) {
      const map = new Map<string, string[]>();
      if (messageIds.length === 0) return map;
      const rows = await db.selectFrom('message_recipients').select(['message_id', 'address']).where('message_id', 'in', messageIds).orderBy('kind', 'desc').orderBy('address').execute();
      for (const r of rows) map.set(r.message_id, [...(map.get(r.message_id) ?? []), r.address]);
      return map;
    },
    async updateRecipients(recipients) {
      if (recipients.length === 0) return;
      if (recipients.length === 1) {
        const r = recipients[0]!;
        await db.updateTable('message_recipients')
          .set({ status: r.status, reply_code: r.replyCode, enhanced: r.enhanced, reply_text: r.replyText, updated_at: r.updatedAt })
          .where('message_id', '=', r.messageId).where('address', '=', r.address).execute();
        return;
      }
      await updateFromValues(db, caps, 'message_recipients', ['message_id', 'address'], recipients.map((r) => ({
        message_id: r.messageId, address: r.address, status: r.status, reply_code: r.replyCode, enhanced: r.enhanced, reply_text: r.replyText, updated_at: r.updatedAt,
      })));
    },
    async insertAttempt(a) {
      await db.insertInto('delivery_attempts').values(fromAttempt(a)).execute();
    },
    async insertAttempts(attempts) {
      for (let i = 0; i < attempts.length; i += ROWS_PER_STATEMENT) {
        await insertRows(db, caps, 'delivery_attempts', attempts.slice(i, i + ROWS_PER_STATEMENT).map(fromAttempt));
      }
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
      await markSending(ids, atIso);
    },
    async getManyAndMarkSending(ids, atIso) {
      if (ids.length === 0) return [];
      if (!caps.dataModifyingCte) {
        const before = await db.selectFrom('messages').selectAll().where('id', 'in', ids).execute();
        await markSending(ids, atIso);
        return before.map(toMessage);
      }
      // Every part of the statement reads the rows as they were before its update.
      const list = sql.join(ids);
      const { rows } = await sql<MessagesTable>`with marked as (
          update messages set status = 'sending', updated_at = ${atIso} where id in (${list}) and status not in ('sent', 'failed') returning id)
        select * from messages where id in (${list})`.execute(db);
      return rows.map(toMessage);
    },
    async setStatusForServer(serverId, from, to, atIso) {
      const r = await db.updateTable('messages').set({ status: to, updated_at: atIso }).where('server_id', '=', serverId).where('status', '=', from).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    async listCaught(q) {
      let query = db.selectFrom('messages').selectAll().where('company_id', '=', q.companyId).where('caught_at', 'is not', null);
      if (q.search) {
        // Case-insensitive on both backends; the user's % and _ are literal.
        const pattern = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const like = (column: string) => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
        query = query.where((eb) => eb.or([
          like('subject'), like('from_address'),
          eb('id', 'in', db.selectFrom('message_recipients').select('message_id').where(sql<boolean>`lower(address) like ${pattern} escape '\\'`)),
        ]));
      }
      if (q.after) {
        const { caughtAt, id } = q.after;
        query = query.where((eb) => eb.or([eb('caught_at', '<', caughtAt), eb.and([eb('caught_at', '=', caughtAt), eb('id', '<', id)])]));
      }
      return (await query.orderBy('caught_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(toMessage);
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
