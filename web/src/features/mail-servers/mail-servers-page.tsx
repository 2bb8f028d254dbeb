// The mail servers list, as the seeds show it: Name, SMTP address, Created by, Date created,
// Status (with the last connection test and a paused server's reason), Actions (with "Test"); below
// the table, the delivery chart. The company's default and fallback server are marked, and any
// active server can be made the fallback.
import { useState } from 'react';
import type { MailServer } from '../../api/types.ts';
import { errorMessage } from '../../api/client.ts';
import { href, navigate } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime, smtpAddress } from '../../ui/format.ts';
import { ActorLabel } from '../../ui/actor-label.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { mailServersApi } from './mail-servers-api.ts';
import { DeleteServerDialog } from './delete-server-dialog.tsx';
import { warningText } from './server-draft.ts';
import { LastTestStatus } from './last-test-status.tsx';
import { TestServerDialog, useServerTest } from './test-server-dialog.tsx';
import { DeliveryStateBadge, DeliveryStateLine, fallbackCoverFor } from './delivery-state.tsx';
import { DeliveryChart } from '../failure-history/delivery-chart.tsx';
import { MailServicePanel } from '../mail-service/mail-service-panel.tsx';

const FALLBACK_HELP = 'The fallback carries your mail while your own server is paused by a configuration error (a wrong password, a certificate problem).';

/** Why a fallback cannot do its job as it stands, or null. */
function fallbackProblem(s: MailServer): string | null {
  if (!s.isFallback) return null;
  if (s.status !== 'active') return 'Inactive: it cannot stand in for another server until it is activated.';
  if (s.isDefault) return 'Also the default: mail sent through the default cannot fall back to it. Choose another server as the fallback.';
  return null;
}

