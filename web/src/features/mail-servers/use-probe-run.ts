// One connection test in flight: start it, count the seconds while the probe runs (it may take up to
// 20 s), cancel it, and keep what came back — a result, or the ApiError that stopped it before any
// connection (a field to fix, a rate limit).
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import type { ProbeResult } from '../../api/types.ts';

export interface ProbeOutcome {
  result: ProbeResult;
  /** Where the test email went, when one was sent. */
  sentTo: string | null;
}

export interface ProbeRun {
  running: boolean;
  /** Whole seconds since the test started (for the progress line). */
  elapsedSeconds: number;
  outcome: ProbeOutcome | null;
  error: ApiError | null;
  start(work: (signal: AbortSignal) => Promise<ProbeOutcome>): Promise<ProbeOutcome | null>;
  cancel(): void;
}

export function useProbeRun(): ProbeRun {
  const [running, setRunning] = useState(false);
  const [elapsedSeconds, setElapsedSeconds] = useState(0);
  const [outcome, setOutcome] = useState<ProbeOutcome | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const inFlight = useRef<AbortController | null>(null);

  useEffect(() => {
    if (!running) return;
    const startedAt = Date.now();
    setElapsedSeconds(0);
    const timer = window.setInterval(() => setElapsedSeconds(Math.floor((Date.now() - startedAt) / 1000)), 1000);
    return () => window.clearInterval(timer);
  }, [running]);

  // Leaving the page stops waiting for the answer.
  useEffect(() => () => inFlight.current?.abort(), []);

  const start = useCallback(async (work: (signal: AbortSignal) => Promise<ProbeOutcome>) => {
    inFlight.current?.abort();
    const ctrl = new AbortController();
    inFlight.current = ctrl;
    setRunning(true);
    setError(null);
    setOutcome(null);
    try {
      const next = await work(ctrl.signal);
      if (ctrl.signal.aborted) return null;
      setOutcome(next);
      return next;
    } catch (err) {
      if (ctrl.signal.aborted) return null;
      setError(err instanceof ApiError ? err : new ApiError(0, 'UNEXPECTED', err instanceof Error ? err.message : 'Something went wrong.'));
      return null;
    } finally {
      if (inFlight.current === ctrl) {
        inFlight.current = null;
        setRunning(false);
      }
    }
  }, []);

  const cancel = useCallback(() => {
    inFlight.current?.abort();
    inFlight.current = null;
    setRunning(false);
  }, []);

  return { running, elapsedSeconds, outcome, error, start, cancel };
}
