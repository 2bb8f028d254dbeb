// Delivery-status webhooks, assembled: the service (settings, history, the delivery worker's
// onAttempt hook) and the worker that sends. The caller (app.ts) constructs the sender adapter
// (adapters/webhooks/http-webhook-sender.ts) with the app's resolver and egress policy.
import type { Clock, Logger, Sealer, Store } from '../ports.ts';
import { WebhookService, type WebhookServiceOptions } from './webhook-service.ts';
import type { WebhookSender } from './webhook-sender.ts';
import { WebhookWorker, type WebhookWorkerOptions } from './webhook-worker.ts';

export interface WebhooksDeps {
  store: Store;
  clock: Clock;
  sealer: Sealer;
  sender: WebhookSender;
  logger: Logger;
}

export interface WebhooksOptions {
  service?: Partial<WebhookServiceOptions>;
  worker?: Partial<WebhookWorkerOptions>;
}

export function createWebhooks(deps: WebhooksDeps, options: WebhooksOptions = {}): { service: WebhookService; worker: WebhookWorker } {
  const logger = deps.logger.child({ component: 'webhooks' });
  return {
    service: new WebhookService({ ...deps, logger }, options.service),
    worker: new WebhookWorker({ ...deps, logger }, options.worker),
  };
}

export { WebhookService } from './webhook-service.ts';
export { WebhookWorker } from './webhook-worker.ts';
export type { WebhookSender } from './webhook-sender.ts';
