// Run by the store contract test in several processes at once: open, migrate, report what it applied.
import { openDatabase } from '../../src/adapters/db/open-database.ts';
import { runMigrations } from '../../src/adapters/migrations/run-migrations.ts';

const [dataDir, databaseUrl] = process.argv.slice(2);
const db = openDatabase({ dataDir: dataDir!, databaseUrl: databaseUrl || null });
const outcome = await runMigrations(db.db, db.capabilities);
await db.close();
process.stdout.write(JSON.stringify(outcome));
