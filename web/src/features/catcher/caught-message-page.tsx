// One caught message, read as a mail client shows it: the HTML (sandboxed, remote content blocked),
// the text part, the headers, the raw source and the attachments; and "Release" to send it through a
// real mail server.
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { MailServer } from '../../api/types.ts';
import { errorMessage } from '../../api/client.ts';
import { href } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatBytes, formatDateTime } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { HISTORY_PATH } from '../failure-history/history-filters.ts';
import { serverLabel } from '../failure-history/message-labels.ts';
import { useServerMap } from '../failure-history/use-server-map.ts';
import { CATCHER_PATH, catcherApi, saveFile, type CaughtAttachment, type CaughtMessageDetail } from './catcher-api.ts';
import { MessageHtmlFrame } from './message-html-frame.tsx';
import { ReleaseDialog } from './release-dialog.tsx';

type TabKey = 'html' | 'text' | 'headers' | 'raw' | 'attachments';

export function CaughtMessagePage({ messageId }: { messageId: string }) {
  const servers = useServerMap();
  const message = useAsync((signal) => catcherApi.get(messageId, signal), [messageId]);
  const [releasing, setReleasing] = useState(false);
  const [queuedOn, setQueuedOn] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const m = message.data;

  const back = { href: href(CATCHER_PATH), label: 'Caught mail' };
  if (message.loading && !m) return <Loading />;
  if (!m) {
    return (
      <>
        <PageHeader title="Caught message" back={back} />
        <Alert kind="error">{message.error ?? 'This message could not be loaded.'}</Alert>
      </>
    );
  }

  async function downloadEml(detail: CaughtMessageDetail) {
    setFileError(null);
    try {
      const { blob, filename } = await catcherApi.rawFile(detail.id);
      saveFile(blob, filename ?? `${detail.id}.eml`);
    } catch (err) {
      setFileError(errorMessage(err));
    }
  }

  const releasedTo = m.releasedAt ? serverLabel(m.serverId, servers.byId) : null;
  return (
    <div className="message-page catcher-message">
      <PageHeader
        title={m.subject || '(no subject)'}
        description={<>From {m.from} · caught {formatDateTime(m.caughtAt ?? m.createdAt)}</>}
        back={back}
        actions={
          <>
            <button type="button" className="button" onClick={() => void downloadEml(m)}>Download .eml</button>
            {m.releasedAt ? null : <button type="button" className="button button--primary" onClick={() => setReleasing(true)}>Release</button>}
          </>
        }
      />
      {queuedOn ? (
        <Alert kind="success" title={`Queued on ${queuedOn}`} onDismiss={() => setQueuedOn(null)}>
          <p>Queued on {queuedOn} — follow it in the <a href={href(`${HISTORY_PATH}/${encodeURIComponent(m.id)}`)}>Failure history</a>.</p>
        </Alert>
      ) : null}
      {fileError ? <Alert kind="error" onDismiss={() => setFileError(null)}>{fileError}</Alert> : null}
      {message.error ? <Alert kind="error">{message.error}</Alert> : null}

      <section className="card" aria-labelledby="caught-summary-title">
        <div className="message-status__head">
          <h2 className="card__title" id="caught-summary-title">Summary</h2>
          {m.releasedAt ? <Badge tone="blue">Released</Badge> : <Badge tone="grey">Caught</Badge>}
        </div>
        {m.releasedAt ? (
          <p className="catcher-released">
            Released to {releasedTo} at {formatDateTime(m.releasedAt)}. <a href={href(`${HISTORY_PATH}/${encodeURIComponent(m.id)}`)}>Follow it in the Failure history</a>
          </p>
        ) : (
          <p className="muted">Kept by the built-in mail service and not delivered to anyone. Release it to send it through a mail server.</p>
        )}
        <dl className="facts">
          <div><dt>From</dt><dd>{m.from}</dd></div>
          <div><dt>Recipients</dt><dd>{m.recipients.join(', ') || '—'}</dd></div>
          <div><dt>Message-ID</dt><dd className="mono">{m.messageId}</dd></div>
          <div><dt>Caught</dt><dd>{formatDateTime(m.caughtAt ?? m.createdAt)}</dd></div>
          <div><dt>Size</dt><dd>{formatBytes(m.sizeBytes)}</dd></div>
        </dl>
      </section>

      <MessageTabs m={m} />

      <ReleaseDialog
        message={releasing ? m : null}
        servers={servers.list}
        onClose={() => setReleasing(false)}
        onReleased={(_summary, server: MailServer) => {
          setReleasing(false);
          setQueuedOn(server.name);
          void message.reload();
        }}
      />
    </div>
  );
}

