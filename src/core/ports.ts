// Ports owned by the core. Implementations live in src/adapters and are wired in src/app.ts.
import type {
  ApiKey, AuditEntry, Company, CompanySecret, ConnectionTestRecord, MailServer, MailServerVersion, MailService, BuiltinDelivery, Session, User,
} from './model.ts';
import type {
  DeliveryAttempt, Job, JobStatus, MessageRecipient, MessageStatus, NewJob, OutboundMessage, ServerDeliveryState,
} from './outbound/outbound-model.ts';
import type { SenderAddress } from './senders/sender-model.ts';
import type { SendingDomain } from './domains/domain-model.ts';
import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from './webhooks/webhook-model.ts';

export interface CompanyStore {
  get(id: string): Promise<Company | undefined>;
  getBySlug(slug: string): Promise<Company | undefined>;
  list(): Promise<Company[]>;
  insert(company: Company): Promise<void>;
  setDefaultMailServer(companyId: string, serverId: string | null): Promise<void>;
  setFallbackMailServer(companyId: string, serverId: string | null): Promise<void>;
  /** Switches between the built-in service and the default server (setting the default too when given). */
  setMailService(companyId: string, mailService: MailService, defaultServerId?: string | null): Promise<void>;
  setBuiltinDelivery(companyId: string, delivery: BuiltinDelivery | null): Promise<void>;
  setFallbackToBuiltin(companyId: string, on: boolean): Promise<void>;
  count(): Promise<number>;
}

export interface UserStore {
  get(id: string): Promise<User | undefined>;
  getByEmail(email: string): Promise<User | undefined>;
  listByCompany(companyId: string): Promise<User[]>;
  insert(user: User): Promise<void>;
  update(user: User): Promise<void>;
  count(): Promise<number>;
}

export interface SessionStore {
  get(id: string): Promise<Session | undefined>;
  insert(session: Session): Promise<void>;
  delete(id: string): Promise<void>;
  deleteExpired(nowIso: string): Promise<void>;
  /** Signs a user out everywhere except, optionally, one session. */
  deleteForUser(userId: string, exceptId?: string): Promise<void>;
}

export interface ApiKeyStore {
  /** The key and its company in one read: every API request starts with it. */
  getByHashWithCompany(keyHash: string): Promise<{ apiKey: ApiKey; company: Company } | undefined>;
  listByCompany(companyId: string): Promise<ApiKey[]>;
  get(id: string): Promise<ApiKey | undefined>;
  insert(key: ApiKey): Promise<void>;
  revoke(id: string, atIso: string): Promise<void>;
  touch(id: string, atIso: string): Promise<void>;
}

export interface MailServerStore {
  get(id: string): Promise<MailServer | undefined>;
  /** Servers owned by the company plus those shared with it. */
  listVisibleTo(companyId: string): Promise<MailServer[]>;
  insert(server: MailServer): Promise<void>;
  update(server: MailServer): Promise<void>;
  delete(id: string): Promise<void>;
  addVersion(version: MailServerVersion): Promise<void>;
  listVersions(serverId: string): Promise<MailServerVersion[]>;
  getVersion(serverId: string, version: number): Promise<MailServerVersion | undefined>;
  /** Every sealed password, current and historical, for key rotation. */
  listSealed(): Promise<{ table: 'mail_servers' | 'mail_server_versions'; key: string; sealed: string }[]>;
  replaceSealed(table: 'mail_servers' | 'mail_server_versions', key: string, sealed: string): Promise<void>;
  countReferencing(companyId: string, passwordRef: string): Promise<number>;
}

export interface SecretStore {
  get(companyId: string, name: string): Promise<CompanySecret | undefined>;
  list(companyId: string): Promise<CompanySecret[]>;
  upsert(secret: CompanySecret): Promise<void>;
  delete(companyId: string, name: string): Promise<void>;
  listSealed(): Promise<{ id: string; sealed: string }[]>;
  replaceSealed(id: string, sealed: string): Promise<void>;
}

export interface AuditQuery {
  companyIds: string[];
  targetType?: string;
  targetId?: string;
  limit: number;
  before?: string;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  list(query: AuditQuery): Promise<AuditEntry[]>;
}

export interface ConnectionTestStore {
  insert(record: ConnectionTestRecord): Promise<void>;
  /** Newest first. */
  listByServer(serverId: string, limit: number): Promise<ConnectionTestRecord[]>;
  /** Keeps the newest `keep` results of a server. */
  prune(serverId: string, keep: number): Promise<void>;
}

export interface ClaimOptions {
  kinds: string[];
  limit: number;
  owner: string;
  now: string;
  leaseUntil: string;
  /** Partitions (mail servers) this worker has no room for right now. */
  skipPartitions?: string[];
  /** At most this many jobs of one partition per claim, so one server cannot take the whole claim. */
  perPartitionLimit?: number;
  /** Lower limits for some partitions (the worker already holds jobs of them); 0 takes none. */
  partitionLimits?: Record<string, number>;
}

