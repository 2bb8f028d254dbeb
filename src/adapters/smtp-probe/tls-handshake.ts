// The TLS handshake on an already connected socket (implicit TLS right after connect, or after
// STARTTLS), and the certificate verdict. The handshake itself runs with rejectUnauthorized off so
// the probe can read the certificate and say precisely what is wrong with it (expired, other name,
// unknown issuer); the verdict is applied before a single byte is written on the TLS socket, so
// nothing — least of all credentials — reaches a server whose certificate failed.
import { isIP, type Socket } from 'node:net';
import tls from 'node:tls';
import type { TlsSessionInfo } from '../../core/diagnostics/probe-types.ts';
import { sanitizeServerText } from '../../core/diagnostics/smtp-reply.ts';

export type CertificateProblemCode = 'CERT_UNTRUSTED' | 'CERT_HOSTNAME_MISMATCH' | 'CERT_EXPIRED';

export interface CertificateProblem {
  code: CertificateProblemCode;
  /** OpenSSL's or Node's reason, e.g. "DEPTH_ZERO_SELF_SIGNED_CERT". */
  reason: string;
  /** The names the certificate is for ("mail.example.com, example.com"). */
  certNames: string;
}

export interface TlsHandshakeResult {
  socket: tls.TLSSocket;
  info: TlsSessionInfo;
  problem: CertificateProblem | null;
}

export type TlsHandshakeErrorKind = 'timeout' | 'not-tls' | 'failed';

export class TlsHandshakeError extends Error {
  readonly kind: TlsHandshakeErrorKind;
  readonly code: string;

  constructor(kind: TlsHandshakeErrorKind, code: string, message: string) {
    super(message);
    this.name = 'TlsHandshakeError';
    this.kind = kind;
    this.code = code;
  }
}

export interface TlsHandshakeOptions {
  /** The host name as typed: SNI and the certificate name check use it, never a resolved name. */
  hostname: string;
  /** PEM certificates trusted in addition to Node's bundled roots (a private CA). */
  extraCaCertificates?: string[];
  timeoutMs: number;
  /** Aborting destroys the socket and rejects at once. */
  signal?: AbortSignal;
}

// OpenSSL's answers when the peer's first bytes are not a TLS record — typically the "220 …"
// greeting of a plain SMTP server.
const NOT_TLS_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_UNKNOWN_PROTOCOL',
]);
const EXPIRY_REASONS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD']);

export function tlsHandshake(socket: Socket, options: TlsHandshakeOptions): Promise<TlsHandshakeResult> {
  const hostname = options.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket,
      // SNI must not carry an IP address (RFC 6066 §3).
      servername: isIP(hostname) ? undefined : hostname,
      // Not a bypass: the chain and the name are checked right after the handshake
      // (certificateProblem), where the cause can be reported in plain words instead of thrown;
      // smtp-session.ts then closes the socket before a byte is sent unless allowInvalidCert is on.
      rejectUnauthorized: false, // checked below; refused unless allowInvalidCert
      // The name is checked below, where the result can be reported instead of thrown.
      checkServerIdentity: () => undefined,
      ca: options.extraCaCertificates && options.extraCaCertificates.length > 0 ? [...tls.rootCertificates, ...options.extraCaCertificates] : undefined,
    });
    const { signal } = options;
    const onAbort = (): void => {
      clearTimeout(timer);
      secure.destroy();
      reject(new TlsHandshakeError('timeout', 'ABORTED', 'the TLS handshake was cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      secure.destroy();
      reject(new TlsHandshakeError('timeout', 'ETIMEDOUT', 'the server did not complete the TLS handshake in time'));
    }, options.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    secure.once('secureConnect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      secure.removeAllListeners('error');
      secure.on('error', () => {}); // the channel attaches its own listener next
      resolve({ socket: secure, info: sessionInfo(secure), problem: certificateProblem(secure, hostname) });
    });
    secure.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      secure.destroy();
      const code = err.code ?? 'ERR_TLS';
      const kind = NOT_TLS_CODES.has(code) ? 'not-tls' : 'failed';
      reject(new TlsHandshakeError(kind, code, kind === 'not-tls' ? 'the server did not answer with TLS' : `the TLS handshake failed (${code})`));
    });
  });
}

function certificateProblem(socket: tls.TLSSocket, hostname: string): CertificateProblem | null {
  const cert = socket.getPeerCertificate();
  const certNames = namesOf(cert);
  if (!socket.authorized) {
    const reason = String(socket.authorizationError ?? 'UNKNOWN');
    return { code: EXPIRY_REASONS.has(reason) ? 'CERT_EXPIRED' : 'CERT_UNTRUSTED', reason, certNames };
  }
  const identityError = tls.checkServerIdentity(hostname, cert);
  if (identityError) return { code: 'CERT_HOSTNAME_MISMATCH', reason: 'ERR_TLS_CERT_ALTNAME_INVALID', certNames };
  return null;
}

function namesOf(cert: tls.PeerCertificate): string {
  if (cert.subjectaltname) {
    return sanitizeServerText(cert.subjectaltname.split(/,\s*/).map((entry) => entry.replace(/^(DNS|IP Address):/, '')).join(', '));
  }
  return typeof cert.subject?.CN === 'string' ? sanitizeServerText(cert.subject.CN) : '';
}

function distinguishedName(name: tls.Certificate | undefined): string {
  if (!name) return '';
  // Certificate fields are chosen by the server's owner: keep control characters out of terminals and pages.
  return sanitizeServerText(Object.entries(name).map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`).join(', '));
}

function sessionInfo(socket: tls.TLSSocket): TlsSessionInfo {
  const cert = socket.getPeerCertificate();
  const validTo = cert.valid_to ? new Date(cert.valid_to) : null;
  return {
    version: socket.getProtocol() ?? 'unknown',
    cipher: socket.getCipher()?.name ?? 'unknown',
    certSubject: distinguishedName(cert.subject),
    certIssuer: distinguishedName(cert.issuer),
    certValidTo: validTo && !Number.isNaN(validTo.getTime()) ? validTo.toISOString() : (cert.valid_to ?? ''),
  };
}
