// The page the verification email links to: /verify-sender?token=…. Public — whoever reads the
// mailbox may have no Mailroom account — so it renders outside the sign-in gate. It confirms as soon
// as it runs (a mail scanner that only fetches the link confirms nothing), and takes the token out
// of the address bar so it does not linger in the history.
import { useEffect, useRef, useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { Alert } from '../../ui/alert.tsx';
import { Loading } from '../../ui/page-header.tsx';
import { senderAddressesApi, VERIFY_SENDER_PATH } from './sender-addresses-api.ts';

type State =
  | { status: 'checking' }
  | { status: 'verified'; address: string; group: boolean }
  | { status: 'failed'; message: string };

function tokenFromAddressBar(): string {
  return new URLSearchParams(window.location.search).get('token')?.trim() ?? '';
}

export function VerifySenderPage() {
  const [token] = useState(tokenFromAddressBar);
  const [state, setState] = useState<State>(() => (token
    ? { status: 'checking' }
    : { status: 'failed', message: 'This link is incomplete. Open the link from the email again, or copy all of it into the address bar.' }));
  const started = useRef(false);

  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    window.history.replaceState(null, '', VERIFY_SENDER_PATH);
    senderAddressesApi.verify(token).then(
      (v) => setState({ status: 'verified', address: v.address, group: v.kind === 'group' }),
      (err: unknown) => setState({ status: 'failed', message: errorMessage(err) }),
    );
  }, [token]);

  return (
    <main className="auth-page">
      <div className="auth-card">
        <p className="auth-card__brand"><span className="brand-mark" aria-hidden="true" />Mailroom</p>
        <h1>Sender address verification</h1>
        {state.status === 'checking' ? <Loading label="Checking the link…" /> : null}
        {state.status === 'verified' ? (
          <Alert kind="success" title="Verified">
            <p>{state.address} is verified; you can close this page.</p>
            {state.group ? <p>It is a group address: nobody else who reads it needs to open the link.</p> : null}
          </Alert>
        ) : null}
        {state.status === 'failed' ? <Alert kind="error" title="This link cannot be used">{state.message}</Alert> : null}
      </div>
    </main>
  );
}
