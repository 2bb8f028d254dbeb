// The delivery worker: claims send jobs, sends each message through its mail server, records the
// attempt, and completes, retries, holds or fails it. Runs inside `mailroom serve` or alone as
// `mailroom worker`; several workers on several machines share one queue.
//
// Crash safety: a claimed message is marked "sending" in the claim's own commit. If a worker dies,
// its lease runs out, another worker claims the job, finds the message still "sending", records
// the lost attempt as interrupted and marks the message "possibly delivered" — the retry goes out
// with the same Message-ID, so at most one duplicate, recognisable as such.
import crypto from 'node:crypto';
import type { BuiltinDelivery, Company, MailServer } from '../model.ts';
import { senderProblem, type SenderCheck } from './sender-policy.ts';
import type { Clock, Logger, Store } from '../ports.ts';
import { isAppError } from '../errors.ts';
import { AdaptiveRateLimiter, configuredPace } from './adaptive-rate-limiter.ts';
import type { SharedRateGate } from './shared-rate-gate.ts';
import { ClaimLoop } from './claim-loop.ts';
import { CommitBatcher } from './commit-batcher.ts';
import type { DeliveryResult, DeliveryTransport, DirectDelivery, DkimKeySource, OutcomeKind } from './delivery-types.ts';
import { DIRECT_PARTITION } from './message-service.ts';
import { JOB_KINDS, type DeliveryAttempt, type Job, type MessageRecipient, type OutboundMessage } from './outbound-model.ts';
import { DEFAULT_RETRY_SCHEDULE, retryDelayMs, type RetrySchedule } from './retry-schedule.ts';
import { holdServer } from './server-circuit.ts';
import { newRecordId } from '../record-id.ts';

export interface DeliveryWorkerOptions {
  /** Identifies this worker's leases. */
  owner: string;
  /** Messages being sent at once by this worker, across all servers. */
  maxInFlight: number;
  /** How long a claim is valid; a worker that dies loses its jobs after this. */
  leaseMs: number;
  /** Wait between claims when the queue is empty. */
  idlePollMs: number;
  retry: RetrySchedule;
  /** Rate-limit waits longer than this give the job back to the queue instead of holding the lease. */
  maxRateWaitMs: number;
}

export const DEFAULT_WORKER_OPTIONS: Omit<DeliveryWorkerOptions, 'owner'> = {
  maxInFlight: 64,
  leaseMs: 5 * 60_000,
  idlePollMs: 250,
  retry: DEFAULT_RETRY_SCHEDULE,
  maxRateWaitMs: 2_000,
};

/** What the worker tells the rest of the app after each attempt (metrics, webhooks). */
export interface DeliveryEvent {
  message: OutboundMessage;
  attempt: DeliveryAttempt;
  result: DeliveryResult;
  durationMs: number;
}

export interface DeliveryWorkerDeps {
  store: Store;
  clock: Clock;
  transport: DeliveryTransport;
  resolvePassword(server: MailServer, owner: Company): Promise<string | null>;
  logger: Logger;
  onAttempt?: (event: DeliveryEvent) => void | Promise<void>;
  /**
   * Runs inside the transaction that records a message's new status, so what it writes (the
   * delivery-status webhook's event) commits with the outcome or not at all.
   */
  onStatusRecorded?: (tx: Store, message: OutboundMessage) => Promise<void>;
  /** Injected so tests need not wait in real time. */
  sleep?: (ms: number) => Promise<void>;
  /** Keeps a server's configured rate across all worker processes; without it, per process. */
  rateGate?: SharedRateGate;
  /** The built-in service's direct delivery (messages with route "direct"). */
  direct?: {
    delivery: DirectDelivery; keys: DkimKeySource; maxConnections: number;
    /** What the built-in service does for companies that did not choose (fallback needs "direct"). */
    instanceDelivery: BuiltinDelivery;
    /** The From rule of direct delivery, for mail that falls back to it. */
    senders: SenderCheck;
    builtinFrom: string;
  };
}

