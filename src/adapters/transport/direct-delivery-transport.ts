// Direct delivery for the built-in mail service: each message goes straight to its recipients'
// mail exchangers (RFC 5321 §5.1), DKIM-signed, with every outcome classified once, here, into the
// same DeliveryResult the SMTP transport returns (core/outbound/delivery-types.ts).
//
//   const direct = createDirectDeliveryTransport({ mxResolver: createDnsMxResolver(), hostResolver, egressPolicy, heloName });
//   const result = await direct.send(envelope, { dkim: { domainName, selector, privateKey } });  // never throws for a remote failure
//   await direct.close();
//
// Per send: the message is signed once; the pending recipients are grouped by domain; each domain
// is delivered over one SMTP session (domains in parallel, within maxConnections for the whole
// transport):
// - MX lookup: records sorted by preference, shuffled among equal ones; none (NODATA) → the domain's
//   own address (implicit MX); a null MX "." (RFC 7505) → permanent; NXDOMAIN → permanent 5.1.2;
//   SERVFAIL or a timeout → temporary.
// - Hosts in that order, each address checked by the egress rule and connected to as checked (the
//   name is used only for SNI and the certificate check). Refused, timed out, a 4xx/5xx greeting, a
//   421, a failed EHLO or TLS requirement → the next address. Once a session reaches MAIL FROM, that
//   host decides: a 5xx is the recipient's permanent failure, a 4xx its temporary one.
// - TLS: STARTTLS is used when offered, without certificate checks (RFC 7435 opportunistic
//   security, as MTAs do); a handshake that fails is retried once in clear text on the same host.
//   Required — offered, and a certificate valid for the MX name — when the instance says so
//   (MAILROOM_DIRECT_REQUIRE_TLS) or the domain's MTA-STS policy is in "enforce" mode
//   (mta-sts-policy.ts); failing that is a temporary failure "… requires TLS …" and the next MX is
//   tried (RFC 8461 §5). An enforced policy also limits the MX hosts to the names it lists.
//
// Why one nodemailer SMTPConnection per session rather than createTransport or a pool: direct
// delivery spreads over many destinations with little reuse per destination, and a per-domain pool
// would have to be bounded, aged and retired per MX address (what the SMTP transport does per
// server) for a small gain. SMTPConnection (nodemailer's documented low-level client) is the
// session createTransport runs inside, but it hands us the TLS socket after STARTTLS, so the TLS
// version is recorded and "required" is checked on the live connection.
import { TLSSocket, rootCertificates } from 'node:tls';
import { isIP, type Socket } from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import { domainToASCII } from 'node:url';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { EgressPolicy } from '../../core/diagnostics/egress-policy.ts';
import { describeProbeCode, type ProbeCode } from '../../core/diagnostics/result-codes.ts';
import type { DeliveryResult, DirectDelivery, DkimKey, OutcomeKind, OutgoingEnvelope, RecipientOutcome } from '../../core/outbound/delivery-types.ts';
import type { Clock, Logger } from '../../core/ports.ts';
import { HostResolveError, type HostResolver } from '../smtp-probe/host-resolver.ts';
import { resultFromError, resultFromFailure, resultFromInfo, setupFailure, type ResultContext } from './delivery-result-builder.ts';
import { socketOpener } from './delivery-socket.ts';
import { DkimSignError, signWithDkim } from './dkim-signer.ts';
import { newHandoverWatch, type HandoverWatch } from './message-handover-watch.ts';
import type { MxRecord, MxResolver } from './mx-resolver.ts';
import { createMtaStsPolicySource, mxMatchesPolicy, type MtaStsPolicy } from './mta-sts-policy.ts';
import { classifyNodemailerError, type ClassifyContext, type FailureClassification, type FailureKind } from './nodemailer-error-classifier.ts';
import { DEFAULT_DELIVERY_TIMEOUTS, type DeliveryTimeouts } from './nodemailer-pool-options.ts';

export const DEFAULT_DIRECT_PORT = 25;
export const DEFAULT_DIRECT_MAX_CONNECTIONS = 20;
/**
 * Addresses connected to per domain and attempt (Postfix's smtp_mx_address_limit): a domain whose
 * ten MX hosts all time out would otherwise hold a connection slot for ten connect timeouts.
 */
export const DEFAULT_MAX_ADDRESSES_PER_DOMAIN = 5;
/** MX hosts looked up per domain: bounds the DNS work a hostile domain with hundreds of MX records causes. */
const MAX_MX_HOSTS = 10;
/** Failed domains named in a multi-domain result's message; the per-recipient outcomes list them all. */
const MAX_DOMAINS_NAMED = 3;

