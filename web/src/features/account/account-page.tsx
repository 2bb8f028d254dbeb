// My account: every signed-in person's own settings — their name and their password. For members
// this is the whole of the UI; admins reach it from the header too.
import { useState, type FormEvent } from 'react';
import { useSession, useSignedIn } from '../../app/session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { TextField } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page-header.tsx';
import { roleLabel } from '../../ui/role-label.ts';
import { useSubmission } from '../../ui/use-submission.ts';
import { accountApi } from './account-api.ts';

export function AccountPage() {
  const { user, company, isAdmin } = useSignedIn();
  return (
    <>
      <PageHeader
        title="My account"
        description={isAdmin ? 'Your own name and password.' : 'Your own name and password. Mail settings are changed by the administrators of your company.'}
      />
      <div className="account-grid">
        <section className="card" aria-labelledby="profile-title">
          <h2 className="card__title" id="profile-title">Profile</h2>
          <dl className="facts">
            <div><dt>Email</dt><dd>{user.email}</dd></div>
            <div><dt>Role</dt><dd>{roleLabel(user.role)}</dd></div>
            <div><dt>Company</dt><dd>{company.name}</dd></div>
          </dl>
          <NameForm current={user.name} />
        </section>
        <PasswordForm />
      </div>
    </>
  );
}

function NameForm({ current }: { current: string }) {
  const { refresh } = useSession();
  const [name, setName] = useState(current);
  const [saved, setSaved] = useState(false);
  const sub = useSubmission();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const user = await sub.run(() => accountApi.changeName(name.trim()));
    if (!user) return;
    setName(user.name);
    setSaved(true);
    // The header shows the name too: ask the API for the session again.
    await refresh();
  }

  const unchanged = name.trim() === current;
  return (
    <form onSubmit={onSubmit} noValidate className="form-stack" aria-label="Change your name">
      {saved ? <Alert kind="success" onDismiss={() => setSaved(false)}>Your name is saved.</Alert> : null}
      {sub.error && !sub.fieldErrors.name ? <Alert kind="error">{sub.error}</Alert> : null}
      <TextField
        label="Name"
        value={name}
        onChange={(v) => {
          setName(v);
          setSaved(false);
          sub.dismissField('name');
        }}
        error={sub.fieldErrors.name}
        required
        autoComplete="name"
        hint="Shown in the header, and to the administrators of your company."
      />
      <div className="form-actions form-actions--tight">
        <button type="submit" className="button button--primary" disabled={sub.submitting || unchanged}>{sub.submitting ? 'Saving…' : 'Save name'}</button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [confirmError, setConfirmError] = useState<string | undefined>(undefined);
  const [changed, setChanged] = useState(false);
  const sub = useSubmission();
  const fe = sub.fieldErrors;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setChanged(false);
    // Checked here: the API never sees the confirmation, and a typo would lock the person out.
    if (newPassword !== confirm) {
      sub.clear();
      setConfirmError('does not match the new password');
      return;
    }
    setConfirmError(undefined);
    const user = await sub.run(() => accountApi.changePassword(currentPassword, newPassword));
    if (!user) return;
    setCurrentPassword('');
    setNewPassword('');
    setConfirm('');
    setChanged(true);
  }

  const extra = sub.unclaimed(['currentPassword', 'newPassword']);
  return (
    <section className="card" aria-labelledby="password-title">
      <h2 className="card__title" id="password-title">Change password</h2>
      <p className="muted card__lead">
        Changing your password signs you out everywhere else — other browsers and devices must sign in again
        with the new password. You stay signed in here.
      </p>
      {changed ? (
        <Alert kind="success" onDismiss={() => setChanged(false)}>
          Your password is changed. Any other sessions you had are signed out.
        </Alert>
      ) : null}
      {sub.error ? (
        <Alert kind="error" title={sub.error}>
          {extra.length ? <ul>{extra.map((x) => <li key={x.field}><code>{x.field}</code>: {x.message}</li>)}</ul> : null}
        </Alert>
      ) : null}
      <form onSubmit={onSubmit} noValidate className="form-stack" aria-labelledby="password-title">
        {/* Lets password managers tie the new password to this account. */}
        <CurrentUserName />
        <TextField
          label="Current password"
          type="password"
          value={currentPassword}
          onChange={(v) => {
            setCurrentPassword(v);
            sub.dismissField('currentPassword');
          }}
          error={fe.currentPassword}
          required
          autoComplete="current-password"
        />
        <TextField
          label="New password"
          type="password"
          value={newPassword}
          onChange={(v) => {
            setNewPassword(v);
            setChanged(false);
            sub.dismissField('newPassword');
          }}
          error={fe.newPassword}
          required
          autoComplete="new-password"
          hint="At least 10 characters. A passphrase you use nowhere else works well."
        />
        <TextField
          label="Confirm new password"
          type="password"
          value={confirm}
          onChange={(v) => {
            setConfirm(v);
            setConfirmError(undefined);
          }}
          error={confirmError}
          required
          autoComplete="new-password"
        />
        <div className="form-actions form-actions--tight">
          <button type="submit" className="button button--primary" disabled={sub.submitting}>{sub.submitting ? 'Changing…' : 'Change password'}</button>
        </div>
      </form>
    </section>
  );
}

function CurrentUserName() {
  const { user } = useSignedIn();
  return <input type="text" name="username" autoComplete="username" value={user.email} readOnly hidden />;
}
