// Delivery-status webhooks: where Mailroom tells the company's application that a message was sent,
// failed or is held. The signing secret is shown once (on creation and on rotation), like an API
// key; below the settings, every delivery with its attempts, and "Redeliver".
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/client.ts';
import { href } from '../../app/router.ts';
import { useSignedIn } from '../../app/session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { CheckboxField, FieldError, SelectField, TextField } from '../../ui/field.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime, formatDuration, formatRelative } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { useSubmission } from '../../ui/use-submission.ts';
import { HISTORY_PATH } from '../failure-history/history-filters.ts';
import { webhooksApi, type Webhook, type WebhookDelivery, type WebhookDeliveryStatus, type WebhookEventType } from './webhooks-api.ts';

type Tone = 'green' | 'grey' | 'blue' | 'amber' | 'red';

const EVENTS: { type: WebhookEventType; label: string; hint: string }[] = [
  { type: 'message.sent', label: 'Message sent', hint: 'The mail server accepted it.' },
  { type: 'message.failed', label: 'Message failed', hint: 'Refused for good, or not sent in time.' },
  { type: 'message.held', label: 'Message held', hint: 'A mail server setting needs fixing; the message waits.' },
  { type: 'message.retrying', label: 'Message retrying', hint: 'A temporary problem; Mailroom tries again. Can be frequent.' },
];
const DEFAULT_EVENTS: WebhookEventType[] = ['message.sent', 'message.failed', 'message.held'];

const EVENT_LABELS: Record<string, string> = {
  ...Object.fromEntries(EVENTS.map((e) => [e.type, e.label])),
  'webhook.test': 'Test event',
};

const STATUS_LABELS: Record<WebhookDeliveryStatus, { label: string; tone: Tone }> = {
  pending: { label: 'Pending', tone: 'blue' },
  retrying: { label: 'Retrying', tone: 'amber' },
  delivered: { label: 'Delivered', tone: 'green' },
  failed: { label: 'Failed', tone: 'red' },
};

const STATUS_FILTERS = [
  { value: 'failed', label: 'Failed' },
  { value: 'retrying', label: 'Retrying' },
  { value: 'pending', label: 'Pending' },
  { value: 'delivered', label: 'Delivered' },
];

const PAGE_SIZE = 50;

interface Revealed {
  secret: string;
  why: 'created' | 'rotated';
}

