// The command table: `mailroom <words…> [flags]`. Each command lives in its own file under src/cli
// and returns the process exit status.

export interface CliCommand {
  /** Words after `mailroom`, e.g. ['smtp', 'test']. */
  words: string[];
  summary: string;
  run(args: string[]): Promise<number>;
}

export const COMMANDS: CliCommand[] = [
  { words: ['serve'], summary: 'Start the web UI, the API and the workers', run: async (a) => (await import('./serve.ts')).serveCommand(a) },
  { words: ['worker'], summary: 'Run delivery workers only (scale-out; pair with serve --no-workers)', run: async (a) => (await import('./worker.ts')).workerCommand(a) },
  { words: ['migrate'], summary: 'Apply database migrations and exit', run: async (a) => (await import('./migrate.ts')).migrateCommand(a) },
  { words: ['admin', 'create'], summary: 'Create an administrator (--email E --password-env VAR)', run: async (a) => (await import('./admin-create.ts')).adminCreateCommand(a) },
  { words: ['apikey', 'create'], summary: 'Create an API key for a company (--company SLUG --name NAME)', run: async (a) => (await import('./apikey-create.ts')).apikeyCreateCommand(a) },
  { words: ['secrets', 'rotate-key'], summary: 'Re-seal every stored secret under a new key', run: async (a) => (await import('./secrets-rotate-key.ts')).secretsRotateKeyCommand(a) },
  { words: ['smtp', 'test'], summary: 'Test an SMTP server stage by stage, like swaks', run: async (a) => (await import('./smtp-test.ts')).smtpTestCommand(a) },
];
