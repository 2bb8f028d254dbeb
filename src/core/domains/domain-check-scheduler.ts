// Checks every sending domain again every MAILROOM_DOMAIN_CHECK_HOURS, so a record deleted at the
// DNS provider shows up as "failing" (and DKIM signing stops) without anyone pressing "Check now".
// A plain timer: it wakes up at most hourly and checks the domains whose last check is older than
// the interval, so restarts neither skip nor repeat checks, and several worker processes mostly
// share the work. It never throws: failures are logged and the next wake-up tries again.
import type { Logger } from '../ports.ts';
import type { DomainService } from './domain-service.ts';

const HOUR_MS = 3_600_000;
/** The first wake-up after start: soon, but not in the middle of a burst of startup work. */
const FIRST_RUN_DELAY_MS = 60_000;

export class DomainCheckScheduler {
  private readonly service: DomainService;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private started = false;
  /** Set by stop(): a pass in progress ends after its current domain. */
  private stopRequested = false;

  constructor(deps: { service: DomainService; logger: Logger }, options: { intervalHours: number }) {
    this.service = deps.service;
    this.logger = deps.logger;
    this.intervalMs = options.intervalHours * HOUR_MS;
  }

  /** Does nothing when the interval is 0 (MAILROOM_DOMAIN_CHECK_HOURS=0 turns checks off). */
  start(): void {
    if (this.intervalMs <= 0 || this.started) return;
    this.started = true;
    this.stopRequested = false;
    this.schedule(FIRST_RUN_DELAY_MS);
  }

  /** Stops the timer and waits for a check in progress to finish its current domain. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopRequested = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over the due domains (what each wake-up does): for tests and the timer. */
  async runOnce(): Promise<{ checked: number; failed: number }> {
    try {
      const outcome = await this.service.checkDue(this.intervalMs, () => this.stopRequested);
      if (outcome.checked || outcome.failed) this.logger.info(outcome, 'scheduled sending domain checks done');
      return outcome;
    } catch (err) {
      this.logger.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, 'scheduled sending domain checks could not run');
      return { checked: 0, failed: 0 };
    }
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce().then(() => {
        this.running = null;
        this.schedule(Math.min(this.intervalMs, HOUR_MS));
      });
    }, delayMs);
    // The timer alone must not keep a process alive (CLI commands build the app too).
    this.timer.unref();
  }
}
