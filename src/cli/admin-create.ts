// `mailroom admin create`: the first administrator (or another one) for scripted installs. The
// password comes from an environment variable so it never appears in the process list or history.
import { appFromFlags, parseFlags, runCli, UsageError } from './cli-support.ts';

const USAGE = `Usage: mailroom admin create --email E --password-env VAR [--name NAME] [--company "Company name"] [--company-slug SLUG]
  On a fresh install this creates the root company and its system administrator.
  Afterwards it adds a system administrator to the root company (or to --company-slug).`;

export function adminCreateCommand(args: string[]): Promise<number> {
  return runCli(USAGE, async () => {
    const values = parseFlags(args, {
      email: { type: 'string' }, 'password-env': { type: 'string' }, name: { type: 'string' },
      company: { type: 'string' }, 'company-slug': { type: 'string' },
    });
    if (values.help) { process.stdout.write(USAGE + '\n'); return 0; }
    if (!values.email) throw new UsageError('--email is required');
    if (!values['password-env']) throw new UsageError('--password-env is required (the name of an environment variable holding the password)');
    const password = process.env[values['password-env']];
    if (!password) throw new UsageError(`environment variable ${values['password-env']} is empty or not set`);
    const app = await appFromFlags(values);
    try {
      const { accounts } = app.services;
      const name = values.name ?? values.email.split('@')[0]!;
      if (await accounts.needsSetup()) {
        const { company } = await accounts.setup({ companyName: values.company ?? 'My company', companySlug: values['company-slug'], name, email: values.email, password });
        process.stdout.write(`Created system administrator ${values.email} for company "${company.name}" (${company.slug}).\n`);
      } else {
        const companies = await app.services.store.companies.list();
        const company = values['company-slug'] ? companies.find((c) => c.slug === values['company-slug']) : companies.find((c) => c.parentId === null);
        if (!company) throw new UsageError(`no company with slug "${values['company-slug']}"`);
        await accounts.createUser({ kind: 'cli', label: 'mailroom admin create' }, company, { email: values.email, name, password, role: 'system_admin' });
        process.stdout.write(`Added system administrator ${values.email} to "${company.name}" (${company.slug}).\n`);
      }
      return 0;
    } finally {
      await app.close();
    }
  });
}
