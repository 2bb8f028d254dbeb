// Delivery-status webhooks: a company's endpoint (URL, events, enabled, a signing secret made by
// Mailroom), the events the delivery worker reports, and the history of their deliveries.
//
// The signing secret is shown once — in the answer that creates the endpoint or rotates the secret
// — and is otherwise only ever held sealed (like a mail server password) and opened by the webhook
// worker to sign. The URL obeys the egress rule when it is saved and again at every attempt.
import { recordAudit } from '../audit/audit-recorder.ts';
import { FixedWindowLimiter } from '../diagnostics/fixed-window-limiter.ts';
import { AppError, validationError, type FieldIssue } from '../errors.ts';
import type { Company, Principal } from '../model.ts';
import type { OutboundMessage } from '../outbound/outbound-model.ts';
import type { Clock, Logger, Sealer, Store } from '../ports.ts';
import { actorOf, requireAdmin } from '../tenancy/access-policy.ts';
import { messageEventPayload, messageEventType, testEventPayload } from './webhook-events.ts';
import {
  DEFAULT_WEBHOOK_EVENTS, TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES,
  type WebhookAttempt, type WebhookDelivery, type WebhookDeliveryStatus, type WebhookEndpoint, type WebhookEventType,
} from './webhook-model.ts';
import { deliveryJobKey, enqueueDelivery, newDelivery } from './webhook-queue.ts';
import type { WebhookSender } from './webhook-sender.ts';
import { generateWebhookSecret } from './webhook-signature.ts';

export interface WebhookInput {
  url?: string | null;
  events?: string[];
  enabled?: boolean;
}

export interface WebhookServiceOptions {
  /** A delivery that has not succeeded after this long is given up (failed). */
  giveUpAfterMs: number;
  /** "Send test event" per company and window: a test is an outgoing request on demand. */
  testsPerWindow: number;
  testWindowMs: number;
}

export const DEFAULT_WEBHOOK_SERVICE_OPTIONS: WebhookServiceOptions = {
  giveUpAfterMs: 24 * 3600_000,
  testsPerWindow: 10,
  testWindowMs: 10 * 60_000,
};

export interface WebhookServiceDeps {
  store: Store;
  clock: Clock;
  sealer: Sealer;
  sender: WebhookSender;
  logger: Logger;
}

export interface DeliveryWithAttempts {
  delivery: WebhookDelivery;
  attempts: WebhookAttempt[];
}

const MAX_URL_LENGTH = 2000;

