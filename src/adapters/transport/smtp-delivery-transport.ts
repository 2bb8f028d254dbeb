// The DeliveryTransport (core/outbound/delivery-types.ts) over SMTP: one nodemailer pool per mail
// server, reached under the same rules as the connection test, with every outcome classified once,
// here, into the connection test's codes.
//
//   const transport = createSmtpDeliveryTransport({ resolver: createSystemResolver(), egressPolicy, logger });
//   const result = await transport.send(connection, envelope);   // never throws for a server-side failure
//   await transport.close(serverId);                             // its settings changed (or close() at shutdown)
//
// Pools: created on a server's first message, keyed by a fingerprint of its connection settings and
// secret (nodemailer-pool-options.ts). A changed fingerprint closes the old pool and opens a new one;
// the host is resolved and checked by the egress rule each time a pool is created, never per message.
// A pool whose connection failed (refused, unreachable, TLS), or that is older than poolMaxAgeMs, is
// retired: new messages go to a fresh pool (a fresh DNS answer), the old one closes when its sends end.
import { randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { EgressPolicy } from '../../core/diagnostics/egress-policy.ts';
import { mechanismName } from '../../core/diagnostics/suggestion-plan.ts';
import { secretForms } from '../../core/diagnostics/transcript.ts';
import type { DeliveryResult, DeliveryTransport, OutgoingEnvelope, ServerConnection } from '../../core/outbound/delivery-types.ts';
import type { Clock, Logger } from '../../core/ports.ts';
import { loginPasswordFrame, plainFrame, xoauth2Frame } from '../smtp-probe/sasl-frames.ts';
import type { HostResolver } from '../smtp-probe/host-resolver.ts';
import { DeliveryAddressError, resolveDeliveryAddress } from './delivery-address.ts';
import { classifyNodemailerError } from './nodemailer-error-classifier.ts';
import { resultFromError, resultFromFailure, resultFromInfo, setupFailure, type ResultContext } from './delivery-result-builder.ts';
import { installHandoverWatch, newHandoverWatch, withHandoverWatch } from './message-handover-watch.ts';
import { buildPoolOptions, DEFAULT_DELIVERY_TIMEOUTS, poolSettingsKeyCache, type DeliveryTimeouts, type PoolTarget } from './nodemailer-pool-options.ts';

/** A pool is rebuilt (and its host resolved again) after this long, so a moved server is followed. */
export const DEFAULT_POOL_MAX_AGE_MS = 60 * 60_000;

export interface SmtpDeliveryTransportOptions {
  resolver: HostResolver;
  egressPolicy: EgressPolicy;
  /** The EHLO name (default: nodemailer's, this machine's FQDN or its address literal). */
  heloName?: string;
  logger?: Logger;
  clock?: Clock;
  /** Shorter limits for the tests; the defaults suit real servers (nodemailer-pool-options.ts). */
  timeouts?: Partial<DeliveryTimeouts>;
  /** PEM certificates trusted besides Node's bundled roots (a private CA). */
  extraCaCertificates?: string[];
  poolMaxAgeMs?: number;
}

type PoolState = 'open' | 'retiring' | 'closed';

interface PoolEntry {
  serverId: string;
  key: string;
  createdAtMs: number;
  /** Resolves once the host is resolved and checked; rejects with DeliveryAddressError. */
  ready: Promise<{ transporter: Transporter; target: PoolTarget }>;
  transporter: Transporter | null;
  state: PoolState;
  sends: Set<Promise<unknown>>;
}

export function createSmtpDeliveryTransport(options: SmtpDeliveryTransportOptions): DeliveryTransport {
  const timeouts: DeliveryTimeouts = { ...DEFAULT_DELIVERY_TIMEOUTS, ...options.timeouts };
  const clock = options.clock ?? { now: () => new Date() };
  const poolMaxAgeMs = options.poolMaxAgeMs ?? DEFAULT_POOL_MAX_AGE_MS;
  const log = options.logger?.child({ component: 'smtp-delivery' }) ?? null;
  // The fingerprint's key lives only in this process: a fingerprint cannot be tested offline.
  const poolKeys = poolSettingsKeyCache(randomBytes(32));
  /** The pool new messages of a server go to. */
  const current = new Map<string, PoolEntry>();
  /** Every pool not yet closed, the retiring ones included. */
  const live = new Set<PoolEntry>();

  function openPool(connection: ServerConnection, key: string): PoolEntry {
    const serverId = connection.server.id;
    const entry: PoolEntry = { serverId, key, createdAtMs: clock.now().getTime(), ready: null as never, transporter: null, state: 'open', sends: new Set() };
    entry.ready = (async () => {
      const target = await resolveDeliveryAddress(connection.server.host, options.resolver, options.egressPolicy, timeouts.dnsMs);
      if (entry.state !== 'open') throw new DeliveryAddressError('temporary', 'TEMPORARY_FAILURE', 'Not sent: the connection to this server was closed before the message\'s turn.');
      const transporter = nodemailer.createTransport(buildPoolOptions(connection, target, {
        heloName: options.heloName,
        timeouts,
        extraCaCertificates: options.extraCaCertificates,
      }));
      installHandoverWatch(transporter);
      // The pool reports failures to each message's callback; a stray 'error' event must not take
      // the process down. Only the code is logged: a message may quote the server's reply.
      transporter.on('error', (err: Error & { code?: unknown }) => log?.warn({ serverId, errorCode: typeof err.code === 'string' ? err.code : null }, 'delivery pool error'));
      entry.transporter = transporter;
      log?.debug({ serverId, address: target.ip, maxConnections: connection.maxConnections }, 'delivery pool opened');
      return { transporter, target };
    })();
    entry.ready.catch((err: unknown) => {
      // Not kept: the next message resolves and checks again.
      if (current.get(serverId) === entry) current.delete(serverId);
      live.delete(entry);
      if (err instanceof DeliveryAddressError) log?.warn({ serverId, code: err.code }, 'delivery pool not opened');
    });
    current.set(serverId, entry);
    live.add(entry);
    return entry;
  }

  function poolFor(connection: ServerConnection): PoolEntry {
    const serverId = connection.server.id;
    const key = poolKeys.keyFor(connection);
    const existing = current.get(serverId);
    if (existing && existing.key === key) {
      if (clock.now().getTime() - existing.createdAtMs < poolMaxAgeMs || existing.transporter === null) return existing;
      retire(existing, 'age');
    } else if (existing) {
      // The settings or the secret changed: mail waiting in the old pool must not go out with the
      // old ones. Its queued messages come back as temporary failures and are retried on the new pool.
      log?.info({ serverId }, 'delivery pool replaced: the server\'s settings changed');
      void shutDown(existing);
    }
    return openPool(connection, key);
  }

  /** No new messages; closes when the sends in progress end. */
  function retire(entry: PoolEntry, reason: 'age' | 'connection failed'): void {
    if (entry.state !== 'open') return;
    if (current.get(entry.serverId) === entry) current.delete(entry.serverId);
    entry.state = 'retiring';
    log?.debug({ serverId: entry.serverId, reason }, 'delivery pool retired');
    if (entry.sends.size === 0) void shutDown(entry);
  }

  async function shutDown(entry: PoolEntry): Promise<void> {
    if (current.get(entry.serverId) === entry) current.delete(entry.serverId);
    if (entry.state !== 'closed') {
      entry.state = 'closed';
      // Idle connections close now; a connection in the middle of a message finishes it first;
      // queued messages are called back with "Connection pool was closed".
      entry.transporter?.close();
    }
    await Promise.allSettled([...entry.sends]);
    live.delete(entry);
  }

  async function send(connection: ServerConnection, envelope: OutgoingEnvelope): Promise<DeliveryResult> {
    if (envelope.recipients.length === 0) throw new TypeError('send() needs at least one recipient');
    const { server, password } = connection;
    const forms = credentialForms(connection);
    const ctx: ResultContext = {
      recipients: envelope.recipients,
      sentRecipients: null,
      security: server.security,
      classify: {
        secretForms: forms,
        authConfigured: server.authEnabled,
        host: server.host,
        port: server.port,
        mechanism: server.authEnabled ? mechanismName(server.authMechanism) : undefined,
        socketTimeoutMs: timeouts.socketMs,
      },
    };
    if (server.authEnabled && (!password || !server.username)) {
      return finish(connection, envelope, resultFromFailure(setupFailure('config', 'AUTH_FAILED', 'Authentication is on, but no user name or password is available for this server.'), ctx));
    }

    const entry = poolFor(connection);
    // Counted from here, not from sendMail: a pool retired while this send waits for its DNS answer
    // must not close under it.
    let release!: () => void;
    const slot = new Promise<void>((resolve) => {
      release = resolve;
    });
    entry.sends.add(slot);
    try {
      return finish(connection, envelope, await attempt(entry, envelope, ctx));
    } finally {
      release();
      entry.sends.delete(slot);
      if (entry.state === 'retiring' && entry.sends.size === 0) void shutDown(entry);
    }
  }

  async function attempt(entry: PoolEntry, envelope: OutgoingEnvelope, ctx: ResultContext): Promise<DeliveryResult> {
    let transporter: Transporter;
    try {
      ({ transporter } = await entry.ready);
    } catch (err) {
      const failure = err instanceof DeliveryAddressError
        ? setupFailure(err.kind, err.code, err.message)
        : setupFailure('temporary', 'PROTOCOL_ERROR', 'The connection to the server could not be prepared.');
      return resultFromFailure(failure, ctx);
    }
    // A closed nodemailer pool drops a message without ever calling back; never hand it one.
    // (From here to the pool's queue nodemailer runs synchronously: no close can come between.)
    if (entry.state === 'closed') return resultFromFailure(classifyNodemailerError(new Error('Connection pool was closed'), ctx.classify), ctx);

    const watch = newHandoverWatch();
    try {
      const info = await transporter.sendMail(withHandoverWatch({
        envelope: { from: envelope.mailFrom, to: envelope.recipients },
        // Sent as rendered at accept time, byte for byte: no header is added or rewritten, so the
        // Message-ID and Date are the same on every attempt.
        raw: envelope.raw,
        // Not written into a raw message (nodemailer sends `raw` as given); it spares nodemailer
        // generating a Message-ID of its own (random bytes) for every send, and its `info` and
        // debug log then name the message's real one (bench/README.md, pass 3).
        messageId: envelope.messageId,
      }, watch));
      return resultFromInfo(info, { ...ctx, sentRecipients: watch.sentRecipients });
    } catch (err) {
      const failed: ResultContext = { ...ctx, sentRecipients: watch.sentRecipients, classify: { ...ctx.classify, handedOver: watch.handedOver } };
      const failure = classifyNodemailerError(err, failed.classify);
      if (failure.connectionFailed) retire(entry, 'connection failed');
      return resultFromError(err, failure, failed);
    }
  }

  function finish(connection: ServerConnection, envelope: OutgoingEnvelope, result: DeliveryResult): DeliveryResult {
    // Codes and numbers only: reply texts stay in the result, which the worker stores.
    log?.debug({
      serverId: connection.server.id,
      messageId: envelope.messageId,
      kind: result.kind,
      code: result.code,
      replyCode: result.replyCode,
      enhanced: result.enhanced,
      possiblyDelivered: result.possiblyDelivered,
    }, 'delivery attempt');
    return result;
  }

  return {
    send,
    async close(serverId?: string): Promise<void> {
      poolKeys.forget(serverId);
      const entries = [...live].filter((entry) => serverId === undefined || entry.serverId === serverId);
      await Promise.all(entries.map((entry) => shutDown(entry)));
    },
  };
}

/** The secret in every form it travels in on the wire, for scrubbing replies a server echoes. */
function credentialForms(connection: ServerConnection): string[] {
  const { password, server } = connection;
  if (!password) return [];
  const username = server.username ?? '';
  return secretForms(password, [plainFrame(username, password), loginPasswordFrame(password), xoauth2Frame(username, password)]);
}
