// Tells, for one sendMail call, whether the whole message went to the server ("possibly delivered"
// when the connection is lost before the final reply), and which recipient strings nodemailer put
// in RCPT TO.
//
// Why a stream watch: nodemailer reports a connection lost after the final "." exactly as one lost
// during RCPT (ECONNECTION/ESOCKET, command "CONN", no reply — lib/smtp-connection/index.js
// `_onClose`), so the error cannot tell them apart. But the message stream can: SMTPConnection.send
// pipes the message into its DataStream only after the server's 354 to DATA, and the DataStream
// writes the terminating "\r\n.\r\n" to the socket when, and only when, the message stream ends.
// A pass-through added as the last step of the message's stream (nodemailer's documented 'stream'
// plugin step and MimeNode.processFunc) therefore emits 'end' exactly when every byte of the
// message has been taken for the socket; the "." follows in the same tick. Until then the server
// cannot have accepted the message (RFC 5321 §4.1.1.4: the mail is accepted only after the "."),
// so `handedOver === false` proves "not delivered", and `true` means "may have been".
// (After an envelope error nodemailer drains the stream into a throwaway PassThrough; that can set
// the flag too, but only after the error was reported with its reply, which decides the outcome.)
import { PassThrough, type Readable } from 'node:stream';
import type { Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';

const WATCH = Symbol('mailroom.messageHandoverWatch');

export interface HandoverWatch {
  handedOver: boolean;
  /** The RCPT TO strings nodemailer derived from the envelope (domains lower-cased and punycoded), in order. */
  sentRecipients: string[] | null;
}

export function newHandoverWatch(): HandoverWatch {
  return { handedOver: false, sentRecipients: null };
}

/** Mail options carrying the watch; nodemailer copies unknown keys, symbols included, into mail.data. */
export function withHandoverWatch(options: Mail.Options, watch: HandoverWatch): Mail.Options {
  return Object.assign({}, options, { [WATCH]: watch });
}

/** Installs the watch on a transporter once; mails without a watch pass through untouched. */
export function installHandoverWatch(transporter: Transporter): void {
  transporter.use('stream', (mail, done) => {
    const watch = (mail.data as Record<symbol, HandoverWatch | undefined>)[WATCH];
    if (!watch) return done();
    watch.sentRecipients = [...mail.message.getEnvelope().to];
    mail.message.processFunc((input: Readable) => {
      const output = new PassThrough();
      input.once('error', (err) => output.destroy(err));
      output.once('end', () => {
        watch.handedOver = true;
      });
      return input.pipe(output);
    });
    done();
  });
}