export interface DirectDeliveryTransportOptions {
  mxResolver: MxResolver;
  /** Addresses (A, AAAA) of mail exchangers, and of the domain itself for the implicit MX. */
  hostResolver: HostResolver;
  egressPolicy: EgressPolicy;
  /** EHLO name: this machine's public DNS name (receivers check it); default nodemailer's (the hostname). */
  heloName?: string;
  /** The port every MX is connected to (config.directPort: 25; tests give their servers' port). */
  port?: number;
  /** Require STARTTLS with a valid certificate for every domain (MAILROOM_DIRECT_REQUIRE_TLS). */
  requireTls?: boolean;
  /** SMTP sessions open at once across all sends (config.directMaxConnections). */
  maxConnections?: number;
  maxAddressesPerDomain?: number;
  timeouts?: Partial<DeliveryTimeouts>;
  /** PEM certificates trusted besides Node's bundled roots, for required TLS and MTA-STS policy hosts (a private CA). */
  extraCaCertificates?: string[];
  /** HTTPS port MTA-STS policies are fetched from: 443; tests give their local server's port. */
  mtaStsPort?: number;
  logger?: Logger;
  /** The DKIM signature's time (t=). */
  clock?: Clock;
  /** Orders MX hosts of equal preference (tests make it deterministic); default Math.random. */
  random?: () => number;
}

export interface DirectSendOptions {
  /** Sign with this key before the first connection; null sends the message as it is. */
  dkim: DkimKey | null;
}

/** One recipient domain's share of the envelope. */
interface DomainGroup {
  /** ASCII (punycode) form, lower case: what DNS is asked and RCPT TO carries. */
  domain: string;
  /** Positions in envelope.recipients. */
  indexes: number[];
  /** As the worker gave them: the result reports these. */
  recipients: string[];
  /** As written in RCPT TO: local part as given, domain in its ASCII form. */
  wire: string[];
}

type TlsMode = 'required' | 'opportunistic' | 'plain';
type RequiredBy = 'instance' | 'mta-sts';

interface Target {
  mxName: string;
  ip: string;
}

/** How one connection attempt ended: a result for the domain, or "try the next address". */
type AttemptOutcome =
  | { done: DeliveryResult; tls: string | null }
  | { next: FailureClassification; tlsFailed: boolean };