export function WebhooksPage() {
  const { actingCompany } = useSignedIn();
  const current = useAsync((signal) => webhooksApi.get(signal), []);
  const [webhook, setWebhook] = useState<Webhook | null>(null);
  const [revealed, setRevealed] = useState<Revealed | null>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [rotating, setRotating] = useState(false);
  const [busy, setBusy] = useState<'rotate' | 'test' | null>(null);
  const [historyVersion, setHistoryVersion] = useState(0);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => { if (current.data !== undefined) setWebhook(current.data); }, [current.data]);
  useEffect(() => () => { if (refreshTimer.current) clearTimeout(refreshTimer.current); }, []);

  /** Reload the history now, and once more shortly: the worker sends within moments. */
  function refreshHistorySoon() {
    setHistoryVersion((v) => v + 1);
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => setHistoryVersion((v) => v + 1), 2_000);
  }

  async function sendTest() {
    setBusy('test');
    setNotice(null);
    try {
      await webhooksApi.sendTest();
      setNotice({ kind: 'success', text: 'Test event queued. It appears in the history below within moments; check that your endpoint verified its signature.' });
      refreshHistorySoon();
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusy(null);
    }
  }

  async function rotate() {
    setBusy('rotate');
    try {
      const answer = await webhooksApi.rotateSecret();
      setWebhook(answer.webhook);
      setRevealed({ secret: answer.secret, why: 'rotated' });
      setNotice(null);
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusy(null);
      setRotating(false);
    }
  }

  return (
    <>
      <PageHeader
        title="Webhooks"
        description={`Mailroom tells ${actingCompany.name}'s application what became of each message: sent, failed, or held until a mail server is fixed. Each request is signed, retried for 24 hours if your endpoint does not answer 2xx, and listed below.`}
      />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}
      {revealed ? <SecretReveal revealed={revealed} onHide={() => setRevealed(null)} /> : null}
      {current.error ? <Alert kind="error">{current.error}</Alert> : null}
      {current.loading && current.data === undefined ? (
        <Loading />
      ) : current.data === undefined ? null : (
        <>
          <SettingsCard
            webhook={webhook}
            onSaved={(saved, secret) => {
              setWebhook(saved);
              if (secret) setRevealed({ secret, why: 'created' });
              setNotice({ kind: 'success', text: secret ? 'Webhook created. Copy the signing secret now.' : 'Webhook saved.' });
            }}
          />
          {webhook ? (
            <section className="card" aria-labelledby="webhook-actions-title">
              <h2 className="card__title" id="webhook-actions-title">Test and secret</h2>
              <p className="muted">
                Signing secret made {formatDateTime(webhook.secretRotatedAt)}. Verify each request's <code>Mailroom-Signature</code> header with it
                (see <code>docs/webhooks.md</code>).
              </p>
              <div className="form-actions form-actions--tight">
                <button type="button" className="button button--primary" onClick={() => void sendTest()} disabled={busy !== null}>
                  {busy === 'test' ? 'Sending…' : 'Send test event'}
                </button>
                <button type="button" className="button" onClick={() => setRotating(true)} disabled={busy !== null}>Rotate secret</button>
              </div>
            </section>
          ) : null}
          {webhook ? <DeliveryHistory version={historyVersion} webhookEnabled={webhook.enabled} onNotice={setNotice} /> : null}
        </>
      )}
      <Dialog
        open={rotating}
        title="Rotate the signing secret?"
        onClose={() => setRotating(false)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setRotating(false)} disabled={busy === 'rotate'}>Cancel</button>
            <button type="button" className="button button--danger" onClick={() => void rotate()} disabled={busy === 'rotate'}>{busy === 'rotate' ? 'Rotating…' : 'Rotate secret'}</button>
          </>
        }
      >
        <p>Mailroom signs with the new secret at once; your endpoint rejects events until it has the new one. Events that fail meanwhile are retried, and you can redeliver them.</p>
      </Dialog>
    </>
  );
}

function SecretReveal({ revealed, onHide }: { revealed: Revealed; onHide: () => void }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(revealed.secret);
      setCopied(true);
    } catch {
      // No clipboard permission (e.g. plain http): select the text so Ctrl+C works.
      const el = document.getElementById('webhook-secret');
      if (el instanceof HTMLInputElement) el.select();
    }
  }
  return (
    <section className="card key-reveal" aria-labelledby="secret-reveal-title">
      <h2 className="card__title" id="secret-reveal-title">{revealed.why === 'created' ? 'Signing secret' : 'New signing secret'}</h2>
      <p><strong>Copy it now: you will not see it again.</strong> Give it to your application to verify the <code>Mailroom-Signature</code> header.</p>
      <div className="key-reveal__row">
        <label className="visually-hidden" htmlFor="webhook-secret">Signing secret</label>
        <input id="webhook-secret" className="input mono" readOnly value={revealed.secret} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="button button--primary" onClick={() => void copy()}>{copied ? 'Copied' : 'Copy'}</button>
      </div>
      <button type="button" className="link-button" onClick={onHide}>I have saved it — hide the secret</button>
    </section>
  );
}