export function MailServersPage() {
  const servers = useAsync((signal) => mailServersApi.list(signal), []);
  const [notice, setNotice] = useState<{ kind: 'success' | 'warning' | 'error'; text: string } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<MailServer | null>(null);
  const serverTest = useServerTest(() => void servers.reload());

  async function act(server: MailServer, work: () => Promise<MailServer | void>, done: string) {
    setBusyId(server.id);
    setNotice(null);
    try {
      const answer = await work();
      // The list is fresh before the message appears, so what it says is what the table shows.
      await servers.reload();
      const warnings = (answer ? answer.warnings : undefined) ?? [];
      if (warnings.length > 0) setNotice({ kind: 'warning', text: `${done} ${warnings.map((w) => (typeof w === 'string' ? warningText(w) : warningText(w.code, w.message))).join(' ')}` });
      else setNotice({ kind: 'success', text: done });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusyId(null);
    }
  }

  async function duplicate(server: MailServer) {
    setBusyId(server.id);
    setNotice(null);
    try {
      const copy = await mailServersApi.duplicate(server.id);
      await servers.reload();
      setNotice({ kind: 'success', text: `Created “${copy.name}”. Copies start inactive: edit it, then activate it.` });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusyId(null);
    }
  }

  const list = servers.data ?? [];
  return (
    <>
      <PageHeader
        title="Mail servers"
        description="Outgoing (SMTP) servers this company sends email through. With a custom mail server chosen under Mail service, the default server is used unless a template names another."
        actions={<a className="button button--primary" href={href('/mail-servers/new')}>+ New mail server</a>}
      />
      <MailServicePanel servers={servers.data} onChanged={() => void servers.reload()} />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}
      {servers.error ? <Alert kind="error">{servers.error}</Alert> : null}
      {list.length > 0 ? (
        <p className="list-help muted">
          {FALLBACK_HELP} It must be allowed to send as your From addresses.
        </p>
      ) : null}
      {servers.loading && !servers.data ? (
        <Loading />
      ) : list.length === 0 && !servers.error ? (
        <EmptyState title="No mail servers yet">
          <p>Meanwhile Mailroom sends with its built-in mail service. Add a server, then choose it under Mail service above.</p>
          <p><a className="button button--primary" href={href('/mail-servers/new')}>+ New mail server</a></p>
        </EmptyState>
      ) : (
        <div className="card table-card">
          <table className="table" aria-label="Mail servers">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">SMTP address</th>
                <th scope="col">Created by</th>
                <th scope="col">Date created</th>
                <th scope="col">Status</th>
                <th scope="col" className="table__actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} aria-busy={busyId === s.id || undefined}>
                  <th scope="row" className="table__name">
                    {s.owned === false ? <span>{s.name}</span> : <a href={href(`/mail-servers/${encodeURIComponent(s.id)}/edit`)}>{s.name}</a>}
                    {s.owned === false ? <span className="table__sub">Shared by parent company</span> : null}
                  </th>
                  <td className="mono">{smtpAddress(s.host, s.port)}</td>
                  <td><ActorLabel label={s.createdBy} /></td>
                  <td>{formatDateTime(s.createdAt)}</td>
                  <td>
                    <span className="badges">
                      {s.status === 'active' ? <Badge tone="green">Active</Badge> : <Badge tone="grey">Inactive</Badge>}
                      {s.isDefault ? <Badge tone="blue">Default</Badge> : null}
                      {s.isFallback ? <Badge tone="blue" title={FALLBACK_HELP}>Fallback</Badge> : null}
                      <DeliveryStateBadge server={s} />
                    </span>
                    {fallbackProblem(s) ? <span className="table__sub fallback-problem">{fallbackProblem(s)}</span> : null}
                    <DeliveryStateLine server={s} fallback={fallbackCoverFor(s, list)} />
                    <LastTestStatus lastTest={s.lastTest} />
                  </td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="link-button" aria-label={`Test ${s.name}`} disabled={serverTest.run.running} onClick={() => void serverTest.start(s)}>Test</button>
                      {s.owned !== false ? (
                        <>
                          <button type="button" className="link-button" aria-label={`Edit ${s.name}`} onClick={() => navigate(`/mail-servers/${encodeURIComponent(s.id)}/edit`)}>Edit</button>
                          <button type="button" className="link-button" aria-label={`Duplicate ${s.name}`} disabled={busyId !== null} onClick={() => duplicate(s)}>Duplicate</button>
                        </>
                      ) : null}
                      {!s.isDefault && s.status === 'active' ? (
                        <button
                          type="button"
                          className="link-button"
                          aria-label={`Set as default: ${s.name}`}
                          disabled={busyId !== null}
                          onClick={() => act(s, () => mailServersApi.makeDefault(s.id), `“${s.name}” is now the default mail server.`)}
                        >
                          Set as default
                        </button>
                      ) : null}
                      {s.isFallback ? (
                        <button
                          type="button"
                          className="link-button"
                          aria-label={`Stop using as fallback: ${s.name}`}
                          title="Held mail then waits until its server is fixed."
                          disabled={busyId !== null}
                          onClick={() => act(s, () => mailServersApi.stopFallback(s.id), `“${s.name}” is no longer the fallback. While a server is paused, its mail now waits until the server is fixed.`)}
                        >
                          Stop using as fallback
                        </button>
                      ) : s.status === 'active' ? (
                        <button
                          type="button"
                          className="link-button"
                          aria-label={`Use as fallback: ${s.name}`}
                          title={FALLBACK_HELP}
                          disabled={busyId !== null}
                          onClick={() => act(s, () => mailServersApi.makeFallback(s.id), `“${s.name}” is now the fallback: it carries your mail while your own server is paused by a configuration error.`)}
                        >
                          Use as fallback
                        </button>
                      ) : null}
                      {s.owned !== false ? (
                        <>
                          {s.status === 'active' ? (
                            <button
                              type="button"
                              className="link-button"
                              aria-label={`Deactivate ${s.name}`}
                              disabled={busyId !== null}
                              onClick={() => act(s, () => mailServersApi.update(s.id, { status: 'inactive' }), `“${s.name}” is now inactive.`)}
                            >
                              Deactivate
                            </button>
                          ) : (
                            <button
                              type="button"
                              className="link-button"
                              aria-label={`Activate ${s.name}`}
                              disabled={busyId !== null}
                              onClick={() => act(s, () => mailServersApi.update(s.id, { status: 'active' }), `“${s.name}” is now active.`)}
                            >
                              Activate
                            </button>
                          )}
                          <button type="button" className="link-button" aria-label={`History: ${s.name}`} onClick={() => navigate(`/mail-servers/${encodeURIComponent(s.id)}/history`)}>History</button>
                          <button type="button" className="link-button link-button--danger" aria-label={`Delete ${s.name}`} disabled={busyId !== null} onClick={() => setDeleting(s)}>Delete</button>
                        </>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.length > 0 ? <DeliveryChart /> : null}
      <TestServerDialog test={serverTest} />
      <DeleteServerDialog
        server={deleting}
        others={list.filter((s) => s.id !== deleting?.id)}
        onClose={() => setDeleting(null)}
        onDeleted={async (name) => {
          setDeleting(null);
          await servers.reload();
          setNotice({ kind: 'success', text: `Mail server “${name}” deleted.` });
        }}
      />
    </>
  );
}