/** Scheme, host and path: what logs and the audit log show of a URL (its query may hold a token). */
export function urlWithoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export class WebhookService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly sealer: Sealer;
  private readonly sender: WebhookSender;
  private readonly logger: Logger;
  private readonly options: WebhookServiceOptions;
  private readonly testLimiter: FixedWindowLimiter;

  constructor(deps: WebhookServiceDeps, options: Partial<WebhookServiceOptions> = {}) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.sealer = deps.sealer;
    this.sender = deps.sender;
    this.logger = deps.logger;
    this.options = { ...DEFAULT_WEBHOOK_SERVICE_OPTIONS, ...options };
    this.testLimiter = new FixedWindowLimiter({ limit: this.options.testsPerWindow, windowMs: this.options.testWindowMs, clock: deps.clock });
  }

  /** The company's endpoint; 404 when none is configured. */
  async get(principal: Principal, company: Company): Promise<WebhookEndpoint> {
    requireAdmin(principal);
    return this.endpointOf(company);
  }

  /** Creates the endpoint (with a new secret, returned this once) or changes it (`secret` null). */
  async configure(principal: Principal, company: Company, input: WebhookInput): Promise<{ endpoint: WebhookEndpoint; secret: string | null; created: boolean }> {
    requireAdmin(principal);
    const existing = await this.store.webhookEndpoints.get(company.id);
    const issues: FieldIssue[] = [];
    const url = input.url === undefined || input.url === null || input.url === '' ? existing?.url ?? null : normalizeUrl(input.url, issues);
    if (url === null && !issues.length) issues.push({ field: 'url', rule: 'required', message: 'must be the address that receives the events, e.g. https://app.example.com/hooks/mailroom' });
    const events = input.events === undefined ? existing?.events ?? [...DEFAULT_WEBHOOK_EVENTS] : validateEvents(input.events, issues);
    const enabled = input.enabled ?? existing?.enabled ?? true;
    if (issues.length) throw validationError(issues);
    // The egress rule at save, for a new address and whenever the endpoint will be used.
    if (url !== existing?.url || (enabled && !existing?.enabled)) {
      const problem = await this.sender.checkTarget(url!);
      if (problem) throw validationError([{ field: 'url', rule: problem.rule, message: problem.message }]);
    }

    const now = this.clock.now().toISOString();
    const actor = actorOf(principal);
    return this.store.transaction(async (tx) => {
      const current = await tx.webhookEndpoints.get(company.id);
      if (!current) {
        const secret = generateWebhookSecret();
        const endpoint: WebhookEndpoint = {
          companyId: company.id, url: url!, events, enabled, secretSealed: this.sealer.seal(secret), secretRotatedAt: now,
          createdBy: actor.label, createdAt: now, updatedAt: now,
        };
        await tx.webhookEndpoints.put(endpoint);
        await recordAudit(tx, this.clock, actor, { companyId: company.id, action: 'webhook.created', targetType: 'webhook', targetId: company.id, details: { url: urlWithoutQuery(endpoint.url), events, enabled } });
        return { endpoint, secret, created: true };
      }
      const endpoint: WebhookEndpoint = { ...current, url: url!, events, enabled, updatedAt: now };
      await tx.webhookEndpoints.put(endpoint);
      const changed: Record<string, unknown> = {};
      if (endpoint.url !== current.url) changed.url = urlWithoutQuery(endpoint.url);
      if (endpoint.events.join() !== current.events.join()) changed.events = endpoint.events;
      if (endpoint.enabled !== current.enabled) changed.enabled = endpoint.enabled;
      await recordAudit(tx, this.clock, actor, { companyId: company.id, action: 'webhook.updated', targetType: 'webhook', targetId: company.id, details: changed });
      return { endpoint, secret: null, created: false };
    });
  }

  /** A new signing secret, returned this once; the old one stops signing at once. */
  async rotateSecret(principal: Principal, company: Company): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    requireAdmin(principal);
    const now = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      const current = await tx.webhookEndpoints.get(company.id);
      if (!current) throw new AppError('NOT_FOUND', 'No webhook is configured for this company.');
      const secret = generateWebhookSecret();
      const endpoint: WebhookEndpoint = { ...current, secretSealed: this.sealer.seal(secret), secretRotatedAt: now, updatedAt: now };
      await tx.webhookEndpoints.put(endpoint);
      await recordAudit(tx, this.clock, actorOf(principal), { companyId: company.id, action: 'webhook.secret_rotated', targetType: 'webhook', targetId: company.id });
      return { endpoint, secret };
    });
  }

  /** Queues a `webhook.test` event, whatever the chosen events and even while the endpoint is disabled. */
  async sendTest(principal: Principal, company: Company): Promise<WebhookDelivery> {
    requireAdmin(principal);
    await this.endpointOf(company);
    const wait = this.testLimiter.take(company.id);
    if (wait) throw new AppError('RATE_LIMITED', `Too many test events for this company; try again in ${wait} seconds.`, { details: { retryAfterSeconds: wait } });
    const now = this.clock.now();
    const payload = testEventPayload(company.id, now.toISOString());
    const delivery = newDelivery({ companyId: company.id, eventId: payload.id, eventType: TEST_EVENT_TYPE, messageId: null, payload: JSON.stringify(payload) }, now, this.options.giveUpAfterMs);
    await this.store.transaction((tx) => enqueueDelivery(tx, delivery));
    return delivery;
  }

  async listDeliveries(principal: Principal, company: Company, query: { statuses?: WebhookDeliveryStatus[]; before?: string; limit: number }): Promise<DeliveryWithAttempts[]> {
    requireAdmin(principal);
    const deliveries = await this.store.webhookDeliveries.list({ companyId: company.id, ...query });
    const attempts = await this.store.webhookDeliveries.attempts(deliveries.map((d) => d.id));
    return deliveries.map((delivery) => ({ delivery, attempts: attempts.filter((a) => a.deliveryId === delivery.id) }));
  }

  async getDelivery(principal: Principal, company: Company, id: string): Promise<DeliveryWithAttempts> {
    requireAdmin(principal);
    const delivery = await this.store.webhookDeliveries.get(id);
    // Another company's delivery is reported as absent, like every other resource.
    if (!delivery || delivery.companyId !== company.id) throw new AppError('NOT_FOUND', 'Webhook delivery not found.');
    return { delivery, attempts: await this.store.webhookDeliveries.attempts([id]) };
  }

  /**
   * Sends an event again. A delivery still waiting for its next retry is tried now; a finished one
   * (delivered or failed) is sent again as a new delivery with the same event id and body, so a
   * receiver that deduplicates on Mailroom-Event-Id sees it once.
   */
  async redeliver(principal: Principal, company: Company, id: string): Promise<WebhookDelivery> {
    const { delivery } = await this.getDelivery(principal, company, id);
    const endpoint = await this.endpointOf(company);
    if (!endpoint.enabled && delivery.eventType !== TEST_EVENT_TYPE) throw new AppError('CONFLICT', 'The webhook is disabled; enable it before redelivering events.');
    const now = this.clock.now();
    return this.store.transaction(async (tx) => {
      if (delivery.status === 'pending' || delivery.status === 'retrying') {
        const moved = await tx.queue.runNow(deliveryJobKey(delivery.id), now.toISOString());
        if (moved) {
          const updated: WebhookDelivery = { ...delivery, nextAttemptAt: now.toISOString(), updatedAt: now.toISOString() };
          await tx.webhookDeliveries.update(updated);
          return updated;
        }
        // Its job is in flight right now (or gone): fall through and send it again.
      }
      const again = newDelivery({
        companyId: company.id, eventId: delivery.eventId, eventType: delivery.eventType, messageId: delivery.messageId,
        payload: delivery.payload, redeliveryOf: delivery.id,
      }, now, this.options.giveUpAfterMs);
      await enqueueDelivery(tx, again);
      return again;
    });
  }

  /**
   * Queues the event for a message's current status, if the company's endpoint wants it. Takes the
   * transaction that records the outcome, so both can commit together.
   */
  async enqueueMessageEvent(tx: Store, message: OutboundMessage): Promise<WebhookDelivery | null> {
    const type = messageEventType(message.status);
    if (!type) return null;
    const endpoint = await tx.webhookEndpoints.get(message.companyId);
    if (!endpoint?.enabled || !endpoint.events.includes(type)) return null;
    const now = this.clock.now();
    const payload = messageEventPayload(type, message, await tx.messages.recipients(message.id), now.toISOString());
    const delivery = newDelivery({ companyId: message.companyId, eventId: payload.id, eventType: type, messageId: message.id, payload: JSON.stringify(payload) }, now, this.options.giveUpAfterMs);
    await enqueueDelivery(tx, delivery);
    return delivery;
  }

  private async endpointOf(company: Company): Promise<WebhookEndpoint> {
    const endpoint = await this.store.webhookEndpoints.get(company.id);
    if (!endpoint) throw new AppError('NOT_FOUND', 'No webhook is configured for this company.');
    return endpoint;
  }
}

