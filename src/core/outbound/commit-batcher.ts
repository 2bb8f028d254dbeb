// Group commit for the worker's outcome records. Each record is its own small transaction in
// meaning, but a durable commit costs an fsync (1–4 ms, and on SQLite it blocks the event loop), so
// records that arrive while a commit is running share the next one — no added delay, just fewer
// fsyncs under load. A crash before a commit leaves those messages "sending": they are retried with
// the same Message-ID and marked possibly delivered, the promise we already keep.
import type { Store } from '../ports.ts';

type Work = (tx: Store) => Promise<void>;

/** Records per commit at most, so one commit never holds the write lock for long. */
const MAX_RECORDS_PER_COMMIT = 64;

export class CommitBatcher {
  private readonly store: Store;
  private pending: { work: Work; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(store: Store) {
    this.store = store;
  }

  /** Resolves once `work` has committed (alone or with others). */
  run(work: Work): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ work, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    // Let records started in the same turn of the event loop join the first commit.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_RECORDS_PER_COMMIT);
      try {
        await this.store.transaction(async (tx) => {
          for (const item of batch) await item.work(tx);
        });
        for (const item of batch) item.resolve();
      } catch {
        // One bad record must not take the others down with it: each again, alone.
        for (const item of batch) {
          try {
            await this.store.transaction((tx) => item.work(tx));
            item.resolve();
          } catch (err) {
            item.reject(err);
          }
        }
      }
    }
    this.flushing = null;
  }
}
