// Ordered migrations, applied under Kysely's migration lock so several processes starting at once
// (scale-out workers) are safe: one applies, the others wait and find nothing left to do.
import type { Kysely } from 'kysely';
import { Migrator, type Migration } from 'kysely/migration';
import type { DialectCapabilities } from '../db/dialect-capabilities.ts';
import * as foundation from './0001-foundation.ts';
import * as connectionTests from './0002-connection-tests.ts';
import * as delivery from './0003-delivery.ts';
import * as webhooks from './0004-webhooks.ts';
import * as fallbackServer from './0005-fallback-server.ts';
import * as builtinService from './0006-builtin-service.ts';
import * as deliveryIndexes from './0007-delivery-indexes.ts';
import * as serverRateGate from './0008-server-rate-gate.ts';

type MigrationModule = { up(db: Kysely<unknown>, caps: DialectCapabilities): Promise<void> };

/** Append only. The key is the migration's permanent name. */
const MIGRATIONS: [string, MigrationModule][] = [
  ['0001-foundation', foundation],
  ['0002-connection-tests', connectionTests],
  ['0003-delivery', delivery],
  ['0004-webhooks', webhooks],
  ['0005-fallback-server', fallbackServer],
  ['0006-builtin-service', builtinService],
  ['0007-delivery-indexes', deliveryIndexes],
  ['0008-server-rate-gate', serverRateGate],
];

export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map(([name]) => name);

export interface MigrationOutcome {
  applied: string[];
}

function createMigrator(db: Kysely<any>, caps: DialectCapabilities): Migrator {
  const migrations: Record<string, Migration> = {};
  for (const [name, mod] of MIGRATIONS) migrations[name] = { up: (d) => mod.up(d, caps) };
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export async function runMigrations(db: Kysely<any>, caps: DialectCapabilities): Promise<MigrationOutcome> {
  const { error, results } = await createMigrator(db, caps).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

export async function pendingMigrations(db: Kysely<any>, caps: DialectCapabilities): Promise<string[]> {
  const all = await createMigrator(db, caps).getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
