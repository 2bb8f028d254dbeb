// Group commit. Each unit of work is its own small transaction in meaning, but a durable commit
// costs an fsync (1–4 ms, and on SQLite it blocks the event loop), so work that arrives while a
// commit is running shares the next one — no added delay, just fewer fsyncs under load. Each
// caller's promise settles only after the commit that holds its work: an API answer sent then
// still means "stored". Used for the worker's outcome records (a crash before their commit leaves
// messages "sending": retried with the same Message-ID, marked possibly delivered) and for accepts.
import type { Store } from '../ports.ts';

type Work = (tx: Store) => Promise<unknown>;

/** Records per commit at most, so one commit never holds the write lock for long. */
const MAX_RECORDS_PER_COMMIT = 64;

export class CommitBatcher {
  private readonly store: Store;
  private pending: { work: Work; resolve: (value: unknown) => void; reject: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(store: Store) {
    this.store = store;
  }

  /** Resolves with `work`'s result once it has committed (alone or with others). */
  run<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    // Let records started in the same turn of the event loop join the first commit.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_RECORDS_PER_COMMIT);
      try {
        const results = await this.store.transaction(async (tx) => {
          const out: unknown[] = [];
          for (const item of batch) out.push(await item.work(tx));
          return out;
        });
        batch.forEach((item, i) => item.resolve(results[i]));
      } catch {
        // One bad record must not take the others down with it: each again, alone.
        for (const item of batch) {
          try {
            item.resolve(await this.store.transaction((tx) => item.work(tx)));
          } catch (err) {
            item.reject(err);
          }
        }
      }
    }
    this.flushing = null;
  }
}
