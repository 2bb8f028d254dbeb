// What each role may open in the UI. Members have only their personal settings (issue 2: "member
// (only their own personal settings)"); every other page is for administrators. The API enforces
// the same rules — this only keeps members away from pages that would answer 403.
import type { Role } from '../api/types.ts';

export const ACCOUNT_PATH = '/account';

/** Where a person starts: admins on the mail servers (as before), members on My account. */
export function homePath(isAdmin: boolean): string {
  return isAdmin ? '/mail-servers' : ACCOUNT_PATH;
}

export function isAdminRole(role: Role): boolean {
  return role === 'system_admin' || role === 'company_admin';
}
