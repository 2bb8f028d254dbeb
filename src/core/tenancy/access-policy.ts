// Who may act for which company. Pure: the HTTP edge resolves the principal, this decides.
// A company the caller may not see is reported as absent (404), never as forbidden, so ids of other
// tenants cannot be probed.
import { AppError } from '../errors.ts';
import type { Company, Principal, Role } from '../model.ts';

/** `root` and every company below it. */
export function descendantIds(companies: Company[], rootId: string): Set<string> {
  const ids = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of companies) {
      if (c.parentId && ids.has(c.parentId) && !ids.has(c.id)) {
        ids.add(c.id);
        grew = true;
      }
    }
  }
  return ids;
}

export function principalRole(principal: Principal): Role | 'api_key' | 'cli' {
  if (principal.kind === 'user') return principal.user.role;
  return principal.kind;
}

/** Companies the principal may act for. */
export function actableCompanyIds(principal: Principal, companies: Company[]): Set<string> {
  if (principal.kind === 'cli') return new Set(companies.map((c) => c.id));
  if (principal.kind === 'user' && principal.user.role === 'system_admin') return descendantIds(companies, principal.company.id);
  return new Set([principal.company.id]);
}

/**
 * The company a request acts for: the one asked for (X-Mailroom-Company) or the principal's own, if
 * the principal may act for it — its own company, or for a system admin one below it (found by
 * walking up the parents, not by listing every company: this runs on every request). The
 * principal's own company was read when the request was authenticated and is used as it is; any
 * other is read through `get`.
 */
export async function resolveActingCompany(principal: Principal, requestedId: string | null, get: (id: string) => Promise<Company | undefined>): Promise<Company> {
  if (principal.kind !== 'cli' && (requestedId === null || requestedId === principal.company.id)) return principal.company;
  const company = requestedId ? await get(requestedId) : undefined;
  if (!company || !(await mayActFor(principal, company, get))) throw new AppError('NOT_FOUND', 'Company not found.');
  return company;
}

async function mayActFor(principal: Principal, company: Company, get: (id: string) => Promise<Company | undefined>): Promise<boolean> {
  if (principal.kind === 'cli') return true;
  if (company.id === principal.company.id) return true;
  if (principal.kind !== 'user' || principal.user.role !== 'system_admin') return false;
  const seen = new Set([company.id]);
  for (let parentId = company.parentId; parentId && !seen.has(parentId); parentId = (await get(parentId))?.parentId ?? null) {
    if (parentId === principal.company.id) return true;
    seen.add(parentId);
  }
  return false;
}

/** Mail settings, secrets, API keys, users and the audit log are for admins (and API keys). */
export function requireAdmin(principal: Principal): void {
  const role = principalRole(principal);
  if (role === 'member') throw new AppError('FORBIDDEN', 'Only administrators can change mail settings.');
}

export function requireSystemAdmin(principal: Principal, what: string): void {
  const role = principalRole(principal);
  if (role !== 'system_admin' && role !== 'cli') throw new AppError('FORBIDDEN', `Only system administrators can ${what}.`);
}

export interface Actor {
  type: 'user' | 'api_key' | 'system' | 'cli';
  id: string | null;
  label: string;
}

export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'user': return { type: 'user', id: principal.user.id, label: principal.user.name ? `${principal.user.name} <${principal.user.email}>` : principal.user.email };
    case 'api_key': return { type: 'api_key', id: principal.apiKey.id, label: `API key "${principal.apiKey.name}"` };
    case 'cli': return { type: 'cli', id: null, label: principal.label };
  }
}