/** The URL as it will be stored, or null with the reason added to `issues`. */
function normalizeUrl(raw: string, issues: FieldIssue[]): string | null {
  const text = raw.trim();
  const fail = (rule: string, message: string) => { issues.push({ field: 'url', rule, message }); return null; };
  if (text.length > MAX_URL_LENGTH) return fail('max_length', `must be at most ${MAX_URL_LENGTH} characters`);
  // The URL parser silently drops tabs and line breaks; refuse them instead of guessing.
  if (/[\u0000-\u0020\u007f]/.test(text)) return fail('url', 'must not contain spaces, line breaks or control characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('url', 'must be a full address such as https://app.example.com/hooks/mailroom');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('url', 'must start with https:// (http:// only for a host in an allowed network)');
  if (url.username || url.password) return fail('url', 'must not contain a user name or password: events are signed, check the Mailroom-Signature header instead');
  if (!url.hostname) return fail('url', 'must name a host');
  url.hash = '';
  return url.toString();
}

function validateEvents(events: string[], issues: FieldIssue[]): WebhookEventType[] {
  const out: WebhookEventType[] = [];
  events.forEach((e, i) => {
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e)) issues.push({ field: `events.${i}`, rule: 'enum', message: `"${e}" is not an event; use ${WEBHOOK_EVENT_TYPES.join(', ')}` });
    else if (!out.includes(e as WebhookEventType)) out.push(e as WebhookEventType);
  });
  if (events.length === 0) issues.push({ field: 'events', rule: 'required', message: 'choose at least one event (or disable the webhook)' });
  return out;
}
