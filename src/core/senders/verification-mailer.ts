// The port through which the sender service emails a verification link, and the words of that
// email. The port is owned here (its consumer); app.ts decides how the email leaves.
import type { Company } from '../model.ts';
import type { MessageRoute } from '../outbound/outbound-model.ts';
import type { SenderKind } from './sender-model.ts';

export interface VerificationEmailInput {
  company: Company;
  /** The address being verified, lower-cased; the email goes to it. */
  address: string;
  displayName: string | null;
  kind: SenderKind;
  /** Who asked: the actor's label ("Ann Admin <ann@acme.example>", "API key \"crm\""). */
  requestedBy: string;
  /** `<publicUrl>/verify-sender?token=…`: works once, until `expiresAt`. */
  link: string;
  /** ISO 8601. */
  expiresAt: string;
}

export interface VerificationMailer {
  /** Hands the email over for delivery (accepted and stored, not necessarily delivered yet); says how it leaves. */
  sendVerification(input: VerificationEmailInput): Promise<{ route: MessageRoute }>;
}

/** "2025-06-01 14:00 UTC": the same for every reader, whatever their time zone. */
function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The subject and plain text of the verification email. */
export function verificationEmail(input: VerificationEmailInput): { subject: string; text: string } {
  const { company, address, displayName, kind, requestedBy, link, expiresAt } = input;
  const lines = [
    displayName ? `Hello ${displayName},` : 'Hello,',
    '',
    `${requestedBy} asked to send email for ${company.name} from this address: ${address}.`,
    'Before any email is sent from it, someone who reads this mailbox has to confirm. To confirm, open this link:',
    '',
    link,
    '',
    `The link works once and expires at ${utcMinute(expiresAt)}.`,
    ...(kind === 'group' ? ['This address is listed as a group address (a shared mailbox or list): anyone who reads it may confirm.'] : []),
    '',
    'If you did not expect this email, ignore it: nothing will be sent from this address, and the link expires on its own.',
  ];
  return { subject: `Confirm ${address} as a sender address for ${company.name}`, text: `${lines.join('\n')}\n` };
}
