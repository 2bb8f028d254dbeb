// `mailroom apikey create`: an API key for a host application. Printed once; only its hash is kept.
import { appFromFlags, parseFlags, runCli, UsageError } from './cli-support.ts';

const USAGE = 'Usage: mailroom apikey create --company SLUG --name NAME';

export function apikeyCreateCommand(args: string[]): Promise<number> {
  return runCli(USAGE, async () => {
    const values = parseFlags(args, { company: { type: 'string' }, name: { type: 'string' } });
    if (values.help) { process.stdout.write(USAGE + '\n'); return 0; }
    if (!values.company) throw new UsageError('--company is required');
    if (!values.name) throw new UsageError('--name is required');
    const app = await appFromFlags(values);
    try {
      const company = await app.services.store.companies.getBySlug(values.company);
      if (!company) throw new UsageError(`no company with slug "${values.company}"`);
      const { key } = await app.services.accounts.createApiKey({ kind: 'cli', label: 'mailroom apikey create' }, company, values.name);
      process.stderr.write(`API key "${values.name}" for ${company.name}. It is shown only now; store it safely:\n`);
      process.stdout.write(`${key}\n`);
      return 0;
    } finally {
      await app.close();
    }
  });
}
