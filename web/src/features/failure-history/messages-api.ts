// Calls for sent and failed mail (docs/api.md "Messages (sending) and the failure history").
import { api } from '../../api/client.ts';
import type { DeliveryStats, MessageDetail, MessagePage, MessageStatus, MessageSummary } from '../../api/types.ts';

const one = (id: string) => `/messages/${encodeURIComponent(id)}`;

export interface MessageQuery {
  statuses: MessageStatus[];
  serverId?: string;
  recipient?: string;
  code?: string;
  /** ISO times on the message's last change. */
  since?: string;
  until?: string;
  /** The previous page's `nextCursor` ("Load more"). */
  cursor?: string;
  limit?: number;
}

export const messagesApi = {
  /** One page, most recently changed first, with the cursor of the next page (null: no more). */
  list: (q: MessageQuery, signal?: AbortSignal) =>
    api.get<MessagePage>('/messages', {
      signal,
      query: { status: q.statuses.join(','), serverId: q.serverId, recipient: q.recipient, code: q.code, since: q.since, until: q.until, cursor: q.cursor, limit: q.limit },
    }),
  get: (id: string, signal?: AbortSignal) => api.get<MessageDetail>(one(id), { signal }),
  /** Held, retrying and failed messages only; a held server resumes. */
  retry: (id: string) => api.post<MessageSummary>(`${one(id)}/retry`),
  stats: (hours: number, signal?: AbortSignal) => api.get<DeliveryStats>('/delivery-stats', { signal, query: { hours } }),
};
