// Counts events per key in fixed windows. In memory, per process: enough to stop one admin from
// turning "send test email" into a spam cannon (Ghost PR #17505); not a distributed quota.
import type { Clock } from '../ports.ts';

export class FixedWindowLimiter {
  private readonly windows = new Map<string, { startedMs: number; count: number }>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly clock: Clock;

  constructor(options: { limit: number; windowMs: number; clock: Clock }) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.clock = options.clock;
  }

  /** Counts one event; returns 0 when allowed, else the seconds until the window resets. */
  take(key: string): number {
    const now = this.clock.now().getTime();
    const current = this.windows.get(key);
    if (!current || now - current.startedMs >= this.windowMs) {
      this.windows.set(key, { startedMs: now, count: 1 });
      return 0;
    }
    if (current.count >= this.limit) return Math.ceil((current.startedMs + this.windowMs - now) / 1000);
    current.count++;
    return 0;
  }
}
