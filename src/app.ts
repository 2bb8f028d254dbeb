// The one composition root: builds adapters, then core services, then the edges, and owns the
// order of shutdown (stop accepting → drain → close the database).
import http from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { openDatabase, type OpenDatabase } from './adapters/db/open-database.ts';
import { pendingMigrations, runMigrations } from './adapters/migrations/run-migrations.ts';
import { AesGcmSealer } from './adapters/secrets/aes-gcm-sealer.ts';
import { keySourceFor } from './adapters/secrets/secret-key-source.ts';
import { createSecretProviders, secretProvidersConfigFromEnv } from './adapters/secrets/secret-provider-registry.ts';
import { createDnsResolver, createSystemResolver } from './adapters/smtp-probe/host-resolver.ts';
import { createSmtpProber } from './adapters/smtp-probe/smtp-prober.ts';
import { createKyselyStore } from './adapters/store/kysely-store.ts';
import { createMimeMessageRenderer } from './adapters/transport/mime-message-renderer.ts';
import { createSmtpDeliveryTransport } from './adapters/transport/smtp-delivery-transport.ts';
import { createHttpWebhookSender } from './adapters/webhooks/http-webhook-sender.ts';
import type { Config } from './config/config.ts';
import { ConnectionTestService } from './core/diagnostics/connection-test-service.ts';
import { createEgressPolicy } from './core/diagnostics/egress-policy.ts';
import { DeliveryWorker, type DeliveryWorkerOptions } from './core/outbound/delivery-worker.ts';
import { MessageService } from './core/outbound/message-service.ts';
import { resumeServer } from './core/outbound/server-circuit.ts';
import type { Clock, Logger, Store } from './core/ports.ts';
import { CompanySecretService } from './core/secrets/company-secret-service.ts';
import { internalSecretProvider } from './core/secrets/internal-secret-provider.ts';
import { SecretResolver } from './core/secrets/secret-reference.ts';
import { MailServerService } from './core/servers/mail-server-service.ts';
import { AccountService } from './core/tenancy/account-service.ts';
import { createWebhooks, type WebhookService, type WebhookWorker } from './core/webhooks/index.ts';
import { messageVerificationMailer } from './core/senders/message-verification-mailer.ts';
import { SenderService } from './core/senders/sender-service.ts';
import type { VerificationMailer } from './core/senders/verification-mailer.ts';
import { CatcherService } from './core/builtin/catcher-service.ts';
import { MailServiceSettings } from './core/builtin/mail-service-settings.ts';
import { storeSenderCheck } from './core/outbound/sender-policy.ts';
import { createMailparserMessageParser } from './adapters/mime/mailparser-message-parser.ts';
import { createDnsLookup } from './adapters/dns/dns-lookup.ts';
import { createMailauthSpfEvaluator } from './adapters/dns/mailauth-spf-evaluator.ts';
import { dnsPlanSettings } from './core/domains/dns-record-plan.ts';
import { createDomainCheckSchedule, type DomainCheckSchedule } from './core/domains/domain-check-schedule.ts';
import { createHistoryRetention, type HistoryRetention } from './core/retention/history-retention.ts';
import { createHistoryPruner } from './adapters/store/history-pruner.ts';
import { createSharedRateGate } from './adapters/store/shared-rate-gate-store.ts';
import { StorageGuard } from './core/outbound/storage-guard.ts';
import { createFreeSpaceProbe } from './adapters/db/free-space-probe.ts';
import { DomainService } from './core/domains/domain-service.ts';
import { createDirectDeliveryTransport } from './adapters/transport/direct-delivery-transport.ts';
import { createDnsMxResolver } from './adapters/transport/mx-resolver.ts';
import { loadInstanceDkimKey } from './adapters/transport/instance-dkim-key.ts';
import type { DkimKeySource } from './core/outbound/delivery-types.ts';
import { createHttpApp } from './http/http-app.ts';
import { createLogger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';

export interface AppServices {
  store: Store;
  accounts: AccountService;
  mailServers: MailServerService;
  connectionTests: ConnectionTestService;
  messages: MessageService;
  mailService: MailServiceSettings;
  catcher: CatcherService;
  metrics: Metrics;
  secrets: CompanySecretService;
  webhooks: WebhookService;
  domains: DomainService;
  senders: SenderService;
  secretResolver: SecretResolver;
  sealer: AesGcmSealer;
  readiness(): Promise<{ status: 'ok' | 'unavailable'; database: string; pendingMigrations?: string[] }>;
}

export interface BuildOptions {
  logger?: Logger;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
  /** Apply pending migrations while building (serve does; `migrate` is the explicit form). */
  migrate?: boolean;
  /** Options for the delivery worker (tests shorten the retry schedule). */
  worker?: Partial<DeliveryWorkerOptions>;
  /** How sender-address verification emails leave (tests capture them); default: the company's mail service. */
  verificationMailer?: VerificationMailer;
}

export interface App {
  config: Config;
  services: AppServices;
  logger: Logger;
  database: OpenDatabase;
  /** Starts the HTTP listener; resolves with the bound port. */
  listen(): Promise<number>;
  /** The delivery worker of this process (started by `startWorkers`). */
  worker: DeliveryWorker;
  /** The webhook worker of this process (started by `startWorkers`). */
  webhookWorker: WebhookWorker;
  /** The periodic check of sending domains (started by `startWorkers`). */
  domainChecks: DomainCheckSchedule;
  /** Deletes delivery history older than MAILROOM_HISTORY_DAYS, hourly (started by `startWorkers`). */
  historyRetention: HistoryRetention;
  startWorkers(): void;
  close(): Promise<void>;
}

const systemClock: Clock = { now: () => new Date() };

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;

  const database = openDatabase({
    dataDir: config.dataDir, databaseUrl: config.databaseUrl,
    onConnectionError: (err) => logger.warn({ err: { message: err.message } }, 'a pooled database connection was closed; it will be reopened'),
  });
  if (options.migrate !== false) {
    const { applied } = await runMigrations(database.db, database.capabilities);
    if (applied.length) logger.info({ applied }, 'migrations applied');
  }
  const store = createKyselyStore(database.db, database.capabilities);

  const keySource = keySourceFor({ secretKey: config.secretKey, previousKeys: env.MAILROOM_SECRET_KEY_PREVIOUS ?? null, dataDir: config.dataDir });
  const sealer = new AesGcmSealer(keySource.load(), keySource.kind === 'file' ? () => keySource.load() : null);
  const providersConfig = secretProvidersConfigFromEnv(env);
  // The data folder holds the sealing key: `file:` references must never read it.
  providersConfig.fileReservedDirs = [...providersConfig.fileReservedDirs, config.dataDir];
  const secretResolver = new SecretResolver([
    internalSecretProvider(store.secrets, sealer),
    ...createSecretProviders(providersConfig, { env, logger, clock }),
  ]);

  // Every connection to a user-supplied host goes through one egress policy (SSRF rule).
  const egressPolicy = createEgressPolicy({ allowedNetworks: config.allowedSmtpNetworks });
  const prober = createSmtpProber({
    resolver: config.dnsServers.length ? createDnsResolver({ servers: config.dnsServers }) : createSystemResolver(),
    egressPolicy,
    clock,
    heloName: config.heloName ?? undefined,
  });
  const resolver = config.dnsServers.length ? createDnsResolver({ servers: config.dnsServers }) : createSystemResolver();
  const transport = createSmtpDeliveryTransport({ resolver, egressPolicy, heloName: config.heloName ?? undefined, logger, clock });
  const mailServers = new MailServerService({
    store, clock, sealer, secrets: secretResolver, egressPolicy,
    // A saved change may be the fix for a held server: resume its mail, and reconnect with the new settings.
    afterChange: async (server) => {
      await transport.close(server.id);
      if (server.status === 'active') await resumeServer(store, clock, server);
    },
  });
  const metrics = createMetrics(store.queue);
  const connectionTests = new ConnectionTestService({ store, clock, prober, servers: mailServers });
  // Built-in mail without a From of its own is sent as this address.
  const builtinFrom = config.builtinFrom ?? `mailroom@${config.heloName ?? 'mailroom.localhost'}`;
  const senderCheck = storeSenderCheck(store);
  const webhooks = createWebhooks({ store, clock, sealer, logger, sender: createHttpWebhookSender({ resolver, egressPolicy }) });
  // Sending domains: their DNS records are looked up through MAILROOM_DNS_SERVERS when set.
  const dnsLookup = createDnsLookup({ servers: config.dnsServers });
  const domains = new DomainService({
    store, clock, sealer, dns: dnsLookup, servers: mailServers, logger: logger.child({ component: 'domains' }),
    spf: createMailauthSpfEvaluator({ resolve: dnsLookup.resolve, mtaName: config.heloName ?? 'mailroom' }),
    settings: dnsPlanSettings(config),
  });
  const domainChecks = createDomainCheckSchedule({ service: domains, logger: logger.child({ component: 'domain-checks' }) }, { intervalHours: config.domainCheckHours });
  const historyRetention = createHistoryRetention({ pruner: createHistoryPruner(database.db), clock, logger: logger.child({ component: 'retention' }) }, { days: config.historyDays });
  const services: AppServices = {
    store,
    metrics,
    accounts: new AccountService(store, clock, { sessionTtlMs: config.sessionTtlHours * 3600_000 }),
    mailServers,
    connectionTests,
    messages: new MessageService({
      store, clock, renderer: createMimeMessageRenderer(), servers: mailServers, onAccepted: (n) => metrics.messagesAccepted(n),
      builtin: { delivery: config.builtinDelivery, from: builtinFrom }, senders: senderCheck,
      // Only SQLite's disk is visible from here; PostgreSQL reports its own full disk (53100).
      storage: new StorageGuard(createFreeSpaceProbe(database.capabilities.name === 'sqlite' ? config.dataDir : null), clock, { minFreeBytes: config.minFreeDiskMb * 1_048_576 }),
    }),
    mailService: new MailServiceSettings({ store, clock, servers: mailServers, tester: connectionTests, instanceBuiltinDelivery: config.builtinDelivery }),
    catcher: new CatcherService({ store, clock, parser: createMailparserMessageParser(), servers: mailServers, senders: senderCheck, builtinFrom }),
    secrets: new CompanySecretService({ store, clock, sealer }),
    webhooks: webhooks.service,
    domains,
    // TODO(lead): the verification email goes through the company's own mail service. Decide whether
    // that is the route you want: in "catch" mode an admin can read the link in the built-in mailbox
    // and verify an address they do not own, and a custom server's operator sees the link too.
    senders: new SenderService({
      store, clock,
      mailer: options.verificationMailer ?? messageVerificationMailer(() => services.messages),
      publicUrl: config.publicUrl ?? `http://localhost:${config.httpPort}`,
    }),
    secretResolver,
    sealer,
    async readiness() {
      try {
        const pending = await pendingMigrations(database.db, database.capabilities);
        return pending.length ? { status: 'unavailable', database: 'migrations pending', pendingMigrations: pending } : { status: 'ok', database: 'ok' };
      } catch {
        return { status: 'unavailable', database: 'unreachable' };
      }
    },
  };

  const httpApp = createHttpApp({
    services, logger, secureCookies: config.secureCookies, sessionTtlMs: config.sessionTtlHours * 3600_000, webDistDir: config.webDistDir,
  });
  let server: ServerType | null = null;
  // The built-in service's direct delivery: straight to recipients' MX hosts, DKIM-signed with the
  // company's verified domain key, else the instance's own key, else unsigned.
  const instanceDkim = loadInstanceDkimKey(config);
  const dkimKeys: DkimKeySource = {
    async keyFor(companyId, fromDomain) {
      const own = await domains.signingKeyFor(companyId, fromDomain);
      return own ? { domainName: own.domain, selector: own.selector, privateKey: own.privateKeyPem } : instanceDkim;
    },
  };
  const direct = createDirectDeliveryTransport({
    mxResolver: createDnsMxResolver({ servers: config.dnsServers }), hostResolver: resolver, egressPolicy,
    heloName: config.heloName ?? undefined, port: config.directPort, requireTls: config.directRequireTls,
    maxConnections: config.directMaxConnections, logger: logger.child({ component: 'direct-delivery' }), clock,
  });
  const worker = new DeliveryWorker({
    store, clock, transport, logger: logger.child({ component: 'delivery' }),
    resolvePassword: (s, owner) => mailServers.resolvePassword(s, owner),
    onAttempt: (event) => metrics.deliveryAttempt(event),
    // The delivery-status webhook event commits with the outcome it reports.
    onStatusRecorded: async (tx, message) => { await webhooks.service.enqueueMessageEvent(tx, message); },
    direct: { delivery: direct, keys: dkimKeys, maxConnections: config.directMaxConnections, instanceDelivery: config.builtinDelivery, senders: senderCheck, builtinFrom },
    // A server's configured rate holds across every worker process on this database.
    rateGate: createSharedRateGate(database.db),
  }, {
    maxInFlight: config.workerConcurrency,
    leaseMs: config.workerLeaseSeconds * 1000,
    retry: { baseMs: config.retryBaseSeconds * 1000, maxMs: config.retryMaxSeconds * 1000, jitter: 0.2 },
    ...options.worker,
  });
  let workersStarted = false;

  return {
    config, services, logger, database, worker, webhookWorker: webhooks.worker, domainChecks, historyRetention,
    startWorkers() {
      workersStarted = true;
      worker.start();
      webhooks.worker.start();
      domainChecks.start();
      historyRetention.start();
    },
    listen() {
      return new Promise((resolve, reject) => {
        server = serve({ fetch: httpApp.fetch, port: config.httpPort, hostname: config.httpHost }, (info) => resolve(info.port));
        server.once('error', reject);
      });
    },
    async close() {
      // Reverse order of construction: stop taking requests, let in-flight ones finish, then the database.
      if (server) {
        const s = server as http.Server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections?.();
        });
      }
      // Then stop claiming and let messages in flight finish; their leases cover anything cut off.
      if (workersStarted) await Promise.all([worker.stop(10_000), webhooks.worker.stop(10_000)]);
      // Housekeeping in progress (a domain check, a retention batch) finishes its current step: both write to the database.
      await Promise.all([domainChecks.stop(), historyRetention.stop()]);
      await transport.close();
      await direct.close();
      await database.close();
    },
  };
}
