// Words for the probe's stages and suggestions (docs/diagnostics.md), shared by every view of a test.
import type { ProbeStageName, ProbeSuggestion, SmtpReply } from '../../api/types.ts';
import { MECHANISM_LABELS, SECURITY_LABELS } from '../../ui/format.ts';

/** The probe's overall deadline (docs/diagnostics.md: default 20 s). */
export const PROBE_TIME_LIMIT_SECONDS = 20;

export const STAGE_LABELS: Record<ProbeStageName, string> = {
  dns: 'Find the server',
  connect: 'Connect',
  tls: 'Encryption',
  greeting: 'Server greeting',
  ehlo: 'Introduction (EHLO)',
  auth: 'Log in',
  mail: 'Sender accepted',
  rcpt: 'Recipient accepted',
  data: 'Test email sent',
};

export function stageLabel(name: string): string {
  return STAGE_LABELS[name as ProbeStageName] ?? name;
}

/** "Apply: STARTTLS on port 587" (", PLAIN login" when the mechanism changes too). */
export function suggestionAction(s: ProbeSuggestion): string {
  const mechanism = s.authMechanism ? `, ${(MECHANISM_LABELS[s.authMechanism] ?? s.authMechanism).replace(/ \(.*\)$/, '')} login` : '';
  return `Apply: ${SECURITY_LABELS[s.security] ?? s.security} on port ${s.port}${mechanism}`;
}

/** The reply's text on one line (multi-line replies are joined). */
export function replyText(reply: SmtpReply): string {
  return reply.text.split('\n').join(' ').trim();
}

/** An API field message ("must not be empty") as a sentence ("Must not be empty."). */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
