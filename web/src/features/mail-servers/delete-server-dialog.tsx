// Confirm a delete. Deleting the company default needs something to take its place: the API answers
// 409 SERVER_IS_DEFAULT unless ?replacementId= names another active server, or `none` for the
// built-in mail service, so the dialog asks for it up front.
import { useEffect, useState } from 'react';
import type { MailServer } from '../../api/types.ts';
import { ApiError, errorMessage } from '../../api/client.ts';
import { Alert } from '../../ui/alert.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { SelectField } from '../../ui/field.tsx';
import { smtpAddress } from '../../ui/format.ts';
import { mailServersApi } from './mail-servers-api.ts';

/** `?replacementId=none`: fall back to the built-in mail service. */
const BUILT_IN = 'none';

interface DeleteServerDialogProps {
  server: MailServer | null;
  /** The company's other servers; the active ones are candidates for the new default. */
  others: MailServer[];
  onClose: () => void;
  onDeleted: (name: string) => void;
}

export function DeleteServerDialog({ server, others, onClose, onDeleted }: DeleteServerDialogProps) {
  const [replacementId, setReplacementId] = useState('');
  const [needsReplacement, setNeedsReplacement] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replacementError, setReplacementError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setReplacementId('');
    setError(null);
    setReplacementError(undefined);
    setNeedsReplacement(!!server?.isDefault);
  }, [server]);

  async function confirm() {
    if (!server) return;
    if (needsReplacement && !replacementId) {
      setReplacementError('Choose the new default.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await mailServersApi.remove(server.id, needsReplacement ? replacementId : undefined);
      onDeleted(server.name);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'SERVER_IS_DEFAULT') {
        // The list may be stale (another admin made it the default meanwhile): ask now.
        setNeedsReplacement(true);
        setError(err.message);
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  const options = [
    ...others.filter((s) => s.status === 'active').map((s) => ({ value: s.id, label: `${s.name} (${smtpAddress(s.host, s.port)})` })),
    { value: BUILT_IN, label: 'Built-in mail service' },
  ];

  return (
    <Dialog
      open={server !== null}
      title={server ? `Delete “${server.name}”?` : ''}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy}>Cancel</button>
          <button type="button" className="button button--danger" onClick={confirm} disabled={busy}>
            {busy ? 'Deleting…' : 'Delete mail server'}
          </button>
        </>
      }
    >
      {server ? (
        <>
          <p>
            The server <strong>{server.name}</strong> ({smtpAddress(server.host, server.port)}) and its saved password will be removed.
            Its history stays in the audit log. This cannot be undone.
          </p>
          {needsReplacement ? (
            <>
              <p>It is the company's default mail server. Choose what sends the company's email instead.</p>
              <SelectField
                label="New default mail server"
                value={replacementId}
                onChange={(v) => {
                  setReplacementId(v);
                  setReplacementError(undefined);
                }}
                options={options}
                placeholder="Choose…"
                error={replacementError}
                hint={options.length === 1 ? 'No other active mail server: the built-in mail service takes over.' : 'Only active servers can become the default.'}
                required
              />
            </>
          ) : null}
          {error ? <Alert kind="error">{error}</Alert> : null}
        </>
      ) : null}
    </Dialog>
  );
}
