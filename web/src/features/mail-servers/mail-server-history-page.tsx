// A mail server's earlier versions, newest first, each with what changed, and "Restore this version"
// (which the API records as a new version, so a restore can itself be undone).
import { useState } from 'react';
import type { MailServerVersion } from '../../api/types.ts';
import { errorMessage } from '../../api/client.ts';
import { href } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Loading, PageHeader } from '../../ui/page-header.tsx';
import { MECHANISM_LABELS, SECURITY_LABELS, formatDateTime, smtpAddress } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { mailServersApi } from './mail-servers-api.ts';

/** Preset id → label, filled when the page loads (the history shows "Microsoft 365", not "microsoft365"). */
let presetLabels = new Map<string, string>();

/** The fields a person cares about, in form order, with how to show a value. */
const FIELDS: { key: string; label: string; show?: (v: unknown) => string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'preset', label: 'Provider preset', show: (v) => presetLabels.get(String(v)) ?? String(v) },
  { key: 'host', label: 'SMTP host' },
  { key: 'port', label: 'Port' },
  { key: 'security', label: 'Security', show: (v) => SECURITY_LABELS[String(v)] ?? String(v) },
  { key: 'authEnabled', label: 'Use SMTP authentication', show: yesNo },
  { key: 'authMechanism', label: 'Authentication mechanism', show: (v) => MECHANISM_LABELS[String(v)] ?? String(v) },
  { key: 'username', label: 'Username' },
  { key: 'hasPassword', label: 'Password saved', show: yesNo },
  { key: 'passwordSource', label: 'Password source' },
  { key: 'passwordRef', label: 'Secret reference' },
  { key: 'fromAddress', label: 'Default From address' },
  { key: 'fromName', label: 'From name' },
  { key: 'replyTo', label: 'Reply-to' },
  { key: 'errorTo', label: 'Error-to' },
  { key: 'cc', label: 'CC' },
  { key: 'bcc', label: 'BCC' },
  { key: 'customHeaders', label: 'Custom headers' },
  { key: 'hasRelay', label: 'Has relay', show: yesNo },
  { key: 'allowInvalidCert', label: 'Allow invalid certificate', show: yesNo },
  { key: 'status', label: 'Status', show: (v) => (v === 'active' ? 'Active' : v === 'inactive' ? 'Inactive' : String(v)) },
  { key: 'maxConnections', label: 'Connections at most' },
  // Made from rateLimitCount and rateLimitPeriod by settingsOf: "14 messages per second".
  { key: 'rateLimit', label: 'Rate limit' },
  { key: 'sharedWith', label: 'Made available for' },
];

const CHANGE_LABELS: Record<string, string> = {
  create: 'Created',
  update: 'Edited',
  rollback: 'Restored',
  status: 'Status changed',
  duplicate: 'Duplicated',
};

function yesNo(v: unknown): string {
  return v ? 'Yes' : 'No';
}

