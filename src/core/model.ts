// Domain records as the core sees them. Timestamps are ISO-8601 UTC strings (they sort as text on
// both SQLite and PostgreSQL); ids are UUIDs.

export const ROLES = ['system_admin', 'company_admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export interface Company {
  id: string;
  slug: string;
  name: string;
  parentId: string | null;
  defaultMailServerId: string | null;
  /** Used while the company's own server is held by a configuration error. */
  fallbackMailServerId: string | null;
  /** "builtin": the built-in service (catcher, or direct delivery); "custom": the default mail server. */
  mailService: MailService;
  /** What the built-in service does for this company; null follows the instance's setting. */
  builtinDelivery: BuiltinDelivery | null;
  /** While its own server is held, deliver through the built-in service's direct delivery. */
  fallbackToBuiltin: boolean;
  createdAt: string;
}

export const MAIL_SERVICES = ['builtin', 'custom'] as const;
export type MailService = (typeof MAIL_SERVICES)[number];

/** "catch": keep every message in the built-in mailbox; "direct": deliver to the recipients' MX hosts. */
export const BUILTIN_DELIVERIES = ['catch', 'direct'] as const;
export type BuiltinDelivery = (typeof BUILTIN_DELIVERIES)[number];

export interface User {
  id: string;
  companyId: string;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
  createdAt: string;
}

export interface Session {
  id: string; // sha-256 of the cookie token; the token itself is never stored
  userId: string;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export interface ApiKey {
  id: string;
  companyId: string;
  name: string;
  prefix: string; // first characters, shown so people can tell keys apart
  keyHash: string;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const SECURITY_MODES = ['none', 'starttls', 'tls'] as const;
export type SecurityMode = (typeof SECURITY_MODES)[number];

export const AUTH_MECHANISMS = ['plain', 'login', 'cram-md5', 'xoauth2'] as const;
export type AuthMechanism = (typeof AUTH_MECHANISMS)[number];

export type ServerStatus = 'active' | 'inactive';

export const RATE_PERIODS = ['second', 'minute', 'hour', 'day'] as const;
export type RatePeriod = (typeof RATE_PERIODS)[number];

export interface CustomHeader {
  name: string;
  value: string;
}

/** An outgoing mail server (SMTP profile). The secret columns are sealed or references, never plain. */
export interface MailServer {
  id: string;
  companyId: string;
  name: string;
  preset: string;
  host: string;
  port: number;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism: AuthMechanism;
  username: string | null;
  passwordSealed: string | null;
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
  /** Connections kept open to the server at most (per worker process). */
  maxConnections: number;
  /** At most this many messages per `rateLimitPeriod`, or no limit when null. */
  rateLimitCount: number | null;
  rateLimitPeriod: RatePeriod | null;
  sharedWith: string[]; // child company ids ("make available for")
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface MailServerVersion {
  serverId: string;
  version: number;
  snapshot: Omit<MailServer, 'passwordSealed' | 'passwordRef' | 'version'>;
  passwordSealed: string | null;
  passwordRef: string | null;
  change: 'create' | 'update' | 'rollback' | 'status' | 'duplicate';
  changedBy: string;
  changedAt: string;
}

export interface CompanySecret {
  id: string;
  companyId: string;
  name: string;
  description: string | null;
  valueSealed: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface AuditEntry {
  id: string;
  companyId: string | null;
  actorType: 'user' | 'api_key' | 'system' | 'cli';
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

/** Who is acting. Resolved by the HTTP edge (session or API key) or the CLI. */
export type Principal =
  | { kind: 'user'; user: User; company: Company }
  | { kind: 'api_key'; apiKey: ApiKey; company: Company }
  | { kind: 'cli'; label: string };

/** A kept "Test connection" result. `result` is the probe's answer, already free of secrets. */
export interface ConnectionTestRecord {
  id: string;
  serverId: string;
  companyId: string;
  ok: boolean;
  code: string;
  stage: string | null;
  sentTestEmail: boolean;
  testAddress: string | null;
  result: Record<string, unknown>;
  testedBy: string;
  createdAt: string;
}
