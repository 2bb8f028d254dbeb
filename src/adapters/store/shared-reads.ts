// Store.sharedReads (core/ports.ts) for the Kysely store: within one scope — the delivery worker
// opens one per claim — a mail server (with its shares), a company, a server's delivery state and a
// company's webhook endpoint are read once, and the recipients of the claimed messages in one
// query. Per message these were five to six statements out of about fourteen (bench/README.md).
//
// The scope follows the work through AsyncLocalStorage, so the code that reads (the worker's
// process() and attempt(), the webhook service) needs no change and no parameter. What keeps it
// correct:
// - Every write to one of those tables through this store bumps an epoch, before and after the
//   write (and again when its transaction ends): entries read before are not used after. The one
//   process that writes a row sees its own write at once.
// - A transaction reads from the scope only until it writes one of those tables itself.
// - Recipients: loaded for the claimed messages on the first read, each served once, and dropped
//   when a write touches that message's recipients. Reads inside a transaction always go to the
//   database (they may be about to write).
// - A change made by another process is seen by the next scope (the next claim), or after
//   ROW_MAX_AGE_MS — the worker read these rows at the start of each message's processing, right
//   after its claim, before too.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MessageStore } from '../../core/ports.ts';
import type { MessageRecipient } from '../../core/outbound/outbound-model.ts';

/** A scope still running after this long (messages waiting for a hung server) stops serving recipients. */
const SCOPE_MAX_AGE_MS = 10 * 60_000;

/**
 * A shared row is read again after this long: a message that waited for a busy server's connection
 * does not act on a server or company as it was much earlier (another process may have changed it).
 */
const ROW_MAX_AGE_MS = 5_000;

interface Scope {
  createdAtMs: number;
  rows: Map<string, { epoch: number; atMs: number; value: Promise<unknown> }>;
  /** Claimed messages whose recipients are not loaded yet. */
  unloaded: Set<string>;
  /** Loaded and not read yet; each is served once. */
  recipients: Map<string, Promise<MessageRecipient[] | undefined>>;
}

/** What a transaction wrote, dropped from the scopes again when it ends. */
export interface TransactionWrites {
  rows: boolean;
  recipientsOf: Set<string>;
}

type AnyMethod = (...args: unknown[]) => Promise<unknown>;

export class SharedReads {
  private readonly context = new AsyncLocalStorage<Scope>();
  private epoch = 0;
  /** Scopes with recipients not yet served: a write to a message's recipients must reach them. */
  private readonly live = new Set<Scope>();

  /** A new scope; the recipients of `messageIds` start loading at once (`messages` reads them). */
  runner(messageIds: string[], messages: MessageStore): <T>(work: () => Promise<T>) => Promise<T> {
    const now = Date.now();
    for (const s of this.live) {
      if (now - s.createdAtMs <= SCOPE_MAX_AGE_MS) continue;
      // Its recipients are read from the database from now on.
      this.live.delete(s);
      s.unloaded.clear();
      s.recipients.clear();
    }
    const scope: Scope = { createdAtMs: now, rows: new Map(), unloaded: new Set(messageIds), recipients: new Map() };
    if (messageIds.length > 0) {
      this.live.add(scope);
      // Loaded now, while the messages wait for their server's connections: not in their way later.
      this.loadRecipients(scope, messages);
    }
    // When the last work run in the scope ends, its leftovers (recipients of messages that took
    // another path) are dropped at once, not only after SCOPE_MAX_AGE_MS.
    let running = 0;
    return (work) => {
      running++;
      return this.context.run(scope, work).finally(() => {
        if (--running > 0) return;
        this.live.delete(scope);
        scope.unloaded.clear();
        scope.recipients.clear();
      });
    };
  }

  /**
   * `inner` with its `shared` method (a read by one key) served from the scope. Every method not
   * named in `reads` counts as a write to the table (the safe default for methods added later).
   */
  rows<S extends object>(inner: S, table: string, shared: keyof S & string, reads: (keyof S & string)[], tx: TransactionWrites | null): S {
    const out: Record<string, unknown> = {};
    for (const [name, fn] of Object.entries(inner) as [string, AnyMethod][]) {
      if (name === shared) out[name] = (key: string) => this.sharedRow(`${table}:${key}`, tx, () => fn(key));
      else if ((reads as string[]).includes(name)) out[name] = fn;
      else {
        out[name] = async (...args: unknown[]) => {
          this.rowsWritten(tx);
          try {
            return await fn(...args);
          } finally {
            this.rowsWritten(tx);
          }
        };
      }
    }
    return out as S;
  }

  messages(inner: MessageStore, tx: TransactionWrites | null): MessageStore {
    return {
      ...inner,
      recipients: (messageId) => (tx ? inner.recipients(messageId) : this.sharedRecipients(inner, messageId)),
      updateRecipients: async (recipients) => {
        const ids = new Set(recipients.map((r) => r.messageId));
        this.recipientsWritten(ids, tx);
        try {
          await inner.updateRecipients(recipients);
        } finally {
          this.recipientsWritten(ids, tx);
        }
      },
    };
  }

  /** After commit or rollback: reads on other connections may have cached the rows as they were. */
  transactionEnded(writes: TransactionWrites): void {
    if (writes.rows) this.epoch++;
    if (writes.recipientsOf.size > 0) this.recipientsWritten(writes.recipientsOf, null);
  }

  private rowsWritten(tx: TransactionWrites | null): void {
    this.epoch++;
    if (tx) tx.rows = true;
  }

  private sharedRow(key: string, tx: TransactionWrites | null, load: () => Promise<unknown>): Promise<unknown> {
    const scope = this.context.getStore();
    if (!scope || tx?.rows) return load();
    const hit = scope.rows.get(key);
    const now = Date.now();
    if (hit && hit.epoch === this.epoch && now - hit.atMs < ROW_MAX_AGE_MS) return hit.value;
    const entry = { epoch: this.epoch, atMs: now, value: load() };
    scope.rows.set(key, entry);
    entry.value.catch(() => {
      if (scope.rows.get(key) === entry) scope.rows.delete(key);
    });
    return entry.value;
  }

  private async sharedRecipients(inner: MessageStore, messageId: string): Promise<MessageRecipient[]> {
    const scope = this.context.getStore();
    if (!scope) return inner.recipients(messageId);
    if (!scope.recipients.has(messageId) && scope.unloaded.has(messageId)) this.loadRecipients(scope, inner);
    const loaded = scope.recipients.get(messageId);
    scope.recipients.delete(messageId);
    if (scope.unloaded.size === 0 && scope.recipients.size === 0) this.live.delete(scope);
    const found = loaded ? await loaded.catch(() => undefined) : undefined;
    return found ?? inner.recipients(messageId);
  }

  private loadRecipients(scope: Scope, inner: MessageStore): void {
    const ids = [...scope.unloaded];
    scope.unloaded.clear();
    const all = inner.recipientsOf(ids);
    for (const id of ids) {
      const one = all.then((map) => map.get(id));
      one.catch(() => {}); // a failed load is retried alone, when read
      scope.recipients.set(id, one);
    }
  }

  private recipientsWritten(messageIds: Set<string>, tx: TransactionWrites | null): void {
    for (const scope of this.live) {
      for (const id of messageIds) {
        scope.unloaded.delete(id);
        scope.recipients.delete(id);
      }
    }
    if (tx) for (const id of messageIds) tx.recipientsOf.add(id);
  }
}
