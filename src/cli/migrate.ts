// `mailroom migrate`: apply pending migrations and exit (for deployments that migrate first).
import { appFromFlags, parseFlags, runCli } from './cli-support.ts';

const USAGE = 'Usage: mailroom migrate [--data-dir ./data]   (MAILROOM_DATABASE_URL for PostgreSQL)';

export function migrateCommand(args: string[]): Promise<number> {
  return runCli(USAGE, async () => {
    const values = parseFlags(args, {});
    if (values.help) { process.stdout.write(USAGE + '\n'); return 0; }
    const app = await appFromFlags(values, { migrate: true });
    const pending = await app.services.readiness();
    process.stdout.write(`database ${app.database.description}: ${pending.status === 'ok' ? 'up to date' : pending.database}\n`);
    await app.close();
    return pending.status === 'ok' ? 0 : 1;
  });
}
