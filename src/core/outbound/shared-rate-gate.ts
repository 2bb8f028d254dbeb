// A mail server's configured rate (rateLimitCount per rateLimitPeriod) is the provider's limit for
// the account, not for one Mailroom process: with three `mailroom worker` processes a "14 per
// second" server must still see 14 per second. Every process therefore asks one gate, kept in the
// database, before each message to a rate-limited server. The gate is GCRA (the generic cell rate
// algorithm): one number per server, the theoretical arrival time (TAT) of the next message; a
// message may go when TAT is at most `burst - 1` intervals ahead of now, and each one moves TAT on
// by one interval. Granting is one conditional UPDATE, so processes never both take the same slot.
//
// The local AdaptiveRateLimiter still decides how fast this process wants to go (it slows down
// on throttling replies); the gate only ensures all processes together stay within the configured
// rate.

export interface RateGateRequest {
  serverId: string;
  /** Milliseconds between two messages at the configured rate (e.g. 1000 / 14). */
  intervalMs: number;
  /** Messages that may go back to back after a quiet spell (at least 1). */
  burst: number;
  nowMs: number;
}

export interface SharedRateGate {
  /** 0 when this message may go now (its slot is taken), else milliseconds until one may be free. */
  take(request: RateGateRequest): Promise<number>;
}
