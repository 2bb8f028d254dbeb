// Checks a probe request before any connection. The edges turn the issues into a 400 (API) or an
// exit status 2 (CLI); the prober refuses an invalid request outright, because values such as the
// EHLO name or an address go onto the wire (nodemailer GHSA-vvjj-xcjg-gr5g: CRLF in the EHLO name).
import type { FieldIssue } from '../errors.ts';
import { AUTH_MECHANISMS, SECURITY_MODES } from '../model.ts';
import { parseEmailAddress } from '../validation/email-address.ts';
import { hostNameProblem } from '../validation/host-name.ts';
import type { ProbeRequest } from './probe-types.ts';

export const MIN_PROBE_TIMEOUT_MS = 1_000;
export const MAX_PROBE_TIMEOUT_MS = 120_000;
const MAX_CREDENTIAL_CHARS = 4_096; // OAuth2 access tokens are long; passwords far shorter
const HELO_NAME = /^(\[[0-9a-f.:]+\]|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)$/i;

export function validateProbeRequest(request: ProbeRequest): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const hostProblem = typeof request.host === 'string' ? hostNameProblem(request.host) : 'must be a host name';
  if (hostProblem) issues.push({ field: 'host', rule: 'host', message: hostProblem });
  if (!Number.isInteger(request.port) || request.port < 1 || request.port > 65535) {
    issues.push({ field: 'port', rule: 'range', message: 'must be a whole number between 1 and 65535' });
  }
  if (!(SECURITY_MODES as readonly string[]).includes(request.security)) {
    issues.push({ field: 'security', rule: 'enum', message: `must be one of ${SECURITY_MODES.join(', ')}` });
  }
  if (request.auth) {
    const { mechanism, username, password } = request.auth;
    if (!(AUTH_MECHANISMS as readonly string[]).includes(mechanism)) {
      issues.push({ field: 'auth.mechanism', rule: 'enum', message: `must be one of ${AUTH_MECHANISMS.join(', ')}` });
    }
    if (typeof username !== 'string' || username === '') issues.push({ field: 'auth.username', rule: 'required', message: 'must not be empty' });
    // NUL separates the fields of AUTH PLAIN and \x01 those of XOAUTH2: either would forge a field.
    else if (/[\0\x01\r\n]/.test(username) || username.length > MAX_CREDENTIAL_CHARS) issues.push({ field: 'auth.username', rule: 'format', message: 'must not contain control characters and must be at most 4096 characters' });
    if (typeof password !== 'string' || password === '') issues.push({ field: 'auth.password', rule: 'required', message: 'must not be empty' });
    else if (/[\0\x01]/.test(password) || password.length > MAX_CREDENTIAL_CHARS) issues.push({ field: 'auth.password', rule: 'format', message: 'must not contain NUL characters and must be at most 4096 characters' });
  }
  for (const field of ['from', 'to'] as const) {
    const value = request[field];
    if (value === undefined || value === '') continue;
    const parsed = parseEmailAddress(value);
    if (!parsed.ok) issues.push({ field, rule: 'email', message: parsed.reason });
  }
  if (request.sendTestMessage && !request.to && !request.from) {
    issues.push({ field: 'to', rule: 'required', message: 'a test message needs a recipient address' });
  }
  if (request.timeoutMs !== undefined && (!Number.isInteger(request.timeoutMs) || request.timeoutMs < MIN_PROBE_TIMEOUT_MS || request.timeoutMs > MAX_PROBE_TIMEOUT_MS)) {
    issues.push({ field: 'timeoutMs', rule: 'range', message: `must be between ${MIN_PROBE_TIMEOUT_MS} and ${MAX_PROBE_TIMEOUT_MS} milliseconds` });
  }
  if (request.heloName !== undefined && (!HELO_NAME.test(request.heloName) || request.heloName.length > 253)) {
    issues.push({ field: 'heloName', rule: 'host', message: 'must be a host name or an address literal such as [192.0.2.1]' });
  }
  return issues;
}
