// Delivery-status webhooks: one endpoint per company, the events sent to it, and the history of
// every delivery and every attempt. Timestamps are ISO-8601 UTC strings, as everywhere in core.

/** Events about messages; `message.retrying` is off unless chosen (it can be chatty). */
export const WEBHOOK_EVENT_TYPES = ['message.sent', 'message.failed', 'message.held', 'message.retrying'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventType[] = ['message.sent', 'message.failed', 'message.held'];
/** Sent by "Send test event", whatever events the endpoint chose and even while it is disabled. */
export const TEST_EVENT_TYPE = 'webhook.test';
export type AnyWebhookEventType = WebhookEventType | typeof TEST_EVENT_TYPE;

/** A company's webhook endpoint. The signing secret is sealed at rest and never leaves in an answer but once. */
export interface WebhookEndpoint {
  companyId: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  secretSealed: string;
  secretRotatedAt: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event on its way to the endpoint; retried until delivered or given up. */
export interface WebhookDelivery {
  id: string;
  companyId: string;
  /** The payload's `id` and the Mailroom-Event-Id header: the same on every attempt and redelivery. */
  eventId: string;
  eventType: AnyWebhookEventType;
  /** Our message id, for message events. */
  messageId: string | null;
  /** The exact body sent (and signed) on every attempt. */
  payload: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  giveUpAt: string;
  /** Set on a delivery made by "Redeliver": the delivery it repeats. */
  redeliveryOf: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export type WebhookAttemptOutcome = 'delivered' | 'http-error' | 'network' | 'timeout' | 'blocked';

/** One POST. Holds no header and no secret: only what the admin needs to see what happened. */
export interface WebhookAttempt {
  id: string;
  deliveryId: string;
  companyId: string;
  /** Scheme, host and path the attempt went to (the query string is left out: it may hold a token). */
  url: string;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  outcome: WebhookAttemptOutcome;
  error: string | null;
}

/** The body of a message event. */
export interface MessageEventData {
  messageId: string;
  messageIdHeader: string;
  status: string;
  lastCode: string | null;
  lastMessage: string | null;
  recipients: { address: string; status: string; replyCode: number | null }[];
  serverId: string | null;
}

export interface WebhookEventPayload {
  id: string;
  type: AnyWebhookEventType;
  createdAt: string;
  companyId: string;
  data: MessageEventData | { test: true; message: string };
}
