// The verification email as an ordinary message of the company: submitted through its mail
// service (its default server, or the built-in service), so it is stored, queued, retried and
// listed in the failure history like any other. No From is named: the route's own default From is
// used (the server's sender address, or the built-in From), which every route accepts.
import type { Principal } from '../model.ts';
import type { MessageService } from '../outbound/message-service.ts';
import { verificationEmail, type VerificationMailer } from './verification-mailer.ts';

/** Who submits the email: Mailroom itself, on behalf of the admin who asked. */
const VERIFICATION_PRINCIPAL: Principal = { kind: 'cli', label: 'Mailroom (sender address verification)' };

/** `messages` is a getter so the composition root can build this before the message service. */
export function messageVerificationMailer(messages: () => MessageService): VerificationMailer {
  return {
    async sendVerification(input) {
      const { subject, text } = verificationEmail(input);
      const { message } = await messages().submit(VERIFICATION_PRINCIPAL, input.company, { to: [input.address], subject, text }, null);
      return { route: message.route };
    },
  };
}
