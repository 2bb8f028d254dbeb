// "Recent tests" on the edit page (seed 002's "System Email Failure History"): the kept results of
// this server, newest first — when, by whom, the outcome and its message; a row opens the full result.
import { Fragment, useState } from 'react';
import { Badge } from '../../ui/badge.tsx';
import { ActorLabel } from '../../ui/actor-label.tsx';
import { Alert } from '../../ui/alert.tsx';
import { EmptyState, Loading } from '../../ui/page-header.tsx';
import { formatDateTime, formatRelative } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { connectionTestsApi } from './connection-tests-api.ts';
import { ProbeResultView } from './probe-result-view.tsx';

interface RecentTestsProps {
  serverId: string;
  /** Changes whenever a test of this server ran, so the list loads again. */
  refreshKey: number;
}

export function RecentTests({ serverId, refreshKey }: RecentTestsProps) {
  const tests = useAsync((signal) => connectionTestsApi.history(serverId, signal), [serverId, refreshKey]);
  const [openId, setOpenId] = useState<string | null>(null);
  const items = tests.data ?? [];
  const toggle = (id: string) => setOpenId((current) => (current === id ? null : id));

  return (
    <section className="card table-card recent-tests" aria-labelledby="recent-tests-title">
      <div className="recent-tests__head">
        <h2 className="card__title" id="recent-tests-title">Recent tests</h2>
        <p className="muted">Every test of the saved settings is kept here (the last 20), newest first. Open one to see the fix and the transcript.</p>
      </div>
      {tests.error ? <div className="recent-tests__pad"><Alert kind="error">{tests.error}</Alert></div> : null}
      {tests.loading && !tests.data ? (
        <Loading />
      ) : items.length === 0 && !tests.error ? (
        <EmptyState title="No tests yet">
          <p>Use “Test connection” above: each test of the saved settings appears here.</p>
        </EmptyState>
      ) : items.length > 0 ? (
        <table className="table" aria-label="Recent tests">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Tested by</th>
              <th scope="col">Result</th>
              <th scope="col">Message</th>
              <th scope="col" className="table__actions-col"><span className="visually-hidden">Details</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((t) => {
              const open = openId === t.id;
              return (
                <Fragment key={t.id}>
                  <tr className="recent-tests__row" onClick={() => toggle(t.id)}>
                    <td className="nowrap">
                      {formatDateTime(t.createdAt)}
                      <span className="table__sub">{formatRelative(t.createdAt)}</span>
                    </td>
                    <td><ActorLabel label={t.testedBy} /></td>
                    <td>
                      {t.ok ? <Badge tone="green">✓ Passed</Badge> : <Badge tone="red">✗ {t.code}</Badge>}
                      {t.sentTestEmail ? <span className="table__sub">test email to {t.testAddress}</span> : null}
                    </td>
                    <td className="recent-tests__message">{t.result.message}</td>
                    <td>
                      <button
                        type="button"
                        className="link-button"
                        aria-expanded={open}
                        aria-controls={`recent-test-${t.id}`}
                        aria-label={`${open ? 'Hide' : 'Show'} the test of ${formatDateTime(t.createdAt)}`}
                        onClick={(e) => {
                          e.stopPropagation();
                          toggle(t.id);
                        }}
                      >
                        {open ? 'Hide' : 'Details'}
                      </button>
                    </td>
                  </tr>
                  {open ? (
                    <tr className="recent-tests__detail" id={`recent-test-${t.id}`}>
                      <td colSpan={5}>
                        <ProbeResultView result={t.result} sentTo={t.ok && t.sentTestEmail ? t.testAddress : null} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
