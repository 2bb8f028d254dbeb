// One SMTP conversation over a socket, reduced to what a diagnostic needs: write a command line,
// read one complete reply within a time limit, and hand the socket over for a TLS upgrade.
//
// Why by hand rather than nodemailer's SMTPConnection: a diagnostic must stop after any stage, time
// each one separately, see every raw reply (including a non-SMTP banner or silence on an implicit
// TLS port), check the certificate itself after the handshake, and keep credential frames out of
// the transcript. SMTPConnection folds greeting, EHLO and STARTTLS into connect() and reports
// library errors rather than replies, which loses exactly the details this probe must name.
import type { Socket } from 'node:net';
import { assembleReply, parseReplyLine, type ReplyLine, type SmtpReply } from '../../core/diagnostics/smtp-reply.ts';
import type { Transcript } from '../../core/diagnostics/transcript.ts';

/** RFC 5321 allows 512 octets per reply line; real servers stay far below this. */
export const MAX_LINE_BYTES = 4096;
/** An EHLO reply has a few dozen lines; more means something else is talking. */
export const MAX_REPLY_LINES = 200;

export type ChannelErrorKind = 'timeout' | 'closed' | 'malformed' | 'overflow';

export class ChannelError extends Error {
  readonly kind: ChannelErrorKind;
  /** The offending line, for 'malformed'. */
  readonly line: string | null;
  /** The socket error code, for 'closed' ("ECONNRESET"), when there was one. */
  readonly socketCode: string | null;

  constructor(kind: ChannelErrorKind, message: string, details: { line?: string; socketCode?: string } = {}) {
    super(message);
    this.name = 'ChannelError';
    this.kind = kind;
    this.line = details.line ?? null;
    this.socketCode = details.socketCode ?? null;
  }
}

interface LineWaiter {
  resolve(line: string): void;
  reject(err: ChannelError): void;
}

export class SmtpChannel {
  #socket: Socket;
  #transcript: Transcript;
  #pending: Buffer = Buffer.alloc(0);
  #lines: string[] = [];
  #waiter: LineWaiter | null = null;
  #failure: ChannelError | null = null;
  #bytesReceived = 0;
  readonly #onData = (chunk: Buffer): void => this.#receive(chunk);
  readonly #onEnd = (): void => this.#fail(new ChannelError('closed', 'the server closed the connection'));
  readonly #onError = (err: NodeJS.ErrnoException): void => this.#fail(new ChannelError('closed', 'the connection failed', { socketCode: err.code ?? 'ERROR' }));

  constructor(socket: Socket, transcript: Transcript) {
    this.#socket = socket;
    this.#transcript = transcript;
    this.#listen();
  }

  /** Bytes received so far on this connection (before and after TLS). */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  get socket(): Socket {
    return this.#socket;
  }

  write(line: string, transcriptLine: string | null = line): void {
    if (transcriptLine !== null) this.#transcript.client(transcriptLine);
    this.#socket.write(`${line}\r\n`);
  }

  /** Writes a line that carries credentials; the transcript gets the placeholder instead. */
  writeCredentials(line: string, visiblePrefix = ''): void {
    this.#transcript.clientCredentials(visiblePrefix);
    this.#socket.write(`${line}\r\n`);
  }

  /** Reads one complete (possibly multi-line) reply; rejects with ChannelError. */
  async readReply(timeoutMs: number): Promise<SmtpReply> {
    const deadline = Date.now() + timeoutMs;
    const lines: ReplyLine[] = [];
    for (;;) {
      const raw = await this.#nextLine(Math.max(0, deadline - Date.now()));
      const line = parseReplyLine(raw);
      if (!line || (lines[0] && lines[0].code !== line.code)) {
        throw new ChannelError('malformed', 'the server sent a line that is not an SMTP reply', { line: raw });
      }
      lines.push(line);
      if (line.last) return assembleReply(lines);
      if (lines.length >= MAX_REPLY_LINES) throw new ChannelError('overflow', 'the server sent a reply with too many lines');
    }
  }

  /**
   * Stops reading and returns the socket for a TLS upgrade. Anything the server sent after its
   * reply to STARTTLS is discarded, as RFC 3207 §4.2 requires: an attacker in the path could have
   * injected it before encryption began.
   */
  detach(): Socket {
    this.#unlisten();
    const discarded = this.#pending.length + this.#lines.reduce((n, l) => n + l.length, 0);
    if (discarded > 0) this.#transcript.note(`discarded ${discarded} bytes the server sent before TLS started`);
    this.#pending = Buffer.alloc(0);
    this.#lines = [];
    return this.#socket;
  }

  /** Continues the conversation on `socket` (the TLS socket after an upgrade). */
  attach(socket: Socket): void {
    this.#socket = socket;
    this.#failure = null;
    this.#listen();
  }

  destroy(): void {
    this.#unlisten();
    this.#socket.destroy();
    this.#fail(new ChannelError('closed', 'the connection was closed'));
  }

  #listen(): void {
    this.#socket.on('data', this.#onData);
    this.#socket.on('end', this.#onEnd);
    this.#socket.on('close', this.#onEnd);
    this.#socket.on('error', this.#onError);
  }

  #unlisten(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('end', this.#onEnd);
    this.#socket.off('close', this.#onEnd);
    this.#socket.off('error', this.#onError);
    // A socket without an 'error' listener would crash the process on a late reset.
    this.#socket.on('error', () => {});
  }

  #receive(chunk: Buffer): void {
    this.#bytesReceived += chunk.length;
    let data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    for (let newline = data.indexOf(0x0a); newline >= 0; newline = data.indexOf(0x0a)) {
      const line = data.subarray(0, newline).toString('utf8').replace(/\r$/, '');
      data = data.subarray(newline + 1);
      this.#transcript.server(line);
      this.#lines.push(line);
    }
    this.#pending = Buffer.from(data);
    if (this.#pending.length > MAX_LINE_BYTES) {
      const start = this.#pending.subarray(0, 200).toString('utf8');
      this.#transcript.server(`${start}… (${this.#pending.length} bytes without a line end)`);
      this.#pending = Buffer.alloc(0);
      this.#fail(new ChannelError('overflow', 'the server sent a line longer than SMTP allows', { line: start }));
      return;
    }
    this.#deliver();
  }

  #deliver(): void {
    if (!this.#waiter) return;
    const line = this.#lines.shift();
    if (line !== undefined) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter.resolve(line);
    } else if (this.#failure) {
      const waiter = this.#waiter;
      this.#waiter = null;
      waiter.reject(this.#failure);
    }
  }

  #fail(err: ChannelError): void {
    if (!this.#failure) this.#failure = err;
    this.#deliver();
  }

  #nextLine(timeoutMs: number): Promise<string> {
    const ready = this.#lines.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new ChannelError('timeout', 'no reply in time'));
      }, timeoutMs);
      this.#waiter = {
        resolve: (line) => { clearTimeout(timer); resolve(line); },
        reject: (err) => { clearTimeout(timer); reject(err); },
      };
    });
  }
}
