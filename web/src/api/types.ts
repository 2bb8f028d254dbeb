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
  /** "Make available for": child company ids. System admins only. */
  sharedWith?: string[];
}

/** A warning on a write: `{ code, field, message }` (a bare string is tolerated too). */
export type ApiWarning = string | { code: string; message?: string; field?: string };
// Codes seen so far: PASSWORD_CLEARED, PASSWORD_MISSING, DEFAULT_INACTIVE, INVALID_CERT_ALLOWED.

export interface MailServer extends Omit<MailServerInput, 'password' | 'sharedWith'> {
  id: string;
  companyId: string;
  sharedWith: string[];
  hasPassword: boolean;
  passwordSource: 'typed' | 'reference' | null;
  isDefault: boolean;
  owned: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
  warnings?: ApiWarning[];
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

export interface Items<T> {
  items: T[];
}
