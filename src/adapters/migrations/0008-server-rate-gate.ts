// The shared rate gate of each rate-limited mail server (core/outbound/shared-rate-gate.ts): the
// theoretical arrival time of its next message, in milliseconds since the epoch, shared by every
// worker process. A row is made the first time a server's gate is asked.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('server_rate_gate')
    .addColumn('server_id', 'text', (c) => c.primaryKey().references('mail_servers.id').onDelete('cascade'))
    .addColumn('tat_ms', 'bigint', (c) => c.notNull())
    .execute();
}
