// Connection test results, kept per mail server so the admin sees the last ones with its status.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('connection_tests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('server_id', 'text', (c) => c.notNull().references('mail_servers.id').onDelete('cascade'))
    .addColumn('company_id', 'text', (c) => c.notNull().references('companies.id'))
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('stage', 'text')
    .addColumn('sent_test_email', 'integer', (c) => c.notNull())
    .addColumn('test_address', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('tested_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connection_tests_server').on('connection_tests').columns(['server_id', 'created_at']).execute();
}
