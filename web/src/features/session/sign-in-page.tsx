// Sign in with email and password (POST /api/v1/session).
import { useState, type FormEvent } from 'react';
import { useSession } from '../../app/session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { TextField } from '../../ui/field.tsx';
import { useSubmission } from '../../ui/use-submission.ts';

export function SignInPage({ reason }: { reason?: string }) {
  const { signIn } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const sub = useSubmission();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const ok = await sub.run(async () => {
      await signIn(email, password);
      return true;
    });
    if (!ok) setPassword('');
  }

  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="auth-card__brand"><span className="brand-mark" aria-hidden="true" />Mailroom</p>
        <h1>Sign in</h1>
        {reason && !sub.error ? <Alert kind="info">{reason}</Alert> : null}
        {sub.error ? <Alert kind="error">{sub.error}</Alert> : null}
        <form onSubmit={onSubmit} noValidate className="form-stack">
          <TextField label="Email" type="email" value={email} onChange={setEmail} error={sub.fieldErrors.email} autoComplete="username" required autoFocus />
          <TextField label="Password" type="password" value={password} onChange={setPassword} error={sub.fieldErrors.password} autoComplete="current-password" required />
          <button type="submit" className="button button--primary button--block" disabled={sub.submitting}>
            {sub.submitting ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