function show(field: (typeof FIELDS)[number], v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (field.show) return field.show(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '—';
    return v.map((x) => (x && typeof x === 'object' && 'name' in x ? `${(x as { name: string }).name}: ${(x as { value?: string }).value ?? ''}` : String(x))).join(', ');
  }
  return String(v);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function settingsOf(v: MailServerVersion): Record<string, unknown> {
  const out: Record<string, unknown> = v.hasPassword === undefined ? { ...v.snapshot } : { ...v.snapshot, hasPassword: v.hasPassword };
  if ('rateLimitCount' in out || 'rateLimitPeriod' in out) {
    const { rateLimitCount: count, rateLimitPeriod: period } = out;
    out.rateLimit = count != null && period != null ? `${count} messages per ${period}` : null;
  }
  return out;
}

function diff(newer: MailServerVersion, older: MailServerVersion | undefined): { label: string; before: string | null; after: string }[] {
  const a = settingsOf(newer);
  const b = older ? settingsOf(older) : undefined;
  return FIELDS.filter((f) => f.key in a || (b && f.key in b))
    .filter((f) => !b || !same(a[f.key], b[f.key]))
    .map((f) => ({ label: f.label, before: b ? show(f, b[f.key]) : null, after: show(f, a[f.key]) }));
}

export function MailServerHistoryPage({ serverId }: { serverId: string }) {
  const data = useAsync(async (signal) => {
    const [server, versions, presets] = await Promise.all([
      mailServersApi.get(serverId, signal),
      mailServersApi.versions(serverId, signal),
      mailServersApi.presets(signal).catch(() => []),
    ]);
    presetLabels = new Map(presets.map((p) => [p.id, p.label]));
    return { server, versions: [...versions].sort((a, b) => b.version - a.version) };
  }, [serverId]);
  const [restoring, setRestoring] = useState<MailServerVersion | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  async function restore() {
    if (!restoring) return;
    setBusy(true);
    try {
      const restored = await mailServersApi.rollback(serverId, restoring.version);
      const passwordNote = restored.warnings?.length ? ' Check the password: it may need to be typed again.' : '';
      setRestoring(null);
      await data.reload();
      setNotice({ kind: 'success', text: `Version ${restoring.version} restored as version ${restored.version}.${passwordNote}` });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
      setRestoring(null);
    } finally {
      setBusy(false);
    }
  }

  const server = data.data?.server;
  const versions = data.data?.versions ?? [];
  const current = server?.version ?? versions[0]?.version;
  return (
    <>
      <PageHeader
        title={server ? `History: ${server.name}` : 'History'}
        description="Every saved version of this mail server. Restoring a version saves it again as the newest version; passwords are never shown."
        back={{ href: href('/mail-servers'), label: 'Mail servers' }}
        actions={
          <>
            <a className="button" href={href(`/audit?targetType=mail_server&targetId=${encodeURIComponent(serverId)}`)}>Audit log</a>
            {server && server.owned !== false ? <a className="button button--primary" href={href(`/mail-servers/${encodeURIComponent(serverId)}/edit`)}>Edit</a> : null}
          </>
        }
      />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}
      {data.error ? <Alert kind="error">{data.error}</Alert> : null}
      {data.loading && !data.data ? <Loading /> : null}
      {server ? (
        <p className="muted history-summary">
          Now: <span className="mono">{smtpAddress(server.host, server.port)}</span> · {SECURITY_LABELS[server.security]} · version {server.version}
        </p>
      ) : null}
      <ol className="timeline" aria-label="Versions">
        {versions.map((v, i) => {
          const changes = diff(v, versions[i + 1]);
          const isCurrent = v.version === current;
          return (
            <li key={v.version} className="card timeline__item" aria-label={`Version ${v.version}`}>
              <div className="timeline__head">
                <div>
                  <h2 className="timeline__title">
                    Version {v.version} <span className="muted">· {CHANGE_LABELS[v.change] ?? v.change}</span>
                    {isCurrent ? <> <Badge tone="blue">Current</Badge></> : null}
                  </h2>
                  <p className="muted">
                    {v.changedBy} · <time dateTime={v.changedAt}>{formatDateTime(v.changedAt)}</time>
                  </p>
                </div>
                {!isCurrent && server?.owned !== false ? (
                  <button type="button" className="button" onClick={() => setRestoring(v)} aria-label={`Restore this version (version ${v.version})`}>
                    Restore this version
                  </button>
                ) : null}
              </div>
              {changes.length > 0 ? (
                <table className="diff">
                  <thead>
                    <tr>
                      <th scope="col">Field</th>
                      {versions[i + 1] ? <th scope="col">Before</th> : null}
                      <th scope="col">{versions[i + 1] ? 'After' : 'Value'}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {changes.map((c) => (
                      <tr key={c.label}>
                        <th scope="row">{c.label}</th>
                        {c.before !== null ? <td className="diff__before">{c.before}</td> : null}
                        <td className="diff__after">{c.after}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p className="muted">No setting changed in this version.</p>
              )}
            </li>
          );
        })}
      </ol>
      <Dialog
        open={restoring !== null}
        title={restoring ? `Restore version ${restoring.version}?` : ''}
        onClose={() => setRestoring(null)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setRestoring(null)} disabled={busy}>Cancel</button>
            <button type="button" className="button button--primary" onClick={restore} disabled={busy}>
              {busy ? 'Restoring…' : 'Restore this version'}
            </button>
          </>
        }
      >
        <p>
          The settings of version {restoring?.version} become the current settings, saved as a new version. The current settings stay in
          the history.
        </p>
      </Dialog>
    </>
  );
}
