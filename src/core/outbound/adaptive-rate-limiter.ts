// Per-server sending rate: a token bucket at the configured rate (messages per second/minute/hour/
// day, as providers impose), multiplied by a factor that halves when the server answers with a
// throttling reply (421, 454, 4.3.2, "try again later") and creeps back up with each success —
// additive increase, multiplicative decrease, the way TCP backs off. Without a configured rate, the
// throttle factor alone applies, starting from a generous base rate. Per process: how fast this
// process wants to go; the configured rate across all processes is kept by the shared gate
// (shared-rate-gate.ts, with configuredPace below).
import type { RatePeriod } from '../model.ts';

const PERIOD_MS: Record<RatePeriod, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** The rate assumed when none is configured, used only once a server has asked us to slow down. */
const UNLIMITED_BASE_PER_SECOND = 50;
const MIN_FACTOR = 1 / 64;
const RECOVERY_STEP = 0.05;

export interface RateSettings {
  count: number | null;
  period: RatePeriod | null;
}

/** The configured rate as the shared gate takes it (interval and burst), or null without a rate. */
export function configuredPace(settings: RateSettings): { intervalMs: number; burst: number } | null {
  const { count, period } = settings;
  if (!count || !period) return null;
  // The same burst as the local bucket: at most one second's worth, at least one message.
  return { intervalMs: PERIOD_MS[period] / count, burst: Math.max(1, Math.floor(Math.min(count, (count / PERIOD_MS[period]) * 1000))) };
}

export class AdaptiveRateLimiter {
  private tokens: number;
  private lastRefillMs: number;
  private factor = 1;
  private settings: RateSettings;

  constructor(settings: RateSettings, nowMs: number) {
    this.settings = settings;
    this.tokens = this.capacity();
    this.lastRefillMs = nowMs;
  }

  configure(settings: RateSettings): void {
    this.settings = settings;
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  /** Messages per millisecond allowed now, or Infinity. */
  private ratePerMs(): number {
    const { count, period } = this.settings;
    if (count && period) return (count / PERIOD_MS[period]) * this.factor;
    return this.factor >= 1 ? Infinity : (UNLIMITED_BASE_PER_SECOND / 1000) * this.factor;
  }

  private capacity(): number {
    const { count, period } = this.settings;
    // A burst of at most one second's worth (and at least one message).
    if (count && period) return Math.max(1, Math.min(count, (count / PERIOD_MS[period]) * 1000) * this.factor);
    return Math.max(1, UNLIMITED_BASE_PER_SECOND * this.factor);
  }

  /** Takes one token; returns 0 when the message may go now, else milliseconds to wait. */
  take(nowMs: number): number {
    const rate = this.ratePerMs();
    if (rate === Infinity) return 0;
    this.tokens = Math.min(this.capacity(), this.tokens + (nowMs - this.lastRefillMs) * rate);
    this.lastRefillMs = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) / rate);
  }

  /** The server said "slow down". */
  throttled(): void {
    this.factor = Math.max(MIN_FACTOR, this.factor / 2);
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  succeeded(): void {
    if (this.factor < 1) this.factor = Math.min(1, this.factor + RECOVERY_STEP * this.factor + RECOVERY_STEP / 10);
  }

  /** 1 at full speed; below 1 while slowed down. */
  currentFactor(): number {
    return this.factor;
  }
}
