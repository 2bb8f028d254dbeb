// Delivery history is kept for MAILROOM_HISTORY_DAYS (default 90; 0 keeps it forever): finished
// messages (sent, failed, caught) with their recipients and attempts, and finished webhook
// deliveries with theirs, are deleted once their last change is older than that. Mail still on its
// way (queued, sending, retrying, held) and webhook events still being delivered are never touched,
// however old. Runs hourly in the worker processes (periodic-task.ts), in batches, so a large
// backlog is deleted in short transactions instead of one long one.
import { HOUR_MS, PeriodicTask } from '../periodic-task.ts';
import type { Clock, Logger } from '../ports.ts';

const DAY_MS = 24 * HOUR_MS;
/** Rows per delete statement: short transactions, so senders are never blocked for long. */
const BATCH_SIZE = 500;

/** The deletes retention needs; implemented over the store's tables (adapters/store/history-pruner.ts). */
export interface HistoryPruner {
  /** Deletes up to `limit` finished messages last changed before `before`, with their recipients and attempts; how many. */
  pruneMessages(before: string, limit: number): Promise<number>;
  /** Deletes up to `limit` delivered or failed webhook deliveries created before `before`, with their attempts; how many. */
  pruneWebhookDeliveries(before: string, limit: number): Promise<number>;
}

export interface PruneOutcome {
  messages: number;
  webhookDeliveries: number;
  /** Where the cut was: records older than this were deleted. */
  before: string;
}

export async function pruneHistory(deps: { pruner: HistoryPruner; clock: Clock }, days: number, shouldStop: () => boolean = () => false): Promise<PruneOutcome> {
  const before = new Date(deps.clock.now().getTime() - days * DAY_MS).toISOString();
  const outcome: PruneOutcome = { messages: 0, webhookDeliveries: 0, before };
  if (days <= 0) return outcome;
  for (;;) {
    const n = await deps.pruner.pruneMessages(before, BATCH_SIZE);
    outcome.messages += n;
    if (n < BATCH_SIZE || shouldStop()) break;
  }
  for (;;) {
    if (shouldStop()) break;
    const n = await deps.pruner.pruneWebhookDeliveries(before, BATCH_SIZE);
    outcome.webhookDeliveries += n;
    if (n < BATCH_SIZE) break;
  }
  return outcome;
}

export type HistoryRetention = PeriodicTask<PruneOutcome>;

export function createHistoryRetention(deps: { pruner: HistoryPruner; clock: Clock; logger: Logger }, options: { days: number }): HistoryRetention {
  return new PeriodicTask({
    name: 'history retention',
    everyMs: options.days > 0 ? HOUR_MS : 0,
    firstRunDelayMs: 2 * 60_000,
    logger: deps.logger,
    run: (shouldStop) => pruneHistory(deps, options.days, shouldStop),
    fallback: { messages: 0, webhookDeliveries: 0, before: '' },
    worthLogging: (outcome) => outcome.messages > 0 || outcome.webhookDeliveries > 0,
  });
}
