// Outgoing mail servers (SMTP profiles): create, edit, delete, duplicate, default, history and
// rollback. Every change is one transaction holding the server row, its new version and the audit
// entry, so history and audit can never disagree with the current settings.
import crypto from 'node:crypto';
import { recordAudit } from '../audit/audit-recorder.ts';
import { AppError, validationError, type FieldIssue } from '../errors.ts';
import type { Company, MailServer, MailServerVersion, Principal } from '../model.ts';
import type { Clock, Sealer, Store } from '../ports.ts';
import type { EgressPolicy } from '../diagnostics/egress-policy.ts';
import type { SecretResolver } from '../secrets/secret-reference.ts';
import { actorOf, descendantIds, principalRole, requireAdmin } from '../tenancy/access-policy.ts';
import { checkMailServerSettings, checkPassword, credentialTargetChanged, type MailServerSettings } from './mail-server-rules.ts';
import { findPreset } from './provider-presets.ts';

/** What a client may send. `password` is write-only; empty means "keep the stored one". */
export type MailServerInput = Partial<MailServerSettings> & { password?: string | null; passwordRef?: string | null };

export interface ServerWarning {
  code: 'PASSWORD_CLEARED' | 'PASSWORD_MISSING' | 'DEFAULT_INACTIVE' | 'INVALID_CERT_ALLOWED';
  field: string;
  message: string;
}

export interface MailServerResult {
  server: MailServer;
  warnings: ServerWarning[];
}

const SETTINGS_KEYS = [
  'name', 'preset', 'host', 'port', 'security', 'authEnabled', 'authMechanism', 'username', 'fromAddress', 'fromName',
  'replyTo', 'errorTo', 'cc', 'bcc', 'customHeaders', 'hasRelay', 'allowInvalidCert', 'status', 'sharedWith',
  'maxConnections', 'rateLimitCount', 'rateLimitPeriod',
] as const satisfies readonly (keyof MailServerSettings)[];

function settingsOf(s: MailServer): MailServerSettings {
  const out = {} as Record<string, unknown>;
  for (const k of SETTINGS_KEYS) out[k] = s[k];
  return out as unknown as MailServerSettings;
}

function normalise(s: MailServerSettings): MailServerSettings {
  const blankToNull = (v: string | null) => (v === null || v.trim() === '' ? null : v.trim());
  return {
    ...s,
    name: s.name.trim(),
    host: s.host.trim().replace(/\.$/, ''),
    username: blankToNull(s.username),
    fromAddress: s.fromAddress.trim(),
    fromName: blankToNull(s.fromName),
    replyTo: blankToNull(s.replyTo),
    errorTo: blankToNull(s.errorTo),
    cc: s.cc.map((a) => a.trim()).filter(Boolean),
    bcc: s.bcc.map((a) => a.trim()).filter(Boolean),
    customHeaders: s.customHeaders.map((h) => ({ name: h.name.trim(), value: h.value })),
    sharedWith: [...new Set(s.sharedWith)].sort(),
  };
}

