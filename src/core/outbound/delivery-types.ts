// The sending side of durable delivery: what the worker hands a transport, and the classified
// outcome it gets back. Outcomes are classified once, where the library's error enters (the
// transport adapter), with the same codes as the connection test (core/diagnostics).
import type { ProbeCode } from '../diagnostics/probe-types.ts';
import type { MailServer } from '../model.ts';

/** One message as it goes on the wire: rendered once at accept time, identical on every attempt. */
export interface OutgoingEnvelope {
  /** MAIL FROM (the server's error-to when set, else the From address). */
  mailFrom: string;
  /** RCPT TO, only the recipients still pending. */
  recipients: string[];
  /** The complete RFC 5322 message, with its final Message-ID and Date. */
  raw: string;
  messageId: string;
}

/**
 * How an attempt ended, per recipient where the server said so:
 * - `sent`: 250 after DATA for these recipients.
 * - `temporary`: 4xx, timeout, reset, DNS SERVFAIL — retry later with backoff.
 * - `permanent`: 5xx for that recipient or message — failed, never retried.
 * - `config`: the server's configuration is wrong (auth, certificate, blocked host, TLS mismatch):
 *   hold the server's mail until it is fixed instead of hammering it.
 * - `throttled`: a temporary failure that says "slow down" (421, 454, 4.3.2, "try again later"):
 *   retry, and lower the server's sending rate.
 */
export type OutcomeKind = 'sent' | 'temporary' | 'permanent' | 'config' | 'throttled';

export interface RecipientOutcome {
  address: string;
  kind: OutcomeKind;
  replyCode: number | null;
  enhanced: string | null;
  /** The server's reply, sanitized: one line, no credentials, at most 500 characters. */
  replyText: string | null;
}

export interface DeliveryResult {
  /** The attempt as a whole: `sent` when every recipient was accepted. */
  kind: OutcomeKind;
  /** A code from the connection test's table where one applies (AUTH_FAILED, CERT_UNTRUSTED, …). */
  code: ProbeCode | 'SENT' | 'PARTIAL';
  /** Plain words for the failure history. */
  message: string;
  hint: string | null;
  replyCode: number | null;
  enhanced: string | null;
  replyText: string | null;
  /** Per recipient; covers every recipient of the envelope. */
  recipients: RecipientOutcome[];
  /** TLS in use for the attempt, e.g. "TLSv1.3", or null for plain text. */
  tls: string | null;
  /**
   * True when the server may have accepted the message although we did not see its final reply
   * (connection lost after the final "." was sent): a retry may duplicate it, with the same
   * Message-ID (SECURITY.md: at most one duplicate, marked "possibly delivered").
   */
  possiblyDelivered: boolean;
}

/** Everything a transport needs to reach one mail server. */
export interface ServerConnection {
  server: Pick<MailServer, 'id' | 'host' | 'port' | 'security' | 'authEnabled' | 'authMechanism' | 'username' | 'allowInvalidCert'>;
  /** The resolved password or OAuth2 token; never logged. */
  password: string | null;
  /** Connections kept open to this server at most. */
  maxConnections: number;
}

/** The port the delivery worker sends through; adapters/transport implements it with nodemailer. */
export interface DeliveryTransport {
  send(connection: ServerConnection, envelope: OutgoingEnvelope): Promise<DeliveryResult>;
  /** Closes the pool of one server (its settings changed) or of all servers. */
  close(serverId?: string): Promise<void>;
}

/** A DKIM key to sign with: the company's verified domain, or the instance's own. */
export interface DkimKey {
  domainName: string;
  selector: string;
  /** PEM; never logged. */
  privateKey: string;
}

/** Which key signs a company's message from `fromDomain` (null: send unsigned). */
export interface DkimKeySource {
  keyFor(companyId: string, fromDomain: string): Promise<DkimKey | null>;
}

/**
 * The built-in service's direct delivery: straight to each recipient domain's MX hosts (adapters/
 * transport/direct-delivery-transport.ts). Returns per-recipient outcomes like a mail server's.
 */
export interface DirectDelivery {
  send(envelope: OutgoingEnvelope, options: { dkim: DkimKey | null }): Promise<DeliveryResult>;
  close(): Promise<void>;
}
