// Words for message states and attempt outcomes, as the failure history and the detail page show them.
import type { AttemptOutcome, MailServer, MessageRecipient, MessageStatus, MessageSummary } from '../../api/types.ts';

type Tone = 'green' | 'grey' | 'blue' | 'amber' | 'red';

export const STATUS_LABELS: Record<MessageStatus, { label: string; tone: Tone }> = {
  queued: { label: 'Queued', tone: 'blue' },
  sending: { label: 'Sending', tone: 'blue' },
  sent: { label: 'Sent', tone: 'green' },
  retrying: { label: 'Retrying', tone: 'amber' },
  held: { label: 'Held', tone: 'red' },
  failed: { label: 'Failed', tone: 'red' },
  caught: { label: 'Caught', tone: 'grey' },
};

/** What each state means for the person reading the page. */
export function statusExplanation(m: Pick<MessageSummary, 'status' | 'giveUpAt'>, serverName: string, giveUpText: string): string {
  switch (m.status) {
    case 'queued':
      return 'Waiting for its turn: Mailroom sends it within moments.';
    case 'sending':
      return 'Mailroom is handing it to the mail server right now.';
    case 'sent':
      return 'The mail server accepted it. What happens after that is up to the receiving side.';
    case 'retrying':
      return `A temporary problem stopped it. Mailroom tries again by itself, with growing pauses, until ${giveUpText}.`;
    case 'held':
      return `Sending through ${serverName} is paused because of a problem with the server's settings (for example a wrong password). The message waits; nothing is lost. Saving the fixed settings resumes sending; if the problem was fixed elsewhere (for example at your provider), click “Retry now”. Either way, the other messages waiting for that server go out too.`;
    case 'failed':
      return 'Mailroom stopped trying: the server refused it for good, or it could not be sent in time. Fix the cause (often the address), then “Retry now” sends it again.';
    case 'caught':
      return 'The built-in mail service kept it in Caught mail and did not deliver it: the company uses the built-in service, which catches mail for trying things out. Open it in Caught mail to read it or release it to a mail server.';
  }
}

export const CAN_RETRY_IN_LIST: MessageStatus[] = ['held', 'failed'];
export const CAN_RETRY: MessageStatus[] = ['held', 'failed', 'retrying'];

export const OUTCOME_LABELS: Record<AttemptOutcome, { label: string; tone: Tone }> = {
  sent: { label: 'Sent', tone: 'green' },
  partial: { label: 'Sent to some recipients', tone: 'amber' },
  temporary: { label: 'Temporary problem', tone: 'amber' },
  throttled: { label: 'Slowed down by the server', tone: 'amber' },
  permanent: { label: 'Refused', tone: 'red' },
  config: { label: 'Settings problem', tone: 'red' },
  interrupted: { label: 'Interrupted', tone: 'amber' },
};

export function outcomeLabel(outcome: AttemptOutcome | null): { label: string; tone: Tone } {
  return outcome ? OUTCOME_LABELS[outcome] ?? { label: outcome, tone: 'grey' } : { label: 'In progress', tone: 'blue' };
}

export const RECIPIENT_STATUS_LABELS: Record<MessageRecipient['status'], { label: string; tone: Tone }> = {
  pending: { label: 'Not yet delivered', tone: 'grey' },
  sent: { label: 'Accepted', tone: 'green' },
  failed: { label: 'Refused', tone: 'red' },
};

export const KIND_LABELS: Record<MessageRecipient['kind'], string> = { to: 'To', cc: 'Cc', bcc: 'Bcc' };

/** "550 5.1.1 No such user", or "" when the server said nothing. */
export function replyLine(r: { replyCode: number | null; enhanced: string | null; replyText: string | null }): string {
  return [r.replyCode ?? '', r.enhanced ?? '', r.replyText ?? ''].filter((x) => x !== '').join(' ');
}

/** The server's name for a message or attempt; deleted servers and the built-in service named plainly. */
export function serverLabel(serverId: string | null, servers: Map<string, MailServer> | undefined): string {
  // Only built-in mail (caught, or delivered directly) has no server.
  if (!serverId) return 'Built-in mail service';
  const s = servers?.get(serverId);
  if (s) return s.name;
  return servers ? 'A deleted mail server' : '…';
}

/** Codes an admin may filter on: the connection test's codes plus delivery's own. */
export const KNOWN_CODES = [
  'AUTH_FAILED', 'AUTH_REQUIRED', 'AUTH_METHOD_UNSUPPORTED', 'AUTH_NOT_OFFERED', 'APP_PASSWORD_REQUIRED', 'BASIC_AUTH_DISABLED',
  'RECIPIENT_REJECTED', 'SENDER_REJECTED', 'MESSAGE_REJECTED', 'TEMPORARY_FAILURE', 'GAVE_UP',
  'CONNECTION_REFUSED', 'CONNECTION_TIMEOUT', 'DNS_NOT_FOUND', 'HOST_BLOCKED', 'SERVER_REJECTED', 'PROTOCOL_ERROR',
  'CERT_UNTRUSTED', 'CERT_HOSTNAME_MISMATCH', 'CERT_EXPIRED', 'ENCRYPTION_REQUIRED', 'STARTTLS_NOT_OFFERED',
  'TLS_REQUIRED_ON_PORT', 'TLS_NOT_SUPPORTED_ON_PORT', 'SERVER_INACTIVE', 'SERVER_DELETED',
];

/** "Possibly delivered" in plain words, for the message's current state. */
export function possiblyDeliveredText(status: MessageStatus): string {
  const lost = 'The connection to the mail server broke right after the whole message had been handed over, before the server confirmed it, so the server may have kept it.';
  const sameId = 'Every copy carries the same Message-ID, so many mail programs show only one.';
  if (status === 'sent') return `${lost} Mailroom sent it again to be safe, so the recipient may have received it twice. ${sameId}`;
  if (status === 'failed' || status === 'held') return `${lost} The recipient may have it even though it shows as ${STATUS_LABELS[status].label.toLowerCase()} here; sending it again may give them a second copy. ${sameId}`;
  return `${lost} Mailroom sends it again to be safe, so the recipient may receive it twice. ${sameId}`;
}

export const POSSIBLY_DELIVERED_SHORT = 'The connection broke after the message was handed over: the recipient may get it twice.';
