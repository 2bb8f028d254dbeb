// Sender addresses: the addresses the company sends as. Adding one emails it a link; the address is
// Pending until someone who reads that mailbox opens it, then Verified. Group addresses (shared
// mailboxes, lists) are verified by anyone who reads them, and are shown as such.
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useSignedIn } from '../../app/session.tsx';
import { ActorLabel } from '../../ui/actor-label.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { RadioGroup, TextField } from '../../ui/field.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { useSubmission } from '../../ui/use-submission.ts';
import { senderAddressesApi, type SenderAddress, type SenderKind } from './sender-addresses-api.ts';

const KIND_OPTIONS = [
  { value: 'person', label: 'Person' },
  { value: 'group', label: 'Group (shared mailbox or list)' },
];

const KIND_LABELS: Record<SenderKind, string> = { person: 'Person', group: 'Group' };

type Notice = { kind: 'success' | 'error'; text: string };

export function SenderAddressesPage() {
  const { actingCompany } = useSignedIn();
  const senders = useAsync((signal) => senderAddressesApi.list(signal), []);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<SenderAddress | null>(null);

  async function resend(s: SenderAddress) {
    setBusyId(s.id);
    setNotice(null);
    try {
      await senderAddressesApi.resend(s.id);
      setNotice({ kind: 'success', text: `A new link was sent to ${s.address}. The previous link no longer works.` });
      await senders.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusyId(null);
    }
  }

  async function remove() {
    if (!deleting) return;
    const s = deleting;
    setBusyId(s.id);
    try {
      await senderAddressesApi.remove(s.id);
      setNotice({ kind: 'success', text: `${s.address} was removed.` });
      await senders.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusyId(null);
      setDeleting(null);
    }
  }

  const list = senders.data ?? [];
  return (
    <>
      <PageHeader
        title="Sender addresses"
        description={`The addresses ${actingCompany.name} sends as. Each gets an email with a link; once someone who reads that mailbox opens it, the address is verified and the built-in mail service may send as it.`}
      />
      {notice ? <Alert kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}
      <AddSenderCard
        onAdded={async (s) => {
          setNotice({ kind: 'success', text: `A verification link was sent to ${s.address}. It works once, for 24 hours.` });
          await senders.reload();
        }}
      />
      {senders.error ? <Alert kind="error">{senders.error}</Alert> : null}
      {senders.loading && !senders.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <EmptyState title="No sender addresses yet">
          <p>Add the addresses your notifications come from, such as support@ or a person's own address.</p>
        </EmptyState>
      ) : (
        <div className="card table-card">
          <table className="table" aria-label="Sender addresses">
            <thead>
              <tr>
                <th scope="col">Address</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Added by</th>
                <th scope="col" className="table__actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} aria-busy={busyId === s.id || undefined}>
                  <th scope="row">
                    <span className="mono">{s.address}</span>
                    {s.displayName ? <span className="table__sub">{s.displayName}</span> : null}
                  </th>
                  <td>
                    {KIND_LABELS[s.kind]}
                    {s.kind === 'group' ? <span className="table__sub">Anyone who reads it may verify</span> : null}
                  </td>
                  <td>
                    {s.status === 'verified' ? (
                      <>
                        {s.usableAsFrom ? <Badge tone="green">Verified</Badge> : <Badge tone="amber">Verified in the catcher only</Badge>}
                        {s.verifiedAt ? <span className="table__sub">{formatDateTime(s.verifiedAt)}</span> : null}
                        {s.usableAsFrom ? null : <span className="table__sub">The link never left Mailroom, so it proves nothing: resend it once mail really leaves.</span>}
                      </>
                    ) : (
                      <>
                        <Badge tone="amber">Pending</Badge>
                        <span className="table__sub">{linkState(s)}</span>
                      </>
                    )}
                  </td>
                  <td><ActorLabel label={s.createdBy} /><span className="table__sub">{formatDateTime(s.createdAt)}</span></td>
                  <td>
                    <div className="row-actions">
                      {s.status === 'pending' ? (
                        <button type="button" className="link-button" disabled={busyId !== null} onClick={() => void resend(s)} aria-label={`Resend link to ${s.address}`}>
                          {busyId === s.id ? 'Sending…' : 'Resend link'}
                        </button>
                      ) : null}
                      <button type="button" className="link-button link-button--danger" disabled={busyId !== null} onClick={() => setDeleting(s)} aria-label={`Delete ${s.address}`}>Delete</button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Dialog
        open={deleting !== null}
        title={deleting ? `Delete ${deleting.address}?` : ''}
        onClose={() => setDeleting(null)}
        footer={
          <>
            <button type="button" className="button" onClick={() => setDeleting(null)} disabled={busyId !== null}>Cancel</button>
            <button type="button" className="button button--danger" onClick={() => void remove()} disabled={busyId !== null}>{busyId ? 'Deleting…' : 'Delete address'}</button>
          </>
        }
      >
        <p>
          {deleting?.status === 'verified'
            ? 'The built-in mail service will no longer send as this address. To use it again, add it and verify it again.'
            : 'Its verification link stops working.'}
        </p>
      </Dialog>
    </>
  );
}

function linkState(s: SenderAddress): string {
  if (!s.linkExpiresAt) return 'No link';
  return Date.parse(s.linkExpiresAt) <= Date.now() ? 'Link expired: resend it' : `Link sent; works until ${formatDateTime(s.linkExpiresAt)}`;
}

function AddSenderCard({ onAdded }: { onAdded: (s: SenderAddress) => Promise<void> }) {
  const [address, setAddress] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [kind, setKind] = useState<SenderKind>('person');
  const sub = useSubmission();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const added = await sub.run(() => senderAddressesApi.add({ address: address.trim(), displayName: displayName.trim() || null, kind }));
    if (added) {
      setAddress('');
      setDisplayName('');
      setKind('person');
      await onAdded(added);
    }
  }

  const others = sub.unclaimed(['address', 'displayName', 'kind']);
  return (
    <section className="card" aria-labelledby="add-sender-title">
      <h2 className="card__title" id="add-sender-title">Add a sender address</h2>
      {sub.error ? <Alert kind="error">{sub.error}</Alert> : null}
      {others.length ? <Alert kind="error">{others.map((o) => `${o.field}: ${o.message}`).join(' ')}</Alert> : null}
      <form onSubmit={onSubmit} noValidate className="form-stack" aria-label="Add a sender address">
        <TextField
          label="Email address"
          type="email"
          value={address}
          onChange={(v) => { setAddress(v); sub.dismissField('address'); }}
          error={sub.fieldErrors.address}
          required
          spellCheck={false}
          autoComplete="off"
          placeholder="support@example.com"
          hint="Mailroom emails a link to this address; it is verified once someone opens it."
        />
        <TextField
          label="Display name"
          value={displayName}
          onChange={(v) => { setDisplayName(v); sub.dismissField('displayName'); }}
          error={sub.fieldErrors.displayName}
          placeholder="Example Support"
          hint="Optional: the name recipients see next to the address."
        />
        <RadioGroup
          legend="Kind"
          name="sender-kind"
          value={kind}
          onChange={(v) => setKind(v as SenderKind)}
          options={KIND_OPTIONS}
          error={sub.fieldErrors.kind}
          hint="A group address is a shared mailbox or a list (support@, team@): anyone who reads it may open the link."
        />
        <div className="form-actions form-actions--tight">
          <button type="submit" className="button button--primary" disabled={sub.submitting}>{sub.submitting ? 'Sending link…' : 'Add and send link'}</button>
        </div>
      </form>
    </section>
  );
}
