// One message: where it stands and why, who it was for and what each recipient's server said, and
// every attempt with the mail server's reply and the fix when one is known.
import { useEffect, useRef, useState } from 'react';
import type { DeliveryAttempt, MailServer, MessageDetail } from '../../api/types.ts';
import { errorMessage } from '../../api/client.ts';
import { href } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatBytes, formatDateTime, formatDuration, formatRelative } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { messagesApi } from './messages-api.ts';
import { listPathToReturnTo } from './history-filters.ts';
import {
  CAN_RETRY, KIND_LABELS, RECIPIENT_STATUS_LABELS, STATUS_LABELS, outcomeLabel, possiblyDeliveredText, replyLine, serverLabel, statusExplanation,
} from './message-labels.ts';
import { useServerMap } from './use-server-map.ts';
import { caughtMessagePath } from '../catcher/catcher-api.ts';

/** While Mailroom is about to send it, the page looks again this often, for up to two minutes. */
const POLL_MS = 2000;
const MAX_POLLS = 60;

export function MessageDetailPage({ messageId }: { messageId: string }) {
  const servers = useServerMap();
  const message = useAsync((signal) => messagesApi.get(messageId, signal), [messageId]);
  const [retrying, setRetrying] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const polls = useRef(0);
  const m = message.data;

  const { reload } = message;
  useEffect(() => {
    if (!m || (m.status !== 'queued' && m.status !== 'sending') || polls.current >= MAX_POLLS) return;
    const timer = setTimeout(() => {
      polls.current++;
      void reload();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [m, reload]);

  async function retry() {
    if (!m) return;
    setRetrying(true);
    setNotice(null);
    try {
      await messagesApi.retry(m.id);
      polls.current = 0;
      await reload();
      setNotice({
        kind: 'success',
        text: m.status === 'held'
          ? `Queued to be sent again. Sending through ${serverLabel(m.serverId, servers.byId)} resumes, so the other messages waiting for it go out too; if the problem is not fixed yet, they are held again.`
          : 'Queued to be sent again. This page shows the outcome as soon as Mailroom has tried.',
      });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setRetrying(false);
    }
  }

  const back = { href: href(listPathToReturnTo()), label: 'Failure history' };
  if (message.loading && !m) return <Loading />;
  if (!m) {
    return (
      <>
        <PageHeader title="Message" back={back} />
        <Alert kind="error">{message.error ?? 'This message could not be loaded.'}</Alert>
      </>
    );
  }

  const status = STATUS_LABELS[m.status] ?? { label: m.status, tone: 'grey' as const };
  const serverName = serverLabel(m.serverId, servers.byId);
  const server = m.serverId ? servers.byId?.get(m.serverId) : undefined;
  const attempts = [...m.attempts].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  const latest = attempts[attempts.length - 1];
  // Only where the admin has something to do: a retrying message retries by itself.
  const fix = (m.status === 'failed' || m.status === 'held') && latest?.code === m.lastCode ? latest?.hint : null;
  const waiting = m.status === 'queued' || m.status === 'sending';

  return (
    <div className="message-page">
      <PageHeader
        title={m.subject || '(no subject)'}
        description={<>From {m.from} · submitted {formatDateTime(m.createdAt)}</>}
        back={back}
        actions={
          <>
            <button type="button" className="button" onClick={() => void reload()} disabled={message.loading}>Refresh</button>
            {CAN_RETRY.includes(m.status) ? (
              <button type="button" className="button button--primary" onClick={() => void retry()} disabled={retrying}>{retrying ? 'Retrying…' : 'Retry now'}</button>
            ) : null}
          </>
        }
      />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}
      {message.error ? <Alert kind="error">{message.error}</Alert> : null}

      <section className={`card message-status message-status--${m.status}`} aria-labelledby="message-status-title">
        <div className="message-status__head">
          <h2 className="card__title" id="message-status-title">Status</h2>
          <Badge tone={status.tone}>{status.label}</Badge>
          {waiting ? <span className="muted message-status__live" aria-live="polite">Checking for the outcome…</span> : null}
        </div>
        <p>{statusExplanation(m, serverName, formatDateTime(m.giveUpAt))}</p>
        {m.caughtAt ? (
          <p className="message-status__action">
            {m.releasedAt ? `Released from Caught mail to ${serverName} on ${formatDateTime(m.releasedAt)}. ` : null}
            <a href={href(caughtMessagePath(m.id))}>Open it in Caught mail</a>
          </p>
        ) : null}
        {m.status !== 'sent' && (m.lastCode || m.lastMessage) ? (
          <div className="message-status__why">
            <p className="message-status__label">What happened</p>
            <p>{m.lastCode ? <code className="code-chip">{m.lastCode}</code> : null} {m.lastMessage}</p>
          </div>
        ) : null}
        {fix ? <p className="probe-result__fix"><strong>How to fix it: </strong>{fix}</p> : null}
        {m.status === 'held' && server?.delivery?.state === 'held' && server.owned !== false ? (
          <p className="message-status__action">
            <a href={href(`/mail-servers/${encodeURIComponent(server.id)}/edit`)}>Fix the settings of {server.name}</a>
          </p>
        ) : null}
      </section>

      {m.possiblyDelivered ? (
        <Alert kind="warning" title="Possibly delivered">
          <p>{possiblyDeliveredText(m.status)}</p>
        </Alert>
      ) : null}

      <section className="card" aria-labelledby="message-facts-title">
        <h2 className="card__title" id="message-facts-title">Summary</h2>
        <dl className="facts">
          <div><dt>Mail server</dt><dd>{serverName}</dd></div>
          <div><dt>From</dt><dd>{m.from}</dd></div>
          <div><dt>Message-ID</dt><dd className="mono">{m.messageId}</dd></div>
          <div><dt>Submitted</dt><dd>{formatDateTime(m.createdAt)}</dd></div>
          <div><dt>Last change</dt><dd>{formatDateTime(m.updatedAt)} <span className="muted">({formatRelative(m.updatedAt)})</span></dd></div>
          {m.sentAt ? <div><dt>Sent</dt><dd>{formatDateTime(m.sentAt)}</dd></div> : null}
          <div><dt>Attempts</dt><dd>{m.attemptCount}</dd></div>
          {m.status !== 'sent' && m.status !== 'failed' && m.status !== 'caught' ? <div><dt>Gives up</dt><dd>{formatDateTime(m.giveUpAt)}</dd></div> : null}
          <div><dt>Size</dt><dd>{formatBytes(m.sizeBytes)}</dd></div>
        </dl>
      </section>

      <section className="card table-card" aria-labelledby="message-recipients-title">
        <h2 className="card__title card__title--padded" id="message-recipients-title">Recipients</h2>
        <table className="table" aria-label="Recipients">
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col">The server's reply</th>
              <th scope="col">When</th>
            </tr>
          </thead>
          <tbody>
            {m.recipients.map((r) => {
              const rs = RECIPIENT_STATUS_LABELS[r.status] ?? { label: r.status, tone: 'grey' as const };
              const reply = replyLine(r);
              return (
                <tr key={`${r.kind}:${r.address}`}>
                  <th scope="row" className="mono">{r.address}</th>
                  <td>{KIND_LABELS[r.kind] ?? r.kind}</td>
                  <td><Badge tone={rs.tone}>{rs.label}</Badge></td>
                  <td>{reply ? <span className="mono reply-text">{reply}</span> : <span className="muted">No reply yet</span>}</td>
                  <td className="nowrap">{formatDateTime(r.updatedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="message-attempts-title">
        <h2 className="section-title" id="message-attempts-title">Attempts</h2>
        {attempts.length === 0 ? (
          <p className="muted card">{waiting ? 'Not tried yet: Mailroom sends it within moments.' : m.status === 'caught' ? 'Caught mail is not sent: release it from Caught mail to send it.' : 'Mailroom has not tried to send this message yet.'}</p>
        ) : (
          <ol className="attempts">
            {attempts.map((a, i) => <AttemptCard key={a.id} attempt={a} n={i + 1} of={attempts.length} servers={servers.byId} />)}
          </ol>
        )}
      </section>
    </div>
  );
}

function AttemptCard({ attempt: a, n, of, servers }: { attempt: DeliveryAttempt; n: number; of: number; servers: Map<string, MailServer> | undefined }) {
  const outcome = outcomeLabel(a.outcome);
  const reply = replyLine(a);
  const took = a.finishedAt ? new Date(a.finishedAt).getTime() - new Date(a.startedAt).getTime() : null;
  return (
    <li className={`card attempt attempt--${a.outcome ?? 'open'}`} aria-label={`Attempt ${n} of ${of}`}>
      <div className="attempt__head">
        <div>
          <h3 className="attempt__title">Attempt {n} <span className="muted">of {of}</span></h3>
          <span className="muted">{formatDateTime(a.startedAt)} · {serverLabel(a.serverId, servers)}</span>
        </div>
        <Badge tone={outcome.tone}>{outcome.label}</Badge>
      </div>
      <dl className="facts attempt__facts">
        {a.code || a.message ? (
          <div><dt>What happened</dt><dd>{a.code && a.outcome !== 'sent' ? <code className="code-chip">{a.code}</code> : null} {a.message}</dd></div>
        ) : null}
        {a.hint ? <div><dt>How to fix it</dt><dd className="attempt__fix">{a.hint}</dd></div> : null}
        <div>
          <dt>Server's reply</dt>
          <dd>
            {reply ? (
              <>
                <span className="mono reply-text">{reply}</span>
                <span className="attempt__reply-parts muted">
                  {a.replyCode !== null ? `reply code ${a.replyCode}` : null}
                  {a.enhanced ? ` · enhanced status ${a.enhanced}` : null}
                </span>
              </>
            ) : (
              <span className="muted">The server sent no reply (the connection ended first).</span>
            )}
          </dd>
        </div>
        <div><dt>TLS used</dt><dd>{a.tls ? (/^tls$/i.test(a.tls) ? 'Yes, encrypted' : `Yes, encrypted (${a.tls})`) : 'No'}</dd></div>
        {a.recipients.length ? <div><dt>Recipients</dt><dd className="mono">{a.recipients.join(', ')}</dd></div> : null}
        {took !== null && took >= 0 ? <div><dt>Took</dt><dd>{formatDuration(took)}</dd></div> : null}
      </dl>
    </li>
  );
}
