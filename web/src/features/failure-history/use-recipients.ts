// The failure history shows who each message was for, but the list answer (MessageSummary) carries
// no recipients. Until it does, the addresses come from each message's detail, a few requests at a
// time, and are remembered for the page's lifetime (a message's recipients never change).
import { useEffect, useRef, useState } from 'react';
import type { MessageSummary } from '../../api/types.ts';
import { messagesApi } from './messages-api.ts';

const PARALLEL = 4;

function fromSummary(m: MessageSummary): string[] | null {
  if (!Array.isArray(m.recipients)) return null;
  return m.recipients.map((r) => (typeof r === 'string' ? r : r.address));
}

/** id → addresses; a message still loading is absent. */
export function useRecipients(items: MessageSummary[]): Map<string, string[]> {
  const [fetched, setFetched] = useState<Map<string, string[]>>(() => new Map());
  const requested = useRef(new Set<string>());

  useEffect(() => {
    const missing = items.filter((m) => fromSummary(m) === null && !requested.current.has(m.id));
    if (missing.length === 0) return;
    const pending = new Set(missing.map((m) => m.id));
    for (const id of pending) requested.current.add(id);
    const ctrl = new AbortController();
    let next = 0;
    const work = async () => {
      while (next < missing.length && !ctrl.signal.aborted) {
        const m = missing[next++];
        try {
          const detail = await messagesApi.get(m.id, ctrl.signal);
          if (ctrl.signal.aborted) return;
          setFetched((prev) => new Map(prev).set(m.id, detail.recipients.map((r) => r.address)));
        } catch {
          // Shown as unknown; the message's own page still has everything.
        }
        pending.delete(m.id);
      }
    };
    void Promise.all(Array.from({ length: Math.min(PARALLEL, missing.length) }, work));
    return () => {
      ctrl.abort();
      // Not fetched yet: the next run asks again.
      for (const id of pending) requested.current.delete(id);
    };
  }, [items]);

  const out = new Map(fetched);
  for (const m of items) {
    const own = fromSummary(m);
    if (own) out.set(m.id, own);
  }
  return out;
}
