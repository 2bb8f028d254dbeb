// The mail server form's state and its pure transitions: presets fill host/port/security/mechanism,
// a security change fills in the usual port unless the user typed one, and the draft turns into
// the API's MailServerInput (comma lists → arrays, blanks → null, the password only when typed);
// a connection test's suggestion is applied in one step. Sending limits: connections at most, and an
// optional rate limit ("14 messages per second") that is sent as both fields or neither.
import type { AuthMechanism, CustomHeader, MailServer, MailServerInput, MailServerPreset, ProbeSuggestion, RatePeriod, SecurityMode, ServerStatus } from '../../api/types.ts';
import { splitList } from '../../ui/format.ts';

/** The port each security mode usually runs on (RFC 8314 for 465, RFC 6409 for 587). */
export const USUAL_PORT: Record<SecurityMode, number> = { none: 25, starttls: 587, tls: 465 };

export const CUSTOM_PRESET = 'custom';

/** docs/api.md: `maxConnections` 1–50, 5 unless set. */
export const DEFAULT_MAX_CONNECTIONS = 5;
export const RATE_PERIODS: RatePeriod[] = ['second', 'minute', 'hour', 'day'];

export type PasswordMode = 'typed' | 'reference';

export interface ServerDraft {
  preset: string;
  name: string;
  host: string;
  port: string;
  /** True once the user typed a port themselves: security changes then leave it alone. */
  portTyped: boolean;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism: AuthMechanism;
  username: string;
  passwordMode: PasswordMode;
  password: string;
  passwordRef: string;
  fromAddress: string;
  fromName: string;
  replyTo: string;
  errorTo: string;
  cc: string;
  bcc: string;
  customHeaders: CustomHeader[];
  hasRelay: boolean;
  allowInvalidCert: boolean;
  status: ServerStatus;
  sharedWith: string[];
  /** As typed; the API judges the range (1–50). */
  maxConnections: string;
  /** "Limit how fast mail is sent": off sends no limit (both fields null). */
  rateLimited: boolean;
  rateLimitCount: string;
  rateLimitPeriod: RatePeriod;
}

export function emptyDraft(): ServerDraft {
  return {
    preset: CUSTOM_PRESET,
    name: '',
    host: '',
    port: String(USUAL_PORT.starttls),
    portTyped: false,
    security: 'starttls',
    authEnabled: true,
    authMechanism: 'plain',
    username: '',
    passwordMode: 'typed',
    password: '',
    passwordRef: '',
    fromAddress: '',
    fromName: '',
    replyTo: '',
    errorTo: '',
    cc: '',
    bcc: '',
    customHeaders: [],
    hasRelay: false,
    allowInvalidCert: false,
    status: 'active',
    sharedWith: [],
    maxConnections: String(DEFAULT_MAX_CONNECTIONS),
    rateLimited: false,
    rateLimitCount: '',
    rateLimitPeriod: 'second',
  };
}

export function draftFromServer(s: MailServer): ServerDraft {
  return {
    preset: s.preset || CUSTOM_PRESET,
    name: s.name,
    host: s.host,
    port: String(s.port),
    // A saved port that is not the usual one for its mode was chosen on purpose: keep it.
    portTyped: USUAL_PORT[s.security] !== s.port,
    security: s.security,
    authEnabled: s.authEnabled,
    authMechanism: s.authMechanism,
    username: s.username ?? '',
    passwordMode: s.passwordSource === 'reference' || (!!s.passwordRef && s.passwordSource !== 'typed') ? 'reference' : 'typed',
    password: '',
    passwordRef: s.passwordRef ?? '',
    fromAddress: s.fromAddress ?? '',
    fromName: s.fromName ?? '',
    replyTo: s.replyTo ?? '',
    errorTo: s.errorTo ?? '',
    cc: (s.cc ?? []).join(', '),
    bcc: (s.bcc ?? []).join(', '),
    customHeaders: (s.customHeaders ?? []).map((h) => ({ ...h })),
    hasRelay: s.hasRelay,
    allowInvalidCert: s.allowInvalidCert,
    status: s.status,
    sharedWith: [...(s.sharedWith ?? [])],
    maxConnections: String(s.maxConnections ?? DEFAULT_MAX_CONNECTIONS),
    rateLimited: s.rateLimitCount != null && s.rateLimitPeriod != null,
    rateLimitCount: s.rateLimitCount != null ? String(s.rateLimitCount) : '',
    rateLimitPeriod: s.rateLimitPeriod ?? 'second',
  };
}

export function applyPreset(d: ServerDraft, preset: MailServerPreset | undefined, presetId: string): ServerDraft {
  if (!preset || presetId === CUSTOM_PRESET || !preset.host) return { ...d, preset: presetId };
  return {
    ...d,
    preset: presetId,
    host: preset.host,
    port: String(preset.port),
    portTyped: false,
    security: preset.security,
    authEnabled: preset.authEnabled,
    authMechanism: preset.authMechanism,
    name: d.name.trim() ? d.name : preset.label,
  };
}