/** Where one attempt goes: a mail server, or straight to the recipients' MX hosts. */
type Via = { kind: 'server'; server: MailServer } | { kind: 'direct' };

const FINAL_KINDS: OutcomeKind[] = ['sent', 'permanent'];
/**
 * Jobs of one server taken by one claim at most (and never more than half the worker's limit); the
 * rest stay in the queue for other workers. Large claims: a claim costs a query and a commit, and a
 * server topped up 16 at a time left its connections idle between claims (bench/README.md, pass 4).
 */
const PER_SERVER_CLAIM_LIMIT = 64;
/** The worker claims again once this many slots are free (or it is idle). */
const CLAIM_BATCH_MIN = 32;
/**
 * The commit that records a sent message, per job. record() does not wait for it, so the message's
 * connection slot is free for the next message during the group commit; the job's task (the
 * claim loop's count of work in flight, and what stop() and runUntilIdle() wait for) ends only
 * after it (claimAndStart).
 */
const outcomeCommits = new WeakMap<Job, Promise<unknown>>();

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  setLimit(limit: number): void { this.limit = limit; this.pump(); }
  async acquire(): Promise<void> {
    if (this.active < this.limit) { this.active++; return; }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void { this.active--; this.pump(); }
  private pump(): void {
    while (this.active < this.limit && this.waiting.length) { this.active++; this.waiting.shift()!(); }
  }
}

export class DeliveryWorker {
  private readonly deps: DeliveryWorkerDeps;
  private readonly options: DeliveryWorkerOptions;
  private readonly perServer = new Map<string, Semaphore>();
  /** Jobs of each server this worker holds (sending or waiting for a connection slot). */
  private readonly load = new Map<string, number>();
  private readonly limiters = new Map<string, AdaptiveRateLimiter>();
  private readonly loop: ClaimLoop;
  private readonly commits: CommitBatcher;

  constructor(deps: DeliveryWorkerDeps, options: Partial<DeliveryWorkerOptions> = {}) {
    this.deps = deps;
    this.commits = new CommitBatcher(deps.store);
    this.options = { ...DEFAULT_WORKER_OPTIONS, owner: `worker-${crypto.randomUUID().slice(0, 8)}`, ...options };
    this.loop = new ClaimLoop((room) => this.claimAndStart(room), deps.logger, {
      maxInFlight: this.options.maxInFlight, idlePollMs: this.options.idlePollMs, claimBatchMin: CLAIM_BATCH_MIN, name: 'delivery',
    }, deps.sleep);
  }

