// The failure history (seed 002's "System Email Failure History", issue 4): messages that failed,
// are held until a server is fixed, or wait to be retried — newest change first, with the server's
// answer in plain words and "Retry now" for held and failed ones.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { MessageListItem, MessagePage, MessageSummary } from '../../api/types.ts';
import { errorMessage } from '../../api/client.ts';
import { href, navigate, useRoute } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { SelectField, TextField } from '../../ui/field.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime, formatRelative, formatUntil } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { messagesApi } from './messages-api.ts';
import {
  EMPTY_FILTERS, HISTORY_PATH, RANGE_OPTIONS, filtersFromQuery, hasFilters, historyPath, rememberListPath, toMessageQuery,
  type HistoryFilters, type RangeKey,
} from './history-filters.ts';
import { CAN_RETRY_IN_LIST, KNOWN_CODES, POSSIBLY_DELIVERED_SHORT, STATUS_LABELS, serverLabel } from './message-labels.ts';
import { useServerMap } from './use-server-map.ts';

const PAGE_SIZE = 50;

const STATUS_OPTIONS = [
  { value: 'failed', label: 'Failed' },
  { value: 'held', label: 'Held' },
  { value: 'retrying', label: 'Retrying' },
];

/** "Load more" state on top of one first page. */
interface Paging {
  base: MessagePage | undefined;
  more: MessageListItem[];
  /** Where the next page starts (the API's `nextCursor` of the last page loaded); null: that was all. */
  nextCursor: string | null;
  error: string | null;
  /** Rows answered by "Retry now", shown in place until the next load. */
  retried: Map<string, MessageSummary>;
}

// Shared and never changed (updates copy them), so a fresh state keeps the same identities from one
// render to the next and the memos built on them hold.
const NO_MORE: MessageListItem[] = [];
const NONE_RETRIED: Map<string, MessageSummary> = new Map();

function freshPaging(base: MessagePage | undefined): Paging {
  return { base, more: NO_MORE, nextCursor: base?.nextCursor ?? null, error: null, retried: NONE_RETRIED };
}

export function messagePath(id: string): string {
  return `${HISTORY_PATH}/${encodeURIComponent(id)}`;
}