/**
 * The job queue. It lives in the same database as the records it serves, so `enqueue` inside a
 * Store transaction commits atomically with them ("accepted means stored"). Claims take companies
 * in turn, so one company's backlog never starves another's.
 */
export interface JobQueue {
  enqueue(jobs: NewJob[]): Promise<void>;
  /** Leases due jobs (status ready and run_at ≤ now, or a lease that expired). */
  claim(options: ClaimOptions): Promise<Job[]>;
  /** Removes a finished job; false when the lease was lost (another worker owns it now). */
  complete(id: string, owner: string): Promise<boolean>;
  /** `complete` for several jobs in one statement; how many were still this owner's. */
  completeMany(ids: string[], owner: string): Promise<number>;
  /** Back to ready at `runAt`, one attempt more. */
  reschedule(id: string, owner: string, runAt: string): Promise<boolean>;
  extendLease(id: string, owner: string, leaseUntil: string): Promise<boolean>;
  /** A leased job waits in `held` until its partition is released. */
  hold(id: string, owner: string): Promise<boolean>;
  /** Every ready job of the partition waits too (the server's circuit is open). */
  holdPartition(partitionKey: string): Promise<number>;
  /** Held jobs of the partition become ready at `runAt`. */
  releasePartition(partitionKey: string, runAt: string): Promise<number>;
  /** A held or waiting job runs now (the "retry now" action). */
  runNow(dedupeKey: string, runAt: string): Promise<boolean>;
  counts(): Promise<{ kind: string; status: JobStatus; count: number }[]>;
  /** When each job named by its dedupe key runs next (absent when it has no job). */
  runAtByDedupeKey(keys: string[]): Promise<Map<string, string>>;
}

export interface MessageQuery {
  companyId: string;
  statuses?: MessageStatus[];
  serverId?: string;
  recipient?: string;
  code?: string;
  since?: string;
  until?: string;
  before?: string;
  /** Keyset cursor: messages strictly after this one in (updatedAt desc, id desc) order. */
  after?: { updatedAt: string; id: string };
  limit: number;
}

export interface CaughtQuery {
  companyId: string;
  /** Matches subject, From or a recipient, ignoring case. */
  search?: string;
  /** Keyset cursor: messages strictly after this one in (caughtAt desc, id desc) order. */
  after?: { caughtAt: string; id: string };
  limit: number;
}

export interface MessageStore {
  insert(message: OutboundMessage, recipients: MessageRecipient[]): Promise<void>;
  /** `insert` for many messages in a few multi-row statements (a batch accept). */
  insertMany(messages: { message: OutboundMessage; recipients: MessageRecipient[] }[]): Promise<void>;
  get(id: string): Promise<OutboundMessage | undefined>;
  getByIdempotencyKey(companyId: string, key: string): Promise<OutboundMessage | undefined>;
  /** Writes what may change after accept; the identity (Message-ID, …) and the rendered `raw` stay as accepted. */
  update(message: OutboundMessage): Promise<void>;
  /** `update` for several messages in one statement (the worker's group commit). */
  updateMany(messages: OutboundMessage[]): Promise<void>;
  recipients(messageId: string): Promise<MessageRecipient[]>;
  /** The recipients of several messages in one query (every id is a key, with [] when it has none). */
  recipientsOf(messageIds: string[]): Promise<Map<string, MessageRecipient[]>>;
  /** Recipient addresses of several messages at once (for lists). */
  recipientAddresses(messageIds: string[]): Promise<Map<string, string[]>>;
  /** Several recipients, of one message or many, in as few statements as it can. */
  updateRecipients(recipients: MessageRecipient[]): Promise<void>;
  insertAttempt(attempt: DeliveryAttempt): Promise<void>;
  /** Several attempts in one statement (the worker's group commit). */
  insertAttempts(attempts: DeliveryAttempt[]): Promise<void>;
  finishAttempt(attempt: DeliveryAttempt): Promise<void>;
  attempts(messageId: string): Promise<DeliveryAttempt[]>;
  /** Attempts started and never finished (their worker died): marks them interrupted, returns how many. */
  interruptUnfinishedAttempts(messageId: string, atIso: string): Promise<number>;
  list(query: MessageQuery): Promise<OutboundMessage[]>;
  getMany(ids: string[]): Promise<OutboundMessage[]>;
  /** Marks claimed messages as being sent, in one statement (one commit for a whole claim). */
  markSending(ids: string[], atIso: string): Promise<void>;
  /** `getMany` (the messages as they were) and `markSending`, in one round trip where the database allows. */
  getManyAndMarkSending(ids: string[], atIso: string): Promise<OutboundMessage[]>;
  /** Moves every message of a server from one status to another (held ↔ queued). */
  setStatusForServer(serverId: string, from: MessageStatus, to: MessageStatus, atIso: string): Promise<number>;
  /** The catcher's mailbox: caught messages (released ones too), newest first, with a search. */
  listCaught(query: CaughtQuery): Promise<OutboundMessage[]>;
  /** Messages per status per hour bucket, for the servers page chart. */
  statusCounts(companyId: string, sinceIso: string): Promise<{ hour: string; status: MessageStatus; count: number }[]>;
}

