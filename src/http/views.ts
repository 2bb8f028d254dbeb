// Domain records → API answers. The only place that decides what leaves: no sealed value, no
// password, ever — `hasPassword` and `passwordSource` say what the admin needs to know.
import type { ApiKey, Company, MailServer, MailServerVersion, User } from '../core/model.ts';
import type { ServerWarning } from '../core/servers/mail-server-service.ts';

export const companyView = (c: Company) => ({ id: c.id, slug: c.slug, name: c.name, parentId: c.parentId, defaultMailServerId: c.defaultMailServerId, fallbackMailServerId: c.fallbackMailServerId });

export const userView = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, companyId: u.companyId });

export function mailServerView(s: MailServer, company: Company, warnings?: ServerWarning[]) {
  return {
    id: s.id, companyId: s.companyId, name: s.name, preset: s.preset, host: s.host, port: s.port, security: s.security,
    authEnabled: s.authEnabled, authMechanism: s.authMechanism, username: s.username,
    hasPassword: Boolean(s.passwordSealed || s.passwordRef),
    passwordSource: s.passwordSealed ? ('typed' as const) : s.passwordRef ? ('reference' as const) : null,
    passwordRef: s.passwordRef,
    fromAddress: s.fromAddress, fromName: s.fromName, replyTo: s.replyTo, errorTo: s.errorTo, cc: s.cc, bcc: s.bcc,
    customHeaders: s.customHeaders, hasRelay: s.hasRelay, allowInvalidCert: s.allowInvalidCert, status: s.status,
    maxConnections: s.maxConnections, rateLimitCount: s.rateLimitCount, rateLimitPeriod: s.rateLimitPeriod,
    // A child company sees that a server is shared with it, not the parent's list of other children.
    sharedWith: s.companyId === company.id ? s.sharedWith : [],
    isDefault: company.defaultMailServerId === s.id, isFallback: company.fallbackMailServerId === s.id, owned: s.companyId === company.id,
    createdBy: s.createdBy, createdAt: s.createdAt, updatedAt: s.updatedAt, version: s.version,
    ...(warnings ? { warnings } : {}),
  };
}

export function versionView(v: MailServerVersion) {
  const { ...snapshot } = v.snapshot as Record<string, unknown>;
  return { version: v.version, change: v.change, changedBy: v.changedBy, changedAt: v.changedAt, snapshot, hasPassword: Boolean(v.passwordSealed || v.passwordRef) };
}

export const apiKeyView = (k: ApiKey) => ({ id: k.id, name: k.name, prefix: k.prefix, createdBy: k.createdBy, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt, revokedAt: k.revokedAt });