function MessageTabs({ m }: { m: CaughtMessageDetail }) {
  const tabs: { key: TabKey; label: string }[] = [
    { key: 'html', label: 'HTML' },
    { key: 'text', label: 'Text' },
    { key: 'headers', label: 'Headers' },
    { key: 'raw', label: 'Raw source' },
    { key: 'attachments', label: `Attachments (${m.attachments.length})` },
  ];
  const [tab, setTab] = useState<TabKey>(m.html ? 'html' : 'text');
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});
  const idFor = (key: TabKey) => `caught-tab-${key}`;

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const i = tabs.findIndex((t) => t.key === tab);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    const next = step ? tabs[(i + step + tabs.length) % tabs.length] : e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1] : undefined;
    if (!next) return;
    e.preventDefault();
    setTab(next.key);
    refs.current[next.key]?.focus();
  }

  return (
    <section className="card catcher-tabs" aria-label="Message content">
      <div className="catcher-tabs__list" role="tablist" aria-label="View" onKeyDown={onKeyDown}>
        {tabs.map((t) => (
          <button
            key={t.key}
            ref={(el) => { refs.current[t.key] = el; }}
            type="button"
            role="tab"
            id={idFor(t.key)}
            aria-selected={tab === t.key}
            aria-controls={`${idFor(t.key)}-panel`}
            tabIndex={tab === t.key ? 0 : -1}
            className={`catcher-tabs__tab${tab === t.key ? ' catcher-tabs__tab--active' : ''}`}
            onClick={() => setTab(t.key)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="catcher-tabs__panel" role="tabpanel" id={`${idFor(tab)}-panel`} aria-labelledby={idFor(tab)}>
        {tab === 'html' ? <HtmlView m={m} /> : null}
        {tab === 'text' ? (m.text ? <pre className="catcher-pre catcher-pre--text">{m.text}</pre> : <p className="muted">This message has no text part.</p>) : null}
        {tab === 'headers' ? <HeadersTable headers={m.headers} /> : null}
        {tab === 'raw' ? <RawSource id={m.id} /> : null}
        {tab === 'attachments' ? <Attachments id={m.id} items={m.attachments} /> : null}
      </div>
    </section>
  );
}

function HtmlView({ m }: { m: CaughtMessageDetail }) {
  if (!m.html) return <p className="muted">This message has no HTML part; see the Text tab.</p>;
  return (
    <>
      <p className="catcher-note" role="note">
        <strong>Remote images are blocked</strong>, and so is anything else the message would load from elsewhere (tracking pixels, fonts, style
        sheets); scripts do not run and links do not open from here. Pictures carried inside the message are listed under Attachments.
      </p>
      <MessageHtmlFrame html={m.html} title={`HTML view of “${m.subject || 'no subject'}”`} />
    </>
  );
}

function HeadersTable({ headers }: { headers: { name: string; value: string }[] }) {
  return (
    <table className="table catcher-headers" aria-label="Headers">
      <thead>
        <tr>
          <th scope="col">Header</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {headers.map((h, i) => (
          <tr key={`${i}:${h.name}`}>
            <th scope="row" className="mono">{h.name}</th>
            <td className="catcher-headers__value">{h.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function RawSource({ id }: { id: string }) {
  const raw = useAsync((signal) => catcherApi.raw(id, signal), [id]);
  if (raw.loading && raw.data === undefined) return <Loading label="Loading the raw source…" />;
  if (raw.error) return <Alert kind="error">{raw.error}</Alert>;
  return (
    <>
      <p className="muted catcher-note--plain">The message exactly as it would have gone to the mail server (RFC 5322), with its final Message-ID and Date.</p>
      <pre className="catcher-pre catcher-pre--raw" aria-label="Raw source">{raw.data}</pre>
    </>
  );
}

function Attachments({ id, items }: { id: string; items: CaughtAttachment[] }) {
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [id]);
  if (items.length === 0) return <p className="muted">This message has no attachments.</p>;

  async function download(a: CaughtAttachment) {
    setBusy(a.index);
    setError(null);
    try {
      const { blob, filename } = await catcherApi.attachment(id, a.index);
      saveFile(blob, a.filename ?? filename ?? `attachment-${a.index}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      {error ? <Alert kind="error" onDismiss={() => setError(null)}>{error}</Alert> : null}
      <ul className="catcher-attachments" aria-label="Attachments">
        {items.map((a) => (
          <li key={a.index} className="catcher-attachments__item">
            <span className="catcher-attachments__name">{a.filename ?? `Attachment ${a.index + 1}`}</span>
            <span className="muted">{a.contentType} · {formatBytes(a.size)}{a.inline ? ' · shown inside the message' : ''}</span>
            <button type="button" className="button button--small" onClick={() => void download(a)} disabled={busy !== null} aria-label={`Download ${a.filename ?? `attachment ${a.index + 1}`}`}>
              {busy === a.index ? 'Downloading…' : 'Download'}
            </button>
          </li>
        ))}
      </ul>
      <p className="muted catcher-note--plain">Attachments are always downloaded, never opened in the browser: open them only if you trust the sender.</p>
    </>
  );
}
