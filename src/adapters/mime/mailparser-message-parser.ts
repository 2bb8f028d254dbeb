// MessageParser on mailparser (the field's own MIME parser): decodes transfer encodings, charsets
// and RFC 2047 words so the catcher shows what a recipient's mail client would.
import libmime from 'libmime';
import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import type { MessageParser, ParsedAttachment, ParsedMessage } from '../../core/builtin/message-parser.ts';

const toMeta = (a: Attachment, index: number): ParsedAttachment => ({
  index, filename: a.filename ?? null, contentType: a.contentType, size: a.size ?? a.content.length,
  contentId: a.contentId ?? null, inline: a.contentDisposition === 'inline' || Boolean(a.related),
});

function headersOf(mail: ParsedMail): { name: string; value: string }[] {
  // headerLines keep the order and the original names; unfold them and decode encoded words.
  return mail.headerLines.map((h) => {
    const colon = h.line.indexOf(':');
    const name = colon > 0 ? h.line.slice(0, colon) : h.key;
    const value = colon > 0 ? h.line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim() : '';
    return { name, value: decodeWords(value) };
  });
}

/**
 * RFC 2047 through libmime: adjacent encoded words are joined without the space between them, and
 * bytes of one character split across two words are decoded together (encoders split long subjects
 * mid-character).
 */
function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

export function createMailparserMessageParser(): MessageParser {
  const parse = (raw: string) => simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  return {
    async parse(raw): Promise<ParsedMessage> {
      const mail = await parse(raw);
      return {
        headers: headersOf(mail),
        text: mail.text ?? null,
        html: typeof mail.html === 'string' ? mail.html : null,
        attachments: mail.attachments.map(toMeta),
      };
    },
    async attachment(raw, index) {
      const mail = await parse(raw);
      const a = mail.attachments[index];
      return a ? { meta: toMeta(a, index), content: a.content } : null;
    },
  };
}