/** Implements the worker's DirectDelivery port (core/outbound/delivery-types.ts). */
export function createDirectDeliveryTransport(options: DirectDeliveryTransportOptions): DirectDelivery {
  const timeouts: DeliveryTimeouts = { ...DEFAULT_DELIVERY_TIMEOUTS, ...options.timeouts };
  const port = options.port ?? DEFAULT_DIRECT_PORT;
  const clock = options.clock ?? { now: () => new Date() };
  const random = options.random ?? Math.random;
  const maxAddresses = Math.max(1, Math.floor(options.maxAddressesPerDomain ?? DEFAULT_MAX_ADDRESSES_PER_DOMAIN));
  const slots = createSlots(Math.max(1, Math.floor(options.maxConnections ?? DEFAULT_DIRECT_MAX_CONNECTIONS)));
  const extraCa = options.extraCaCertificates ?? [];
  const log = options.logger?.child({ component: 'direct-delivery' }) ?? null;
  const mtaSts = createMtaStsPolicySource({
    mxResolver: options.mxResolver,
    hostResolver: options.hostResolver,
    egressPolicy: options.egressPolicy,
    port: options.mtaStsPort,
    extraCaCertificates: extraCa,
    dnsTimeoutMs: timeouts.dnsMs,
    fetchTimeoutMs: Math.min(timeouts.connectMs, 10_000),
    logger: log,
  });
  // nodemailer writes the name after EHLO as it is (GHSA-vvjj-xcjg-gr5g): refuse anything but a
  // host name or an address literal, at construction, so a bad setting fails at boot.
  if (options.heloName !== undefined && !/^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])$/.test(options.heloName)) {
    throw new TypeError('heloName must be a host name such as mail.example.com, or an address literal');
  }
  const open = new Set<SMTPConnection>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  async function send(envelope: OutgoingEnvelope, sendOptions: DirectSendOptions): Promise<DeliveryResult> {
    if (envelope.recipients.length === 0) throw new TypeError('send() needs at least one recipient');
    const running = deliver(envelope, sendOptions);
    inFlight.add(running);
    try {
      return await running;
    } finally {
      inFlight.delete(running);
    }
  }

  async function deliver(envelope: OutgoingEnvelope, sendOptions: DirectSendOptions): Promise<DeliveryResult> {
    const { groups, invalid } = groupByDomain(envelope.recipients);
    if (closed) return wholeFailure(envelope.recipients, setupFailure('temporary', 'TEMPORARY_FAILURE', CLOSING_MESSAGE));

    let message = envelope.raw;
    if (sendOptions.dkim) {
      try {
        message = await signWithDkim(envelope.raw, sendOptions.dkim, clock.now());
      } catch (err) {
        // Our key, not the recipient's server: nothing can be sent until it is fixed, so 'config'.
        // Never sent unsigned instead: receivers with a DMARC policy would reject or junk it.
        const text = err instanceof DkimSignError ? err.message : 'The message could not be DKIM-signed.';
        log?.error({ messageId: envelope.messageId, domain: sendOptions.dkim.domainName, selector: sendOptions.dkim.selector }, 'DKIM signing failed');
        return wholeFailure(envelope.recipients, {
          ...setupFailure('config', 'PROTOCOL_ERROR', text),
          hint: 'Check the DKIM private key configured for this sending domain (a PEM RSA key matching the published selector).',
        });
      }
    }
    const body = Buffer.from(message, 'utf8');

    const parts = await Promise.all(groups.map(async (group) => ({ group, result: await deliverToDomain(group, envelope, body) })));
    for (const address of invalid) {
      parts.push({
        group: { domain: '', indexes: [address.index], recipients: [address.address], wire: [address.address] },
        result: groupFailure([address.address], setupFailure('permanent', 'RECIPIENT_REJECTED', `"${address.address}" is not an address with a domain that can be delivered to directly.`), '5.1.3'),
      });
    }
    return mergeResults(envelope.recipients, parts);
  }

  async function deliverToDomain(group: DomainGroup, envelope: OutgoingEnvelope, body: Buffer): Promise<DeliveryResult> {
    const { domain } = group;
    const [hosts, policy] = await Promise.all([mailHosts(domain), enforcedPolicy(domain)]);
    if ('failure' in hosts) {
      logDomain(envelope, domain, null, hosts.failure.kind, hosts.failure.code);
      return groupFailure(group.recipients, hosts.failure, hosts.enhanced);
    }
    const requiredBy: RequiredBy | null = options.requireTls ? 'instance' : policy ? 'mta-sts' : null;
    const mode: TlsMode = requiredBy ? 'required' : 'opportunistic';
    if (policy) {
      // RFC 8461 §4.1: under an enforced policy, mail goes only to the MX hosts it names.
      const allowed = hosts.names.filter((name) => mxMatchesPolicy(name, policy));
      if (allowed.length === 0) {
        const failure: FailureClassification = {
          ...setupFailure('temporary', 'TEMPORARY_FAILURE', `Not sent: ${domain}'s MTA-STS policy allows only the mail servers ${policy.mx.slice(0, 3).join(', ')}, and none of its MX hosts (${hosts.names.slice(0, 3).join(', ')}) is one of them.`),
          hint: 'Retried later: the recipient domain\'s MX records and its MTA-STS policy disagree, which its administrator must fix (or an attacker is changing its DNS answers).',
        };
        logDomain(envelope, domain, null, failure.kind, failure.code);
        return groupFailure(group.recipients, failure, '4.7.5');
      }
      hosts.names = allowed;
    }

    const seen = new Set<string>();
    let attempts = 0;
    let blocked = 0;
    let unresolvedTemporarily = 0;
    let last: { mxName: string; failure: FailureClassification } | null = null;
    let tlsRefusal: { mxName: string; failure: FailureClassification } | null = null;

    search: for (const host of hosts.names) {
      let addresses: string[];
      try {
        addresses = isIP(host) ? [host] : await options.hostResolver.resolve(host, timeouts.dnsMs);
      } catch (err) {
        if (hosts.implicit && err instanceof HostResolveError && err.kind === 'not-found') {
          // RFC 5321 §5.1: no MX and no address — the domain cannot receive mail.
          return groupFailure(group.recipients, {
            ...setupFailure('permanent', 'DNS_NOT_FOUND', `${domain} has no mail server: it has neither MX records nor an address in DNS.`),
            hint: 'Check the spelling of the recipient\'s domain.',
          }, '5.1.2');
        }
        if (!(err instanceof HostResolveError && err.kind === 'not-found')) unresolvedTemporarily++;
        continue;
      }
      for (const address of addresses) {
        const decision = options.egressPolicy.check(address);
        if (!decision.allowed || !decision.address) {
          blocked++;
          continue;
        }
        if (seen.has(decision.address)) continue;
        seen.add(decision.address);
        if (attempts >= maxAddresses) break search;
        attempts++;
        const target: Target = { mxName: host, ip: decision.address };
        let outcome = await attempt(target, mode, requiredBy, group, envelope, body);
        if ('next' in outcome && outcome.tlsFailed && mode === 'opportunistic') {
          // A broken TLS stack must not keep all mail from the host: opportunistic TLS only defends
          // against passive listening, and a clear-text retry gives up nothing an active attacker
          // could not already strip.
          outcome = await attempt(target, 'plain', null, group, envelope, body);
        }
        if ('done' in outcome) {
          logDomain(envelope, domain, host, outcome.done.kind, outcome.done.code, outcome.tls);
          return outcome.done;
        }
        last = { mxName: host, failure: outcome.next };
        if (outcome.tlsFailed && mode === 'required') tlsRefusal ??= last;
        log?.debug({ messageId: envelope.messageId, domain, mx: host, code: outcome.next.code }, 'direct delivery: next mail server');
      }
    }

    const decisive = tlsRefusal ?? last;
    let failure: FailureClassification;
    let enhanced: string | null = null;
    if (decisive) {
      failure = {
        ...decisive.failure,
        kind: decisive.failure.kind === 'throttled' ? 'throttled' : 'temporary',
        message: decisive === tlsRefusal
          ? decisive.failure.message
          : `No mail server of ${domain} took the message (${attempts} tried); the last, ${decisive.mxName}: ${decisive.failure.message}`,
        possiblyDelivered: false,
      };
    } else if (blocked > 0 && unresolvedTemporarily === 0) {
      // Permanent, deliberately: the domain's own DNS points its mail at private or internal
      // addresses. Retrying for days cannot change the instance's egress rule, and a domain that
      // does this on purpose (to make Mailroom probe an internal network) must get no connection
      // and no retries. An instance that really delivers to internal domains allow-lists their
      // networks (MAILROOM_ALLOWED_SMTP_NETWORKS). Not 'config': one recipient's DNS must not hold
      // the built-in service's mail for everyone else.
      failure = {
        ...setupFailure('permanent', 'HOST_BLOCKED', `The mail servers of ${domain} point to private or internal addresses, which this instance does not connect to.`),
        hint: 'If this domain is on an internal network this instance should deliver to, the operator can allow that network (MAILROOM_ALLOWED_SMTP_NETWORKS).',
      };
    } else if (unresolvedTemporarily > 0) {
      failure = setupFailure('temporary', 'TEMPORARY_FAILURE', `The addresses of ${domain}'s mail servers could not be looked up (DNS failed); delivery will be retried.`);
      enhanced = '4.4.3';
    } else {
      // Temporary, unlike NXDOMAIN for the domain itself: a domain whose MX names do not resolve is
      // usually in the middle of a DNS change, and the give-up time bounds the retries.
      failure = {
        ...setupFailure('temporary', 'DNS_NOT_FOUND', `The mail servers of ${domain} (${hosts.names.slice(0, 3).join(', ')}) have no address in DNS.`),
        hint: 'The recipient domain names mail servers that do not exist; delivery is retried in case its DNS is being changed.',
      };
      enhanced = '4.4.4';
    }
    logDomain(envelope, domain, decisive?.mxName ?? null, failure.kind, failure.code);
    return groupFailure(group.recipients, failure, enhanced);
  }

  /** The mail exchangers to try, in order, or why there are none. */
  async function mailHosts(domain: string): Promise<{ names: string[]; implicit: boolean } | { failure: FailureClassification; enhanced: string | null }> {
    let records: MxRecord[];
    try {
      records = await options.mxResolver.resolveMx(domain, timeouts.dnsMs);
    } catch (err) {
      if (err instanceof HostResolveError && err.kind === 'not-found') {
        return {
          failure: { ...setupFailure('permanent', 'DNS_NOT_FOUND', `The domain ${domain} does not exist.`), hint: 'Check the spelling of the recipient\'s address after the @.' },
          enhanced: '5.1.2',
        };
      }
      return { failure: setupFailure('temporary', 'TEMPORARY_FAILURE', `The mail servers of ${domain} could not be looked up (DNS failed or did not answer); delivery will be retried.`), enhanced: '4.4.3' };
    }
    if (records.length === 0) return { names: [domain], implicit: true };
    const real = records.filter((r) => r.exchange !== '');
    if (real.length === 0) {
      // RFC 7505: "." as the only MX says the domain accepts no mail at all.
      return {
        failure: { ...setupFailure('permanent', 'RECIPIENT_REJECTED', `The domain ${domain} does not accept email: it publishes a "null MX" record (RFC 7505).`), hint: 'The recipient\'s address cannot receive mail; ask them for another one.' },
        enhanced: '5.1.10',
      };
    }
    return { names: [...new Set(orderMxRecords(real, random).map((r) => r.exchange.toLowerCase()))].slice(0, MAX_MX_HOSTS), implicit: false };
  }

  /**
   * The domain's MTA-STS policy when it is in "enforce" mode, else null. "testing" and "none"
   * deliver as without a policy (RFC 8461 §5: testing only reports, and Mailroom sends no TLS
   * reports); so does a policy that cannot be fetched.
   */
  async function enforcedPolicy(domain: string): Promise<MtaStsPolicy | null> {
    const policy = await mtaSts.policyFor(domain);
    if (policy && policy.mode !== 'enforce') log?.debug({ domain, mode: policy.mode }, 'direct delivery: MTA-STS policy not enforced');
    return policy?.mode === 'enforce' ? policy : null;
  }

  /** One SMTP session with one address: connect, EHLO, STARTTLS, then the envelope and the message. */
  async function attempt(target: Target, mode: TlsMode, requiredBy: RequiredBy | null, group: DomainGroup, envelope: OutgoingEnvelope, body: Buffer): Promise<AttemptOutcome> {
    const release = await slots.acquire();
    try {
      if (closed) return { next: setupFailure('temporary', 'TEMPORARY_FAILURE', CLOSING_MESSAGE), tlsFailed: false };
      const classify: ClassifyContext = { secretForms: [], authConfigured: false, host: target.mxName, port, socketTimeoutMs: timeouts.socketMs };
      let socket: Socket;
      try {
        socket = await openSocket(target);
      } catch (err) {
        return { next: classifyNodemailerError(err, classify), tlsFailed: false };
      }
      return await session(socket, target, mode, requiredBy, group, envelope, body, classify);
    } finally {
      release();
    }
  }

  function openSocket(target: Target): Promise<Socket> {
    return new Promise((resolve, reject) => {
      socketOpener({ ip: target.ip, port }, timeouts.connectMs)(null, (err, socketOptions) => {
        if (err || !socketOptions) reject(err ?? new Error('Connection failed'));
        else resolve(socketOptions.connection);
      });
    });
  }

  function session(socket: Socket, target: Target, mode: TlsMode, requiredBy: RequiredBy | null, group: DomainGroup, envelope: OutgoingEnvelope, body: Buffer, classify: ClassifyContext): Promise<AttemptOutcome> {
    const servername = isIP(target.mxName) ? undefined : target.mxName; // SNI never carries an address (RFC 6066 §3)
    const connection = new SMTPConnection({
      connection: socket,
      host: target.ip,
      port,
      name: options.heloName,
      secure: false,
      ignoreTLS: mode === 'plain',
      requireTLS: mode === 'required',
      // A refused STARTTLS (454) on an opportunistic session carries on in clear text.
      opportunisticTLS: mode === 'opportunistic',
      tls: mode === 'required'
        ? { servername, rejectUnauthorized: true, ...(extraCa.length > 0 ? { ca: [...rootCertificates, ...extraCa] } : {}) }
        : { servername, rejectUnauthorized: false },
      connectionTimeout: timeouts.connectMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
      // nodemailer's own log would hold server replies and, with debug, the message.
      logger: false,
      debug: false,
      transactionLog: false,
    });
    open.add(connection);
    connection.once('end', () => open.delete(connection));
    const watch = newHandoverWatch();
    const ctx: ResultContext = { recipients: group.recipients, sentRecipients: group.wire, security: 'none', classify };

    return new Promise<AttemptOutcome>((resolve) => {
      let phase: 'session' | 'envelope' | 'done' = 'session';
      let tls: string | null = null;
      const finish = (outcome: AttemptOutcome): void => {
        if (phase === 'done') return;
        phase = 'done';
        resolve(outcome);
      };
      const fail = (err: unknown): void => {
        if (phase === 'done') return;
        // Read before close(): nodemailer is in the middle of the STARTTLS handshake.
        const upgrading = (connection as unknown as { upgrading?: boolean }).upgrading === true;
        const during = phase;
        connection.close();
        if (during === 'session') finish(sessionFailure(err, upgrading));
        else finish(envelopeFailure(err));
      };
      const sessionFailure = (err: unknown, upgrading: boolean): AttemptOutcome => {
        const failure = classifyNodemailerError(err, classify);
        const tlsFailed = mode !== 'plain' && isTlsFailure(err, failure, upgrading);
        if (tlsFailed && mode === 'required') return { next: requiredTlsFailure(group.domain, target.mxName, requiredBy, err, failure), tlsFailed };
        return { next: { ...failure, possiblyDelivered: false }, tlsFailed };
      };
      const envelopeFailure = (err: unknown): AttemptOutcome => {
        const failure = classifyNodemailerError(err, { ...classify, handedOver: watch.handedOver });
        // 421 is the server closing the channel (RFC 5321 §3.8) before it took the message: the next
        // MX may take it. Any other reply to the envelope is this host's answer for the recipients.
        if (responseCodeOf(err) === 421 && !watch.handedOver) return { next: failure, tlsFailed: false };
        return { done: directOutcome(withTls(resultFromError(err, failure, ctx), tls)), tls };
      };

      // Every later 'error' (after QUIT, or after the outcome) is ignored here, never unhandled.
      connection.on('error', fail);
      connection.once('end', () => {
        // nodemailer emits 'end' before the error that explains it in some paths (smtp-transport
        // waits for it the same way); the timer only catches a close with no error at all.
        const timer = setTimeout(() => fail(Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })), 1_000);
        timer.unref();
      });
      connection.connect(() => {
        if (phase !== 'session') return;
        tls = tlsVersionOf(connection);
        if (mode === 'required' && tls === null) {
          // nodemailer's requireTLS should have failed already; checked on the live socket anyway.
          connection.close();
          finish({ next: requiredTlsFailure(group.domain, target.mxName, requiredBy, null, setupFailure('temporary', 'STARTTLS_NOT_OFFERED')), tlsFailed: true });
          return;
        }
        phase = 'envelope';
        const smtpEnvelope = {
          from: envelope.mailFrom,
          to: group.wire,
          size: body.length,
          // BODY=8BITMIME when the server offers it and the message needs it.
          use8BitMime: body.some((byte) => byte > 0x7f),
        };
        connection.send(smtpEnvelope, handedOverStream(body, watch), (err, info) => {
          if (phase !== 'envelope') return;
          if (err) {
            fail(err);
            return;
          }
          phase = 'done';
          connection.quit();
          resolve({ done: directOutcome(withTls(resultFromInfo(info, ctx), tls)), tls });
        });
      });
    });
  }

  function logDomain(envelope: OutgoingEnvelope, domain: string, mx: string | null, kind: OutcomeKind, code: string, tls: string | null = null): void {
    // Codes and names only: reply texts stay in the result, message bodies and keys nowhere.
    log?.debug({ messageId: envelope.messageId, domain, mx, kind, code, tls }, 'direct delivery attempt');
  }

  return {
    send,
    async close(): Promise<void> {
      closed = true;
      for (const connection of [...open]) connection.close();
      await Promise.allSettled([...inFlight]);
    },
  };
}

