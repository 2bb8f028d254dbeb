// Prometheus metrics (prom-client). Labels carry no tenant data: outcome, code and kind only, so
// the endpoint can be scraped by an operator without exposing which company sends what.
import client from 'prom-client';
import type { DeliveryEvent } from '../core/outbound/delivery-worker.ts';
import { JOB_KINDS, JOB_STATUS } from '../core/outbound/outbound-model.ts';
import type { JobQueue } from '../core/ports.ts';

export interface Metrics {
  registry: client.Registry;
  messagesAccepted(count: number): void;
  deliveryAttempt(event: DeliveryEvent): void;
}

export function createMetrics(queue: JobQueue): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'mailroom_' });
  const accepted = new client.Counter({ name: 'mailroom_messages_accepted_total', help: 'Messages accepted by the API (stored and queued)', registers: [registry] });
  const attempts = new client.Counter({ name: 'mailroom_delivery_attempts_total', help: 'Delivery attempts by outcome and code', labelNames: ['outcome', 'code'], registers: [registry] });
  const sent = new client.Counter({ name: 'mailroom_messages_sent_total', help: 'Messages delivered to their mail server', registers: [registry] });
  const failures = new client.Counter({ name: 'mailroom_delivery_failures_total', help: 'Failed attempts by code (temporary, permanent and configuration)', labelNames: ['code'], registers: [registry] });
  const latency = new client.Histogram({
    name: 'mailroom_delivery_attempt_seconds', help: 'Time of one delivery attempt', labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
  });
  new client.Gauge({
    name: 'mailroom_queue_jobs', help: 'Jobs in the queue by kind and status', labelNames: ['kind', 'status'], registers: [registry],
    async collect() {
      this.reset();
      // Zeros for every known series, so an empty queue reads 0 rather than "no data".
      for (const kind of Object.values(JOB_KINDS)) for (const status of Object.values(JOB_STATUS)) this.set({ kind, status }, 0);
      for (const c of await queue.counts()) this.set({ kind: c.kind, status: c.status }, c.count);
    },
  });
  return {
    registry,
    messagesAccepted: (count) => accepted.inc(count),
    deliveryAttempt(event) {
      const outcome = event.attempt.outcome ?? 'unknown';
      attempts.inc({ outcome, code: event.attempt.code ?? 'NONE' });
      latency.observe({ outcome }, event.durationMs / 1000);
      if (event.message.status === 'sent') sent.inc();
      if (outcome !== 'sent') failures.inc({ code: event.attempt.code ?? 'NONE' });
    },
  };
}
