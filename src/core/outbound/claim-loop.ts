// The loop both workers run (delivery, webhooks): claim jobs while there is room, track the tasks
// in flight, sleep when the queue is empty, stop with a deadline. The worker supplies `claim`,
// which leases up to `room` jobs, starts them, and returns their tasks.
//
// A worker may also call nudge() whenever a finished task leaves room that a claim could use (the
// delivery worker: a mail server has a free connection again). Once it does, a claim that came
// back short — the queue had nothing more for the room offered, or only jobs of servers with no
// room — is not repeated on every finished task, only on the next nudge or after `idlePollMs`.
// Without that, a busy server made the worker claim (a query and a commit) per message for nothing
// (bench/README.md: about one claim per message, seven in eight of them empty).
import type { Logger } from '../ports.ts';

export interface ClaimLoopOptions {
  /** Tasks in flight at most. */
  maxInFlight: number;
  /** Wait between claims when the queue is empty; also the longest wait for a batch of room. */
  idlePollMs: number;
  /** Claim again once this many slots are free (or the worker is idle, or `idlePollMs` passed). */
  claimBatchMin: number;
  /** For log lines: "delivery", "webhooks". */
  name: string;
}

export type Claim = (room: number) => Promise<Promise<void>[]>;

export class ClaimLoop {
  private readonly claim: Claim;
  private readonly logger: Logger;
  private readonly options: ClaimLoopOptions;
  private readonly injectedSleep: ((ms: number) => Promise<void>) | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private loop: Promise<void> | null = null;
  private stopping = false;
  private wake: (() => void) | null = null;
  private lastClaimMs = 0;
  /** The worker has called nudge() at least once: it tells when a claim may find work again. */
  private nudges = false;
  /** A nudge came since the last claim started. */
  private nudged = false;
  /** The last claim took fewer jobs than it had room for. */
  private short = false;

  constructor(claim: Claim, logger: Logger, options: ClaimLoopOptions, sleep?: (ms: number) => Promise<void>) {
    this.claim = claim;
    this.logger = logger;
    this.options = options;
    this.injectedSleep = sleep;
  }

  sleep(ms: number): Promise<void> {
    if (this.injectedSleep) return this.injectedSleep(ms);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }

  /** A claim now could find work that the last one could not (see the top of this file). */
  nudge(): void {
    this.nudges = true;
    this.nudged = true;
    this.wake?.();
  }

  private async claimAndTrack(): Promise<number> {
    const room = this.options.maxInFlight - this.inFlight.size;
    if (room <= 0) return 0;
    this.lastClaimMs = Date.now();
    this.nudged = false;
    const tasks = await this.claim(room);
    this.short = tasks.length < room;
    for (const task of tasks) {
      const tracked: Promise<void> = task.finally(() => this.inFlight.delete(tracked));
      this.inFlight.add(tracked);
    }
    return tasks.length;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        try {
          // Claim in batches: a claim per freed slot would cost a query and a commit per job. But
          // never wait longer than the idle poll for a batch to free up: slots held by a hung
          // server may not free up for a long time, and other work must not wait for them.
          const room = this.options.maxInFlight - this.inFlight.size;
          const waitForNudge = this.nudges && this.short && !this.nudged;
          const due = this.inFlight.size === 0
            || (!waitForNudge && room >= Math.min(this.options.claimBatchMin, this.options.maxInFlight))
            || (room > 0 && Date.now() - this.lastClaimMs >= this.options.idlePollMs);
          const claimed = due ? await this.claimAndTrack() : 0;
          if (claimed === 0) await Promise.race([this.sleep(this.options.idlePollMs), ...this.inFlight]);
          else if (this.inFlight.size >= this.options.maxInFlight) await Promise.race(this.inFlight);
        } catch (err) {
          // The database may be briefly unavailable; keep the loop alive and say so.
          this.logger.error({ err }, `${this.options.name} worker loop failed; retrying`);
          await this.sleep(1_000);
        }
      }
    })();
  }

  /** Stops claiming, then waits for tasks in flight (at most `deadlineMs`; their leases cover the rest). */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
  }

  /** Processes everything due now and returns how many jobs it handled: for tests and drains. */
  async runUntilIdle(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await this.claimAndTrack();
      total += claimed;
      if (claimed === 0 && this.inFlight.size === 0) return total;
      if (this.inFlight.size) await Promise.race(this.inFlight);
    }
  }
}
