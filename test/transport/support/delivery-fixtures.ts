// Shared set-up for the delivery transport tests: a transport allowed to reach loopback only, with
// short limits so failure paths end quickly; server connections and rendered messages; an
// smtp-server that records what arrives; and a hand-scripted SMTP server for the faults smtp-server
// cannot produce (a reset right after the final ".", a server that echoes what it was sent).
import type { Socket } from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import { createSmtpDeliveryTransport, type SmtpDeliveryTransportOptions } from '../../../src/adapters/transport/smtp-delivery-transport.ts';
import { createDnsResolver, createSystemResolver } from '../../../src/adapters/smtp-probe/host-resolver.ts';
import { createDirectDeliveryTransport, type DirectDeliveryTransportOptions } from '../../../src/adapters/transport/direct-delivery-transport.ts';
import { createDnsMxResolver } from '../../../src/adapters/transport/mx-resolver.ts';
import { createEgressPolicy } from '../../../src/core/diagnostics/egress-policy.ts';
import type { DeliveryResult, DeliveryTransport, OutgoingEnvelope, ServerConnection } from '../../../src/core/outbound/delivery-types.ts';
import { startRawServer, startSmtpServer, type RunningServer } from '../../diagnostics/support/scripted-servers.ts';

export const LOOPBACK_NETWORKS = ['127.0.0.0/8'];

export const FAST_DELIVERY_TIMEOUTS = { connectMs: 2_000, greetingMs: 2_000, socketMs: 1_500, dnsMs: 1_000 };

/** Direct delivery asking the DNS stand-in at `dnsServer` ("127.0.0.1:PORT") and connecting to every MX on `port`. */
export function directTransportVia(dnsServer: string, port: number, overrides: Partial<DirectDeliveryTransportOptions> = {}) {
  return createDirectDeliveryTransport({
    mxResolver: createDnsMxResolver({ servers: [dnsServer] }),
    hostResolver: createDnsResolver({ servers: [dnsServer] }),
    egressPolicy: createEgressPolicy({ allowedNetworks: LOOPBACK_NETWORKS }),
    heloName: 'mailroom-test.example',
    port,
    timeouts: FAST_DELIVERY_TIMEOUTS,
    ...overrides,
  });
}

export function loopbackTransport(overrides: Partial<SmtpDeliveryTransportOptions> = {}): DeliveryTransport {
  return createSmtpDeliveryTransport({
    resolver: createSystemResolver(),
    egressPolicy: createEgressPolicy({ allowedNetworks: LOOPBACK_NETWORKS }),
    heloName: 'delivery-test.localhost',
    timeouts: FAST_DELIVERY_TIMEOUTS,
    ...overrides,
  });
}

type ServerFields = ServerConnection['server'];

export function serverConnection(port: number, overrides: Partial<ServerFields> & { password?: string | null; maxConnections?: number } = {}): ServerConnection {
  const { password = null, maxConnections = 2, ...server } = overrides;
  return {
    server: {
      id: 'server-1',
      host: '127.0.0.1',
      port,
      security: 'none',
      authEnabled: false,
      authMechanism: 'plain',
      username: null,
      allowInvalidCert: false,
      ...server,
    },
    password,
    maxConnections,
  };
}

let counter = 0;