const CLOSING_MESSAGE = 'Not sent: direct delivery is shutting down; the message will be retried.';

/**
 * RFC 5321 §5.1: lowest preference first; hosts of equal preference in random order, so that load
 * spreads as the domain intends. `random` returns [0, 1), as Math.random.
 */
export function orderMxRecords(records: MxRecord[], random: () => number = Math.random): MxRecord[] {
  const keyed = records.map((record) => ({ record, tiebreak: random() }));
  keyed.sort((a, b) => a.record.preference - b.record.preference || a.tiebreak - b.tiebreak);
  return keyed.map((k) => k.record);
}

/** Recipients by domain, in the envelope's order; addresses without a usable domain apart. */
function groupByDomain(recipients: string[]): { groups: DomainGroup[]; invalid: { index: number; address: string }[] } {
  const groups = new Map<string, DomainGroup>();
  const invalid: { index: number; address: string }[] = [];
  recipients.forEach((given, index) => {
    const address = given.trim();
    const at = address.lastIndexOf('@');
    const local = address.slice(0, at);
    const rawDomain = address.slice(at + 1);
    // Address literals ([192.0.2.1]) are not delivered to: nothing legitimate needs them here.
    const domain = at > 0 && !rawDomain.startsWith('[') ? domainToASCII(rawDomain.replace(/\.$/, '')).toLowerCase() : '';
    if (domain === '' || !domain.includes('.') || local === '') {
      invalid.push({ index, address: given });
      return;
    }
    let group = groups.get(domain);
    if (!group) {
      group = { domain, indexes: [], recipients: [], wire: [] };
      groups.set(domain, group);
    }
    group.indexes.push(index);
    group.recipients.push(given);
    group.wire.push(`${local}@${domain}`);
  });
  return { groups: [...groups.values()], invalid };
}

