// Durable delivery: messages (rendered once, at accept), their recipients, every attempt, the job
// queue, and each mail server's delivery state (circuit breaker).
import type { Kysely } from 'kysely';
import type { DialectCapabilities } from '../db/dialect-capabilities.ts';

export async function up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> {
  // Per-server sending limits, as providers impose them (e.g. 14 per second on SES, 10,000 a day).
  await db.schema.alterTable('mail_servers').addColumn('max_connections', 'integer', (c) => c.notNull().defaultTo(5)).execute();
  await db.schema.alterTable('mail_servers').addColumn('rate_limit_count', 'integer').execute();
  await db.schema.alterTable('mail_servers').addColumn('rate_limit_period', 'text').execute();

  await db.schema.createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('server_id', 'text') // kept after the server is deleted: history outlives settings
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('request_hash', 'text')
    .addColumn('mail_from', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt_count', 'integer', (c) => c.notNull())
    .addColumn('last_code', 'text')
    .addColumn('last_message', 'text')
    .addColumn('possibly_delivered', 'integer', (c) => c.notNull())
    .addColumn('give_up_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('messages_company_created').on('messages').columns(['company_id', 'created_at']).execute();
  await db.schema.createIndex('messages_company_status').on('messages').columns(['company_id', 'status', 'updated_at']).execute();
  await db.schema.createIndex('messages_idempotency').on('messages').columns(['company_id', 'idempotency_key']).unique().execute();

  await db.schema.createTable('message_recipients')
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reply_code', 'integer')
    .addColumn('enhanced', 'text')
    .addColumn('reply_text', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('message_recipients_pk', ['message_id', 'address'])
    .execute();

  await db.schema.createTable('delivery_attempts')
    // `seq` orders attempts that started within the same millisecond.
    .addColumn('seq', caps.serialType, (c) => (caps.name === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('server_id', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('outcome', 'text')
    .addColumn('code', 'text')
    .addColumn('message', 'text')
    .addColumn('hint', 'text')
    .addColumn('reply_code', 'integer')
    .addColumn('enhanced', 'text')
    .addColumn('reply_text', 'text')
    .addColumn('tls', 'text')
    .addColumn('recipients', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_attempts_message').on('delivery_attempts').columns(['message_id', 'started_at']).execute();
  await db.schema.createIndex('delivery_attempts_company').on('delivery_attempts').columns(['company_id', 'started_at']).execute();

  // The queue. `partition_key` groups jobs that share a fate (a mail server): a held server's jobs
  // wait in status 'held' and are not claimed. `seq` gives FIFO order within equal run_at.
  await db.schema.createTable('jobs')
    .addColumn('seq', caps.serialType, (c) => (caps.name === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('partition_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['status', 'kind', 'run_at']).execute();
  await db.schema.createIndex('jobs_partition').on('jobs').columns(['partition_key', 'status']).execute();

  await db.schema.createTable('server_delivery_state')
    .addColumn('server_id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull()) // 'healthy' | 'held'
    .addColumn('code', 'text')
    .addColumn('message', 'text')
    .addColumn('since', 'text', (c) => c.notNull())
    .execute();
}
