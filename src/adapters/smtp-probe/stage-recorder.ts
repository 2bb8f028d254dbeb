// Times each stage and bounds it: every wait inside a stage is the smaller of the stage's own limit
// and what is left of the probe's overall deadline, so a probe ends in bounded time whatever the
// server does.
import { performance } from 'node:perf_hooks';
import type { StageName, StageTiming } from '../../core/diagnostics/probe-types.ts';
import { failure, ProbeFailure } from './probe-failure.ts';

export class Deadline {
  readonly totalMs: number;
  readonly #endsAt: number;

  constructor(totalMs: number) {
    this.totalMs = totalMs;
    this.#endsAt = performance.now() + totalMs;
  }

  remainingMs(): number {
    return Math.max(0, Math.round(this.#endsAt - performance.now()));
  }

  /** The time a wait may take: the stage's limit, cut to the deadline. */
  limit(stageLimitMs: number): number {
    return Math.min(stageLimitMs, this.remainingMs());
  }

  expired(): boolean {
    return this.remainingMs() === 0;
  }
}

export class StageRecorder {
  readonly timings: StageTiming[] = [];

  /** Runs one stage; any error leaves as a ProbeFailure that names the stage. */
  async run<T>(name: StageName, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const value = await work();
      this.timings.push({ name, ok: true, ms: elapsed() });
      return value;
    } catch (err) {
      this.timings.push({ name, ok: false, ms: elapsed() });
      const failed = err instanceof ProbeFailure ? err : unexpected(err);
      failed.stage ??= name;
      throw failed;
    }
  }
}

function unexpected(err: unknown): ProbeFailure {
  // Library error text is not shown: only the table's wording and the error's code.
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : err instanceof Error ? err.name : 'unknown';
  return failure('PROTOCOL_ERROR', { message: `The test stopped on an unexpected error (${code}).` });
}
