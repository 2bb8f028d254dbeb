// When to try again after a temporary failure: exponential backoff with jitter, capped. Jitter
// spreads the retries of many messages that failed together (a server restart) so they do not all
// come back in the same second.

export interface RetrySchedule {
  /** The first retry waits about this long. */
  baseMs: number;
  /** No wait is longer than this. */
  maxMs: number;
  /** ±this fraction of randomness. */
  jitter: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { baseMs: 60_000, maxMs: 60 * 60_000, jitter: 0.2 };

/** Milliseconds to wait before attempt `attempt + 1`, `attempt` counting from 1. */
export function retryDelayMs(schedule: RetrySchedule, attempt: number, random: () => number = Math.random): number {
  const exponential = Math.min(schedule.maxMs, schedule.baseMs * 2 ** Math.max(0, attempt - 1));
  const spread = exponential * schedule.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(exponential + spread));
}