export function FailureHistoryPage() {
  const route = useRoute();
  const queryKey = route.query.toString();
  const filters = useMemo(() => filtersFromQuery(new URLSearchParams(queryKey)), [queryKey]);
  const servers = useServerMap();
  /** "Last hour" counts back from this moment; Refresh moves it. */
  const [loadedAt, setLoadedAt] = useState(() => Date.now());
  const first = useAsync((signal) => messagesApi.list({ ...toMessageQuery(filters, loadedAt), limit: PAGE_SIZE }, signal), [queryKey, loadedAt]);
  const [paging, setPaging] = useState<Paging>(() => freshPaging(undefined));
  const [loadingMore, setLoadingMore] = useState(false);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const firstPage = first.data;
  const firstPageRef = useRef(firstPage);
  firstPageRef.current = firstPage;

  useEffect(() => rememberListPath(historyPath(filters)), [filters]);

  // Pages after the first, and rows retried here, belong to one first page: a new one (filters,
  // Refresh) starts the list over in the same render, never with a frame of the old state.
  const current = paging.base === firstPage ? paging : freshPaging(firstPage);
  /** Changes `current`, unless the first page was replaced meanwhile (the answer is then stale). */
  const update = (base: MessagePage | undefined, change: (p: Paging) => Paging) => {
    if (firstPageRef.current !== base) return;
    setPaging((prev) => change(prev.base === base ? prev : freshPaging(base)));
  };

  /** As loaded, in order: the API's cursor continues exactly after the last one, so no gaps or repeats. */
  const loaded = useMemo(() => [...(firstPage?.items ?? []), ...current.more], [firstPage, current.more]);
  const items = useMemo(() => loaded.map((m) => {
    const retried = current.retried.get(m.id);
    // The retry answer is a plain summary: the recipients stay, and the next try is now.
    return retried ? { ...m, ...retried, nextAttemptAt: null } : m;
  }), [loaded, current.retried]);

  async function loadMore() {
    const cursor = current.nextCursor;
    if (!cursor) return;
    const base = firstPage;
    setLoadingMore(true);
    update(base, (p) => ({ ...p, error: null }));
    try {
      const page = await messagesApi.list({ ...toMessageQuery(filters, loadedAt), limit: PAGE_SIZE, cursor });
      // Only onto the page it continues (never twice, whatever else happened meanwhile).
      update(base, (p) => (p.nextCursor === cursor ? { ...p, more: [...p.more, ...page.items], nextCursor: page.nextCursor } : p));
    } catch (err) {
      update(base, (p) => ({ ...p, error: errorMessage(err) }));
    } finally {
      setLoadingMore(false);
    }
  }

  async function retry(m: MessageSummary) {
    setBusyId(m.id);
    setNotice(null);
    try {
      const base = firstPage;
      const next = await messagesApi.retry(m.id);
      update(base, (p) => ({ ...p, retried: new Map(p.retried).set(m.id, next) }));
      const what = `“${m.subject || 'No subject'}”`;
      setNotice({
        kind: 'success',
        text: m.status === 'held'
          ? `${what} is queued to be sent again, and sending through ${serverLabel(m.serverId, servers.byId)} resumes: the other messages waiting for it go out too. If the problem is not fixed yet, they are held again.`
          : `${what} is queued to be sent again.`,
      });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusyId(null);
    }
  }

  const filtered = hasFilters(filters);
  return (
    <>
      <PageHeader
        title="Failure history"
        description="Email that could not be sent: failed for good, held while a mail server's settings need fixing, or waiting to be retried. Newest change first. Open a message for the mail server's exact answer and the fix."
        actions={<button type="button" className="button" onClick={() => setLoadedAt(Date.now())} disabled={first.loading}>Refresh</button>}
      />
      <HistoryFilterForm filters={filters} servers={servers.list} />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}
      {first.error ? <Alert kind="error">{first.error}</Alert> : null}
      {first.loading && !first.data ? (
        <Loading />
      ) : items.length === 0 && !first.error ? (
        filtered ? (
          <EmptyState title="No messages match these filters">
            <p><a href={href(HISTORY_PATH)}>Clear the filters</a> to see every failed, held and retrying message.</p>
          </EmptyState>
        ) : (
          <EmptyState title="Nothing has failed">
            <p>Every message was sent or is on its way. Messages that fail, are held or wait for another try show up here.</p>
          </EmptyState>
        )
      ) : items.length > 0 ? (
        <>
          <p className="history-count muted" role="status">
            {items.length === 1 ? '1 message' : `${items.length.toLocaleString('en-US')} messages`}
            {current.nextCursor ? ' so far' : ''}
          </p>
          <div className="card table-card" aria-busy={first.loading || undefined}>
            <table className="table history-table" aria-label="Failure history">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Server</th>
                  <th scope="col">Message</th>
                  <th scope="col">Status</th>
                  <th scope="col">What happened</th>
                  <th scope="col" className="history-table__num">Attempts</th>
                  <th scope="col" className="table__actions-col"><span className="visually-hidden">Retry</span></th>
                </tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <HistoryRow
                    key={m.id}
                    m={m}
                    serverName={serverLabel(m.serverId, servers.byId)}
                    requeued={current.retried.has(m.id)}
                    busy={busyId === m.id}
                    disabled={busyId !== null}
                    onRetry={() => void retry(m)}
                  />
                ))}
              </tbody>
            </table>
          </div>
          {current.error ? <Alert kind="error">{current.error}</Alert> : null}
          <div className="history-more">
            {current.nextCursor ? (
              <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore}>{loadingMore ? 'Loading…' : 'Load more'}</button>
            ) : (
              <p className="muted">That is everything{filtered ? ' for these filters' : ''}.</p>
            )}
          </div>
        </>
      ) : null}
    </>
  );
}

interface HistoryRowProps {
  m: MessageListItem;
  serverName: string;
  requeued: boolean;
  busy: boolean;
  disabled: boolean;
  onRetry: () => void;
}

