// Starts a real Mailroom (HTTP on a random loopback port) on a fresh database, with its logs
// captured so tests can search them for secrets.
import { Writable } from 'node:stream';
import { buildApp, type App, type BuildOptions } from '../../src/app.ts';
import type { Clock } from '../../src/core/ports.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createTestDatabase, type Backend, type TestDatabase } from './test-databases.ts';

export interface TestApp {
  url: string;
  app: App;
  db: TestDatabase;
  /** Every log line written so far. */
  logs(): string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  backend?: Backend;
  dataDir?: string;
  env?: Record<string, string>;
  clock?: Clock;
  worker?: BuildOptions['worker'];
  /** Capture sender-verification emails instead of submitting them as messages. */
  verificationMailer?: BuildOptions['verificationMailer'];
}

/** A clock the test moves by hand, so retries scheduled minutes ahead run without waiting. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(start = Date.now()) {
    this.ms = start;
  }
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase(options.backend ?? 'sqlite');
  const dataDir = options.dataDir ?? db.dataDir;
  const env = { ...options.env, MAILROOM_DATA_DIR: dataDir, ...(db.databaseUrl ? { MAILROOM_DATABASE_URL: db.databaseUrl } : {}) };
  const config = loadConfig(env, { port: '0', host: '127.0.0.1' });
  let captured = '';
  const destination = new Writable({ write(chunk, _enc, done) { captured += chunk.toString(); done(); } });
  const app = await buildApp(config, { logger: createLogger({ level: 'debug', destination }), env, clock: options.clock, worker: options.worker, verificationMailer: options.verificationMailer });
  const port = await app.listen();
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db,
    logs: () => captured,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

/**
 * Puts the server's company on its custom server, as "Use this server" does after a passing
 * connection test. Delivery suites script their servers to fail on purpose (or name hosts that do
 * not exist), so they set the company's choice directly; the switch's own rule — the test must
 * pass first — is tested in test/builtin/mail-service.test.ts.
 */
export async function useCustomServer(t: TestApp, serverId: string): Promise<void> {
  const server = await t.app.services.store.mailServers.get(serverId);
  if (!server) throw new Error(`no mail server ${serverId}`);
  await t.app.services.store.companies.setMailService(server.companyId, 'custom', serverId);
}
