// Housekeeping that runs on a timer inside the worker processes: the sending-domain checks
// (domains/domain-check-schedule.ts) and the history retention (retention/history-retention.ts).
//
//   const task = new PeriodicTask({ name: 'history retention', everyMs: HOUR_MS, logger, run, fallback });
//   task.start();            // first run after firstRunDelayMs, then every everyMs
//   await task.runOnce();    // what each wake-up does (tests call it directly)
//   await task.stop();       // waits for a run in progress; `run` sees shouldStop() turn true
//
// A plain timer rather than a queue job: each task decides from the database what is due (a domain
// checked long enough ago, records older than the retention), so restarts neither skip nor repeat
// work, and several worker processes running the same task at once only share it. It never throws:
// a failed run is logged and the next wake-up tries again.
import type { Logger } from './ports.ts';

export const HOUR_MS = 3_600_000;
/** The first wake-up after start: soon, but not in the middle of a burst of startup work. */
const DEFAULT_FIRST_RUN_DELAY_MS = 60_000;

export interface PeriodicTaskOptions<T> {
  /** For the log: "scheduled <name> done". */
  name: string;
  /** 0 (or less) turns the task off: start() does nothing. */
  everyMs: number;
  firstRunDelayMs?: number;
  logger: Logger;
  /** One pass; should return soon after shouldStop() turns true. */
  run(shouldStop: () => boolean): Promise<T>;
  /** What runOnce() returns when `run` threw. */
  fallback: T;
  /** Whether an outcome is worth an info line (a pass that found nothing to do is not). */
  worthLogging?(outcome: T): boolean;
}

export class PeriodicTask<T> {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private started = false;
  private stopRequested = false;

  private readonly options: PeriodicTaskOptions<T>;

  constructor(options: PeriodicTaskOptions<T>) {
    this.options = options;
  }

  start(): void {
    if (this.options.everyMs <= 0 || this.started) return;
    this.started = true;
    this.stopRequested = false;
    this.schedule(this.options.firstRunDelayMs ?? DEFAULT_FIRST_RUN_DELAY_MS);
  }

  /** Stops the timer and waits for a run in progress, which is asked to stop early. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopRequested = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  async runOnce(): Promise<T> {
    const { name, logger } = this.options;
    try {
      const outcome = await this.options.run(() => this.stopRequested);
      if (this.options.worthLogging?.(outcome) ?? true) logger.info(outcome as object, `scheduled ${name} done`);
      return outcome;
    } catch (err) {
      logger.warn({ err: { message: err instanceof Error ? err.message : String(err) } }, `scheduled ${name} could not run`);
      return this.options.fallback;
    }
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.runOnce().then(() => {
        this.running = null;
        // Wakes at least hourly, so a long interval still starts soon after a restart.
        this.schedule(Math.min(this.options.everyMs, HOUR_MS));
      });
    }, delayMs);
    // The timer alone must not keep a process alive (CLI commands build the app too).
    this.timer.unref();
  }
}
