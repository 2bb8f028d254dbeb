// First run: no user exists yet, so the app asks for the first administrator (POST /api/v1/setup).
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { SetupAnswer } from '../../api/types.ts';
import { useSession } from '../../app/session.tsx';
import { navigate } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { TextField } from '../../ui/field.tsx';
import { useSubmission } from '../../ui/use-submission.ts';

export function SetupPage() {
  const { completeSetup } = useSession();
  const [companyName, setCompanyName] = useState('');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const sub = useSubmission();
  const fe = sub.fieldErrors;

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const answer = await sub.run(() => api.post<SetupAnswer>('/setup', { companyName, name, email, password }, { noCompany: true }));
    if (answer) {
      // The password leaves the page's memory as soon as it has done its job.
      setPassword('');
      await completeSetup(answer);
      navigate('/mail-servers', { replace: true });
    }
  }

  const extra = sub.unclaimed(['companyName', 'name', 'email', 'password']);
  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="auth-card__brand"><span className="brand-mark" aria-hidden="true" />Mailroom</p>
        <h1>Create the first administrator</h1>
        <p className="muted">
          Welcome. This account manages the company's mail settings and can add more companies and people later.
        </p>
        {sub.error ? (
          <Alert kind="error" title={sub.error}>
            {extra.length ? <ul>{extra.map((x) => <li key={x.field}>{x.field}: {x.message}</li>)}</ul> : null}
          </Alert>
        ) : null}
        <form onSubmit={onSubmit} noValidate className="form-stack">
          <TextField label="Company name" value={companyName} onChange={setCompanyName} error={fe.companyName} required autoComplete="organization" autoFocus />
          <TextField label="Your name" value={name} onChange={setName} error={fe.name} required autoComplete="name" />
          <TextField label="Email" type="email" value={email} onChange={setEmail} error={fe.email} required autoComplete="email" />
          <TextField
            label="Password"
            type="password"
            value={password}
            onChange={setPassword}
            error={fe.password}
            required
            autoComplete="new-password"
            hint="At least 10 characters. A passphrase you use nowhere else works well."
          />
          <button type="submit" className="button button--primary button--block" disabled={sub.submitting}>
            {sub.submitting ? 'Creating…' : 'Create administrator'}
          </button>
        </form>
      </div>
    </main>
  );
}