function HistoryRow({ m, serverName, requeued, busy, disabled, onRetry }: HistoryRowProps) {
  const status = STATUS_LABELS[m.status] ?? { label: m.status, tone: 'grey' as const };
  const recipients = m.recipients;
  const subject = m.subject || '(no subject)';
  return (
    <tr aria-busy={busy || undefined}>
      <td className="nowrap">
        <time dateTime={m.updatedAt} title={formatDateTime(m.updatedAt)}>{formatRelative(m.updatedAt)}</time>
        <span className="table__sub">{shortDateTime(m.updatedAt)}</span>
      </td>
      <td>{serverName}</td>
      <th scope="row" className="history-table__message">
        <a href={href(messagePath(m.id))}>{subject}</a>
        <span className="table__sub">{recipientsLine(recipients)}</span>
      </th>
      <td>
        <Badge tone={status.tone}>{status.label}</Badge>
        {requeued ? <span className="table__sub">Queued to send again</span> : null}
        {!requeued && m.status === 'retrying' && m.nextAttemptAt ? (
          <span className="table__sub nowrap">
            <time dateTime={m.nextAttemptAt} title={formatDateTime(m.nextAttemptAt)}>Next try {formatUntil(m.nextAttemptAt)}</time>
          </span>
        ) : null}
      </td>
      <td className="history-table__problem">
        {m.lastCode ? <code className="code-chip">{m.lastCode}</code> : null}
        {m.lastMessage ? <span className="history-table__message-text">{m.lastMessage}</span> : null}
        {m.possiblyDelivered ? <span className="possibly-delivered" title={POSSIBLY_DELIVERED_SHORT}><Badge tone="amber">Possibly delivered</Badge> <span className="visually-hidden">{POSSIBLY_DELIVERED_SHORT}</span></span> : null}
      </td>
      <td className="history-table__num">{m.attemptCount}</td>
      <td>
        <div className="row-actions row-actions--narrow">
          {CAN_RETRY_IN_LIST.includes(m.status) ? (
            <button type="button" className="button button--small" disabled={disabled} onClick={onRetry} aria-label={`Retry now: ${subject}${recipients.length ? ` to ${recipients[0]}` : ''}`}>
              {busy ? 'Retrying…' : 'Retry now'}
            </button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

const shortFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** "Nov 23, 06:01 PM": the year only when it is not this one. */
function shortDateTime(iso: string): string {
  const d = new Date(iso);
  return d.getFullYear() === new Date().getFullYear() ? shortFormat.format(d) : formatDateTime(iso);
}

function recipientsLine(recipients: string[]): string {
  if (recipients.length === 0) return 'no recipients';
  const [firstOne, ...rest] = recipients;
  return rest.length ? `to ${firstOne} and ${rest.length} more` : `to ${firstOne}`;
}

function HistoryFilterForm({ filters, servers }: { filters: HistoryFilters; servers: { id: string; name: string }[] }) {
  const [draft, setDraft] = useState<HistoryFilters>(filters);
  useEffect(() => setDraft(filters), [filters]);
  const apply = (next: HistoryFilters) => navigate(historyPath(next), { replace: true });
  /** Lists apply at once; typed values on "Apply" or Enter. */
  const choose = <K extends keyof HistoryFilters>(key: K, value: HistoryFilters[K]) => {
    const next = { ...draft, [key]: value };
    setDraft(next);
    apply(next);
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const serverOptions = servers.map((s) => ({ value: s.id, label: s.name }));
  // A link may name a server that is gone: keep it selectable so the filter still reads right.
  if (draft.serverId && !servers.some((s) => s.id === draft.serverId)) serverOptions.push({ value: draft.serverId, label: servers.length ? 'A deleted mail server' : '…' });
  const dirty = historyPath(draft) !== historyPath(filters);

  return (
    <form className="card history-filters" onSubmit={onSubmit} aria-label="Filter the failure history" noValidate>
      <div className="history-filters__grid">
        <SelectField label="Status" value={draft.status} onChange={(v) => choose('status', v as HistoryFilters['status'])} options={STATUS_OPTIONS} placeholder="All" />
        <SelectField label="Mail server" value={draft.serverId} onChange={(v) => choose('serverId', v)} options={serverOptions} placeholder="All servers" />
        <TextField label="Recipient" type="email" value={draft.recipient} onChange={(v) => setDraft({ ...draft, recipient: v })} placeholder="ann@example.com" hint="The full address" spellCheck={false} autoComplete="off" />
        <TextField label="Code" value={draft.code} onChange={(v) => setDraft({ ...draft, code: v })} placeholder="AUTH_FAILED" list="history-known-codes" spellCheck={false} autoComplete="off" />
        <SelectField label="Last change" value={draft.range} onChange={(v) => choose('range', v as RangeKey)} options={RANGE_OPTIONS} />
        {draft.range === 'custom' ? (
          <>
            <TextField label="From" type="datetime-local" value={draft.from} onChange={(v) => setDraft({ ...draft, from: v })} />
            <TextField label="Until" type="datetime-local" value={draft.to} onChange={(v) => setDraft({ ...draft, to: v })} />
          </>
        ) : null}
      </div>
      <datalist id="history-known-codes">
        {KNOWN_CODES.map((c) => <option key={c} value={c} />)}
      </datalist>
      <div className="form-actions form-actions--tight">
        <button type="submit" className={`button${dirty ? ' button--primary' : ''}`}>Apply filters</button>
        {hasFilters(filters) || dirty ? (
          <button type="button" className="button button--ghost" onClick={() => apply(EMPTY_FILTERS)}>Clear filters</button>
        ) : null}
      </div>
    </form>
  );
}
