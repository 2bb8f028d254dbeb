// The fixed inputs: the same small message for every kind (numbered subject, one recipient,
// a 120-byte plain-text body). Change them here only, and say so next to the figures.
export const FROM = 'noreply@bench.example';
export const BODY = 'Hello from the Mailroom benchmark. This is a small transactional message of about the size of a password-reset notice.\n';

export function recipient(i: number): string {
  return `rcpt${i % 50}@sink.example`;
}

export function subject(i: number): string {
  return `Bench message ${i}`;
}

/** The JSON body of POST /api/v1/messages (Mailroom renders the MIME itself, at accept time). */
export function mailroomInput(i: number, mailServerId: string): Record<string, unknown> {
  return { to: [recipient(i)], subject: subject(i), text: BODY, mailServerId };
}

/** nodemailer's message object: nodemailer builds the MIME on each send. */
export function nodemailerFields(i: number): { from: string; to: string; subject: string; text: string } {
  return { from: FROM, to: recipient(i), subject: subject(i), text: BODY };
}

/** A pre-rendered message (~400 bytes with its headers), sent byte for byte. */
export function rawMessage(i: number, tag: string): string {
  return [
    `From: ${FROM}`,
    `To: ${recipient(i)}`,
    `Subject: ${subject(i)}`,
    `Message-ID: <${tag}.${i}@bench.example>`,
    `Date: ${new Date(Date.UTC(2026, 0, 1)).toUTCString().replace('GMT', '+0000')}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    BODY.replace(/\n/g, '\r\n'),
  ].join('\r\n');
}
