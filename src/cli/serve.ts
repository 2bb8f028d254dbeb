// `mailroom serve`: web UI and API on one port, SQLite in the data folder unless
// MAILROOM_DATABASE_URL names PostgreSQL. Stops cleanly on SIGINT/SIGTERM.
import { appFromFlags, parseFlags, runCli } from './cli-support.ts';

const USAGE = `Usage: mailroom serve [--port 8025] [--host 0.0.0.0] [--data-dir ./data] [--no-workers]
  --no-workers   serve the UI and API only; run \`mailroom worker\` processes to send (scale-out)

Environment: MAILROOM_HTTP_PORT, MAILROOM_DATA_DIR, MAILROOM_DATABASE_URL, MAILROOM_SECRET_KEY, … (see docs/configuration.md)`;

export function serveCommand(args: string[]): Promise<number> {
  return runCli(USAGE, async () => {
    const values = parseFlags(args, { 'no-workers': { type: 'boolean' } });
    if (values.help) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    const app = await appFromFlags(values);
    const port = await app.listen();
    if (!values['no-workers']) app.startWorkers();
    app.logger.info({ port, database: app.database.description, dataDir: app.config.dataDir, workers: !values['no-workers'] }, `Mailroom is running on http://localhost:${port}`);
    const needsSetup = await app.services.accounts.needsSetup();
    if (needsSetup) app.logger.info({}, `First run: open http://localhost:${port} to create the first administrator`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        app.logger.info({ signal }, 'shutting down');
        resolve();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    await app.close();
    return 0;
  });
}
