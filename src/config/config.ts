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
