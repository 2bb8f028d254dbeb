// Roles in words, the way the people page and the header show them.
import type { Role } from '../api/types.ts';

export const ROLE_LABELS: Record<Role, string> = {
  system_admin: 'System admin',
  company_admin: 'Company admin',
  member: 'Member',
};

export function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}