/** A rendered message, as the messages service stores it: CRLF lines, final Message-ID and Date. */
export function renderedMessage(overrides: { messageId?: string; date?: string; body?: string } = {}): { raw: string; messageId: string } {
  counter++;
  const messageId = overrides.messageId ?? `<delivery-test-${counter}.${Date.now()}@mailroom.test>`;
  const date = overrides.date ?? 'Tue, 03 Feb 2026 04:05:06 +0000';
  const body = overrides.body ?? `Message ${counter}.\r\n.A line starting with a dot.\r\n`;
  const raw = [
    'From: Sender <sender@example.com>',
    'To: one@example.com',
    'Subject: Delivery test',
    `Date: ${date}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    '',
  ].join('\r\n') + body;
  return { raw, messageId };
}

export function envelope(recipients: string[] = ['one@example.com'], message = renderedMessage()): OutgoingEnvelope {
  return { mailFrom: 'bounce@example.com', recipients, raw: message.raw, messageId: message.messageId };
}

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: Buffer;
  /** The session ran inside TLS. */
  secure: boolean;
  /** The user the session logged in as, if it did. */
  user: string | null;
}

export interface CapturingServer extends RunningServer {
  messages: ReceivedMessage[];
  /** Connections opened so far (counted in onConnect). */
  connections(): number;
  /** Connections open right now. */
  openConnections(): number;
  /** The most connections open at the same time. */
  peakConnections(): number;
  /** Resolves once `condition` holds, checked at every connect, close and message (no polling). */
  waitFor(condition: () => boolean): Promise<void>;
}

/** An smtp-server that accepts every message and records it; `options` script the answers. */
export async function startCapturingServer(options: SMTPServerOptions = {}): Promise<CapturingServer> {
  const messages: ReceivedMessage[] = [];
  let opened = 0;
  let open = 0;
  let peak = 0;
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const check of [...waiters]) check();
  };
  const server = await startSmtpServer({
    authOptional: true,
    ...options,
    onConnect(session, callback) {
      opened++;
      open++;
      peak = Math.max(peak, open);
      notify();
      if (options.onConnect) options.onConnect(session, callback);
      else callback();
    },
    onClose(session, server) {
      open--;
      notify();
      options.onClose?.(session, server);
    },
    onData: options.onData ?? ((stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : null,
        });
        notify();
        callback();
      });
    }),
  });
  const waitFor = (condition: () => boolean): Promise<void> => new Promise((resolve) => {
    const check = (): void => {
      if (!condition()) return;
      waiters.delete(check);
      resolve();
    };
    waiters.add(check);
    check();
  });
  return { ...server, messages, connections: () => opened, openConnections: () => open, peakConnections: () => peak, waitFor };
}

export interface ScriptedSession {
  /** Every line the client sent, as sent (AUTH frames included: the tests look for the secret). */
  lines: string[];
  /** The message data between DATA and ".", when it got that far. */
  data: string;
}

export interface ScriptedSmtpOptions {
  ehlo?: string[];
  /** The reply to an AUTH command, or to the last line of an AUTH exchange. */
  auth?: (line: string, session: ScriptedSession) => string;
  /** What happens after the final "." arrived: reply, or hang up, or nothing at all. */
  afterData?: (socket: Socket, session: ScriptedSession) => void;
}

/**
 * A plain-text SMTP server written by hand, for faults smtp-server cannot script: it can reset the
 * connection the instant the final "." arrives, and answer AUTH with whatever a hostile server would.
 */
export async function startScriptedSmtpServer(options: ScriptedSmtpOptions): Promise<RunningServer & { sessions: ScriptedSession[] }> {
  const sessions: ScriptedSession[] = [];
  const server = await startRawServer((socket) => {
    const session: ScriptedSession = { lines: [], data: '' };
    sessions.push(session);
    let buffer = '';
    let mode: 'command' | 'data' | 'auth-login-user' | 'auth-login-pass' = 'command';
    const reply = (text: string): void => {
      if (!socket.destroyed) socket.write(`${text}\r\n`);
    };
    reply('220 scripted.localhost ESMTP');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (mode === 'data') {
          if (line === '.') {
            mode = 'command';
            if (options.afterData) options.afterData(socket, session);
            else reply('250 2.0.0 Ok: queued');
            continue;
          }
          session.data += `${line}\r\n`;
          continue;
        }
        session.lines.push(line);
        if (mode === 'auth-login-user') {
          mode = 'auth-login-pass';
          reply('334 UGFzc3dvcmQ6');
          continue;
        }
        if (mode === 'auth-login-pass') {
          mode = 'command';
          reply(options.auth ? options.auth(line, session) : '235 2.7.0 Authentication successful');
          continue;
        }
        const verb = line.split(' ')[0]?.toUpperCase() ?? '';
        if (verb === 'EHLO') reply(['250-scripted.localhost', ...(options.ehlo ?? ['PIPELINING', 'AUTH PLAIN LOGIN']).map((e) => `250-${e}`), '250 8BITMIME'].join('\r\n'));
        else if (verb === 'AUTH' && /^AUTH LOGIN$/i.test(line)) {
          mode = 'auth-login-user';
          reply('334 VXNlcm5hbWU6');
        } else if (verb === 'AUTH') reply(options.auth ? options.auth(line, session) : '235 2.7.0 Authentication successful');
        else if (verb === 'DATA') {
          mode = 'data';
          reply('354 End data with <CR><LF>.<CR><LF>');
        } else if (verb === 'QUIT') {
          reply('221 2.0.0 Bye');
          socket.end();
        } else reply('250 2.0.0 Ok');
      }
    });
  });
  return { ...server, sessions };
}

/** The result without the parts that vary between runs, for readable assertion messages. */
export function summary(result: DeliveryResult): string {
  return JSON.stringify({ kind: result.kind, code: result.code, replyCode: result.replyCode, enhanced: result.enhanced, replyText: result.replyText, possiblyDelivered: result.possiblyDelivered });
}

export { smtpError } from '../../diagnostics/support/probe-fixtures.ts';
export { closedPort } from '../../diagnostics/support/scripted-servers.ts';
