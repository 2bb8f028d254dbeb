// The WebhookSender port: checks an endpoint URL against the egress rule and POSTs signed bodies.
// The adapter (adapters/webhooks/http-webhook-sender.ts) resolves the host once, checks the
// addresses with the EgressPolicy and connects to the checked one; core only signs and decides.
import type { WebhookAttemptOutcome } from './webhook-model.ts';

/** Why a URL cannot be used; `rule` becomes the field rule of a 400 on `url`. */
export type WebhookTargetProblem =
  | { rule: 'url'; message: string }
  | { rule: 'https_required'; message: string }
  | { rule: 'host_blocked'; message: string }
  | { rule: 'dns_not_found'; message: string }
  | { rule: 'dns_failed'; message: string };

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookSendResult {
  /**
   * delivered: a 2xx answer. http-error: any other status (redirects are not followed).
   * network / timeout: no answer; retried. blocked: the URL breaks the egress rule; not retried.
   */
  outcome: WebhookAttemptOutcome;
  statusCode: number | null;
  durationMs: number;
  /** Plain words, already short and free of control characters; null when delivered. */
  error: string | null;
}

export interface WebhookSender {
  /** Null when the URL may be used now; the problem otherwise (checked when the endpoint is saved). */
  checkTarget(url: string): Promise<WebhookTargetProblem | null>;
  /** Never throws for a network failure: the result says what happened. */
  send(request: WebhookRequest): Promise<WebhookSendResult>;
}