  private sleep(ms: number): Promise<void> {
    return this.loop.sleep(ms);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops claiming, then waits for messages in flight (at most `deadlineMs`; their leases cover the rest). */
  stop(deadlineMs = 10_000): Promise<void> {
    return this.loop.stop(deadlineMs);
  }

  /** Processes everything due now and returns how many jobs it handled: for tests and `drain`. */
  runUntilIdle(): Promise<number> {
    return this.loop.runUntilIdle();
  }

  private async claimAndStart(room: number): Promise<Promise<void>[]> {
    const now = this.deps.clock.now();
    // A server holds at most half the worker's jobs (its connections' worth, if that is more, and
    // never more than twice its connections plus a claim): jobs waiting for a hung server must not
    // fill the worker and starve other companies' servers. Below that, claims top it up
    // (partitionLimits) before its connections run dry: a claim takes milliseconds (over 10 on a
    // busy PostgreSQL), and claiming only once its last job had started left connections idle that
    // long every claim.
    const heldCap = (serverId: string) => {
      const connections = this.perServer.get(serverId)?.limit ?? 1;
      return Math.min(2 * connections + PER_SERVER_CLAIM_LIMIT - 1, Math.max(connections, Math.floor(this.options.maxInFlight / 2)));
    };
    // A server not held yet (no load) is capped too: one claim must not fill the worker with it.
    const perServerClaim = Math.min(PER_SERVER_CLAIM_LIMIT, Math.max(1, Math.floor(this.options.maxInFlight / 2)));
    const saturated = [...this.load].filter(([serverId, n]) => n >= heldCap(serverId)).map(([serverId]) => serverId);
    const partitionLimits = Object.fromEntries([...this.load].map(([serverId, n]) => [serverId, Math.max(0, heldCap(serverId) - n)]));
    // Claiming and marking the messages "sending" share one commit. Not the outcomes' group
    // commit: a claim must not wait behind one (on PostgreSQL that left connections idle).
    const { jobs, messages } = await this.deps.store.transaction(async (tx) => {
      const claimed = await tx.queue.claim({
        kinds: [JOB_KINDS.SEND_MESSAGE], limit: room, owner: this.options.owner, now: now.toISOString(),
        leaseUntil: new Date(now.getTime() + this.options.leaseMs).toISOString(),
        skipPartitions: saturated, perPartitionLimit: perServerClaim, partitionLimits,
      });
      const ids = claimed.map((j) => String(j.payload.messageId));
      // The messages as they were (a message already "sending" was cut off by a dead worker).
      const found = new Map((await tx.messages.getManyAndMarkSending(ids, now.toISOString())).map((m) => [m.id, m]));
      return { jobs: claimed, messages: found };
    });
    const tasks: Promise<void>[] = [];
    // The claim's messages share their reads: each server, company, delivery state and webhook
    // endpoint once per claim, all recipients in one query (Store.sharedReads).
    const inScope = this.deps.store.sharedReads?.([...messages.keys()]) ?? ((work: () => Promise<void>) => work());
    for (const job of jobs) {
      const message = messages.get(String(job.payload.messageId));
      const server = job.partitionKey;
      this.load.set(server, (this.load.get(server) ?? 0) + 1);
      const task = inScope(() => this.process(job, message)).then(async () => { await outcomeCommits.get(job); }).catch((err) => {
        this.deps.logger.error({ err, jobId: job.id }, 'delivery failed unexpectedly; the job will be retried when its lease ends');
      });
      tasks.push(task.finally(() => {
        const left = (this.load.get(server) ?? 1) - 1;
        if (left > 0) this.load.set(server, left);
        else this.load.delete(server);
        // Room for half of what this server may hold: the next claim may top it up (claim-loop.ts).
        const cap = heldCap(server);
        if (cap - left >= Math.min(perServerClaim, cap) / 2) this.loop.nudge();
      }));
    }
    return tasks;
  }

  private async process(job: Job, message: OutboundMessage | undefined): Promise<void> {
    const { store, clock } = this.deps;
    const owner = this.options.owner;
    if (!message || message.status === 'sent' || message.status === 'failed' || message.status === 'caught') {
      await store.queue.complete(job.id, owner);
      return;
    }
    if (message.route === 'direct') {
      await this.processDirect(job, message);
      return;
    }
    const server = message.serverId ? await store.mailServers.get(message.serverId) : undefined;
    if (!server) {
      await this.finishWithoutAttempt(job, message, 'failed', 'SERVER_DELETED', 'The mail server of this message was deleted before it could be sent.');
      return;
    }
    if (server.status !== 'active') {
      await this.finishWithoutAttempt(job, message, 'held', 'SERVER_INACTIVE', 'The mail server is inactive; the message waits until it is activated.');
      return;
    }
    const state = await store.serverDelivery.get(server.id);
    // While the server is held, the company's fallback (if it chose one) carries its mail.
    const via = state?.state === 'held' ? await this.fallbackFor(message.companyId, server) : server;
    if (!via) {
      // No fallback server: the built-in service's direct delivery may stand in, if the company chose it.
      if (state?.state === 'held' && (await this.mayFallBackToBuiltin(message))) {
        await this.processDirect(job, message);
        return;
      }
      await this.finishWithoutAttempt(job, message, 'held', state?.code ?? 'SERVER_HELD', state?.message ?? 'The mail server is held after a configuration error.');
      return;
    }

    const semaphore = this.semaphoreFor(via);
    await semaphore.acquire();
    try {
      if (!(await this.waitForRate(job, via))) return;
      // On its own server, a configuration error may still send the message on to the fallback.
      await this.attempt(job, message, { kind: 'server', server: via }, via === server);
    } finally {
      semaphore.release();
    }
  }

  private async processDirect(job: Job, message: OutboundMessage): Promise<void> {
    const direct = this.deps.direct;
    if (!direct) {
      await this.finishWithoutAttempt(job, message, 'held', 'DIRECT_UNAVAILABLE', 'This worker cannot deliver directly; start it with the built-in service enabled.');
      return;
    }
    let semaphore = this.perServer.get(DIRECT_PARTITION);
    if (!semaphore) this.perServer.set(DIRECT_PARTITION, (semaphore = new Semaphore(direct.maxConnections)));
    await semaphore.acquire();
    try {
      await this.attempt(job, message, { kind: 'direct' }, false);
    } finally {
      semaphore.release();
    }
  }

  /** The company's fallback server, when it has one that can take over from `server` now. */
  private async fallbackFor(companyId: string, server: MailServer): Promise<MailServer | null> {
    const company = await this.deps.store.companies.get(companyId);
    const id = company?.fallbackMailServerId;
    if (!id || id === server.id) return null;
    const fallback = await this.deps.store.mailServers.get(id);
    if (!fallback || fallback.status !== 'active') return null;
    if (fallback.companyId !== companyId && !fallback.sharedWith.includes(companyId)) return null;
    if ((await this.deps.store.serverDelivery.get(fallback.id))?.state === 'held') return null;
    return fallback;
  }

  /** The company chose the built-in service as its fallback, it delivers directly, and may send as this From. */
  private async mayFallBackToBuiltin(message: OutboundMessage): Promise<boolean> {
    const direct = this.deps.direct;
    if (!direct) return false;
    const company = await this.deps.store.companies.get(message.companyId);
    if (!company?.fallbackToBuiltin || (company.builtinDelivery ?? direct.instanceDelivery) !== 'direct') return false;
    return (await senderProblem(direct.senders, message.companyId, message.fromAddress, null, 'direct', direct.builtinFrom)) === null;
  }

  /**
   * Messages handed to a server's pool at once: one more per connection than it has connections
   * (nodemailer still opens at most maxConnections), so a connection that finishes a message starts
   * the next from the pool's queue at once rather than after this worker's turn on the event loop.
   */
  private semaphoreFor(server: MailServer): Semaphore {
    let s = this.perServer.get(server.id);
    if (!s) this.perServer.set(server.id, (s = new Semaphore(2 * server.maxConnections)));
    else s.setLimit(2 * server.maxConnections);
    return s;
  }

  /** False when the job went back to the queue because the wait would be long. */
  private async waitForRate(job: Job, server: MailServer): Promise<boolean> {
    const settings = { count: server.rateLimitCount, period: server.rateLimitPeriod };
    let limiter = this.limiters.get(server.id);
    if (!limiter) this.limiters.set(server.id, (limiter = new AdaptiveRateLimiter(settings, this.deps.clock.now().getTime())));
    else limiter.configure(settings);
    const pace = this.deps.rateGate ? configuredPace(settings) : null;
    let local = true; // this process's own pace first, then the shared gate's
    for (;;) {
      const nowMs = this.deps.clock.now().getTime();
      let wait = local ? limiter.take(nowMs) : 0;
      if (wait === 0) {
        local = false;
        if (!pace) return true;
        wait = await this.deps.rateGate!.take({ serverId: server.id, ...pace, nowMs });
        if (wait === 0) return true;
      }
      if (wait > this.options.maxRateWaitMs) {
        const runAt = new Date(this.deps.clock.now().getTime() + wait).toISOString();
        await this.deps.store.transaction(async (tx) => {
          const message = await tx.messages.get(String(job.payload.messageId));
          if (message?.status === 'sending') await tx.messages.update({ ...message, status: message.attemptCount ? 'retrying' : 'queued', updatedAt: this.deps.clock.now().toISOString() });
          await tx.queue.reschedule(job.id, this.options.owner, runAt);
        });
        return false;
      }
      await this.sleep(wait);
    }
  }

  /** `mayFallBack`: a configuration error on this server sends the message to the company's fallback. */
  private async attempt(job: Job, message: OutboundMessage, via: Via, mayFallBack: boolean): Promise<void> {
    const server = via.kind === 'server' ? via.server : null;
    const { store, clock, transport } = this.deps;
    const startedAt = clock.now();
    const recipients = await store.messages.recipients(message.id);
    const pending = recipients.filter((r) => r.status === 'pending');
    // The previous worker died after marking it "sending": its attempt may have reached the server.
    const interrupted = message.status === 'sending';
    if (pending.length === 0) {
      await this.finishWithoutAttempt(job, message, recipients.some((r) => r.status === 'sent') ? 'sent' : 'failed', message.lastCode ?? 'SENT', message.lastMessage ?? '');
      return;
    }

    let result: DeliveryResult;
    const envelope = { mailFrom: message.mailFrom, recipients: pending.map((r) => r.address), raw: message.raw, messageId: message.messageId };
    try {
      if (server) {
        const owner = (await store.companies.get(server.companyId))!;
        const password = server.authEnabled ? await this.deps.resolvePassword(server, owner) : null;
        result = await transport.send({ server, password, maxConnections: server.maxConnections }, envelope);
      } else {
        const direct = this.deps.direct!;
        const dkim = await direct.keys.keyFor(message.companyId, message.fromAddress.slice(message.fromAddress.lastIndexOf('@') + 1).toLowerCase());
        result = withoutConfigKind(await direct.delivery.send(envelope, { dkim }));
      }
    } catch (err) {
      result = isAppError(err) && (err.code === 'SECRET_UNRESOLVED' || err.code === 'SECRET_REFERENCE_INVALID')
        ? configResult(pending, err.code, err.message)
        : temporaryResult(pending, 'PROTOCOL_ERROR', 'Sending failed unexpectedly; it will be retried.');
      if (!isAppError(err)) this.deps.logger.error({ err, messageId: message.id }, 'transport threw instead of returning an outcome');
    }
    const finishedAt = clock.now();
    const attempt: DeliveryAttempt = {
      id: newRecordId(), messageId: message.id, companyId: message.companyId, serverId: server?.id ?? null,
      startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(),
      outcome: result.kind === 'sent' ? 'sent' : result.recipients.some((r) => r.kind === 'sent') ? 'partial' : result.kind,
      code: result.code, message: result.message, hint: result.hint, replyCode: result.replyCode, enhanced: result.enhanced,
      replyText: result.replyText, tls: result.tls, recipients: pending.map((r) => r.address),
    };
    const limiter = server ? this.limiters.get(server.id) : undefined;
    if (result.kind === 'throttled') limiter?.throttled();
    else if (result.kind === 'sent') limiter?.succeeded();

    // Looked up only when needed: most attempts never hit a configuration error.
    const fallback = server && result.kind === 'config' && mayFallBack ? await this.fallbackFor(message.companyId, server) : null;
    const builtinFallback = server && result.kind === 'config' && mayFallBack && !fallback ? await this.mayFallBackToBuiltin(message) : false;
    const updated = await this.record(job, message, recipients, attempt, result, interrupted, fallback !== null || builtinFallback);
    if (server && result.kind === 'config') {
      const note = fallback ? ` Mail goes through the fallback server "${fallback.name}" until this is fixed.`
        : builtinFallback ? ' Mail from verified senders goes out through the built-in service until this is fixed.' : '';
      await holdServer(store, clock, server, result.code, result.message + note, { holdQueuedJobs: !fallback && !builtinFallback });
    }
    await this.deps.onAttempt?.({ message: updated, attempt, result, durationMs: finishedAt.getTime() - startedAt.getTime() });
  }

  /** One transaction: the attempt, each recipient's outcome, the message, and the job's fate. */
  private async record(job: Job, message: OutboundMessage, recipients: MessageRecipient[], attempt: DeliveryAttempt, result: DeliveryResult, interrupted: boolean, hasFallback: boolean): Promise<OutboundMessage> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const nowIso = now.toISOString();
    const byAddress = new Map(result.recipients.map((r) => [r.address.toLowerCase(), r]));
    const changed: MessageRecipient[] = [];
    for (const r of recipients) {
      if (r.status !== 'pending') continue;
      const outcome = byAddress.get(r.address);
      if (!outcome || !FINAL_KINDS.includes(outcome.kind)) continue;
      changed.push({ ...r, status: outcome.kind === 'sent' ? 'sent' : 'failed', replyCode: outcome.replyCode, enhanced: outcome.enhanced, replyText: outcome.replyText, updatedAt: nowIso });
    }
    const after = recipients.map((r) => changed.find((c) => c.address === r.address) ?? r);
    let stillPending = after.filter((r) => r.status === 'pending');
    // A configuration error with a fallback to go to: try again at once, through the fallback.
    const toFallback = result.kind === 'config' && hasFallback;
    const delay = toFallback ? 0 : retryDelayMs(this.options.retry, message.attemptCount + 1);
    const retryAt = new Date(now.getTime() + delay);
    const givingUp = stillPending.length > 0 && result.kind !== 'config' && retryAt.toISOString() > message.giveUpAt;
    if (givingUp) {
      for (const r of stillPending) changed.push({ ...r, status: 'failed', replyCode: result.replyCode, enhanced: result.enhanced, replyText: result.replyText ?? 'gave up retrying', updatedAt: nowIso });
      stillPending = [];
    }
    const final = [...after.map((r) => changed.find((c) => c.address === r.address) ?? r)];
    const anySent = final.some((r) => r.status === 'sent');
    const status: OutboundMessage['status'] = stillPending.length === 0
      ? (anySent ? 'sent' : 'failed')
      : result.kind === 'config' && !toFallback ? 'held' : 'retrying';
    const next: OutboundMessage = {
      ...message, status, attemptCount: message.attemptCount + 1, updatedAt: nowIso,
      lastCode: result.kind === 'sent' ? null : givingUp ? 'GAVE_UP' : result.code,
      lastMessage: result.kind === 'sent' ? null : givingUp ? `Gave up after ${message.attemptCount + 1} attempts: ${result.message}` : result.message,
      possiblyDelivered: message.possiblyDelivered || interrupted || result.possiblyDelivered,
      sentAt: status === 'sent' ? nowIso : message.sentAt,
    };
    const attempts = interrupted ? [{
      ...attempt, id: newRecordId(), startedAt: message.updatedAt, finishedAt: attempt.startedAt, outcome: 'interrupted' as const,
      code: 'INTERRUPTED', message: 'A worker stopped during this attempt; the server may have received the message.', hint: null,
      replyCode: null, enhanced: null, replyText: null, tls: null,
    }, attempt] : [attempt];
    // The outcomes that share a commit are written together: a few multi-row statements per commit
    // rather than four or five statements per message (commit-batcher.ts).
    const owner = this.options.owner;
    const fate = status === 'sent' || status === 'failed' ? 'complete' : status;
    const committed = this.commits.runBatched('delivery-outcome', { attempts, changed, next, jobId: job.id, fate, retryAt: retryAt.toISOString() }, async (tx, outcomes) => {
      await tx.messages.insertAttempts(outcomes.flatMap((o) => o.attempts));
      await tx.messages.updateRecipients(outcomes.flatMap((o) => o.changed));
      await tx.messages.updateMany(outcomes.map((o) => o.next));
      for (const o of outcomes) await this.deps.onStatusRecorded?.(tx, o.next);
      await tx.queue.completeMany(outcomes.filter((o) => o.fate === 'complete').map((o) => o.jobId), owner);
      for (const o of outcomes) {
        if (o.fate === 'held') await tx.queue.hold(o.jobId, owner);
        else if (o.fate === 'retrying') await tx.queue.reschedule(o.jobId, owner, o.retryAt);
      }
      return outcomes.map(() => undefined);
    });
    // A sent message's slot is not held through the commit (outcomeCommits): a crash before it
    // leaves the message "sending", retried once with the same Message-ID and marked possibly
    // delivered, as before. Other outcomes (retries, holds, failures) are rare: recorded before
    // the worker goes on (holding a server, the fallback) as they always were.
    if (status === 'sent') {
      committed.catch(() => {}); // reported by the job's task in claimAndStart
      outcomeCommits.set(job, committed);
    } else {
      await committed;
    }
    if (status === 'retrying') this.deps.logger.info({ messageId: message.id, code: result.code, retryInMs: delay }, 'delivery will be retried');
    return next;
  }

