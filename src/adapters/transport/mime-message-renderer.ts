// MessageRenderer on nodemailer's MailComposer: the field's own MIME builder (encodings, folding,
// attachments), run once per message at accept time.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { MessageRenderer } from '../../core/outbound/message-renderer.ts';

export function createMimeMessageRenderer(): MessageRenderer {
  return {
    async render(input) {
      const composer = new MailComposer({
        from: input.from.name ? { name: input.from.name, address: input.from.address } : input.from.address,
        to: input.to,
        cc: input.cc.length ? input.cc : undefined,
        replyTo: input.replyTo ?? undefined,
        subject: input.subject,
        text: input.text ?? undefined,
        html: input.html ?? undefined,
        headers: input.headers.map((h) => ({ key: h.name, value: h.value })),
        attachments: input.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.contentBase64, encoding: 'base64' })),
        messageId: input.messageId,
        date: input.date,
        // BCC recipients travel only in the envelope, never in a header.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      const bytes = await composer.compile().build();
      return bytes.toString('utf8');
    },
  };
}