/** Which settings changed, by name — the audit log records names, never values of secrets. */
function changedKeys(before: MailServerSettings, after: MailServerSettings): string[] {
  return SETTINGS_KEYS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

export class MailServerService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly sealer: Sealer;
  private readonly secrets: SecretResolver;
  private readonly egress: EgressPolicy | null;

  private readonly afterChange: ((server: MailServer) => Promise<void>) | null;

  constructor(deps: { store: Store; clock: Clock; sealer: Sealer; secrets: SecretResolver; egressPolicy?: EgressPolicy; afterChange?: (server: MailServer) => Promise<void> }) {
    this.afterChange = deps.afterChange ?? null;
    this.store = deps.store;
    this.clock = deps.clock;
    this.sealer = deps.sealer;
    this.secrets = deps.secrets;
    this.egress = deps.egressPolicy ?? null;
  }

  /**
   * The egress rule applies at save too (SECURITY.md): an address typed as the host is checked now.
   * A host name is checked where it is resolved — at test and send — since DNS can change.
   */
  private checkEgressAtSave(host: string, issues: FieldIssue[]): void {
    if (!this.egress || issues.some((i) => i.field === 'host')) return;
    const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    if (!/^[\d.]+$|:/.test(literal)) return;
    if (!this.egress.check(literal).allowed) {
      issues.push({ field: 'host', rule: 'blocked_address', message: 'this address is not allowed as a mail server on this instance (loopback, private, link-local or metadata range)' });
    }
  }

  async list(principal: Principal, company: Company): Promise<MailServer[]> {
    requireAdmin(principal);
    return this.store.mailServers.listVisibleTo(company.id);
  }

  /** A server the company owns or that is shared with it; anything else is "not found". */
  async get(principal: Principal, company: Company, id: string): Promise<MailServer> {
    requireAdmin(principal);
    const server = await this.store.mailServers.get(id);
    if (!server || (server.companyId !== company.id && !server.sharedWith.includes(company.id))) {
      throw new AppError('NOT_FOUND', 'Mail server not found.');
    }
    return server;
  }

  private async getOwned(principal: Principal, company: Company, id: string): Promise<MailServer> {
    const server = await this.get(principal, company, id);
    if (server.companyId !== company.id) {
      throw new AppError('FORBIDDEN', 'This mail server is shared with your company by its owner; only the owner can change it.');
    }
    return server;
  }

  async create(principal: Principal, company: Company, input: MailServerInput): Promise<MailServerResult> {
    requireAdmin(principal);
    const preset = findPreset(input.preset ?? 'custom');
    const settings = normalise({
      name: input.name ?? '',
      preset: input.preset ?? 'custom',
      host: input.host ?? preset?.host ?? '',
      port: input.port ?? preset?.port ?? 587,
      security: input.security ?? preset?.security ?? 'starttls',
      authEnabled: input.authEnabled ?? preset?.authEnabled ?? true,
      authMechanism: input.authMechanism ?? preset?.authMechanism ?? 'plain',
      username: input.username ?? null,
      fromAddress: input.fromAddress ?? '',
      fromName: input.fromName ?? null,
      replyTo: input.replyTo ?? null,
      errorTo: input.errorTo ?? null,
      cc: input.cc ?? [],
      bcc: input.bcc ?? [],
      customHeaders: input.customHeaders ?? [],
      hasRelay: input.hasRelay ?? false,
      allowInvalidCert: input.allowInvalidCert ?? false,
      status: input.status ?? 'active',
      maxConnections: input.maxConnections ?? 5,
      rateLimitCount: input.rateLimitCount ?? null,
      rateLimitPeriod: input.rateLimitPeriod ?? null,
      sharedWith: input.sharedWith ?? [],
    });
    const issues = checkMailServerSettings(settings);
    this.checkEgressAtSave(settings.host, issues);
    await this.checkSharing(principal, company, settings.sharedWith, [], issues);
    const secret = await this.checkSecretInput(company, input, issues);
    if (issues.length) throw validationError(issues);

    const now = this.clock.now().toISOString();
    const actor = actorOf(principal);
    const server: MailServer = {
      ...settings,
      id: crypto.randomUUID(),
      companyId: company.id,
      passwordSealed: secret.typed ? this.sealer.seal(secret.typed) : null,
      passwordRef: secret.ref ?? null,
      createdBy: actor.label,
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await this.store.transaction(async (tx) => {
      await tx.mailServers.insert(server);
      await tx.mailServers.addVersion(this.versionOf(server, 'create', actor.label, now));
      // The first server a company adds becomes its default: that is what the admin came to set up.
      const fresh = await tx.companies.get(company.id);
      if (fresh && !fresh.defaultMailServerId && server.status === 'active') await tx.companies.setDefaultMailServer(company.id, server.id);
      await recordAudit(tx, this.clock, actor, { companyId: company.id, action: 'mail_server.created', targetType: 'mail_server', targetId: server.id, details: { name: server.name, host: server.host, port: server.port, passwordSource: secret.typed ? 'typed' : secret.ref ? 'reference' : null } });
    });
    return { server, warnings: this.warningsFor(server, false, false) };
  }

  async update(principal: Principal, company: Company, id: string, input: MailServerInput): Promise<MailServerResult> {
    const current = await this.getOwned(principal, company, id);
    const before = settingsOf(current);
    const merged = { ...before } as Record<string, unknown>;
    for (const k of SETTINGS_KEYS) if (input[k] !== undefined) merged[k] = input[k];
    const after = normalise(merged as unknown as MailServerSettings);
    const issues = checkMailServerSettings(after);
    if (after.host !== before.host) this.checkEgressAtSave(after.host, issues);
    await this.checkSharing(principal, company, after.sharedWith, before.sharedWith, issues);
    const secret = await this.checkSecretInput(company, input, issues);
    if (issues.length) throw validationError(issues);

    let passwordSealed = current.passwordSealed;
    let passwordRef = current.passwordRef;
    let cleared = false;
    if (secret.typed) {
      passwordSealed = this.sealer.seal(secret.typed);
      passwordRef = null;
    } else if (secret.ref) {
      passwordSealed = null;
      passwordRef = secret.ref;
    } else if (input.passwordRef === null && current.passwordRef && input.password === undefined) {
      passwordRef = null; // explicit removal of a reference
    } else if ((credentialTargetChanged(before, after) || !after.authEnabled) && (passwordSealed || passwordRef)) {
      passwordSealed = null;
      passwordRef = null;
      cleared = true;
    }

    const changed = changedKeys(before, after);
    const passwordChanged = passwordSealed !== current.passwordSealed || passwordRef !== current.passwordRef;
    if (changed.length === 0 && !passwordChanged) return { server: current, warnings: [] };

    const now = this.clock.now().toISOString();
    const actor = actorOf(principal);
    const server: MailServer = { ...current, ...after, passwordSealed, passwordRef, updatedAt: now, version: current.version + 1 };
    await this.store.transaction(async (tx) => {
      await tx.mailServers.update(server);
      await tx.mailServers.addVersion(this.versionOf(server, 'update', actor.label, now));
      await recordAudit(tx, this.clock, actor, { companyId: company.id, action: 'mail_server.updated', targetType: 'mail_server', targetId: id, details: { changed, passwordChanged, passwordCleared: cleared, version: server.version } });
    });
    await this.afterChange?.(server);
    const isDefault = (await this.store.companies.get(company.id))?.defaultMailServerId === id;
    return { server, warnings: this.warningsFor(server, cleared, isDefault) };
  }

  /**
   * Deletes a server. The company's default cannot simply vanish: the caller names its
   * replacement (another server id, or "none" to fall back to the built-in service).
   */
  async delete(principal: Principal, company: Company, id: string, replacementId: string | null): Promise<void> {
    const server = await this.getOwned(principal, company, id);
    const fresh = await this.store.companies.get(company.id);
    const isDefault = fresh?.defaultMailServerId === id;
    let replacement: MailServer | null = null;
    if (isDefault) {
      if (!replacementId) {
        const candidates = (await this.store.mailServers.listVisibleTo(company.id)).filter((s) => s.id !== id && s.status === 'active');
        throw new AppError('SERVER_IS_DEFAULT', 'This mail server is the company default. Choose another default (or the built-in service) before deleting it.', { details: { candidates: candidates.map((c) => ({ id: c.id, name: c.name })) } });
      }
      if (replacementId !== 'none') {
        if (replacementId === id) throw validationError([{ field: 'replacementId', rule: 'different', message: 'must name another server' }]);
        replacement = await this.get(principal, company, replacementId).catch(() => {
          throw validationError([{ field: 'replacementId', rule: 'exists', message: 'is not a mail server of this company' }]);
        });
        if (replacement.status !== 'active') throw validationError([{ field: 'replacementId', rule: 'active', message: 'must be an active server' }]);
      }
    }
    const actor = actorOf(principal);
    await this.store.transaction(async (tx) => {
      if (isDefault) await tx.companies.setDefaultMailServer(company.id, replacement?.id ?? null);
      if (fresh?.fallbackMailServerId === id) await tx.companies.setFallbackMailServer(company.id, null);
      // Child companies that used this shared server as their default fall back to built-in.
      for (const childId of server.sharedWith) {
        const child = await tx.companies.get(childId);
        if (child?.defaultMailServerId === id) await tx.companies.setDefaultMailServer(childId, null);
      }
      await tx.mailServers.delete(id);
      await recordAudit(tx, this.clock, actor, { companyId: company.id, action: 'mail_server.deleted', targetType: 'mail_server', targetId: id, details: { name: server.name, newDefault: isDefault ? (replacement?.id ?? 'built-in') : undefined } });
    });
  }

  async duplicate(principal: Principal, company: Company, id: string): Promise<MailServerResult> {
    const source = await this.getOwned(principal, company, id);
    const now = this.clock.now().toISOString();
    const actor = actorOf(principal);
    // Same company and same host, so the stored password may come along.
    const copy: MailServer = {
      ...source, id: crypto.randomUUID(), name: `Copy of ${source.name}`.slice(0, 100), status: 'inactive', sharedWith: [],
      createdBy: actor.label, createdAt: now, updatedAt: now, version: 1,
    };
    await this.store.transaction(async (tx) => {
      await tx.mailServers.insert(copy);
      await tx.mailServers.addVersion(this.versionOf(copy, 'duplicate', actor.label, now));
      await recordAudit(tx, this.clock, actor, { companyId: company.id, action: 'mail_server.duplicated', targetType: 'mail_server', targetId: copy.id, details: { from: source.id, name: copy.name } });
    });
    return { server: copy, warnings: [] };
  }

  async setDefault(principal: Principal, company: Company, id: string): Promise<MailServer> {
    const server = await this.get(principal, company, id);
    if (server.status !== 'active') throw new AppError('CONFLICT', 'Activate this mail server before making it the default.');
    await this.store.transaction(async (tx) => {
      await tx.companies.setDefaultMailServer(company.id, id);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: 'mail_server.default_set', targetType: 'mail_server', targetId: id, details: { name: server.name } });
    });
    return server;
  }

  /**
   * The company's fallback: used while its own server is held by a configuration error, so mail
   * goes out instead of waiting. `null` removes it. The fallback must be allowed to send as the
   * company's sender addresses (has relay, or the same domain).
   */
  async setFallback(principal: Principal, company: Company, id: string | null): Promise<MailServer | null> {
    const server = id ? await this.get(principal, company, id) : null;
    if (server && server.status !== 'active') throw new AppError('CONFLICT', 'Activate this mail server before making it the fallback.');
    await this.store.transaction(async (tx) => {
      await tx.companies.setFallbackMailServer(company.id, id);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: id ? 'mail_server.fallback_set' : 'mail_server.fallback_removed', targetType: 'mail_server', targetId: id ?? company.fallbackMailServerId, details: { name: server?.name } });
    });
    return server;
  }

  async versions(principal: Principal, company: Company, id: string): Promise<MailServerVersion[]> {
    await this.getOwned(principal, company, id);
    return this.store.mailServers.listVersions(id);
  }

  /**
   * Restores an earlier version as a new version. The password goes back with it: it was typed
   * for exactly that host, port and security, so restoring it cannot send it anywhere new.
   */
  async rollback(principal: Principal, company: Company, id: string, version: number): Promise<MailServerResult> {
    const current = await this.getOwned(principal, company, id);
    const target = await this.store.mailServers.getVersion(id, version);
    if (!target) throw new AppError('NOT_FOUND', `Version ${version} of this mail server not found.`);
    const restored = normalise({ ...settingsOf(current), ...pickSettings(target.snapshot) });
    const allCompanies = await this.store.companies.list();
    const existing = new Set(allCompanies.map((c) => c.id));
    restored.sharedWith = restored.sharedWith.filter((c) => existing.has(c));
    const now = this.clock.now().toISOString();
    const actor = actorOf(principal);
    const server: MailServer = { ...current, ...restored, passwordSealed: target.passwordSealed, passwordRef: target.passwordRef, updatedAt: now, version: current.version + 1 };
    await this.store.transaction(async (tx) => {
      await tx.mailServers.update(server);
      await tx.mailServers.addVersion(this.versionOf(server, 'rollback', actor.label, now));
      await recordAudit(tx, this.clock, actor, { companyId: company.id, action: 'mail_server.rolled_back', targetType: 'mail_server', targetId: id, details: { toVersion: version, version: server.version, changed: changedKeys(settingsOf(current), restored) } });
    });
    await this.afterChange?.(server);
    return { server, warnings: [] };
  }

  /** The plain password for a connection: typed (sealed) or resolved from its reference. */
  async resolvePassword(server: MailServer, owner: Company): Promise<string | null> {
    if (server.passwordSealed) return this.sealer.open(server.passwordSealed);
    if (server.passwordRef) return this.secrets.resolve(server.passwordRef, { companyId: owner.id, companySlug: owner.slug });
    return null;
  }

  /** Resolves a reference typed in a form (not yet saved), checked like one being saved. */
  async resolveReference(ref: string, company: Company): Promise<string> {
    const issues: FieldIssue[] = [];
    await this.checkSecretInput(company, { passwordRef: ref }, issues);
    if (issues.length) throw validationError(issues);
    return this.secrets.resolve(ref, { companyId: company.id, companySlug: company.slug });
  }

  private async checkSecretInput(company: Company, input: MailServerInput, issues: FieldIssue[]): Promise<{ typed?: string; ref?: string }> {
    const typed = input.password ? input.password : undefined;
    const ref = input.passwordRef ? input.passwordRef.trim() : undefined;
    if (typed && ref) {
      issues.push({ field: 'passwordRef', rule: 'exclusive', message: 'give either a password or a secret reference, not both' });
      return {};
    }
    if (typed) {
      const problem = checkPassword(typed);
      if (problem) issues.push(problem);
    }
    if (ref) {
      const problem = this.secrets.check(ref);
      if (problem) issues.push({ field: 'passwordRef', rule: 'secret_reference', message: problem });
      // Internal secrets can be checked now, and only in the company's own store: naming another
      // company's secret fails exactly like naming one that does not exist.
      else if (ref.startsWith('secret:') && !(await this.store.secrets.get(company.id, ref.slice('secret:'.length)))) {
        issues.push({ field: 'passwordRef', rule: 'secret_exists', message: `there is no secret named "${ref.slice('secret:'.length)}" in this company's secrets` });
      }
    }
    return { typed, ref };
  }

  /** "Make available for": system admins only, and only companies below the owner. */
  private async checkSharing(principal: Principal, company: Company, wanted: string[], before: string[], issues: FieldIssue[]): Promise<void> {
    if (JSON.stringify([...wanted].sort()) === JSON.stringify([...before].sort())) return;
    const role = principalRole(principal);
    if (role !== 'system_admin' && role !== 'cli') {
      issues.push({ field: 'sharedWith', rule: 'system_admin_only', message: 'only system administrators can make a server available to other companies' });
      return;
    }
    const below = descendantIds(await this.store.companies.list(), company.id);
    wanted.forEach((c, i) => {
      if (c === company.id || !below.has(c)) issues.push({ field: `sharedWith.${i}`, rule: 'child_company', message: 'must be a company below this one' });
    });
  }

  private versionOf(server: MailServer, change: MailServerVersion['change'], changedBy: string, changedAt: string): MailServerVersion {
    const { passwordSealed, passwordRef, version, ...snapshot } = server;
    return { serverId: server.id, version, snapshot, passwordSealed, passwordRef, change, changedBy, changedAt };
  }

  private warningsFor(server: MailServer, cleared: boolean, isDefault: boolean): ServerWarning[] {
    const warnings: ServerWarning[] = [];
    if (cleared) warnings.push({ code: 'PASSWORD_CLEARED', field: 'password', message: 'The saved password was removed because the host, port, security or authentication changed. Type the password again.' });
    else if (server.authEnabled && !server.passwordSealed && !server.passwordRef) warnings.push({ code: 'PASSWORD_MISSING', field: 'password', message: 'Authentication is on but no password is saved.' });
    if (isDefault && server.status === 'inactive') warnings.push({ code: 'DEFAULT_INACTIVE', field: 'status', message: 'This is the company default and it is inactive: mail will not go through it until it is active again or another default is chosen.' });
    if (server.allowInvalidCert) warnings.push({ code: 'INVALID_CERT_ALLOWED', field: 'allowInvalidCert', message: 'Certificate checks are off for this server: a network attacker could read the password and the mail.' });
    return warnings;
  }
}

function pickSettings(snapshot: MailServerVersion['snapshot']): Partial<MailServerSettings> {
  const out: Record<string, unknown> = {};
  for (const k of SETTINGS_KEYS) if (k in snapshot) out[k] = (snapshot as Record<string, unknown>)[k];
  return out as Partial<MailServerSettings>;
}
