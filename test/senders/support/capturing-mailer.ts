// A VerificationMailer that keeps every verification email instead of sending it, so tests can
// open the link the way the address's owner would.
import { verificationEmail, type VerificationEmailInput, type VerificationMailer } from '../../../src/core/senders/verification-mailer.ts';

export interface CapturedVerification extends VerificationEmailInput {
  subject: string;
  text: string;
  /** The token in the link. */
  token: string;
}

export interface CapturingMailer extends VerificationMailer {
  sent: CapturedVerification[];
  /** The newest email to this address. */
  last(address: string): CapturedVerification;
  /** Make the next sends throw (a mail service that refuses). */
  failWith: Error | null;
}

export function capturingMailer(): CapturingMailer {
  const sent: CapturedVerification[] = [];
  const mailer: CapturingMailer = {
    sent,
    failWith: null,
    async sendVerification(input) {
      if (mailer.failWith) throw mailer.failWith;
      const token = new URL(input.link).searchParams.get('token') ?? '';
      sent.push({ ...input, ...verificationEmail(input), token });
      // As if it left the machine (a mail server or direct delivery) and its owner read it.
      return { route: 'direct' as const };
    },
    last(address) {
      const found = sent.filter((m) => m.address === address).at(-1);
      if (!found) throw new Error(`no verification email to ${address}`);
      return found;
    },
  };
  return mailer;
}
