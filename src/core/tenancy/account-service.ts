// Companies, people, sessions and API keys: the first run, sign-in, and host-application keys.
import crypto from 'node:crypto';
import { recordAudit } from '../audit/audit-recorder.ts';
import { AppError, validationError, type FieldIssue } from '../errors.ts';
import type { ApiKey, Company, Principal, Role, Session, User } from '../model.ts';
import { ROLES } from '../model.ts';
import type { Clock, Store } from '../ports.ts';
import { parseEmailAddress } from '../validation/email-address.ts';
import { headerUnsafeReason } from '../validation/header-safety.ts';
import { actableCompanyIds, actorOf, requireAdmin, requireSystemAdmin, resolveActingCompany } from './access-policy.ts';
import { DECOY_HASH, hashPassword, randomToken, sha256, verifyPassword } from './password-hashing.ts';

const MIN_PASSWORD_LENGTH = 10;
// Single dashes only: secret-manager paths join slug and name with "--" (Azure Key Vault), so a
// slug holding "--" could collide with another company's secret names.
const SLUG = /^(?=.{1,48}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const API_KEY_PREFIX = 'mr_';
/** How stale an API key's "last used" time may get before a request refreshes it. */
const API_KEY_TOUCH_INTERVAL_MS = 60_000;

export interface AccountServiceOptions {
  sessionTtlMs: number;
}

export interface NewUserInput {
  email: string;
  name: string;
  password: string;
  role: Role;
}

function slugify(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').slice(0, 48).replace(/^-+|-+$/g, '') || 'company';
}

function checkUserInput(input: NewUserInput, issues: FieldIssue[]): void {
  const email = parseEmailAddress(input.email);
  if (!email.ok) issues.push({ field: 'email', rule: 'email', message: email.reason });
  if (!input.name.trim()) issues.push({ field: 'name', rule: 'required', message: 'must not be empty' });
  const nameUnsafe = headerUnsafeReason(input.name);
  if (nameUnsafe) issues.push({ field: 'name', rule: 'no_line_breaks', message: nameUnsafe });
  if (input.password.length < MIN_PASSWORD_LENGTH) issues.push({ field: 'password', rule: 'min_length', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` });
  if (!(ROLES as readonly string[]).includes(input.role)) issues.push({ field: 'role', rule: 'enum', message: `must be one of ${ROLES.join(', ')}` });
}

function checkCompanyInput(name: string, slug: string, issues: FieldIssue[], fields = { name: 'name', slug: 'slug' }): void {
  if (!name.trim()) issues.push({ field: fields.name, rule: 'required', message: 'must not be empty' });
  const unsafe = headerUnsafeReason(name);
  if (unsafe) issues.push({ field: fields.name, rule: 'no_line_breaks', message: unsafe });
  if (!SLUG.test(slug)) issues.push({ field: fields.slug, rule: 'slug', message: 'must be 1–48 lower-case letters and digits, with single dashes between them' });
}

export class AccountService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly options: AccountServiceOptions;

  constructor(store: Store, clock: Clock, options: AccountServiceOptions) {
    this.store = store;
    this.clock = clock;
    this.options = options;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  async needsSetup(): Promise<boolean> {
    return (await this.store.users.count()) === 0;
  }

  /**
   * First run: the root company and its system administrator. Allowed only while no user exists;
   * the check and the insert share a transaction so two racing first-run forms cannot both win.
   */
  async setup(input: { companyName: string; companySlug?: string; name: string; email: string; password: string }): Promise<{ user: User; company: Company }> {
    const slug = input.companySlug?.trim() || slugify(input.companyName);
    const issues: FieldIssue[] = [];
    checkCompanyInput(input.companyName, slug, issues, { name: 'companyName', slug: 'companySlug' });
    checkUserInput({ ...input, role: 'system_admin' }, issues);
    if (issues.length) throw validationError(issues);
    const passwordHash = await hashPassword(input.password);
    return this.store.transaction(async (tx) => {
      if ((await tx.users.count()) > 0) throw new AppError('SETUP_ALREADY_DONE');
      const company: Company = { id: crypto.randomUUID(), slug, name: input.companyName.trim(), parentId: null, defaultMailServerId: null, fallbackMailServerId: null, mailService: 'builtin', builtinDelivery: null, fallbackToBuiltin: false, createdAt: this.now() };
      const existing = await tx.companies.getBySlug(slug);
      const root = existing ?? company;
      if (!existing) await tx.companies.insert(company);
      const user: User = { id: crypto.randomUUID(), companyId: root.id, email: input.email.trim().toLowerCase(), name: input.name.trim(), role: 'system_admin', passwordHash, disabled: false, createdAt: this.now() };
      await tx.users.insert(user);
      await recordAudit(tx, this.clock, { type: 'user', id: user.id, label: user.email }, { companyId: root.id, action: 'setup.completed', targetType: 'user', targetId: user.id, details: { email: user.email } });
      return { user, company: root };
    });
  }

  async signIn(email: string, password: string): Promise<{ token: string; session: Session; user: User; company: Company }> {
    const user = await this.store.users.getByEmail(email.trim());
    // Verify against a decoy when the user is unknown, so the answer time does not reveal accounts.
    const ok = await verifyPassword(password, user?.passwordHash ?? DECOY_HASH);
    if (!user || !ok || user.disabled) throw new AppError('INVALID_CREDENTIALS');
    const company = await this.store.companies.get(user.companyId);
    if (!company) throw new AppError('INVALID_CREDENTIALS');
    const token = randomToken();
    const now = this.clock.now();
    const session: Session = { id: sha256(token), userId: user.id, csrfToken: randomToken(), createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + this.options.sessionTtlMs).toISOString() };
    await this.store.sessions.insert(session);
    return { token, session, user, company };
  }

  async sessionFromToken(token: string): Promise<{ session: Session; user: User; company: Company } | null> {
    const session = await this.store.sessions.get(sha256(token));
    if (!session || session.expiresAt <= this.now()) return null;
    const user = await this.store.users.get(session.userId);
    if (!user || user.disabled) return null;
    const company = await this.store.companies.get(user.companyId);
    return company ? { session, user, company } : null;
  }

  async signOut(token: string): Promise<void> {
    await this.store.sessions.delete(sha256(token));
  }

  async companyForKey(key: string): Promise<{ apiKey: ApiKey; company: Company } | null> {
    if (!key.startsWith(API_KEY_PREFIX)) return null;
    const found = await this.store.apiKeys.getByHashWithCompany(sha256(key));
    if (!found || found.apiKey.revokedAt) return null;
    const { apiKey, company } = found;
    // "Last used" is shown to the minute; writing it on every request would cost a durable commit
    // (an fsync with SQLite) per API call, so it is refreshed at most once a minute.
    const now = this.clock.now();
    if (!apiKey.lastUsedAt || now.getTime() - Date.parse(apiKey.lastUsedAt) >= API_KEY_TOUCH_INTERVAL_MS) {
      await this.store.apiKeys.touch(apiKey.id, now.toISOString());
    }
    return { apiKey, company };
  }

  async actingCompany(principal: Principal, requestedId: string | null): Promise<Company> {
    return resolveActingCompany(principal, requestedId, (id) => this.store.companies.get(id));
  }

  /** The company as stored now (after a change in this request, e.g. a first server became its default). */
  async reloadCompany(company: Company): Promise<Company> {
    return (await this.store.companies.get(company.id)) ?? company;
  }

  async listCompanies(principal: Principal): Promise<Company[]> {
    const all = await this.store.companies.list();
    const ids = actableCompanyIds(principal, all);
    return all.filter((c) => ids.has(c.id));
  }

  async createCompany(principal: Principal, input: { name: string; slug?: string; parentId?: string | null }, acting: Company): Promise<Company> {
    requireSystemAdmin(principal, 'create companies');
    const slug = input.slug?.trim() || slugify(input.name);
    const issues: FieldIssue[] = [];
    checkCompanyInput(input.name, slug, issues);
    if (issues.length) throw validationError(issues);
    const parent = await this.actingCompany(principal, input.parentId ?? acting.id);
    return this.store.transaction(async (tx) => {
      if (await tx.companies.getBySlug(slug)) throw validationError([{ field: 'slug', rule: 'unique', message: 'is already used by another company' }]);
      const company: Company = { id: crypto.randomUUID(), slug, name: input.name.trim(), parentId: parent.id, defaultMailServerId: null, fallbackMailServerId: null, mailService: 'builtin', builtinDelivery: null, fallbackToBuiltin: false, createdAt: this.now() };
      await tx.companies.insert(company);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: parent.id, action: 'company.created', targetType: 'company', targetId: company.id, details: { name: company.name, slug } });
      return company;
    });
  }

  async listUsers(principal: Principal, company: Company): Promise<User[]> {
    requireAdmin(principal);
    return this.store.users.listByCompany(company.id);
  }

  async createUser(principal: Principal, company: Company, input: NewUserInput): Promise<User> {
    requireAdmin(principal);
    if (input.role === 'system_admin') requireSystemAdmin(principal, 'create system administrators');
    const issues: FieldIssue[] = [];
    checkUserInput(input, issues);
    if (issues.length) throw validationError(issues);
    const passwordHash = await hashPassword(input.password);
    return this.store.transaction(async (tx) => {
      if (await tx.users.getByEmail(input.email)) throw validationError([{ field: 'email', rule: 'unique', message: 'already has an account' }]);
      const user: User = { id: crypto.randomUUID(), companyId: company.id, email: input.email.trim().toLowerCase(), name: input.name.trim(), role: input.role, passwordHash, disabled: false, createdAt: this.now() };
      await tx.users.insert(user);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: 'user.created', targetType: 'user', targetId: user.id, details: { email: user.email, role: user.role } });
      return user;
    });
  }

  /**
   * Personal settings: every signed-in user, members included, may change their own name and
   * password. Changing the password needs the current one and signs out every other session.
   */
  async updateSelf(principal: Principal, input: { name?: string; currentPassword?: string; newPassword?: string }, currentSessionId: string | null): Promise<User> {
    if (principal.kind !== 'user') throw new AppError('FORBIDDEN', 'Only people have personal settings; API keys do not.');
    const user = (await this.store.users.get(principal.user.id))!;
    const issues: FieldIssue[] = [];
    const next = { ...user };
    if (input.name !== undefined) {
      if (!input.name.trim()) issues.push({ field: 'name', rule: 'required', message: 'must not be empty' });
      const unsafe = headerUnsafeReason(input.name);
      if (unsafe) issues.push({ field: 'name', rule: 'no_line_breaks', message: unsafe });
      next.name = input.name.trim();
    }
    if (input.newPassword !== undefined) {
      if (input.newPassword.length < MIN_PASSWORD_LENGTH) issues.push({ field: 'newPassword', rule: 'min_length', message: `must be at least ${MIN_PASSWORD_LENGTH} characters` });
      if (!input.currentPassword || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
        issues.push({ field: 'currentPassword', rule: 'matches', message: 'is not your current password' });
      }
    }
    if (issues.length) throw validationError(issues);
    if (input.newPassword) next.passwordHash = await hashPassword(input.newPassword);
    await this.store.transaction(async (tx) => {
      await tx.users.update(next);
      if (input.newPassword) await tx.sessions.deleteForUser(user.id, currentSessionId ?? undefined);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: user.companyId, action: 'user.updated_self', targetType: 'user', targetId: user.id, details: { nameChanged: input.name !== undefined, passwordChanged: Boolean(input.newPassword) } });
    });
    return next;
  }

  async listApiKeys(principal: Principal, company: Company): Promise<ApiKey[]> {
    requireAdmin(principal);
    return this.store.apiKeys.listByCompany(company.id);
  }

  /** Returns the key in clear this one time; only its hash is stored. */
  async createApiKey(principal: Principal, company: Company, name: string): Promise<{ apiKey: ApiKey; key: string }> {
    requireAdmin(principal);
    if (!name.trim()) throw validationError([{ field: 'name', rule: 'required', message: 'must not be empty' }]);
    const unsafe = headerUnsafeReason(name);
    if (unsafe) throw validationError([{ field: 'name', rule: 'no_line_breaks', message: unsafe }]);
    const key = randomToken(API_KEY_PREFIX);
    const actor = actorOf(principal);
    const apiKey: ApiKey = { id: crypto.randomUUID(), companyId: company.id, name: name.trim(), prefix: key.slice(0, 8), keyHash: sha256(key), createdBy: actor.label, createdAt: this.now(), lastUsedAt: null, revokedAt: null };
    await this.store.transaction(async (tx) => {
      await tx.apiKeys.insert(apiKey);
      await recordAudit(tx, this.clock, actor, { companyId: company.id, action: 'api_key.created', targetType: 'api_key', targetId: apiKey.id, details: { name: apiKey.name, prefix: apiKey.prefix } });
    });
    return { apiKey, key };
  }

  async revokeApiKey(principal: Principal, company: Company, id: string): Promise<void> {
    requireAdmin(principal);
    const apiKey = await this.store.apiKeys.get(id);
    if (!apiKey || apiKey.companyId !== company.id) throw new AppError('NOT_FOUND', 'API key not found.');
    await this.store.transaction(async (tx) => {
      await tx.apiKeys.revoke(id, this.now());
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: 'api_key.revoked', targetType: 'api_key', targetId: id, details: { name: apiKey.name } });
    });
  }
}
