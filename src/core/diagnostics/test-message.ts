// The fixed test message sent by "send test email". Its content is fixed on purpose: a test
// feature that takes free text becomes a spam cannon (Ghost PR #17505); only the addresses vary,
// and they have been validated as plain addresses (no CR/LF can reach a header).

export const TEST_MESSAGE_SUBJECT = 'Mailroom test message';

export interface TestMessageInput {
  from: string;
  to: string;
  date: Date;
  /** Random, unique per message; the domain part comes from the sender. */
  messageIdLocalPart: string;
}

/** The message as DATA lines, dot-stuffed (RFC 5321 §4.5.2), without the final ".". */
export function testMessageLines(input: TestMessageInput): string[] {
  const domain = input.from.includes('@') ? input.from.slice(input.from.lastIndexOf('@') + 1) : 'mailroom.invalid';
  const lines = [
    `From: ${input.from}`,
    `To: ${input.to}`,
    `Subject: ${TEST_MESSAGE_SUBJECT}`,
    `Date: ${input.date.toUTCString().replace(/GMT$/, '+0000')}`,
    `Message-ID: <${input.messageIdLocalPart}@${domain}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    'Auto-Submitted: auto-generated',
    '',
    'This is a test message from Mailroom.',
    'It was sent to check the outgoing mail server settings; no action is needed.',
  ];
  return lines.map((line) => (line.startsWith('.') ? `.${line}` : line));
}
