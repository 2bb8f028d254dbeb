// The nodemailer pool options for one mail server, and the fingerprint that tells when its pool must
// be replaced. Pure: the transport resolves and checks the address first and passes it in.
import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { mechanismName } from '../../core/diagnostics/suggestion-plan.ts';
import type { ServerConnection } from '../../core/outbound/delivery-types.ts';
import { socketOpener } from './delivery-socket.ts';

export interface DeliveryTimeouts {
  /** TCP connect (nodemailer `connectionTimeout`). */
  connectMs: number;
  /** Connected, waiting for the 220 greeting. */
  greetingMs: number;
  /**
   * Socket inactivity (nodemailer `socketTimeout`): the longest wait for any reply, the final reply
   * after "." included, and also how long an idle pooled connection is kept open. RFC 5321 §4.5.3.2
   * suggests 5 minutes for commands and 10 for the final reply; 5 minutes for all keeps a stalled
   * server from holding a pool slot for 10, at the price of a "possibly delivered" verdict for the
   * rare server that scans a message for longer.
   */
  socketMs: number;
  /** DNS lookup of the host when the pool is created. */
  dnsMs: number;
}

export const DEFAULT_DELIVERY_TIMEOUTS: DeliveryTimeouts = {
  connectMs: 30_000,
  greetingMs: 30_000,
  socketMs: 300_000,
  dnsMs: 5_000,
};

export interface PoolTarget {
  /** The address the egress rule allowed; the only one connected to. */
  ip: string;
  /** The host as typed (without brackets): SNI and the certificate name check use it. */
  hostname: string;
}

export interface PoolOptionsSettings {
  heloName?: string;
  timeouts: DeliveryTimeouts;
  /** PEM certificates trusted besides Node's bundled roots (a private CA). */
  extraCaCertificates?: string[];
}

/** nodemailer's pool options, plus the one its type declarations miss. */
export type DeliveryPoolOptions = SMTPPool.Options & { maxRequeues: number };

export function buildPoolOptions(connection: ServerConnection, target: PoolTarget, settings: PoolOptionsSettings): DeliveryPoolOptions {
  const { server, password } = connection;
  // Named for what it is: the profile's explicit, audited "Allow invalid certificate" choice.
  const allowInvalidCertificate = server.allowInvalidCert === true;
  const servername = isIP(target.hostname) ? undefined : target.hostname; // SNI never carries an address (RFC 6066 §3)
  const extraCa = settings.extraCaCertificates ?? [];

  const options: DeliveryPoolOptions = {
    pool: true,
    // The checked address, never the name: the socket is opened by socketOpener to this address
    // only, so a second DNS answer (rebinding) cannot send the connection elsewhere.
    host: target.ip,
    port: server.port,
    getSocket: socketOpener({ ip: target.ip, port: server.port }, settings.timeouts.connectMs),
    name: settings.heloName,
    maxConnections: Math.max(1, Math.floor(connection.maxConnections)),
    // nodemailer closes a connection after maxMessages (default 100) and then pauses 100 ms before
    // the next one (PERFORMANCE.md: that halves throughput on one connection). Connections live
    // until the server closes them, the socket timeout ends an idle one, or the pool is replaced.
    maxMessages: Infinity,
    // Never let nodemailer resend a message on its own after a connection closed mid-send: the
    // worker decides retries, knowing whether the message was possibly delivered.
    maxRequeues: 0,
    connectionTimeout: settings.timeouts.connectMs,
    greetingTimeout: settings.timeouts.greetingMs,
    socketTimeout: settings.timeouts.socketMs,
    // Security, the same way the connection test (smtp-probe/smtp-session.ts) does it:
    // - 'tls': TLS from the first byte.
    // - 'starttls': STARTTLS is required. Without requireTLS nodemailer silently carries on in plain
    //   text when the server does not offer STARTTLS (or a man in the middle strips it).
    // - 'none': plain text, STARTTLS is not used even when offered (ignoreTLS). The probe never sends
    //   STARTTLS in this mode either, so a passing test predicts delivery; opportunistic STARTTLS
    //   would fail hard on the self-signed certificates that trusted internal relays often have,
    //   and would make 'none' mean two things. Choosing STARTTLS is how to get encryption.
    secure: server.security === 'tls',
    requireTLS: server.security === 'starttls',
    ignoreTLS: server.security === 'none',
    opportunisticTLS: false,
    tls: {
      servername,
      rejectUnauthorized: !allowInvalidCertificate,
      ...(extraCa.length > 0 ? { ca: [...rootCertificates, ...extraCa] } : {}),
    },
    // nodemailer's own log would hold the user name and server replies; the transport logs what it needs.
    logger: false,
    debug: false,
    transactionLog: false,
    // The message is a rendered string: nothing in it may make nodemailer read files or URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  };

  if (server.authEnabled) {
    const user = server.username ?? '';
    if (server.authMechanism === 'xoauth2') {
      // An access token resolved by the secret provider; no refresh token, so nodemailer never
      // calls out to a token endpoint on its own.
      options.auth = { type: 'OAuth2', user, accessToken: password ?? '' };
    } else {
      options.auth = { user, pass: password ?? '' };
      options.authMethod = mechanismName(server.authMechanism); // PLAIN, LOGIN or CRAM-MD5
    }
    // forceAuth stays off: credentials go only to a server that offers AUTH on this connection.
    // A server that offers none then refuses MAIL or RCPT (530, relay denied → 'config'), or
    // accepts the mail as it would from this machine anyway.
  }
  return options;
}

/**
 * A fingerprint of everything the pool's connections depend on. HMAC with a per-process key: the
 * value shows nothing about the settings, not even offline, and is never logged anyway.
 */
export function poolSettingsKey(connection: ServerConnection, hmacKey: Buffer): string {
  return createHmac('sha256', hmacKey).update(JSON.stringify(poolSettingsFields(connection))).digest('base64url');
}

/**
 * poolSettingsKey per server, computed again only when one of its inputs changed: an HMAC (and a
 * JSON string) per message was ~0.2 ms of CPU each (bench/README.md). The inputs are compared one
 * by one, so a changed password or host is never missed, whatever the server's version says.
 */
export function poolSettingsKeyCache(hmacKey: Buffer): { keyFor(connection: ServerConnection): string; forget(serverId?: string): void } {
  const last = new Map<string, { fields: unknown[]; key: string }>();
  return {
    keyFor(connection) {
      const fields = poolSettingsFields(connection);
      const hit = last.get(connection.server.id);
      if (hit && hit.fields.every((value, i) => value === fields[i])) return hit.key;
      const key = createHmac('sha256', hmacKey).update(JSON.stringify(fields)).digest('base64url');
      last.set(connection.server.id, { fields, key });
      return key;
    },
    forget(serverId) {
      if (serverId === undefined) last.clear();
      else last.delete(serverId);
    },
  };
}

function poolSettingsFields(connection: ServerConnection): unknown[] {
  const { server } = connection;
  return [
    server.host.trim().toLowerCase(),
    server.port,
    server.security,
    server.authEnabled,
    server.authMechanism,
    server.username ?? null,
    connection.password ?? null,
    server.allowInvalidCert,
    connection.maxConnections,
  ];
}