export function changeSecurity(d: ServerDraft, security: SecurityMode): ServerDraft {
  return d.portTyped ? { ...d, security } : { ...d, security, port: String(USUAL_PORT[security]) };
}

/** A test's one-click suggestion ("STARTTLS on port 587 works."): security, port, maybe the mechanism. */
export function applySuggestion(d: ServerDraft, s: Pick<ProbeSuggestion, 'security' | 'port' | 'authMechanism'>): ServerDraft {
  return {
    ...d,
    security: s.security,
    port: String(s.port),
    // An unusual port stays put when security changes later, like a port the user typed.
    portTyped: s.port !== USUAL_PORT[s.security],
    authMechanism: s.authMechanism ?? d.authMechanism,
  };
}

export function changePort(d: ServerDraft, port: string): ServerDraft {
  // Clearing the box hands the port back to the security mode.
  return { ...d, port, portTyped: port.trim() !== '' };
}

export function parsePort(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,5}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 65535 ? n : null;
}

/** "5" → 5; anything that is not a whole number (blank, "2.5", "five") → null. */
export function parseWholeNumber(text: string): number | null {
  const t = text.trim();
  return /^\d{1,9}$/.test(t) ? Number(t) : null;
}

/**
 * What the form cannot send as typed (not a whole number); ranges are left to the API, whose message
 * then shows under the field. Keys are the API's field names.
 */
export function limitProblems(d: ServerDraft): Partial<Record<'maxConnections' | 'rateLimitCount', string>> {
  const out: Partial<Record<'maxConnections' | 'rateLimitCount', string>> = {};
  if (parseWholeNumber(d.maxConnections) === null) out.maxConnections = 'Enter a whole number of connections, from 1 to 50.';
  if (d.rateLimited && parseWholeNumber(d.rateLimitCount) === null) out.rateLimitCount = 'Enter how many messages, as a whole number.';
  return out;
}

const blankToNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

export interface ToInputOptions {
  /** Only system admins may send sharedWith ("make available for"). */
  includeSharedWith: boolean;
  creating: boolean;
}

export function toInput(d: ServerDraft, opts: ToInputOptions): MailServerInput {
  const port = parsePort(d.port);
  const input: MailServerInput = {
    name: d.name.trim(),
    preset: d.preset || CUSTOM_PRESET,
    host: d.host.trim(),
    port: port ?? Number(d.port),
    security: d.security,
    authEnabled: d.authEnabled,
    authMechanism: d.authMechanism,
    username: blankToNull(d.username),
    passwordRef: null,
    fromAddress: d.fromAddress.trim(),
    fromName: blankToNull(d.fromName),
    replyTo: blankToNull(d.replyTo),
    errorTo: blankToNull(d.errorTo),
    cc: splitList(d.cc),
    bcc: splitList(d.bcc),
    customHeaders: d.customHeaders.filter((h) => h.name.trim() !== '' || h.value.trim() !== '').map((h) => ({ name: h.name.trim(), value: h.value })),
    hasRelay: d.hasRelay,
    allowInvalidCert: d.allowInvalidCert,
    status: d.status,
  };
  if (d.authEnabled) {
    if (d.passwordMode === 'reference') {
      input.passwordRef = blankToNull(d.passwordRef);
    } else if (d.password !== '') {
      // Write-only: sent only when typed; an omitted password keeps the stored one.
      input.password = d.password;
    }
  } else if (!opts.creating) {
    // Authentication off: leave the stored credentials as they are (PATCH is partial).
    delete (input as Partial<MailServerInput>).passwordRef;
  }
  // Sending limits. A value that is not a number yet is left out (the form refuses to save it; a
  // connection test does not need it).
  const maxConnections = parseWholeNumber(d.maxConnections);
  if (maxConnections !== null) input.maxConnections = maxConnections;
  if (!d.rateLimited) {
    input.rateLimitCount = null;
    input.rateLimitPeriod = null;
  } else {
    const count = parseWholeNumber(d.rateLimitCount);
    if (count !== null) {
      input.rateLimitCount = count;
      input.rateLimitPeriod = d.rateLimitPeriod;
    }
  }
  if (opts.includeSharedWith) input.sharedWith = [...d.sharedWith];
  return input;
}

/** The plain-words text for a warning code the API returns on save. */
export function warningText(code: string, fallback?: string): string {
  switch (code) {
    case 'PASSWORD_CLEARED':
      return 'The saved password was removed because the host, port, security or authentication mechanism changed. Type the password again and save.';
    default:
      return fallback ?? code;
  }
}
