// Ports owned by the core. Implementations live in src/adapters and are wired in src/app.ts.
import type {
  ApiKey, AuditEntry, Company, CompanySecret, ConnectionTestRecord, MailServer, MailServerVersion, Session, User,
} from './model.ts';
import type {
  DeliveryAttempt, Job, JobStatus, MessageRecipient, MessageStatus, NewJob, OutboundMessage, ServerDeliveryState,
} from './outbound/outbound-model.ts';
import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from './webhooks/webhook-model.ts';

export interface CompanyStore {
  get(id: string): Promise<Company | undefined>;
  getBySlug(slug: string): Promise<Company | undefined>;
  list(): Promise<Company[]>;
  insert(company: Company): Promise<void>;
  setDefaultMailServer(companyId: string, serverId: string | null): Promise<void>;
  setFallbackMailServer(companyId: string, serverId: string | null): Promise<void>;
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
  getByHash(keyHash: string): Promise<ApiKey | undefined>;
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

export interface MessageStore {
  insert(message: OutboundMessage, recipients: MessageRecipient[]): Promise<void>;
  get(id: string): Promise<OutboundMessage | undefined>;
  getByIdempotencyKey(companyId: string, key: string): Promise<OutboundMessage | undefined>;
  update(message: OutboundMessage): Promise<void>;
  recipients(messageId: string): Promise<MessageRecipient[]>;
  /** Recipient addresses of several messages at once (for lists). */
  recipientAddresses(messageIds: string[]): Promise<Map<string, string[]>>;
  updateRecipients(recipients: MessageRecipient[]): Promise<void>;
  insertAttempt(attempt: DeliveryAttempt): Promise<void>;
  finishAttempt(attempt: DeliveryAttempt): Promise<void>;
  attempts(messageId: string): Promise<DeliveryAttempt[]>;
  /** Attempts started and never finished (their worker died): marks them interrupted, returns how many. */
  interruptUnfinishedAttempts(messageId: string, atIso: string): Promise<number>;
  list(query: MessageQuery): Promise<OutboundMessage[]>;
  getMany(ids: string[]): Promise<OutboundMessage[]>;
  /** Marks claimed messages as being sent, in one statement (one commit for a whole claim). */
  markSending(ids: string[], atIso: string): Promise<void>;
  /** Moves every message of a server from one status to another (held ↔ queued). */
  setStatusForServer(serverId: string, from: MessageStatus, to: MessageStatus, atIso: string): Promise<number>;
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
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T>;
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
