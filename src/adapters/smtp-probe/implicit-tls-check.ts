// Tells an implicit-TLS port from a silent one. A server on an implicit-TLS port (465) says
// nothing until the client's TLS hello arrives, so a plain connection just sees silence. After a
// short silence the probe opens a second connection to the same checked address and tries a TLS
// handshake; if an SMTP greeting comes back inside TLS, the answer is TLS_REQUIRED_ON_PORT instead
// of waiting out the whole greeting time for a vague GREETING_TIMEOUT.
import { Transcript } from '../../core/diagnostics/transcript.ts';
import { SmtpChannel } from './smtp-channel.ts';
import { connectTcp, type TcpConnector } from './tcp-connect.ts';
import { tlsHandshake } from './tls-handshake.ts';

export interface ImplicitTlsTarget {
  ip: string;
  port: number;
  hostname: string;
}

/** True when the port answers a TLS handshake with an SMTP greeting. Never throws. */
export async function answersSmtpOverTls(connector: TcpConnector, target: ImplicitTlsTarget, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const started = Date.now();
  const left = (): number => Math.max(0, timeoutMs - (Date.now() - started));
  let channel: SmtpChannel | null = null;
  const onAbort = (): void => channel?.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const socket = await connectTcp(connector, { host: target.ip, port: target.port }, left(), signal);
    // Only whether TLS is spoken matters here; the real attempt checks the certificate.
    const { socket: secure } = await tlsHandshake(socket, { hostname: target.hostname, timeoutMs: left(), signal });
    channel = new SmtpChannel(secure, new Transcript());
    if (signal.aborted) return false;
    const greeting = await channel.readReply(left());
    return greeting.code >= 200 && greeting.code < 600;
  } catch {
    return false;
  } finally {
    signal.removeEventListener('abort', onAbort);
    channel?.destroy();
  }
}
