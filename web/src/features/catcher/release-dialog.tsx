// "Release": sends a caught message for real, through a mail server the admin chooses — the same
// message (Message-ID, date, content) to every recipient, once. The server's sender rule applies, so a
// From it may not send as is refused with the reason in plain words.
import { useEffect, useState } from 'react';
import type { MailServer, MessageSummary } from '../../api/types.ts';
import { href } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { SelectField } from '../../ui/field.tsx';
import { useSubmission } from '../../ui/use-submission.ts';
import { catcherApi, type CaughtMessageDetail } from './catcher-api.ts';

interface ReleaseDialogProps {
  message: CaughtMessageDetail | null;
  servers: MailServer[];
  onClose: () => void;
  onReleased: (summary: MessageSummary, server: MailServer) => void;
}

export function ReleaseDialog({ message, servers, onClose, onReleased }: ReleaseDialogProps) {
  const active = servers.filter((s) => s.status === 'active');
  const preferred = active.find((s) => s.isDefault) ?? active[0];
  const [serverId, setServerId] = useState('');
  const submission = useSubmission();
  const open = message !== null;
  useEffect(() => {
    if (!open) return;
    setServerId('');
    submission.clear();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const chosen = active.find((s) => s.id === serverId) ?? preferred;

  async function release() {
    if (!message || !chosen) return;
    const answer = await submission.run(() => catcherApi.release(message.id, chosen.id));
    if (answer) onReleased(answer, chosen);
  }

  const count = message?.recipients.length ?? 0;
  return (
    <Dialog
      open={open}
      title="Release this message"
      onClose={onClose}
      footer={
        <>
          <button type="button" className="button" onClick={onClose} disabled={submission.submitting}>Cancel</button>
          <button type="button" className="button button--primary" onClick={() => void release()} disabled={!chosen || submission.submitting}>
            {submission.submitting ? 'Releasing…' : chosen ? `Release through ${chosen.name}` : 'Release'}
          </button>
        </>
      }
    >
      <p>
        Mailroom sends this message — the same Message-ID, date and content — to {count === 1 ? 'its recipient' : `all ${count} recipients`} through
        the mail server you choose. A message can be released once; follow it in the Failure history afterwards.
      </p>
      {active.length === 0 ? (
        <Alert kind="warning" title="No active mail server">
          <p>Add a mail server (or activate one) first. <a href={href('/mail-servers/new')}>Add a mail server</a></p>
        </Alert>
      ) : (
        <SelectField
          label="Mail server"
          value={chosen?.id ?? ''}
          onChange={(v) => { setServerId(v); submission.clear(); }}
          options={active.map((s) => ({ value: s.id, label: s.isDefault ? `${s.name} (default)` : s.name }))}
          error={submission.fieldErrors.mailServerId ?? submission.fieldErrors.from}
        />
      )}
      {submission.error && !(submission.fieldErrors.mailServerId || submission.fieldErrors.from) ? <Alert kind="error">{submission.error}</Alert> : null}
      {submission.errorCode === 'SENDER_NOT_VERIFIED' ? (
        <p className="muted">
          The message was written From {message?.from}. Choose a server that may send as that address, or verify it under <a href={href('/sender-addresses')}>Sender addresses</a>.
        </p>
      ) : null}
    </Dialog>
  );
}
