// The built-in mail service, sender addresses and sending domains.
// - companies.mail_service: "builtin" (the catcher, or direct delivery where the instance allows
//   it) or "custom" (the default mail server). Companies that already had a default server keep
//   sending through it.
// - messages.route: how this message leaves — "server" (a mail server), "catch" (kept in the
//   built-in mailbox), "direct" (straight to the recipients' MX hosts). Fixed at accept, so queued
//   mail keeps its way out when the company switches. caught_at / released_at record the catcher.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('companies').addColumn('mail_service', 'text', (c) => c.notNull().defaultTo('builtin')).execute();
  // What the built-in service does for this company: null follows the instance (MAILROOM_BUILTIN_DELIVERY).
  await db.schema.alterTable('companies').addColumn('builtin_delivery', 'text').execute();
  // While the company's server is held by a configuration error, deliver directly instead (when
  // the built-in service delivers for this company).
  await db.schema.alterTable('companies').addColumn('fallback_builtin', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update companies set mail_service = 'custom' where default_mail_server_id is not null`.execute(db);

  await db.schema.alterTable('messages').addColumn('route', 'text', (c) => c.notNull().defaultTo('server')).execute();
  await db.schema.alterTable('messages').addColumn('caught_at', 'text').execute();
  await db.schema.alterTable('messages').addColumn('released_at', 'text').execute();
  await db.schema.createIndex('messages_company_caught').on('messages').columns(['company_id', 'caught_at']).execute();

  await db.schema.createTable('sender_addresses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('address', 'text', (c) => c.notNull()) // lower-cased
    .addColumn('display_name', 'text')
    .addColumn('kind', 'text', (c) => c.notNull()) // "person" | "group"
    .addColumn('status', 'text', (c) => c.notNull()) // "pending" | "verified"
    .addColumn('token_hash', 'text') // sha-256 of the emailed token; null once used
    .addColumn('token_expires_at', 'text')
    .addColumn('verified_at', 'text')
    // How the last link left (server, direct or catch): a link read in the catcher proves nothing.
    .addColumn('link_route', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sender_addresses_company_address').on('sender_addresses').columns(['company_id', 'address']).unique().execute();
  await db.schema.createIndex('sender_addresses_token').on('sender_addresses').column('token_hash').execute();

  await db.schema.createTable('sending_domains')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('domain', 'text', (c) => c.notNull()) // lower-cased, A-label form
    .addColumn('dkim_selector', 'text', (c) => c.notNull())
    .addColumn('dkim_private_key_sealed', 'text', (c) => c.notNull())
    .addColumn('dkim_public_key', 'text', (c) => c.notNull()) // base64 SubjectPublicKeyInfo, as published in p=
    // Key rotation: the next key is published first and signs only once its record is found.
    .addColumn('next_dkim_selector', 'text')
    .addColumn('next_dkim_private_key_sealed', 'text')
    .addColumn('next_dkim_public_key', 'text')
    .addColumn('dmarc_policy', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull()) // "pending" | "verified" | "failing"
    .addColumn('last_check', 'text') // JSON: the record-by-record result of the last check
    .addColumn('checked_at', 'text')
    .addColumn('verified_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sending_domains_company_domain').on('sending_domains').columns(['company_id', 'domain']).unique().execute();
}