export interface ServerDeliveryStateStore {
  get(serverId: string): Promise<ServerDeliveryState | undefined>;
  put(state: ServerDeliveryState): Promise<void>;
  listHeld(companyId: string): Promise<ServerDeliveryState[]>;
}

/** One webhook endpoint per company; its signing secret sealed like a password. */
export interface WebhookEndpointStore {
  get(companyId: string): Promise<WebhookEndpoint | undefined>;
  /** Inserts or replaces the company's endpoint. */
  put(endpoint: WebhookEndpoint): Promise<void>;
  /** Every sealed signing secret, for key rotation. */
  listSealed(): Promise<{ companyId: string; sealed: string }[]>;
  replaceSealed(companyId: string, sealed: string): Promise<void>;
}

export interface WebhookDeliveryQuery {
  companyId: string;
  statuses?: WebhookDeliveryStatus[];
  /** Only deliveries created before this time (paging, newest first). */
  before?: string;
  limit: number;
}

export interface WebhookDeliveryStore {
  insert(delivery: WebhookDelivery): Promise<void>;
  get(id: string): Promise<WebhookDelivery | undefined>;
  update(delivery: WebhookDelivery): Promise<void>;
  /** Newest first. */
  list(query: WebhookDeliveryQuery): Promise<WebhookDelivery[]>;
  insertAttempt(attempt: WebhookAttempt): Promise<void>;
  /** The attempts of these deliveries, oldest first. */
  attempts(deliveryIds: string[]): Promise<WebhookAttempt[]>;
}

export interface SenderAddressStore {
  get(id: string): Promise<SenderAddress | undefined>;
  getByAddress(companyId: string, address: string): Promise<SenderAddress | undefined>;
  getByTokenHash(tokenHash: string): Promise<SenderAddress | undefined>;
  listByCompany(companyId: string): Promise<SenderAddress[]>;
  insert(sender: SenderAddress): Promise<void>;
  update(sender: SenderAddress): Promise<void>;
  delete(id: string): Promise<void>;
}

export interface SendingDomainStore {
  get(id: string): Promise<SendingDomain | undefined>;
  getByDomain(companyId: string, domain: string): Promise<SendingDomain | undefined>;
  listByCompany(companyId: string): Promise<SendingDomain[]>;
  /** Every domain, for the periodic check. */
  listAll(): Promise<SendingDomain[]>;
  insert(domain: SendingDomain): Promise<void>;
  update(domain: SendingDomain): Promise<void>;
  delete(id: string): Promise<void>;
  /** Every sealed DKIM key, for key rotation of the instance's sealing key. */
  listSealed(): Promise<{ id: string; column: 'current' | 'next'; sealed: string }[]>;
  replaceSealed(id: string, column: 'current' | 'next', sealed: string): Promise<void>;
}

/** Everything the core needs from storage; `transaction` gives the same shape bound to one transaction. */
export interface Store {
  companies: CompanyStore;
  users: UserStore;
  sessions: SessionStore;
  apiKeys: ApiKeyStore;
  mailServers: MailServerStore;
  secrets: SecretStore;
  audit: AuditLog;
  connectionTests: ConnectionTestStore;
  messages: MessageStore;
  queue: JobQueue;
  serverDelivery: ServerDeliveryStateStore;
  webhookEndpoints: WebhookEndpointStore;
  webhookDeliveries: WebhookDeliveryStore;
  senderAddresses: SenderAddressStore;
  sendingDomains: SendingDomainStore;
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * Optional. Returns a runner: reads made by the work it runs (and by everything that work
   * starts) share their results. The delivery worker runs each claim's messages in one such scope,
   * so a claim of 16 messages to one mail server reads the server (with its shares), its company,
   * its delivery state and the company's webhook endpoint once, not 16 times, and the recipients
   * of `messageIds` in one query. A write to those rows through this store (in this process) is
   * seen at once: it drops what the scopes hold. A change made by another process is seen by the
   * next claim's scope, or within seconds — the worker read these rows as it claimed before, too.
   */
  sharedReads?(messageIds: string[]): <T>(work: () => Promise<T>) => Promise<T>;
}

/** Authenticated encryption of secrets at rest. */
export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

export interface SecretScope {
  companyId: string;
  companySlug: string;
}

/**
 * Resolves one kind of secret reference ("vault:smtp/app#password"). `path` is the part after the
 * scheme. A provider must only ever read inside `scope` — a reference can never reach another
 * company's secret.
 */
export interface SecretProvider {
  readonly scheme: string;
  resolve(path: string, scope: SecretScope): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: object): Logger;
}
