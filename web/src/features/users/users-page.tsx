// Admins: the people who can sign in for the acting company, and a form to add one.
// A company admin may add members and company admins; only a system admin may add system admins
// (the API refuses it too — the form simply does not offer what would be refused).
import { useRef, useState, type FormEvent } from 'react';
import type { Role, User } from '../../api/types.ts';
import { useSignedIn } from '../../app/session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { Badge } from '../../ui/badge.tsx';
import { SelectField, TextField, type Option } from '../../ui/field.tsx';
import { EmptyState, Loading, PageHeader } from '../../ui/page-header.tsx';
import { ROLE_LABELS, roleLabel } from '../../ui/role-label.ts';
import { useAsync } from '../../ui/use-async.ts';
import { useSubmission } from '../../ui/use-submission.ts';
import { usersApi } from './users-api.ts';

const FORM_FIELDS = ['email', 'name', 'role', 'password'];

const ROLE_TONES: Record<Role, 'blue' | 'green' | 'grey'> = {
  system_admin: 'blue',
  company_admin: 'green',
  member: 'grey',
};

function roleOptions(isSystemAdmin: boolean): Option[] {
  const roles: Role[] = isSystemAdmin ? ['member', 'company_admin', 'system_admin'] : ['member', 'company_admin'];
  return roles.map((r) => ({ value: r, label: ROLE_LABELS[r] }));
}

function byName(a: User, b: User): number {
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.email.localeCompare(b.email);
}

export function UsersPage() {
  const { actingCompany, isSystemAdmin, user: me } = useSignedIn();
  const users = useAsync((signal) => usersApi.list(signal), []);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [password, setPassword] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const emailRef = useRef<HTMLInputElement>(null);
  const sub = useSubmission();
  const fe = sub.fieldErrors;

  function edit(field: string, set: (v: string) => void) {
    return (value: string) => {
      set(value);
      sub.dismissField(field);
    };
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setNotice(null);
    const created = await sub.run(() => usersApi.create({ email: email.trim(), name: name.trim(), role, password }));
    if (!created) return;
    setEmail('');
    setName('');
    setRole('member');
    // The initial password leaves the page's memory once it has done its job.
    setPassword('');
    setNotice(`${created.name} (${created.email}) is added as ${roleLabel(created.role)}. Give them the initial password privately; they can change it under My account.`);
    await users.reload();
    emailRef.current?.focus();
  }

  const list = [...(users.data ?? [])].sort(byName);
  const extra = sub.unclaimed(FORM_FIELDS);
  return (
    <>
      <PageHeader
        title="Users"
        description={`People who can sign in for ${actingCompany.name}. Admins change the mail settings; members can change only their own name and password.`}
      />
      {notice ? <Alert kind="success" onDismiss={() => setNotice(null)}>{notice}</Alert> : null}
      <div className="two-col">
        <section className="card table-card" aria-labelledby="users-title">
          <h2 className="card__title card__title--padded" id="users-title">People in {actingCompany.name}</h2>
          {users.error ? <Alert kind="error">{users.error}</Alert> : null}
          {users.loading && !users.data ? (
            <Loading />
          ) : list.length === 0 ? (
            <EmptyState title="No users yet">Add the first person with the form.</EmptyState>
          ) : (
            <table className="table" aria-label="Users">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                </tr>
              </thead>
              <tbody>
                {list.map((u) => (
                  <tr key={u.id}>
                    <th scope="row">
                      {u.name}
                      {u.id === me.id ? <span className="table__sub">You</span> : null}
                    </th>
                    <td>{u.email}</td>
                    <td><Badge tone={ROLE_TONES[u.role] ?? 'grey'}>{roleLabel(u.role)}</Badge></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card" aria-labelledby="new-user-title">
          <h2 className="card__title" id="new-user-title">Add user</h2>
          {sub.error ? (
            <Alert kind="error" title={sub.error}>
              {extra.length ? <ul>{extra.map((x) => <li key={x.field}><code>{x.field}</code>: {x.message}</li>)}</ul> : null}
            </Alert>
          ) : null}
          <form onSubmit={onSubmit} noValidate className="form-stack" aria-labelledby="new-user-title">
            <TextField ref={emailRef} label="Email" type="email" value={email} onChange={edit('email', setEmail)} error={fe.email} required autoComplete="off" spellCheck={false} />
            <TextField label="Name" value={name} onChange={edit('name', setName)} error={fe.name} required autoComplete="off" />
            <SelectField
              label="Role"
              value={role}
              onChange={(v) => {
                setRole(v as Role);
                sub.dismissField('role');
              }}
              options={roleOptions(isSystemAdmin)}
              error={fe.role}
              hint={
                isSystemAdmin
                  ? 'Members change only their own name and password. Company admins change the mail settings. System admins also manage child companies.'
                  : 'Members change only their own name and password. Company admins change the mail settings.'
              }
            />
            <TextField
              label="Initial password"
              type="password"
              value={password}
              onChange={edit('password', setPassword)}
              error={fe.password}
              required
              autoComplete="new-password"
              hint="At least 10 characters. Give it to them privately; they can change it under My account."
            />
            <div className="form-actions form-actions--tight">
              <button type="submit" className="button button--primary" disabled={sub.submitting}>{sub.submitting ? 'Adding…' : 'Add user'}</button>
            </div>
          </form>
        </section>
      </div>
    </>
  );
}
