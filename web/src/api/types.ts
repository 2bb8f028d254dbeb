// Shapes of the public HTTP API (docs/api.md). The UI is a pure client: nothing here is private.

export type Role = 'system_admin' | 'company_admin' | 'member';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  companyId: string;
}

export interface Company {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  defaultMailServerId: string | null;
  /** The server that carries the company's mail while its own server is held by a configuration error. */
  fallbackMailServerId: string | null;
}

export interface SessionInfo {
  user: User;
  company: Company;
  csrfToken: string;
  /** Companies the user may act for (their own first, for system admins also descendants). */
  companies: Company[];
}

export interface SetupAnswer {
  user: User;
  company: Company;
  csrfToken: string;
}

export type SecurityMode = 'none' | 'starttls' | 'tls';
export type AuthMechanism = 'plain' | 'login' | 'cram-md5' | 'xoauth2';
export type ServerStatus = 'active' | 'inactive';
export type RatePeriod = 'second' | 'minute' | 'hour' | 'day';

export interface CustomHeader {
  name: string;
  value: string;
}

export interface MailServerPreset {
  id: string;
  label: string;
  host: string;
  port: number;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism: AuthMechanism;
  note?: string | null;
}

export interface MailServerInput {
  name: string;
  preset: string;
  host: string;
  port: number;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism: AuthMechanism;
  username: string | null;
  /** Write-only. Omitted, null or "" on update keeps the stored one. */
  password?: string | null;
  passwordRef: string | null;
  fromAddress: string;
  fromName: string | null;
  replyTo: string | null;
  errorTo: string | null;
  cc: string[];
  bcc: string[];
  customHeaders: CustomHeader[];
  hasRelay: boolean;
  allowInvalidCert: boolean;
  status: ServerStatus;
  /** Connections one worker keeps open to the server at most: 1–50, 5 when left out on create. */
  maxConnections?: number;
  /** At most `rateLimitCount` messages per `rateLimitPeriod`; both set or both null (no limit). */
  rateLimitCount?: number | null;
  rateLimitPeriod?: RatePeriod | null;
  /** "Make available for": child company ids. System admins only. */
  sharedWith?: string[];
}

/** A warning on a write: `{ code, field, message }` (a bare string is tolerated too). */
export type ApiWarning = string | { code: string; message?: string; field?: string };
// Codes seen so far: PASSWORD_CLEARED, PASSWORD_MISSING, DEFAULT_INACTIVE, INVALID_CERT_ALLOWED.

export interface MailServer extends Omit<MailServerInput, 'password' | 'sharedWith' | 'maxConnections' | 'rateLimitCount' | 'rateLimitPeriod'> {
  id: string;
  companyId: string;
  sharedWith: string[];
  maxConnections: number;
  rateLimitCount: number | null;
  rateLimitPeriod: RatePeriod | null;
  hasPassword: boolean;
  passwordSource: 'typed' | 'reference' | null;
  isDefault: boolean;
  /** The company's fallback: it carries the mail while the company's own server is held. */
  isFallback: boolean;
  owned: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  warnings?: ApiWarning[];
  /** The last kept connection test (GET /mail-servers and GET /mail-servers/:id). */
  lastTest?: LastTest | null;
  /** With ?sendTestEmailTo= on create/update: the test run right after saving… */
  testResult?: ConnectionTest;
  /** …or why it did not run (the save itself succeeded). */
  testError?: { code: string; message: string; fields?: { field: string; rule: string; message: string }[] };
  /** Whether mail is flowing through this server, or paused ("held") after a configuration error. */
  delivery?: ServerDelivery;
}

/** `held` after a configuration error (wrong password, certificate, blocked host): its mail waits. */
export interface ServerDelivery {
  state: 'healthy' | 'held';
  code: string | null;
  message: string | null;
  since: string | null;
}

// ---- Connection tests (docs/api.md "Connection tests", docs/diagnostics.md) -------------------------

/** The probe's stages, in the order a connection passes them (TLS right after connect for SSL/TLS). */
export type ProbeStageName = 'dns' | 'connect' | 'greeting' | 'ehlo' | 'tls' | 'auth' | 'mail' | 'rcpt' | 'data';

export interface SmtpReply {
  code: number;
  /** Enhanced status code ("5.7.8"), when the server sent one. */
  enhanced: string | null;
  text: string;
}

export interface ProbeStage {
  name: ProbeStageName;
  ok: boolean;
  ms: number;
}

export interface OfferedCapabilities {
  /** EHLO keywords with their parameters, as the server sent them ("SIZE 10240000"). */
  extensions: string[];
  /** Upper-case SASL mechanism names ("PLAIN", "LOGIN"). */
  authMechanisms: string[];
  startTls: boolean;
  maxSize: number | null;
  tls?: { version: string; cipher: string; certSubject: string; certIssuer: string; certValidTo: string };
}

/** A change the probe found to work on the same host, applied to the form with one click. */
export interface ProbeSuggestion {
  security: SecurityMode;
  port: number;
  authMechanism?: AuthMechanism;
  /** e.g. "SSL/TLS on port 465 works." */
  text: string;
}