function SettingsCard({ webhook, onSaved }: { webhook: Webhook | null; onSaved: (webhook: Webhook, secret: string | undefined) => void }) {
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [events, setEvents] = useState<WebhookEventType[]>(webhook?.events ?? DEFAULT_EVENTS);
  const [enabled, setEnabled] = useState(webhook?.enabled ?? true);
  const sub = useSubmission();
  useEffect(() => {
    if (!webhook) return;
    setUrl(webhook.url);
    setEvents(webhook.events);
    setEnabled(webhook.enabled);
  }, [webhook]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const ordered = EVENTS.map((x) => x.type).filter((t) => events.includes(t));
    const answer = await sub.run(() => webhooksApi.save({ url: url.trim(), events: ordered, enabled }));
    if (answer) onSaved(answer.webhook, answer.secret);
  }

  const toggle = (type: WebhookEventType, on: boolean) => {
    sub.dismissField('events');
    setEvents((prev) => (on ? [...prev.filter((t) => t !== type), type] : prev.filter((t) => t !== type)));
  };
  const eventsError = Object.entries(sub.fieldErrors).find(([field]) => field === 'events' || field.startsWith('events.'))?.[1];

  return (
    <section className="card" aria-labelledby="webhook-settings-title">
      <h2 className="card__title" id="webhook-settings-title">{webhook ? 'Endpoint' : 'Set up a webhook'}</h2>
      {!webhook ? <p className="muted">No webhook yet. Enter the address of your application's endpoint; Mailroom then makes a signing secret and shows it once.</p> : null}
      {sub.error ? <Alert kind="error">{sub.error}</Alert> : null}
      <form onSubmit={onSubmit} noValidate className="form-stack" aria-label="Webhook settings">
        <TextField
          label="Endpoint URL"
          type="url"
          value={url}
          onChange={(v) => { setUrl(v); sub.dismissField('url'); }}
          error={sub.fieldErrors.url}
          required
          spellCheck={false}
          autoComplete="off"
          placeholder="https://app.example.com/hooks/mailroom"
          hint="Must use https:// and a public host. An internal address works only if the instance allows its network."
        />
        <fieldset className="field">
          <legend className="field__label">Events</legend>
          <div className="checkbox-list">
            {EVENTS.map((e) => (
              <CheckboxField key={e.type} label={e.label} hint={e.hint} checked={events.includes(e.type)} onChange={(on) => toggle(e.type, on)} />
            ))}
          </div>
          {eventsError ? <FieldError message={eventsError} /> : null}
        </fieldset>
        <CheckboxField
          label="Enabled"
          checked={enabled}
          onChange={setEnabled}
          hint="While disabled no events are sent (test events still are); events that happen meanwhile are not kept for later."
        />
        <div className="form-actions form-actions--tight">
          <button type="submit" className="button button--primary" disabled={sub.submitting}>
            {sub.submitting ? 'Saving…' : webhook ? 'Save' : 'Create webhook'}
          </button>
        </div>
      </form>
    </section>
  );
}

function DeliveryHistory({ version, webhookEnabled, onNotice }: { version: number; webhookEnabled: boolean; onNotice: (n: { kind: 'success' | 'error'; text: string }) => void }) {
  const [status, setStatus] = useState('');
  const [reloads, setReloads] = useState(0);
  const first = useAsync((signal) => webhooksApi.deliveries({ status: status || undefined, limit: PAGE_SIZE }, signal), [status, version, reloads]);
  const [more, setMore] = useState<WebhookDelivery[]>([]);
  const [lastPageFull, setLastPageFull] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const [busyId, setBusyId] = useState<string | null>(null);

  useEffect(() => {
    setMore([]);
    setLastPageFull((first.data?.length ?? 0) === PAGE_SIZE);
  }, [first.data]);

  const items = [...(first.data ?? []), ...more];

  async function loadMore() {
    const last = items[items.length - 1];
    if (!last) return;
    setLoadingMore(true);
    try {
      const page = await webhooksApi.deliveries({ status: status || undefined, before: last.createdAt, limit: PAGE_SIZE });
      setMore((prev) => [...prev, ...page]);
      setLastPageFull(page.length === PAGE_SIZE);
    } catch (err) {
      onNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setLoadingMore(false);
    }
  }

  async function redeliver(d: WebhookDelivery) {
    setBusyId(d.id);
    try {
      const queued = await webhooksApi.redeliver(d.id);
      onNotice({ kind: 'success', text: queued.id === d.id ? `${eventLabel(d.eventType)} will be tried again now.` : `${eventLabel(d.eventType)} is queued to be sent again (same event id).` });
      setReloads((n) => n + 1);
    } catch (err) {
      onNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusyId(null);
    }
  }

  return (
    <section className="card table-card" aria-labelledby="webhook-history-title">
      <h2 className="card__title card__title--padded" id="webhook-history-title">Delivery history</h2>
      <div className="filters card__title--padded">
        <SelectField label="Show" value={status} onChange={setStatus} options={STATUS_FILTERS} placeholder="All deliveries" />
        <button type="button" className="button" onClick={() => setReloads((n) => n + 1)} disabled={first.loading}>Refresh</button>
      </div>
      {first.error ? <Alert kind="error">{first.error}</Alert> : null}
      {first.loading && !first.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState title={status ? 'No deliveries with this status' : 'No deliveries yet'}>
          <p>Send a test event, or send a message: its outcome appears here.</p>
        </EmptyState>
      ) : (
        <>
          <table className="table" aria-label="Webhook deliveries" aria-busy={first.loading || undefined}>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">When</th>
                <th scope="col">Status</th>
                <th scope="col">Code<span className="visually-hidden"> (HTTP status)</span></th>
                <th scope="col" className="history-table__num">Attempts</th>
                <th scope="col">Next retry</th>
                <th scope="col">Error</th>
                <th scope="col" className="table__actions-col"><span className="visually-hidden">Redeliver</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <DeliveryRow
                  key={d.id}
                  d={d}
                  busy={busyId === d.id}
                  disabled={busyId !== null || (!webhookEnabled && d.eventType !== 'webhook.test')}
                  onRedeliver={() => void redeliver(d)}
                />
              ))}
            </tbody>
          </table>
          <div className="history-more">
            {lastPageFull ? (
              <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore}>{loadingMore ? 'Loading…' : 'Load more'}</button>
            ) : (
              <p className="muted">That is everything{status ? ' with this status' : ''}.</p>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function DeliveryRow({ d, busy, disabled, onRedeliver }: { d: WebhookDelivery; busy: boolean; disabled: boolean; onRedeliver: () => void }) {
  const status = STATUS_LABELS[d.status] ?? { label: d.status, tone: 'grey' as const };
  const label = eventLabel(d.eventType);
  return (
    <tr aria-busy={busy || undefined}>
      <th scope="row">
        {label}
        <span className="table__sub mono" title={d.eventId}>{d.eventId.slice(0, 12)}…</span>
        {d.messageId ? <span className="table__sub"><a href={href(`${HISTORY_PATH}/${encodeURIComponent(d.messageId)}`)}>View message</a></span> : null}
        {d.redeliveryOf ? <span className="table__sub">Redelivery</span> : null}
      </th>
      <td className="nowrap">
        <time dateTime={d.createdAt} title={formatDateTime(d.createdAt)}>{formatRelative(d.createdAt)}</time>
      </td>
      <td><Badge tone={status.tone}>{status.label}</Badge></td>
      <td>{d.lastStatusCode ?? '—'}{d.lastDurationMs !== null ? <span className="table__sub">{formatDuration(d.lastDurationMs)}</span> : null}</td>
      <td className="history-table__num">{d.attemptCount}</td>
      <td className="nowrap">{d.nextAttemptAt ? <time dateTime={d.nextAttemptAt} title={formatDateTime(d.nextAttemptAt)}>{shortDateTime(d.nextAttemptAt)}</time> : '—'}</td>
      <td className="history-table__problem">
        {d.lastError ? <span className="history-table__message-text">{d.lastError}</span> : null}
        {d.attempts.length > 0 ? (
          <details>
            <summary>{d.attempts.length === 1 ? '1 attempt' : `All ${d.attempts.length} attempts`}</summary>
            <ol className="attempts">
              {d.attempts.map((a) => (
                <li key={a.id}>
                  {formatDateTime(a.startedAt)} · {a.statusCode ?? a.outcome} · {formatDuration(a.durationMs)}
                  {a.error ? <> · {a.error}</> : null}
                  <span className="table__sub mono">{a.url}</span>
                </li>
              ))}
            </ol>
          </details>
        ) : null}
      </td>
      <td>
        <div className="row-actions row-actions--narrow">
          {d.status !== 'pending' ? (
            <button type="button" className="button button--small" disabled={disabled} onClick={onRedeliver} aria-label={`Redeliver ${label} ${d.eventId}`}>
              {busy ? 'Redelivering…' : 'Redeliver'}
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

function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type;
}
