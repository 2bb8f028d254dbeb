// A delivery and its queue job are written together, in the caller's transaction: a delivery that
// is recorded is also on its way. Jobs are partitioned by company, so the claim takes companies in
// turn and one company's slow endpoint never delays another's events.
import { JOB_KINDS } from '../outbound/outbound-model.ts';
import type { Store } from '../ports.ts';
import type { AnyWebhookEventType, WebhookDelivery } from './webhook-model.ts';
import { newRecordId } from '../record-id.ts';

/** One job per delivery: "Redeliver" on a delivery still being retried finds its job by this key. */
export const deliveryJobKey = (deliveryId: string): string => `webhook-delivery:${deliveryId}`;

export interface NewDelivery {
  companyId: string;
  eventId: string;
  eventType: AnyWebhookEventType;
  messageId: string | null;
  payload: string;
  redeliveryOf?: string | null;
}

export function newDelivery(input: NewDelivery, now: Date, giveUpAfterMs: number): WebhookDelivery {
  const nowIso = now.toISOString();
  return {
    id: newRecordId(), companyId: input.companyId, eventId: input.eventId, eventType: input.eventType, messageId: input.messageId,
    payload: input.payload, status: 'pending', attemptCount: 0, lastStatusCode: null, lastError: null, lastDurationMs: null,
    nextAttemptAt: nowIso, giveUpAt: new Date(now.getTime() + giveUpAfterMs).toISOString(), redeliveryOf: input.redeliveryOf ?? null,
    createdAt: nowIso, updatedAt: nowIso, deliveredAt: null,
  };
}

/** Call inside a transaction: the delivery row and its job commit together. */
export async function enqueueDelivery(tx: Store, delivery: WebhookDelivery): Promise<void> {
  await tx.webhookDeliveries.insert(delivery);
  await tx.queue.enqueue([{
    id: newRecordId(), kind: JOB_KINDS.WEBHOOK, companyId: delivery.companyId, partitionKey: delivery.companyId,
    payload: { deliveryId: delivery.id }, runAt: delivery.nextAttemptAt ?? delivery.createdAt, dedupeKey: deliveryJobKey(delivery.id),
  }]);
}
