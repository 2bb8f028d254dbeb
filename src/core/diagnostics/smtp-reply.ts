// SMTP replies as the diagnostics see them: RFC 5321 §4.2 reply lines ("250-…" continued, "250 …"
// last), the RFC 3463 enhanced status code of the first line, and the EHLO keywords. Pure: the
// socket side feeds lines in, the classifier and the UI read the result.

export interface SmtpReply {
  code: number;
  /** RFC 3463 enhanced status ("5.7.8"), or null when the server sent none. */
  enhanced: string | null;
  /** The text of every line without code and enhanced status, joined with "\n". */
  text: string;
}

export interface ReplyLine {
  code: number;
  /** True for the last line of a reply ("250 " rather than "250-"). */
  last: boolean;
  text: string;
}

const REPLY_LINE = /^([2-5]\d\d)([ -]|$)(.*)$/s;
const ENHANCED_STATUS = /^([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)/;
// Text from a server reaches terminals (CLI) and web pages: control characters and escape
// sequences are replaced so a hostile server cannot rewrite what the admin sees.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
const MAX_REPLY_TEXT_CHARS = 2000;

export function sanitizeServerText(text: string): string {
  return text.replace(/\t/g, ' ').replace(CONTROL_CHARACTERS, '?');
}

/** Parses one reply line, or returns null when the line is not an SMTP reply line at all. */
export function parseReplyLine(line: string): ReplyLine | null {
  const match = REPLY_LINE.exec(line);
  if (!match) return null;
  return { code: Number(match[1]), last: match[2] !== '-', text: match[3] ?? '' };
}

/** Joins the lines of one complete reply (the caller has checked they share one code). */
export function assembleReply(lines: ReplyLine[]): SmtpReply {
  const first = lines[0];
  if (!first) throw new Error('assembleReply needs at least one line');
  const enhancedMatch = ENHANCED_STATUS.exec(first.text);
  const enhanced = enhancedMatch ? enhancedMatch[1] ?? null : null;
  const texts = lines.map((line) => {
    const m = ENHANCED_STATUS.exec(line.text);
    return sanitizeServerText(m && m[1] === enhanced ? line.text.slice(m[0].length) : line.text);
  });
  let text = texts.join('\n');
  if (text.length > MAX_REPLY_TEXT_CHARS) text = `${text.slice(0, MAX_REPLY_TEXT_CHARS)}…`;
  return { code: first.code, enhanced, text };
}

/** "535 5.7.8 Authentication failed" — one line, for messages and the human output. */
export function formatReply(reply: SmtpReply): string {
  const text = reply.text.split('\n').join(' ').trim();
  return [String(reply.code), reply.enhanced, text].filter((part) => part).join(' ');
}

export interface EhloCapabilities {
  extensions: string[];
  authMechanisms: string[];
  startTls: boolean;
  maxSize: number | null;
}

/** Reads the EHLO keywords: the first reply line is the server's name, each further line one keyword. */
export function parseEhloReply(reply: SmtpReply): EhloCapabilities {
  const extensions = reply.text.split('\n').slice(1).map((line) => line.trim()).filter((line) => line !== '');
  const mechanisms = new Set<string>();
  let startTls = false;
  let maxSize: number | null = null;
  for (const extension of extensions) {
    // "AUTH PLAIN LOGIN" (RFC 4954) and the pre-standard "AUTH=PLAIN LOGIN" some servers still send.
    const [keyword = '', ...params] = extension.split(/[\s=]+/);
    const name = keyword.toUpperCase();
    if (name === 'AUTH') for (const mechanism of params) if (mechanism) mechanisms.add(mechanism.toUpperCase());
    if (name === 'STARTTLS') startTls = true;
    if (name === 'SIZE' && params[0] && /^\d+$/.test(params[0])) {
      const size = Number(params[0]);
      maxSize = size > 0 ? size : null; // SIZE 0 means "no fixed limit" (RFC 1870)
    }
  }
  return { extensions, authMechanisms: [...mechanisms], startTls, maxSize };
}

/**
 * Names the protocol a non-SMTP first line belongs to, so NOT_SMTP can say "answers with IMAP".
 * Returns null when the line could be an SMTP greeting.
 */
export function identifyNonSmtpBanner(firstLine: string): string | null {
  if (parseReplyLine(firstLine) !== null) {
    // FTP greets with "220 …" too; EHLO then fails, and the banner says which protocol it was.
    return /ftp/i.test(firstLine) && !/smtp/i.test(firstLine) ? 'FTP' : null;
  }
  if (/^HTTP\/\d/i.test(firstLine) || /^<(!doctype|html)/i.test(firstLine)) return 'HTTP';
  if (/^\* (OK|PREAUTH|BYE)\b/i.test(firstLine)) return 'IMAP';
  if (/^[+-](OK|ERR)\b/.test(firstLine)) return 'POP3';
  if (/^SSH-\d/.test(firstLine)) return 'SSH';
  return 'an unknown protocol';
}
