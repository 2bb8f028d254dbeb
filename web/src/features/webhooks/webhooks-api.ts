// Calls and shapes for delivery-status webhooks (docs/api.md "Webhooks", docs/webhooks.md).
import { ApiError, api } from '../../api/client.ts';
import type { Items } from '../../api/types.ts';

export type WebhookEventType = 'message.sent' | 'message.failed' | 'message.held' | 'message.retrying';
export type WebhookDeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';

export interface Webhook {
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  secretRotatedAt: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookInput {
  url?: string;
  events?: WebhookEventType[];
  enabled?: boolean;
}

/** The answer that creates the webhook or rotates its secret: the only time the secret is shown. */
export interface WebhookWithSecret {
  webhook: Webhook;
  secret: string;
}

export interface WebhookAttempt {
  id: string;
  startedAt: string;
  url: string;
  statusCode: number | null;
  durationMs: number;
  outcome: 'delivered' | 'http-error' | 'network' | 'timeout' | 'blocked';
  error: string | null;
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  messageId: string | null;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  giveUpAt: string;
  redeliveryOf: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
  payload: Record<string, unknown>;
  attempts: WebhookAttempt[];
}

export const webhooksApi = {
  /** The company's webhook, or null while none is configured. */
  get: (signal?: AbortSignal) => api.get<Webhook>('/webhook', { signal }).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }),
  save: (input: WebhookInput) => api.put<{ webhook: Webhook; secret?: string }>('/webhook', input),
  rotateSecret: () => api.post<WebhookWithSecret>('/webhook/rotate-secret'),
  sendTest: () => api.post<WebhookDelivery>('/webhook/test'),
  deliveries: (query: { status?: string; before?: string; limit?: number }, signal?: AbortSignal) =>
    api.get<Items<WebhookDelivery>>('/webhook/deliveries', { signal, query }).then((r) => r.items),
  redeliver: (id: string) => api.post<WebhookDelivery>(`/webhook/deliveries/${encodeURIComponent(id)}/redeliver`),
};
