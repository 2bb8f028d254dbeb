// API keys for host applications. A new key is shown exactly once; afterwards only its prefix.
import { useState, type FormEvent } from 'react';
import type { ApiKeyItem, CreatedApiKey } from '../../api/types.ts';
import { errorMessage } from '../../api/client.ts';
import { useSignedIn } from '../../app/session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { TextField } from '../../ui/field.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { ActorLabel } from '../../ui/actor-label.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { useSubmission } from '../../ui/use-submission.ts';
import { apiKeysApi } from './api-keys-api.ts';

export function ApiKeysPage() {
  const { actingCompany } = useSignedIn();
  const keys = useAsync((signal) => apiKeysApi.list(signal), []);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyItem | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const sub = useSubmission();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const answer = await sub.run(() => apiKeysApi.create(name.trim()));
    if (answer) {
      setCreated(answer);
      setCopied(false);
      setName('');
      await keys.reload();
    }
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied(true);
    } catch {
      // No clipboard permission (e.g. plain http): select the text so Ctrl+C works.
      const el = document.getElementById('new-api-key');
      if (el instanceof HTMLInputElement) el.select();
    }
  }

  async function revoke() {
    if (!revoking) return;
    setBusy(true);
    try {
      await apiKeysApi.revoke(revoking.id);
      if (created?.apiKey.id === revoking.id) setCreated(null);
      setRevoking(null);
      await keys.reload();
      setNotice({ kind: 'success', text: `API key “${revoking.name}” revoked. Applications using it are refused from now on.` });
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
      setRevoking(null);
    } finally {
      setBusy(false);
    }
  }

  const list = keys.data ?? [];
  return (
    <>
      <PageHeader
        title="API keys"
        description={`Keys let your applications call Mailroom's API as ${actingCompany.name}. Send one as "Authorization: Bearer <key>".`}
      />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}
      {created ? (
        <section className="card key-reveal" aria-labelledby="key-reveal-title">
          <h2 className="card__title" id="key-reveal-title">New API key “{created.apiKey.name}”</h2>
          <p><strong>Copy it now: you will not see it again.</strong> Mailroom keeps only a hash of it.</p>
          <div className="key-reveal__row">
            <label className="visually-hidden" htmlFor="new-api-key">New API key</label>
            <input id="new-api-key" className="input mono" readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} />
            <button type="button" className="button button--primary" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
          </div>
          <button type="button" className="link-button" onClick={() => setCreated(null)}>I have saved it — hide the key</button>
        </section>
      ) : null}
      <section className="card" aria-labelledby="new-key-title">
        <h2 className="card__title" id="new-key-title">Create an API key</h2>
        {sub.error ? <Alert kind="error">{sub.error}</Alert> : null}
        <form onSubmit={onSubmit} noValidate className="inline-form">
          <TextField label="Key name" value={name} onChange={setName} error={sub.fieldErrors.name} required placeholder="e.g. CRM production" hint="Name it after the application that will use it." />
          <button type="submit" className="button button--primary" disabled={sub.submitting}>{sub.submitting ? 'Creating…' : 'Create key'}</button>
        </form>
      </section>
      {keys.error ? <Alert kind="error">{keys.error}</Alert> : null}
      {keys.loading && !keys.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <EmptyState title="No API keys yet" />
      ) : (
        <div className="card table-card">
          <table className="table" aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Created by</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
                <th scope="col" className="table__actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name}</th>
                  <td className="mono">{k.prefix}…</td>
                  <td><ActorLabel label={k.createdBy} /></td>
                  <td>{formatDateTime(k.createdAt)}</td>
                  <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : 'Never'}</td>
                  <td>{k.revokedAt ? <Badge tone="grey">Revoked {formatDateTime(k.revokedAt)}</Badge> : <Badge tone="green">Active</Badge>}</td>
                  <td>
                    {!k.revokedAt ? (
                      <button type="button" className="link-button link-button--danger" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>Revoke</button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog
        open={revoking !== null}
        title={revoking ? `Revoke API key “${revoking.name}”?` : ''}
        onClose={() => setRevoking(null)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setRevoking(null)} disabled={busy}>Cancel</button>
            <button type="button" className="button button--danger" onClick={revoke} disabled={busy}>{busy ? 'Revoking…' : 'Revoke key'}</button>
          </>
        }
      >
        <p>Applications using this key are refused from then on. This cannot be undone; create a new key instead.</p>
      </Dialog>
    </>
  );
}
