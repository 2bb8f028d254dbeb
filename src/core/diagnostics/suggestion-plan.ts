// Which alternatives the probe tries after a mismatch, and how a working one is worded. The
// alternatives are the other security modes on the usual ports of the SAME host (the resolved,
// checked address is reused): nothing is ever sent to another host. They run only up to EHLO (after
// TLS) — they do not log in, so a wrong password is not tried again on several ports.
import type { AuthMechanism, SecurityMode } from '../model.ts';
import type { ProbeCode } from './result-codes.ts';

export interface AlternativeCandidate {
  security: SecurityMode;
  port: number;
}

export interface PlanInput {
  port: number;
  security: SecurityMode;
  authConfigured: boolean;
}

/** Result codes after which trying alternatives can produce a one-click fix. */
export const SUGGESTION_CODES: ReadonlySet<ProbeCode> = new Set<ProbeCode>([
  'TLS_REQUIRED_ON_PORT',
  'TLS_NOT_SUPPORTED_ON_PORT',
  'STARTTLS_NOT_OFFERED',
  'ENCRYPTION_REQUIRED',
  'AUTH_NOT_OFFERED',
  'AUTH_METHOD_UNSUPPORTED',
  'CONNECTION_REFUSED',
]);

/** At most this many alternative connections follow one failed probe. */
export const MAX_ALTERNATIVES = 3;

export function planAlternatives(input: PlanInput, code: ProbeCode): AlternativeCandidate[] {
  const { port } = input;
  // Falling back to no encryption is proposed only when no password would travel in clear.
  const plain: AlternativeCandidate[] = input.authConfigured ? [] : [{ security: 'none', port }];
  let candidates: AlternativeCandidate[];
  switch (code) {
    case 'TLS_REQUIRED_ON_PORT':
      candidates = [{ security: 'tls', port }, { security: 'tls', port: 465 }];
      break;
    case 'TLS_NOT_SUPPORTED_ON_PORT':
      candidates = [{ security: 'starttls', port }, { security: 'tls', port: 465 }, { security: 'starttls', port: 587 }, ...plain];
      break;
    case 'STARTTLS_NOT_OFFERED':
      candidates = [{ security: 'tls', port: 465 }, { security: 'starttls', port: 587 }, ...plain];
      break;
    case 'ENCRYPTION_REQUIRED':
      candidates = [{ security: 'starttls', port }, { security: 'tls', port: 465 }, { security: 'starttls', port: 587 }];
      break;
    case 'AUTH_NOT_OFFERED':
      candidates = [{ security: 'starttls', port: 587 }, { security: 'tls', port: 465 }];
      break;
    case 'CONNECTION_REFUSED':
      candidates = [{ security: 'starttls', port: 587 }, { security: 'tls', port: 465 }];
      break;
    default:
      candidates = [];
  }
  const seen = new Set<string>([`${input.security}@${input.port}`]);
  const unique = candidates.filter((c) => {
    const key = `${c.security}@${c.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.slice(0, MAX_ALTERNATIVES);
}

const MECHANISM_NAMES: Record<AuthMechanism, string> = { plain: 'PLAIN', login: 'LOGIN', 'cram-md5': 'CRAM-MD5', xoauth2: 'XOAUTH2' };

/**
 * The supported mechanism to use among those offered, or null. Keeps `current` when offered;
 * over an encrypted connection PLAIN and LOGIN are preferred (simple, universally supported),
 * without encryption CRAM-MD5, which does not send the password itself.
 */
export function chooseAuthMechanism(offered: string[], encrypted: boolean, current?: AuthMechanism): AuthMechanism | null {
  const available = new Set(offered.map((m) => m.toUpperCase()));
  if (current && available.has(MECHANISM_NAMES[current])) return current;
  const order: AuthMechanism[] = encrypted ? ['plain', 'login', 'cram-md5', 'xoauth2'] : ['cram-md5', 'plain', 'login', 'xoauth2'];
  return order.find((m) => available.has(MECHANISM_NAMES[m])) ?? null;
}

/** Upper-case SASL names of the mechanisms the probe can speak. */
export const SUPPORTED_MECHANISM_NAMES: ReadonlySet<string> = new Set(Object.values(MECHANISM_NAMES));

export function mechanismName(mechanism: AuthMechanism): string {
  return MECHANISM_NAMES[mechanism];
}

export function securityLabel(security: SecurityMode): string {
  return security === 'tls' ? 'SSL/TLS' : security === 'starttls' ? 'STARTTLS' : 'No encryption';
}

export function suggestionText(candidate: AlternativeCandidate, authMechanism?: AuthMechanism): string {
  const where = `${securityLabel(candidate.security)} on port ${candidate.port}`;
  return authMechanism ? `${where} works, with ${mechanismName(authMechanism)} login.` : `${where} works.`;
}

export function mechanismSuggestionText(mechanism: AuthMechanism): string {
  return `The server offers ${mechanismName(mechanism)} login: choose ${mechanismName(mechanism)}.`;
}
