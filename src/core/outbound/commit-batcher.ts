// Group commit. Each unit of work is its own small transaction in meaning, but a durable commit
// costs an fsync (1–4 ms, and on SQLite it blocks the event loop), so work that arrives while a
// commit is running shares the next one — no added delay, just fewer fsyncs under load. Each
// caller's promise settles only after the commit that holds its work: an API answer sent then
// still means "stored". Used for the worker's outcome records (a crash before their commit leaves
// messages "sending": retried with the same Message-ID, marked possibly delivered) and for accepts.
//
// Work of one kind can also be written together (`runBatched`): the units of a commit that share a
// key are handed to one function, which writes them with a few multi-row statements instead of a
// few statements each (bench/README.md: on PostgreSQL each statement is a round trip, and one
// commit's statements run one after the other).
import type { Store } from '../ports.ts';

type WriteAll = (tx: Store, items: unknown[]) => Promise<unknown[]>;

interface Pending {
  /** Units with the same key are written by one call of `writeAll`; null: alone. */
  key: string | null;
  item: unknown;
  writeAll: WriteAll;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Records per commit at most, so one commit never holds the write lock for long. */
const MAX_RECORDS_PER_COMMIT = 64;
/**
 * How long the first unit of work waits for others to join its commit. Without a wait a commit
 * held only what arrived while the previous one ran: on SQLite the commit's fsync blocks the event
 * loop, nothing arrives meanwhile, and the worker committed about one outcome per two messages
 * (bench/README.md). A few milliseconds on a message's way cost little; an fsync per message does.
 */
export const DEFAULT_GATHER_MS = 3;

export class CommitBatcher {
  private readonly store: Store;
  private readonly gatherMs: number;
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  /** Ends the current gathering wait early (urgent work arrived). */
  private hurry: (() => void) | null = null;
  private urgent = false;

  constructor(store: Store, options: { gatherMs?: number } = {}) {
    this.store = store;
    this.gatherMs = options.gatherMs ?? DEFAULT_GATHER_MS;
  }

  /**
   * Resolves with `work`'s result once it has committed (alone or with others). Urgent work does
   * not wait for others to gather: it shares a commit only with what is already waiting.
   */
  run<T>(work: (tx: Store) => Promise<T>, options: { urgent?: boolean } = {}): Promise<T> {
    if (options.urgent) {
      this.urgent = true;
      this.hurry?.();
    }
    return this.add(null, work, async (tx, items) => [await (items[0] as (tx: Store) => Promise<T>)(tx)]);
  }

  /**
   * Resolves with this item's result once it has committed. The items of one commit that share
   * `key` are written by one call of `writeAll` (any of theirs: they must be the same function in
   * meaning), which returns one result per item, in order.
   */
  runBatched<I, R>(key: string, item: I, writeAll: (tx: Store, items: I[]) => Promise<R[]>): Promise<R> {
    return this.add(key, item, writeAll as WriteAll);
  }

  private add<R>(key: string | null, item: unknown, writeAll: WriteAll): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ key, item, writeAll, resolve: resolve as (value: unknown) => void, reject });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    // Let records started in the same turn of the event loop join the first commit, and those
    // that arrive in the next few milliseconds.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.gatherMs > 0 && !this.urgent && this.pending.length < MAX_RECORDS_PER_COMMIT) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.gatherMs);
        this.hurry = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.hurry = null;
    }
    while (this.pending.length > 0) {
      this.urgent = false;
      const batch = this.pending.splice(0, MAX_RECORDS_PER_COMMIT);
      try {
        const results = await this.store.transaction(async (tx) => {
          const out: unknown[] = new Array(batch.length);
          for (const group of groups(batch)) {
            const written = await group[0]!.p.writeAll(tx, group.map(({ p }) => p.item));
            group.forEach(({ index }, n) => { out[index] = written[n]; });
          }
          return out;
        });
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch {
        // One bad record must not take the others down with it: each again, alone.
        for (const p of batch) {
          try {
            p.resolve((await this.store.transaction((tx) => p.writeAll(tx, [p.item])))[0]);
          } catch (err) {
            p.reject(err);
          }
        }
      }
    }
    this.flushing = null;
  }
}

/** The batch in arrival order, units with the same key together (at the place of the first). */
function groups(batch: Pending[]): { p: Pending; index: number }[][] {
  const out: { p: Pending; index: number }[][] = [];
  const byKey = new Map<string, { p: Pending; index: number }[]>();
  batch.forEach((p, index) => {
    if (p.key === null) {
      out.push([{ p, index }]);
      return;
    }
    let group = byKey.get(p.key);
    if (!group) {
      byKey.set(p.key, (group = []));
      out.push(group);
    }
    group.push({ p, index });
  });
  return out;
}
