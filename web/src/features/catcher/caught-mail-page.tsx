// "Caught mail": the built-in service's mailbox. While a company uses the built-in service and it
// catches, every message the host application sends lands here instead of reaching anyone, so an
// admin can try things out and read each message as its recipients would see it. Newest first,
// searchable, "Load more" through the API's cursor.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/client.ts';
import { href, navigate, useRoute } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { TextField } from '../../ui/field.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime, formatRelative } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { useServerMap } from '../failure-history/use-server-map.ts';
import { serverLabel } from '../failure-history/message-labels.ts';
import { mailServiceApi } from '../mail-service/mail-service-api.ts';
import { CATCHER_PATH, caughtMessagePath, catcherApi, type CaughtMessage, type CaughtPage } from './catcher-api.ts';

const PAGE_SIZE = 50;

export function CaughtMailPage() {
  const route = useRoute();
  const q = route.query.get('q') ?? '';
  const servers = useServerMap();
  const service = useAsync((signal) => mailServiceApi.get(signal), []);
  const first = useAsync((signal) => catcherApi.list({ q: q || undefined, limit: PAGE_SIZE }, signal), [q]);
  // Pages after the first belong to the first page they continue: a new search starts over.
  const [more, setMore] = useState<{ base: CaughtPage | undefined; items: CaughtMessage[]; nextCursor: string | null }>({ base: undefined, items: [], nextCursor: null });
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const firstPage = first.data;
  const current = more.base === firstPage ? more : { base: firstPage, items: [] as CaughtMessage[], nextCursor: firstPage?.nextCursor ?? null };
  const items = useMemo(() => [...(firstPage?.items ?? []), ...current.items], [firstPage, current.items]);
  const firstRef = useRef(firstPage);
  firstRef.current = firstPage;

  async function loadMore() {
    const cursor = current.nextCursor;
    const base = firstPage;
    if (!cursor) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const page = await catcherApi.list({ q: q || undefined, limit: PAGE_SIZE, cursor });
      if (firstRef.current !== base) return;
      setMore((prev) => {
        const from = prev.base === base ? prev : { base, items: [], nextCursor: cursor };
        return from.nextCursor === cursor ? { base, items: [...from.items, ...page.items], nextCursor: page.nextCursor } : from;
      });
    } catch (err) {
      setMoreError(errorMessage(err));
    } finally {
      setLoadingMore(false);
    }
  }

  const custom = service.data?.service === 'custom';
  return (
    <>
      <PageHeader
        title="Caught mail"
        description="Email the built-in mail service kept instead of delivering it, newest first. Read each message as its recipients would see it, or release it to a mail server to send it for real."
        actions={<button type="button" className="button" onClick={() => void first.reload()} disabled={first.loading}>Refresh</button>}
      />
      {custom ? (
        <Alert kind="info">
          This company now sends through {serverLabel(service.data?.mailServerId ?? null, servers.byId)}: new mail is no longer caught. <a href={href('/mail-servers')}>Mail service</a>
        </Alert>
      ) : null}
      <SearchForm q={q} />
      {first.error ? <Alert kind="error">{first.error}</Alert> : null}
      {first.loading && !first.data ? (
        <Loading />
      ) : items.length === 0 && !first.error ? (
        q ? (
          <EmptyState title={`No caught mail matches “${q}”`}>
            <p>The search looks at the subject, the sender and every recipient. <a href={href(CATCHER_PATH)}>Show all caught mail</a></p>
          </EmptyState>
        ) : (
          <EmptyState title="No caught mail yet">
            <p>
              While this company uses the built-in mail service and it catches mail, every message your application sends lands here
              instead of reaching its recipients — a safe way to try things out.
            </p>
            <p>To deliver mail to real recipients, <a href={href('/mail-servers')}>choose the mail service</a> on the Mail servers page.</p>
          </EmptyState>
        )
      ) : items.length > 0 ? (
        <>
          <p className="history-count muted" role="status">
            {items.length === 1 ? '1 message' : `${items.length.toLocaleString('en-US')} messages`}{current.nextCursor ? ' so far' : ''}{q ? ` matching “${q}”` : ''}
          </p>
          <div className="card table-card" aria-busy={first.loading || undefined}>
            <table className="table catcher-table" aria-label="Caught mail">
              <thead>
                <tr>
                  <th scope="col">Caught</th>
                  <th scope="col">Message</th>
                  <th scope="col">From</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <tr key={m.id}>
                    <td className="nowrap">
                      <time dateTime={m.caughtAt ?? m.createdAt} title={formatDateTime(m.caughtAt ?? m.createdAt)}>{formatRelative(m.caughtAt ?? m.createdAt)}</time>
                      <span className="table__sub">{formatDateTime(m.caughtAt ?? m.createdAt)}</span>
                    </td>
                    <th scope="row" className="catcher-table__message">
                      <a href={href(caughtMessagePath(m.id))}>{m.subject || '(no subject)'}</a>
                      <span className="table__sub">{recipientsLine(m.recipients)}</span>
                    </th>
                    <td className="catcher-table__from">{m.from}</td>
                    <td>
                      {m.releasedAt ? (
                        <>
                          <Badge tone="blue">Released</Badge>
                          <span className="table__sub">to {serverLabel(m.serverId, servers.byId)}, {formatDateTime(m.releasedAt)}</span>
                        </>
                      ) : (
                        <Badge tone="grey">Caught</Badge>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {moreError ? <Alert kind="error">{moreError}</Alert> : null}
          <div className="history-more">
            {current.nextCursor ? (
              <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore}>{loadingMore ? 'Loading…' : 'Load more'}</button>
            ) : (
              <p className="muted">That is everything{q ? ' for this search' : ''}.</p>
            )}
          </div>
        </>
      ) : null}
    </>
  );
}

function SearchForm({ q }: { q: string }) {
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const go = (value: string) => navigate(value.trim() ? `${CATCHER_PATH}?q=${encodeURIComponent(value.trim())}` : CATCHER_PATH, { replace: true });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    go(draft);
  };
  return (
    <form className="card catcher-search" role="search" aria-label="Search caught mail" onSubmit={onSubmit}>
      <TextField label="Search" type="search" value={draft} onChange={setDraft} placeholder="Subject, sender or recipient" hint="Ignores upper and lower case." spellCheck={false} autoComplete="off" className="catcher-search__field" />
      <div className="catcher-search__actions">
        <button type="submit" className="button button--primary">Search</button>
        {q ? <button type="button" className="button button--ghost" onClick={() => go('')}>Clear</button> : null}
      </div>
    </form>
  );
}

function recipientsLine(recipients: string[]): string {
  if (recipients.length === 0) return 'no recipients';
  const [firstOne, ...rest] = recipients;
  return rest.length ? `to ${firstOne} and ${rest.length} more` : `to ${firstOne}`;
}
