// The internal secret manager: names and descriptions are listed, values never are. A mail server
// uses one with the reference `secret:NAME`.
import { useRef, useState, type FormEvent } from 'react';
import type { SecretItem } from '../../api/types.ts';
import { ApiError, errorMessage } from '../../api/client.ts';
import { Alert } from '../../ui/alert.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { TextField } from '../../ui/field.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { useAsync } from '../../ui/use-async.ts';
import { useSubmission } from '../../ui/use-submission.ts';
import { secretsApi } from './secrets-api.ts';

function usedByText(usedBy: SecretItem['usedBy']): string {
  if (usedBy === null || usedBy === undefined) return '—';
  if (typeof usedBy === 'number') return usedBy === 0 ? 'Not used' : `${usedBy} mail server${usedBy === 1 ? '' : 's'}`;
  if (usedBy.length === 0) return 'Not used';
  return usedBy.map((u) => (typeof u === 'string' ? u : u.name ?? u.id ?? '')).join(', ');
}

export function SecretsPage() {
  const secrets = useAsync((signal) => secretsApi.list(signal), []);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [description, setDescription] = useState('');
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [deleting, setDeleting] = useState<SecretItem | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const valueRef = useRef<HTMLInputElement>(null);
  const sub = useSubmission();
  const list = secrets.data ?? [];
  const replacing = list.some((s) => s.name === name.trim());

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const trimmed = name.trim();
    const saved = await sub.run(() => secretsApi.put(trimmed, value, description.trim() || null));
    // The value leaves the page whether or not the save worked: it is never kept or shown.
    setValue('');
    if (saved) {
      setName('');
      setDescription('');
      await secrets.reload();
      setNotice({ kind: 'success', text: `Secret “${trimmed}” ${replacing ? 'replaced' : 'saved'}. Use it as secret:${trimmed}.` });
    }
  }

  function startReplace(s: SecretItem) {
    setName(s.name);
    setDescription(s.description ?? '');
    setValue('');
    sub.clear();
    valueRef.current?.focus();
  }

  async function confirmDelete() {
    if (!deleting) return;
    setBusy(true);
    setDeleteError(null);
    try {
      await secretsApi.remove(deleting.name);
      setDeleting(null);
      await secrets.reload();
      setNotice({ kind: 'success', text: `Secret “${deleting.name}” deleted.` });
    } catch (err) {
      setDeleteError(err instanceof ApiError && err.code === 'SECRET_IN_USE'
        ? `${err.message} Point those mail servers at another password first.`
        : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        title="Secrets"
        description="Passwords kept encrypted by Mailroom's internal secret manager. A mail server uses one through the reference secret:NAME. Values are never shown again once saved."
      />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}
      {secrets.error ? <Alert kind="error">{secrets.error}</Alert> : null}
      <section className="card" aria-labelledby="secret-form-title">
        <h2 className="card__title" id="secret-form-title">{replacing ? 'Replace a secret' : 'Add a secret'}</h2>
        {sub.error ? <Alert kind="error">{sub.error}</Alert> : null}
        <form onSubmit={onSubmit} noValidate className="form-grid form-grid--3">
          <TextField
            label="Secret name"
            value={name}
            onChange={setName}
            error={sub.fieldErrors.name}
            required
            autoComplete="off"
            spellCheck={false}
            placeholder="smtp-password"
            hint={replacing ? 'A secret with this name exists: saving replaces its value.' : 'Letters, digits, dots, dashes and underscores.'}
          />
          <TextField
            label="Secret value"
            type="password"
            value={value}
            onChange={setValue}
            error={sub.fieldErrors.value}
            required
            autoComplete="new-password"
            ref={valueRef}
            hint="Write-only: it is encrypted at rest and never shown again."
          />
          <TextField label="Description" value={description} onChange={setDescription} error={sub.fieldErrors.description} placeholder="Optional" />
          <div className="form-actions form-actions--tight span-all">
            <button type="submit" className="button button--primary" disabled={sub.submitting}>
              {sub.submitting ? 'Saving…' : replacing ? 'Replace secret' : 'Save secret'}
            </button>
            {name || description ? (
              <button type="button" className="button" onClick={() => { setName(''); setValue(''); setDescription(''); sub.clear(); }}>Clear</button>
            ) : null}
          </div>
        </form>
      </section>
      <section className="card table-card" aria-labelledby="secrets-list-title">
        <h2 className="card__title card__title--padded" id="secrets-list-title">Saved secrets</h2>
        {secrets.loading && !secrets.data ? (
          <Loading />
        ) : list.length === 0 ? (
          <EmptyState title="No secrets yet">Add one above.</EmptyState>
        ) : (
          <table className="table" aria-label="Secrets">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Used by</th>
                <th scope="col">Updated</th>
                <th scope="col" className="table__actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.name}>
                  <th scope="row" className="mono">{s.name}</th>
                  <td>{s.description || '—'}</td>
                  <td>{usedByText(s.usedBy)}</td>
                  <td>{formatDateTime(s.updatedAt)}</td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="link-button" aria-label={`Replace value of ${s.name}`} onClick={() => startReplace(s)}>Replace value</button>
                      <button type="button" className="link-button link-button--danger" aria-label={`Delete ${s.name}`} onClick={() => { setDeleteError(null); setDeleting(s); }}>Delete</button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <Dialog
        open={deleting !== null}
        title={deleting ? `Delete secret “${deleting.name}”?` : ''}
        onClose={() => setDeleting(null)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setDeleting(null)} disabled={busy}>Cancel</button>
            <button type="button" className="button button--danger" onClick={confirmDelete} disabled={busy}>{busy ? 'Deleting…' : 'Delete secret'}</button>
          </>
        }
      >
        <p>Mail servers that reference <code>secret:{deleting?.name}</code> could no longer sign in. Mailroom refuses while one still does.</p>
        {deleteError ? <Alert kind="error">{deleteError}</Alert> : null}
      </Dialog>
    </>
  );
}
