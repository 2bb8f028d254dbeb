// Bootstrap configuration: what the process needs before it can open the database. Runtime settings
// (mail servers, secrets, users) live in the database and are edited in the UI.
// Precedence: defaults < environment (MAILROOM_*) < command-line flags.
import path from 'node:path';
import { z } from 'zod';

const configSchema = z.object({
  httpPort: z.coerce.number().int().min(0).max(65535),
  httpHost: z.string().min(1),
  dataDir: z.string().min(1),
  databaseUrl: z.string().nullable(),
  secretKey: z.string().nullable(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  allowedSmtpNetworks: z.array(z.string()),
  dnsServers: z.array(z.string()),
  heloName: z.string().nullable(),
  sessionTtlHours: z.coerce.number().positive(),
  secureCookies: z.boolean(),
  webDistDir: z.string(),
  workerConcurrency: z.coerce.number().int().min(1).max(1000),
  workerLeaseSeconds: z.coerce.number().int().min(1).max(3600),
  retryBaseSeconds: z.coerce.number().int().min(1),
  retryMaxSeconds: z.coerce.number().int().min(1),
  /** What the built-in service does by default: keep mail in the catcher, or deliver to MX hosts. */
  builtinDelivery: z.enum(['catch', 'direct']),
  /** The From address of built-in mail when a message names none (and of verification mail). */
  builtinFrom: z.string().nullable(),
  /** Where people reach the UI: links in emails (sender verification) start with it. */
  publicUrl: z.string().url().nullable(),
  /** The port direct delivery connects to on MX hosts (25; tests point it at local servers). */
  directPort: z.coerce.number().int().min(1).max(65535),
  /** Require STARTTLS with a valid certificate for every destination, not only MTA-STS ones. */
  directRequireTls: z.boolean(),
  /** Connections direct delivery keeps open at once (per worker process). */
  directMaxConnections: z.coerce.number().int().min(1).max(1000),
  /** The instance's own DKIM key, used when the From domain is not a verified company domain. */
  dkimDomain: z.string().nullable(),
  dkimSelector: z.string().nullable(),
  dkimPrivateKeyFile: z.string().nullable(),
  /** What companies add to their SPF record ("include:<this>"). */
  spfInclude: z.string().nullable(),
  /** The host a company's return-path name points to (CNAME). */
  returnPathHost: z.string().nullable(),
  /** Hours between automatic checks of every sending domain's DNS records; 0 turns them off. */
  domainCheckHours: z.coerce.number().min(0),
  /** Days finished messages and webhook deliveries are kept (core/retention); 0 keeps them forever. */
  historyDays: z.coerce.number().int().min(0),
  /** New mail is refused (STORAGE_LOW) when the SQLite data folder's disk would keep less free; 0 turns the check off. */
  minFreeDiskMb: z.coerce.number().min(0),
});

export type Config = z.infer<typeof configSchema>;

export interface ConfigFlags {
  port?: string;
  host?: string;
  dataDir?: string;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Config {
  const raw = {
    httpPort: flags.port ?? env.MAILROOM_HTTP_PORT ?? 8025,
    httpHost: flags.host ?? env.MAILROOM_HTTP_HOST ?? '0.0.0.0',
    dataDir: path.resolve(flags.dataDir ?? env.MAILROOM_DATA_DIR ?? './data'),
    databaseUrl: env.MAILROOM_DATABASE_URL || null,
    secretKey: env.MAILROOM_SECRET_KEY || null,
    logLevel: env.MAILROOM_LOG_LEVEL ?? 'info',
    allowedSmtpNetworks: list(env.MAILROOM_ALLOWED_SMTP_NETWORKS),
    dnsServers: list(env.MAILROOM_DNS_SERVERS),
    heloName: env.MAILROOM_HELO_NAME || null,
    sessionTtlHours: env.MAILROOM_SESSION_TTL_HOURS ?? 12,
    secureCookies: env.MAILROOM_SECURE_COOKIES === 'true',
    webDistDir: env.MAILROOM_WEB_DIST ?? path.join(REPO_ROOT, 'web', 'dist'),
    workerConcurrency: env.MAILROOM_WORKER_CONCURRENCY ?? 64,
    workerLeaseSeconds: env.MAILROOM_WORKER_LEASE_SECONDS ?? 300,
    retryBaseSeconds: env.MAILROOM_RETRY_BASE_SECONDS ?? 60,
    retryMaxSeconds: env.MAILROOM_RETRY_MAX_SECONDS ?? 3600,
    builtinDelivery: env.MAILROOM_BUILTIN_DELIVERY || 'catch',
    builtinFrom: env.MAILROOM_BUILTIN_FROM || null,
    publicUrl: env.MAILROOM_PUBLIC_URL || null,
    directPort: env.MAILROOM_DIRECT_PORT ?? 25,
    directRequireTls: env.MAILROOM_DIRECT_REQUIRE_TLS === 'true',
    directMaxConnections: env.MAILROOM_DIRECT_MAX_CONNECTIONS ?? 20,
    dkimDomain: env.MAILROOM_DKIM_DOMAIN || null,
    dkimSelector: env.MAILROOM_DKIM_SELECTOR || null,
    dkimPrivateKeyFile: env.MAILROOM_DKIM_PRIVATE_KEY_FILE || null,
    spfInclude: env.MAILROOM_SPF_INCLUDE || null,
    returnPathHost: env.MAILROOM_RETURN_PATH_HOST || null,
    domainCheckHours: env.MAILROOM_DOMAIN_CHECK_HOURS ?? 24,
    historyDays: env.MAILROOM_HISTORY_DAYS ?? 90,
    minFreeDiskMb: env.MAILROOM_MIN_FREE_DISK_MB ?? 100,
  };
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${issues}`);
  }
  if (parsed.data.databaseUrl && !/^postgres(ql)?:\/\//.test(parsed.data.databaseUrl)) {
    throw new Error('invalid configuration: MAILROOM_DATABASE_URL must start with postgres:// (leave it unset for SQLite)');
  }
  return parsed.data;
}
