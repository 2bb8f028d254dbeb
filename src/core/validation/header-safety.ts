// Header-bound values (names, addresses, subjects, custom headers) must not carry CR, LF or NUL —
// not even hidden inside an RFC 2047 encoded word, which a mail library would decode back into a
// line break (Python CVE-2024-6923; nodemailer GHSA-c7w3-x93f-qmm8).
import libmime from 'libmime';

const FORBIDDEN = /[\r\n\0]/;
const ENCODED_WORD = /=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=/;

/** Why a value is unsafe in a header, or null when it is safe. */
export function headerUnsafeReason(value: string): string | null {
  if (FORBIDDEN.test(value)) return 'must not contain line breaks or NUL characters';
  if (ENCODED_WORD.test(value)) {
    let decoded: string;
    try {
      decoded = libmime.decodeWords(value);
    } catch {
      return 'contains a malformed encoded word';
    }
    if (FORBIDDEN.test(decoded)) return 'must not contain line breaks or NUL characters, even encoded';
  }
  return null;
}

const HEADER_NAME = /^[!-9;-~]+$/; // RFC 5322 field-name: printable ASCII except ':'

/**
 * Headers the server profile may not set because Mailroom owns them: overriding them would break
 * threading, delivery or signing.
 */
const RESERVED_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'sender', 'reply-to', 'return-path',
  'received', 'content-type', 'content-transfer-encoding', 'mime-version', 'dkim-signature',
]);

export function headerNameProblem(name: string): string | null {
  if (!HEADER_NAME.test(name)) return 'must be printable ASCII without spaces or colons';
  if (name.length > 76) return 'must be at most 76 characters';
  if (RESERVED_HEADERS.has(name.toLowerCase())) return `is set by Mailroom itself and cannot be overridden`;
  return null;
}
