// Field rules for an outgoing mail server. Structural checks (types, enums) happen at the edge;
// these are the semantic ones, each reported with the field and a stable rule name.
import type { FieldIssue } from '../errors.ts';
import { AUTH_MECHANISMS, RATE_PERIODS, SECURITY_MODES, type AuthMechanism, type CustomHeader, type RatePeriod, type SecurityMode, type ServerStatus } from '../model.ts';
import { parseEmailAddress } from '../validation/email-address.ts';
import { headerNameProblem, headerUnsafeReason } from '../validation/header-safety.ts';
import { hostNameProblem } from '../validation/host-name.ts';
import { findPreset } from './provider-presets.ts';

/** The editable settings, as they will be stored (password handled apart). */
export interface MailServerSettings {
  name: string;
  preset: string;
  host: string;
  port: number;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism: AuthMechanism;
  username: string | null;
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
  maxConnections: number;
  rateLimitCount: number | null;
  rateLimitPeriod: RatePeriod | null;
  sharedWith: string[];
}

export const LIMITS = {
  nameLength: 100,
  displayNameLength: 200,
  usernameLength: 320,
  passwordLength: 1024,
  copyRecipients: 50,
  customHeaders: 30,
  headerValueLength: 998, // RFC 5322 line limit
  maxConnections: 50,
} as const;

function address(field: string, value: string | null, issues: FieldIssue[], required = false): void {
  if (value === null || value === '') {
    if (required) issues.push({ field, rule: 'required', message: 'must not be empty' });
    return;
  }
  const parsed = parseEmailAddress(value);
  if (!parsed.ok) issues.push({ field, rule: 'email', message: parsed.reason });
}

function text(field: string, value: string | null, max: number, issues: FieldIssue[], required = false): void {
  if (value === null || value.trim() === '') {
    if (required) issues.push({ field, rule: 'required', message: 'must not be empty' });
    return;
  }
  const unsafe = headerUnsafeReason(value);
  if (unsafe) issues.push({ field, rule: 'no_line_breaks', message: unsafe });
  if (value.length > max) issues.push({ field, rule: 'max_length', message: `must be at most ${max} characters` });
}

export function checkMailServerSettings(s: MailServerSettings): FieldIssue[] {
  const issues: FieldIssue[] = [];
  text('name', s.name, LIMITS.nameLength, issues, true);
  if (!findPreset(s.preset)) issues.push({ field: 'preset', rule: 'enum', message: 'is not a known provider preset' });
  const hostProblem = hostNameProblem(s.host);
  if (hostProblem) issues.push({ field: 'host', rule: 'host', message: hostProblem });
  if (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535) issues.push({ field: 'port', rule: 'range', message: 'must be a whole number between 1 and 65535' });
  if (!(SECURITY_MODES as readonly string[]).includes(s.security)) issues.push({ field: 'security', rule: 'enum', message: `must be one of ${SECURITY_MODES.join(', ')}` });
  if (!(AUTH_MECHANISMS as readonly string[]).includes(s.authMechanism)) issues.push({ field: 'authMechanism', rule: 'enum', message: `must be one of ${AUTH_MECHANISMS.join(', ')}` });
  if (s.authEnabled) text('username', s.username, LIMITS.usernameLength, issues, true);
  else if (s.username) text('username', s.username, LIMITS.usernameLength, issues);
  address('fromAddress', s.fromAddress, issues, true);
  text('fromName', s.fromName, LIMITS.displayNameLength, issues);
  address('replyTo', s.replyTo, issues);
  address('errorTo', s.errorTo, issues);
  for (const field of ['cc', 'bcc'] as const) {
    if (s[field].length > LIMITS.copyRecipients) issues.push({ field, rule: 'max_items', message: `must list at most ${LIMITS.copyRecipients} addresses` });
    s[field].forEach((a, i) => address(`${field}.${i}`, a, issues, true));
  }
  if (s.customHeaders.length > LIMITS.customHeaders) issues.push({ field: 'customHeaders', rule: 'max_items', message: `must have at most ${LIMITS.customHeaders} headers` });
  s.customHeaders.forEach((h, i) => {
    const nameProblem = headerNameProblem(h.name);
    if (nameProblem) issues.push({ field: `customHeaders.${i}.name`, rule: 'header_name', message: nameProblem });
    text(`customHeaders.${i}.value`, h.value, LIMITS.headerValueLength, issues, true);
  });
  if (!Number.isInteger(s.maxConnections) || s.maxConnections < 1 || s.maxConnections > LIMITS.maxConnections) issues.push({ field: 'maxConnections', rule: 'range', message: `must be between 1 and ${LIMITS.maxConnections}` });
  if ((s.rateLimitCount === null) !== (s.rateLimitPeriod === null)) issues.push({ field: 'rateLimitCount', rule: 'pair', message: 'give both a count and a period, or neither' });
  if (s.rateLimitCount !== null && (!Number.isInteger(s.rateLimitCount) || s.rateLimitCount < 1 || s.rateLimitCount > 1_000_000)) issues.push({ field: 'rateLimitCount', rule: 'range', message: 'must be between 1 and 1,000,000' });
  if (s.rateLimitPeriod !== null && !(RATE_PERIODS as readonly string[]).includes(s.rateLimitPeriod)) issues.push({ field: 'rateLimitPeriod', rule: 'enum', message: `must be one of ${RATE_PERIODS.join(', ')}` });
  if (s.status !== 'active' && s.status !== 'inactive') issues.push({ field: 'status', rule: 'enum', message: 'must be active or inactive' });
  return issues;
}

export function checkPassword(password: string): FieldIssue | null {
  // AUTH PLAIN separates fields with NUL, so a NUL inside a password would forge another field.
  if (password.includes('\0')) return { field: 'password', rule: 'no_nul', message: 'must not contain NUL characters' };
  if (password.length > LIMITS.passwordLength) return { field: 'password', rule: 'max_length', message: `must be at most ${LIMITS.passwordLength} characters` };
  return null;
}

/**
 * The settings a stored password was typed for. When any of them changes, the stored password is
 * dropped unless typed again: otherwise anyone who can edit the host could send it to their own
 * server by pressing Test (Keycloak #39486).
 */
export function credentialTargetChanged(before: Pick<MailServerSettings, 'host' | 'port' | 'security' | 'authMechanism'>, after: Pick<MailServerSettings, 'host' | 'port' | 'security' | 'authMechanism'>): boolean {
  return before.host.trim().toLowerCase() !== after.host.trim().toLowerCase()
    || before.port !== after.port
    || before.security !== after.security
    || before.authMechanism !== after.authMechanism;
}
