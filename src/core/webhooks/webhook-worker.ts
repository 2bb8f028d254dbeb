// The webhook worker: claims `webhook` jobs, signs each delivery's body with the endpoint's current
// secret, POSTs it through the WebhookSender, and records the attempt — delivered on a 2xx, else
// retried with exponential backoff until the delivery's give-up time, then failed.
//
// A simpler sibling of the DeliveryWorker: no pools or circuit breakers. A company may have at most
// `maxPerCompany` requests in flight, so one slow endpoint (each request may take the sender's full
// timeout) cannot occupy the whole worker. The network call happens outside any transaction; the
// attempt, the delivery and the job's fate are then written in one. A worker that dies mid-request
// loses its lease and the delivery is tried again: at least once, with the same Mailroom-Event-Id.
import crypto from 'node:crypto';
import type { Clock, Logger, Sealer, Store } from '../ports.ts';
import { ClaimLoop } from '../outbound/claim-loop.ts';
import { JOB_KINDS, type Job } from '../outbound/outbound-model.ts';
import { DEFAULT_RETRY_SCHEDULE, retryDelayMs, type RetrySchedule } from '../outbound/retry-schedule.ts';
import { TEST_EVENT_TYPE, type WebhookAttempt, type WebhookDelivery } from './webhook-model.ts';
import type { WebhookSender, WebhookSendResult } from './webhook-sender.ts';
import { EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';
import { urlWithoutQuery } from './webhook-service.ts';
import { newRecordId } from '../record-id.ts';

export interface WebhookWorkerOptions {
  /** Identifies this worker's leases. */
  owner: string;
  /** Requests in flight at once, across all companies. */
  maxInFlight: number;
  /** Requests in flight at once for one company. */
  maxPerCompany: number;
  /** Longer than the sender's timeout (10 s) plus its DNS lookup, so a live request keeps its lease. */
  leaseMs: number;
  /** Wait between claims when nothing is due. */
  idlePollMs: number;
  retry: RetrySchedule;
}

export const DEFAULT_WEBHOOK_WORKER_OPTIONS: Omit<WebhookWorkerOptions, 'owner'> = {
  maxInFlight: 16,
  maxPerCompany: 4,
  leaseMs: 60_000,
  idlePollMs: 500,
  retry: DEFAULT_RETRY_SCHEDULE,
};

export interface WebhookWorkerDeps {
  store: Store;
  clock: Clock;
  sealer: Sealer;
  sender: WebhookSender;
  logger: Logger;
  /** Injected so tests need not wait in real time. */
  sleep?: (ms: number) => Promise<void>;
}

/** Error texts kept in the history are at most this long (a receiver's error page can be large). */
const MAX_ERROR_CHARS = 500;

export class WebhookWorker {
  private readonly deps: WebhookWorkerDeps;
  private readonly options: WebhookWorkerOptions;
  private readonly perCompany = new Map<string, number>();
  private readonly loop: ClaimLoop;

  constructor(deps: WebhookWorkerDeps, options: Partial<WebhookWorkerOptions> = {}) {
    this.deps = deps;
    this.options = { ...DEFAULT_WEBHOOK_WORKER_OPTIONS, owner: `webhooks-${crypto.randomUUID().slice(0, 8)}`, ...options };
    // Webhook requests are few and independent: claim as soon as there is room.
    this.loop = new ClaimLoop((room) => this.claimAndStart(room), deps.logger, {
      maxInFlight: this.options.maxInFlight, idlePollMs: this.options.idlePollMs, claimBatchMin: 1, name: 'webhook',
    }, deps.sleep);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops claiming, then waits for requests in flight (at most `deadlineMs`; their leases cover the rest). */
  stop(deadlineMs = 10_000): Promise<void> {
    return this.loop.stop(deadlineMs);
  }

  /** Processes everything due now and returns how many jobs it handled: for tests. */
  runUntilIdle(): Promise<number> {
    return this.loop.runUntilIdle();
  }

  private async claimAndStart(room: number): Promise<Promise<void>[]> {
    const now = this.deps.clock.now();
    const full = [...this.perCompany].filter(([, n]) => n >= this.options.maxPerCompany).map(([companyId]) => companyId);
    // Claims take companies in turn; a claim no larger than one company's share keeps overflow rare.
    const jobs = await this.deps.store.queue.claim({
      kinds: [JOB_KINDS.WEBHOOK], limit: Math.min(room, this.options.maxPerCompany), owner: this.options.owner, now: now.toISOString(),
      leaseUntil: new Date(now.getTime() + this.options.leaseMs).toISOString(), skipPartitions: full,
    });
    const tasks: Promise<void>[] = [];
    for (const job of jobs) {
      // A claim may return more than the room left for one company: give those back for now.
      if ((this.perCompany.get(job.partitionKey) ?? 0) >= this.options.maxPerCompany) {
        await this.deps.store.queue.reschedule(job.id, this.options.owner, job.runAt);
        continue;
      }
      this.perCompany.set(job.partitionKey, (this.perCompany.get(job.partitionKey) ?? 0) + 1);
      const task = this.process(job).catch((err) => {
        this.deps.logger.error({ err, jobId: job.id }, 'webhook delivery failed unexpectedly; it will be retried when its lease ends');
      }).finally(() => {
        const n = (this.perCompany.get(job.partitionKey) ?? 1) - 1;
        if (n <= 0) this.perCompany.delete(job.partitionKey);
        else this.perCompany.set(job.partitionKey, n);
      });
      tasks.push(task);
    }
    return tasks;
  }

  private async process(job: Job): Promise<void> {
    const { store, clock, sealer, sender } = this.deps;
    const delivery = await store.webhookDeliveries.get(String(job.payload.deliveryId));
    if (!delivery || delivery.status === 'delivered' || delivery.status === 'failed') {
      await store.queue.complete(job.id, this.options.owner);
      return;
    }
    const endpoint = await store.webhookEndpoints.get(delivery.companyId);
    if (!endpoint || (!endpoint.enabled && delivery.eventType !== TEST_EVENT_TYPE)) {
      await this.finish(job, delivery, null, 'The webhook was disabled before this event could be delivered.');
      return;
    }

    const startedAt = clock.now();
    const timestamp = Math.floor(startedAt.getTime() / 1000);
    const headers = {
      'Content-Type': 'application/json',
      [SIGNATURE_HEADER]: signatureHeader(sealer.open(endpoint.secretSealed), timestamp, delivery.payload),
      [EVENT_ID_HEADER]: delivery.eventId,
      [EVENT_TYPE_HEADER]: delivery.eventType,
    };
    let result: WebhookSendResult;
    try {
      result = await sender.send({ url: endpoint.url, headers, body: delivery.payload });
    } catch (err) {
      this.deps.logger.error({ err, deliveryId: delivery.id }, 'webhook sender threw instead of returning an outcome');
      result = { outcome: 'network', statusCode: null, durationMs: clock.now().getTime() - startedAt.getTime(), error: 'The request failed unexpectedly; it will be retried.' };
    }
    const attempt: WebhookAttempt = {
      id: newRecordId(), deliveryId: delivery.id, companyId: delivery.companyId, url: urlWithoutQuery(endpoint.url),
      startedAt: startedAt.toISOString(), durationMs: Math.max(0, Math.round(result.durationMs)), statusCode: result.statusCode,
      outcome: result.outcome, error: result.error === null ? null : truncate(result.error),
    };
    await this.finish(job, delivery, attempt);
  }

  /** One transaction: the attempt (if one was made), the delivery's new state and the job's fate. */
  private async finish(job: Job, delivery: WebhookDelivery, attempt: WebhookAttempt | null, reason?: string): Promise<void> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const nowIso = now.toISOString();
    const attemptCount = delivery.attemptCount + (attempt ? 1 : 0);
    const delivered = attempt?.outcome === 'delivered';
    const retryAt = new Date(now.getTime() + retryDelayMs(this.options.retry, Math.max(1, attemptCount)));
    // Blocked by the egress rule: retrying would only knock on the same refused address.
    const retry = attempt !== null && !delivered && attempt.outcome !== 'blocked' && retryAt.toISOString() <= delivery.giveUpAt;
    const status: WebhookDelivery['status'] = delivered ? 'delivered' : retry ? 'retrying' : 'failed';
    const lastError = attempt
      ? (delivered ? null : retry || attempt.outcome === 'blocked' ? attempt.error : truncate(`Gave up after ${attemptCount} attempts: ${attempt.error ?? 'no 2xx answer'}`))
      : reason ?? null;
    const next: WebhookDelivery = {
      ...delivery, status, attemptCount, updatedAt: nowIso,
      lastStatusCode: attempt ? attempt.statusCode : delivery.lastStatusCode,
      lastDurationMs: attempt ? attempt.durationMs : delivery.lastDurationMs,
      lastError,
      nextAttemptAt: retry ? retryAt.toISOString() : null,
      deliveredAt: delivered ? nowIso : delivery.deliveredAt,
    };
    await store.transaction(async (tx) => {
      if (attempt) await tx.webhookDeliveries.insertAttempt(attempt);
      await tx.webhookDeliveries.update(next);
      if (retry) await tx.queue.reschedule(job.id, this.options.owner, retryAt.toISOString());
      else await tx.queue.complete(job.id, this.options.owner);
    });
    this.deps.logger.info({ deliveryId: delivery.id, eventType: delivery.eventType, status, statusCode: attempt?.statusCode ?? null, attempt: attemptCount }, 'webhook delivery attempt');
  }
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
}