export interface ProbeResult {
  ok: boolean;
  /** Stable result code (OK, AUTH_FAILED, TLS_REQUIRED_ON_PORT, …). */
  code: string;
  /** The stage that failed, or null when ok. */
  stage: ProbeStageName | null;
  /** One line in plain words. */
  message: string;
  /** The fix, in plain words; null when ok. */
  hint: string | null;
  /** The server reply that decided the result, when one did. */
  reply: SmtpReply | null;
  stages: ProbeStage[];
  /** The SMTP dialogue; credentials already replaced by a placeholder. */
  transcript: string[];
  offered: OfferedCapabilities;
  suggestion: ProbeSuggestion | null;
  startedAt: string;
  durationMs: number;
}

/** A kept result of testing a saved server. */
export interface ConnectionTest {
  id: string;
  ok: boolean;
  code: string;
  stage: ProbeStageName | null;
  sentTestEmail: boolean;
  testAddress: string | null;
  /** "Ada Admin <ada@example.com>" or the API key's label. */
  testedBy: string;
  createdAt: string;
  result: ProbeResult;
}

export interface LastTest {
  ok: boolean;
  code: string;
  message: string;
  createdAt: string;
}

export interface TestOptions {
  sendTestEmail: boolean;
  /** Recipient of the test email: the caller's own address (default) or a person of the company. */
  to?: string | null;
}

/** Settings sent to POST /mail-server-warnings. */
export interface WarningSettings {
  host: string;
  port: number;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism?: AuthMechanism | null;
  preset?: string | null;
}

/** A combination that cannot work or is unsafe, found before any connection; never blocks saving. */
export interface SettingsWarning {
  code: string;
  field: 'host' | 'port' | 'security' | 'authMechanism';
  message: string;
}

export interface MailServerVersion {
  version: number;
  change: string;
  changedBy: string;
  changedAt: string;
  snapshot: Partial<MailServer> & Record<string, unknown>;
  /** Whether that version held a password (the password itself never leaves the server). */
  hasPassword?: boolean;
}

export interface SecretItem {
  name: string;
  description: string | null;
  createdAt: string;
  updatedAt: string;
  /** docs/api.md does not fix the shape: a count, names, or {id,name} objects are all rendered. */
  usedBy?: number | Array<string | { id?: string; name?: string }> | null;
}

export interface ApiKeyItem {
  id: string;
  name: string;
  prefix: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKeyItem;
  key: string;
}

export interface AuditItem {
  id: string;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
}

// ---- Messages and the failure history (docs/api.md "Messages (sending) and the failure history") ----

/** `caught`: kept by the built-in service's catcher (the Caught mail page); nothing left the machine. */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'retrying' | 'held' | 'failed' | 'caught';

/** How a message leaves, fixed when it is accepted: a mail server, the catcher, or built-in direct delivery. */
export type MessageRoute = 'server' | 'catch' | 'direct';

export interface MessageSummary {
  id: string;
  /** The Message-ID header, the same on every attempt. */
  messageId: string;
  /** The mail server for route "server"; null for the built-in service. */
  serverId: string | null;
  route: MessageRoute;
  /** When the catcher kept it (it stays listed there after a release). */
  caughtAt: string | null;
  /** When an admin released it from the catcher to a mail server. */
  releasedAt: string | null;
  from: string;
  subject: string;
  status: MessageStatus;
  attemptCount: number;
  /** The connection test's codes (AUTH_FAILED, RECIPIENT_REJECTED, …) plus GAVE_UP, SERVER_INACTIVE, SERVER_DELETED. */
  lastCode: string | null;
  /** The last problem in plain words. */
  lastMessage: string | null;
  /** A connection was lost after the message was handed over: the recipient may get it twice. */
  possiblyDelivered: boolean;
  sizeBytes: number;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  giveUpAt: string;
}

/** An item of GET /messages: the summary with its recipients' addresses and the next try's time. */
export interface MessageListItem extends MessageSummary {
  recipients: string[];
  /** When Mailroom tries a retrying message again; null when nothing is scheduled. */
  nextAttemptAt: string | null;
}

/** A page of GET /messages; pass `nextCursor` back as `cursor` for the next one (null: no more). */
export interface MessagePage {
  items: MessageListItem[];
  nextCursor: string | null;
}

export interface MessageRecipient {
  address: string;
  kind: 'to' | 'cc' | 'bcc';
  status: 'pending' | 'sent' | 'failed';
  replyCode: number | null;
  enhanced: string | null;
  replyText: string | null;
  updatedAt: string;
}

export type AttemptOutcome = 'sent' | 'partial' | 'temporary' | 'throttled' | 'permanent' | 'config' | 'interrupted';

export interface DeliveryAttempt {
  id: string;
  serverId: string | null;
  startedAt: string;
  finishedAt: string | null;
  outcome: AttemptOutcome | null;
  code: string | null;
  message: string | null;
  /** The fix, in plain words, when one is known. */
  hint: string | null;
  replyCode: number | null;
  enhanced: string | null;
  replyText: string | null;
  /** The TLS protocol used ("TLSv1.3"), or null for a plain connection. */
  tls: string | null;
  recipients: string[];
}

export interface MessageDetail extends MessageSummary {
  recipients: MessageRecipient[];
  attempts: DeliveryAttempt[];
}

/** GET /delivery-stats: messages per hour ("2026-11-23T17", UTC) and current status. */
export interface DeliveryStats {
  since: string;
  buckets: { hour: string; status: MessageStatus; count: number }[];
}

export interface Items<T> {
  items: T[];
}
