// `mailroom worker`: delivery workers alone, no HTTP — for scale-out next to `serve --no-workers`.
// Any number of them may share one PostgreSQL database; leases keep them from sending twice.
import { appFromFlags, parseFlags, runCli } from './cli-support.ts';

const USAGE = `Usage: mailroom worker [--data-dir ./data]
  Sends queued mail. With MAILROOM_DATABASE_URL=postgres://… run as many as you like, on any machine.`;

export function workerCommand(args: string[]): Promise<number> {
  return runCli(USAGE, async () => {
    const values = parseFlags(args, {});
    if (values.help) { process.stdout.write(USAGE + '\n'); return 0; }
    const app = await appFromFlags(values);
    app.startWorkers();
    app.logger.info({ database: app.database.description }, 'delivery worker running');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    app.logger.info({}, 'worker shutting down: finishing messages in flight');
    await app.close();
    return 0;
  });
}