/** The message stream for SMTPConnection.send, flagging the handover as message-handover-watch.ts explains. */
function handedOverStream(body: Buffer, watch: HandoverWatch): Readable {
  // nodemailer pipes this into its DATA stream only after the server's 354, and writes the final
  // "." as soon as it ends: 'end' here is the moment the server may have the whole message.
  const stream = new PassThrough();
  stream.once('end', () => {
    watch.handedOver = true;
  });
  stream.end(body);
  return stream;
}

function tlsVersionOf(connection: SMTPConnection): string | null {
  if (!connection.secure) return null;
  const socket: unknown = connection._socket;
  return socket instanceof TLSSocket ? (socket.getProtocol() ?? 'TLS') : 'TLS';
}

function isTlsFailure(err: unknown, failure: FailureClassification, upgrading: boolean): boolean {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; command?: unknown; message?: unknown };
  if (upgrading || e.code === 'ETLS' || e.command === 'STARTTLS') return true;
  // "EHLO failed but HELO does not support required STARTTLS"
  if (typeof e.message === 'string' && /required STARTTLS/i.test(e.message)) return true;
  return failure.code === 'CERT_UNTRUSTED' || failure.code === 'CERT_EXPIRED' || failure.code === 'CERT_HOSTNAME_MISMATCH' || failure.code === 'STARTTLS_NOT_OFFERED';
}