  private async finishWithoutAttempt(job: Job, message: OutboundMessage, status: 'held' | 'failed' | 'sent', code: string, text: string): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now().toISOString();
    await store.transaction(async (tx) => {
      const recipients = await tx.messages.recipients(message.id);
      if (status === 'failed') await tx.messages.updateRecipients(recipients.filter((r) => r.status === 'pending').map((r) => ({ ...r, status: 'failed' as const, replyText: text, updatedAt: now })));
      const updated: OutboundMessage = { ...message, status, lastCode: status === 'sent' ? null : code, lastMessage: status === 'sent' ? null : text, updatedAt: now };
      await tx.messages.update(updated);
      await this.deps.onStatusRecorded?.(tx, updated);
      if (status === 'held') await tx.queue.hold(job.id, this.options.owner);
      else await tx.queue.complete(job.id, this.options.owner);
    });
  }
}

function configResult(pending: MessageRecipient[], code: string, message: string): DeliveryResult {
  return {
    kind: 'config', code: code as DeliveryResult['code'], message, hint: 'Check the secret reference of this mail server.', replyCode: null, enhanced: null, replyText: null,
    recipients: pending.map((r) => ({ address: r.address, kind: 'config', replyCode: null, enhanced: null, replyText: null })), tls: null, possiblyDelivered: false,
  };
}

function temporaryResult(pending: MessageRecipient[], code: DeliveryResult['code'], message: string): DeliveryResult {
  return {
    kind: 'temporary', code, message, hint: null, replyCode: null, enhanced: null, replyText: null,
    recipients: pending.map((r) => ({ address: r.address, kind: 'temporary', replyCode: null, enhanced: null, replyText: null })), tls: null, possiblyDelivered: false,
  };
}

/**
 * Direct delivery has no server to hold: a "configuration" failure there (a destination's TLS
 * policy, a blocked MX address) concerns one destination, so it is retried like a 4xx until the
 * message gives up, instead of holding every company's built-in mail.
 */
function withoutConfigKind(result: DeliveryResult): DeliveryResult {
  if (result.kind !== 'config' && !result.recipients.some((r) => r.kind === 'config')) return result;
  return {
    ...result,
    kind: result.kind === 'config' ? 'temporary' : result.kind,
    recipients: result.recipients.map((r) => (r.kind === 'config' ? { ...r, kind: 'temporary' as const } : r)),
  };
}
