// Webhook endpoints, deliveries and attempts on Kysely, for SQLite and PostgreSQL.
import type { WebhookDeliveryStore, WebhookEndpointStore } from '../../core/ports.ts';
import type {
  AnyWebhookEventType, WebhookAttempt, WebhookAttemptOutcome, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookEventType,
} from '../../core/webhooks/webhook-model.ts';
import type { WebhookDeliveriesTable, WebhookDeliveryAttemptsTable, WebhookEndpointsTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';
import { fromBool, fromJson, toBool, toJson } from './row-codec.ts';

const toEndpoint = (r: WebhookEndpointsTable): WebhookEndpoint => ({
  companyId: r.company_id, url: r.url, events: fromJson<WebhookEventType[]>(r.events, []), enabled: toBool(r.enabled),
  secretSealed: r.secret_sealed, secretRotatedAt: r.secret_rotated_at, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

const fromEndpoint = (e: WebhookEndpoint): WebhookEndpointsTable => ({
  company_id: e.companyId, url: e.url, events: toJson(e.events), enabled: fromBool(e.enabled), secret_sealed: e.secretSealed,
  secret_rotated_at: e.secretRotatedAt, created_by: e.createdBy, created_at: e.createdAt, updated_at: e.updatedAt,
});

const num = (v: number | null): number | null => (v === null ? null : Number(v));

const toDelivery = (r: WebhookDeliveriesTable): WebhookDelivery => ({
  id: r.id, companyId: r.company_id, eventId: r.event_id, eventType: r.event_type as AnyWebhookEventType, messageId: r.message_id,
  payload: r.payload, status: r.status as WebhookDeliveryStatus, attemptCount: Number(r.attempt_count), lastStatusCode: num(r.last_status_code),
  lastError: r.last_error, lastDurationMs: num(r.last_duration_ms), nextAttemptAt: r.next_attempt_at, giveUpAt: r.give_up_at,
  redeliveryOf: r.redelivery_of, createdAt: r.created_at, updatedAt: r.updated_at, deliveredAt: r.delivered_at,
});

const fromDelivery = (d: WebhookDelivery): WebhookDeliveriesTable => ({
  id: d.id, company_id: d.companyId, event_id: d.eventId, event_type: d.eventType, message_id: d.messageId, payload: d.payload,
  status: d.status, attempt_count: d.attemptCount, last_status_code: d.lastStatusCode, last_error: d.lastError,
  last_duration_ms: d.lastDurationMs, next_attempt_at: d.nextAttemptAt, give_up_at: d.giveUpAt, redelivery_of: d.redeliveryOf,
  created_at: d.createdAt, updated_at: d.updatedAt, delivered_at: d.deliveredAt,
});

const toAttempt = (r: WebhookDeliveryAttemptsTable): WebhookAttempt => ({
  id: r.id, deliveryId: r.delivery_id, companyId: r.company_id, url: r.url, startedAt: r.started_at, durationMs: Number(r.duration_ms),
  statusCode: num(r.status_code), outcome: r.outcome as WebhookAttemptOutcome, error: r.error,
});

export function webhookEndpointStore(db: Db): WebhookEndpointStore {
  return {
    async get(companyId) {
      const r = await db.selectFrom('webhook_endpoints').selectAll().where('company_id', '=', companyId).executeTakeFirst();
      return r && toEndpoint(r);
    },
    async put(endpoint) {
      const row = fromEndpoint(endpoint);
      const { company_id, ...rest } = row;
      await db.insertInto('webhook_endpoints').values(row).onConflict((oc) => oc.column('company_id').doUpdateSet(rest)).execute();
      void company_id;
    },
    async listSealed() {
      const rows = await db.selectFrom('webhook_endpoints').select(['company_id', 'secret_sealed']).execute();
      return rows.map((r) => ({ companyId: r.company_id, sealed: r.secret_sealed }));
    },
    async replaceSealed(companyId, sealed) {
      await db.updateTable('webhook_endpoints').set({ secret_sealed: sealed }).where('company_id', '=', companyId).execute();
    },
  };
}

export function webhookDeliveryStore(db: Db): WebhookDeliveryStore {
  return {
    async insert(delivery) {
      await db.insertInto('webhook_deliveries').values(fromDelivery(delivery)).execute();
    },
    async get(id) {
      const r = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toDelivery(r);
    },
    async update(delivery) {
      const { id, ...rest } = fromDelivery(delivery);
      await db.updateTable('webhook_deliveries').set(rest).where('id', '=', id).execute();
    },
    async list(q) {
      let query = db.selectFrom('webhook_deliveries').selectAll().where('company_id', '=', q.companyId);
      if (q.statuses?.length) query = query.where('status', 'in', q.statuses);
      if (q.before) query = query.where('created_at', '<', q.before);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
      return rows.map(toDelivery);
    },
    async insertAttempt(attempt) {
      await db.insertInto('webhook_delivery_attempts').values({
        id: attempt.id, delivery_id: attempt.deliveryId, company_id: attempt.companyId, url: attempt.url, started_at: attempt.startedAt,
        duration_ms: attempt.durationMs, status_code: attempt.statusCode, outcome: attempt.outcome, error: attempt.error,
      }).execute();
    },
    async attempts(deliveryIds) {
      if (deliveryIds.length === 0) return [];
      const rows = await db.selectFrom('webhook_delivery_attempts').selectAll().where('delivery_id', 'in', deliveryIds)
        .orderBy('started_at').orderBy('id').execute();
      return rows.map(toAttempt);
    },
  };
}