function requiredTlsFailure(domain: string, mxName: string, requiredBy: RequiredBy | null, err: unknown, failure: FailureClassification): FailureClassification {
  const why = requiredBy === 'mta-sts' ? 'the domain\'s MTA-STS policy is in enforce mode' : 'this instance requires TLS for every domain (MAILROOM_DIRECT_REQUIRE_TLS)';
  const e = (typeof err === 'object' && err !== null ? err : {}) as { command?: unknown };
  const certificate = failure.code === 'CERT_UNTRUSTED' || failure.code === 'CERT_EXPIRED' || failure.code === 'CERT_HOSTNAME_MISMATCH';
  let code: ProbeCode = failure.code;
  let detail: string;
  if (certificate) {
    detail = `its certificate is not valid for that name: ${failure.message}`;
  } else if (e.command === 'STARTTLS' && failure.reply) {
    code = 'STARTTLS_NOT_OFFERED';
    detail = `it does not offer STARTTLS (it answered ${failure.reply.code}).`;
  } else if (err === null || failure.code === 'STARTTLS_NOT_OFFERED' || e.command === 'EHLO') {
    code = 'STARTTLS_NOT_OFFERED';
    detail = 'it does not offer STARTTLS.';
  } else {
    code = 'PROTOCOL_ERROR';
    detail = 'the TLS handshake failed.';
  }
  return {
    ...failure,
    kind: 'temporary',
    code,
    message: `Not sent: delivery to ${domain} requires TLS (${why}), and its mail server ${mxName} cannot provide it: ${detail}`,
    hint: certificate || code === 'STARTTLS_NOT_OFFERED'
      ? 'Retried later, and other mail servers of the domain are tried; if it persists, the recipient domain\'s administrator must fix the server\'s TLS (STARTTLS with a certificate for its MX name).'
      : describeProbeCode(code).hint,
    connectionFailed: true,
    possiblyDelivered: false,
  };
}

