// A company may name a fallback mail server: when its own server is held by a configuration
// error, mail goes out through the fallback instead of waiting.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('companies').addColumn('fallback_mail_server_id', 'text').execute();
}