function responseCodeOf(err: unknown): number | null {
  const code = typeof err === 'object' && err !== null ? (err as { responseCode?: unknown }).responseCode : undefined;
  return typeof code === 'number' ? code : null;
}

function withTls(result: DeliveryResult, tls: string | null): DeliveryResult {
  return { ...result, tls };
}

/**
 * 'config' means "this server's settings are wrong: hold its mail" — for the SMTP transport, a
 * tenant's relay. A recipient's MX has no settings of ours: its refusals (relay denied, this
 * machine's address listed, "must authenticate") say something about that destination only, and
 * holding the built-in service for every company because of one domain would be wrong. So they
 * become what their reply code says: 5xx permanent for those recipients, else temporary.
 */
function directOutcome(result: DeliveryResult): DeliveryResult {
  const remap = (kind: OutcomeKind, replyCode: number | null): OutcomeKind => (kind === 'config' ? (replyCode !== null && replyCode >= 500 ? 'permanent' : 'temporary') : kind);
  return {
    ...result,
    kind: remap(result.kind, result.replyCode),
    recipients: result.recipients.map((r) => ({ ...r, kind: remap(r.kind, r.replyCode) })),
  };
}

/** The same verdict for every recipient of a group, with our own enhanced status where one applies. */
function groupFailure(recipients: string[], failure: FailureClassification, enhanced: string | null): DeliveryResult {
  const result = resultFromFailure(failure, { recipients, sentRecipients: null, security: 'none', classify: { secretForms: [] } });
  if (!enhanced) return result;
  return { ...result, enhanced, recipients: result.recipients.map((r) => ({ ...r, enhanced })) };
}

function wholeFailure(recipients: string[], failure: FailureClassification): DeliveryResult {
  return groupFailure(recipients, failure, null);
}

// As in delivery-result-builder.ts: the verdict that asks the most of the worker decides.
const KIND_PRIORITY: FailureKind[] = ['config', 'throttled', 'temporary', 'permanent'];

/** Per-domain results → one result for the envelope, recipients in the envelope's order. */
function mergeResults(recipients: string[], parts: { group: DomainGroup; result: DeliveryResult }[]): DeliveryResult {
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only) return only.result;
  const outcomes: RecipientOutcome[] = new Array(recipients.length);
  for (const { group, result } of parts) {
    group.indexes.forEach((index, i) => {
      outcomes[index] = result.recipients[i] ?? { address: recipients[index] ?? '', kind: 'temporary', replyCode: null, enhanced: null, replyText: null };
    });
  }
  const possiblyDelivered = parts.some((p) => p.result.possiblyDelivered);
  const sentCount = outcomes.filter((o) => o.kind === 'sent').length;
  const failed = parts.filter((p) => p.result.kind !== 'sent');
  const carried = parts.filter((p) => p.result.recipients.some((r) => r.kind === 'sent')).map((p) => p.result.tls);
  // The weakest protection any part of the message travelled with: null if any went in clear text.
  const tls = carried.length > 0 && carried.every((t) => t !== null) ? [...(carried as string[])].sort()[0] ?? null : null;

  if (failed.length === 0) {
    const first = parts[0]!.result;
    return { ...first, kind: 'sent', code: 'SENT', message: `Sent to all ${recipients.length} recipients.`, hint: null, recipients: outcomes, tls, possiblyDelivered };
  }
  const decisive = KIND_PRIORITY.map((kind) => failed.find((p) => p.result.kind === kind)).find((p) => p !== undefined) ?? failed[0]!;
  const named = failed.slice(0, MAX_DOMAINS_NAMED).map((p) => (p.group.domain ? `${p.group.domain}: ${p.result.message}` : p.result.message));
  const more = failed.length > MAX_DOMAINS_NAMED ? ` (and ${failed.length - MAX_DOMAINS_NAMED} more domains)` : '';
  const lead = sentCount > 0 ? `Sent to ${sentCount} of ${recipients.length} recipients. ` : '';
  return {
    kind: decisive.result.kind,
    code: sentCount > 0 ? 'PARTIAL' : decisive.result.code,
    message: `${lead}${named.join(' ')}${more}`,
    hint: decisive.result.hint,
    replyCode: decisive.result.replyCode,
    enhanced: decisive.result.enhanced,
    replyText: decisive.result.replyText,
    recipients: outcomes,
    tls: sentCount > 0 ? tls : decisive.result.tls,
    possiblyDelivered,
  };
}

/** At most `limit` sessions at once; waiters get slots in arrival order. */
function createSlots(limit: number): { acquire(): Promise<() => void> } {
  let used = 0;
  const waiting: (() => void)[] = [];
  const releaser = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      if (next) next(); // the slot passes to the next waiter, still counted
      else used--;
    };
  };
  return {
    async acquire() {
      if (used < limit) {
        used++;
        return releaser();
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
      return releaser();
    },
  };
}
