// Seed 000's "Need help?": support asks for the settings (without passwords), the address used for
// testing, the error messages and the time. The API puts them in one JSON attachment; it is fetched
// through the API client (cookies, acting company) and handed to the browser as a Blob download.
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { Alert } from '../../ui/alert.tsx';
import { connectionTestsApi } from './connection-tests-api.ts';

/** Long enough for the browser to start reading the Blob after the click. */
const REVOKE_BLOB_URL_AFTER_MS = 30_000;

export function SupportBundleLink({ serverId }: { serverId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function download() {
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await connectionTestsApi.supportBundle(serverId);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename ?? 'mailroom-support-bundle.json';
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), REVOKE_BLOB_URL_AFTER_MS);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card need-help" aria-labelledby="need-help-title">
      <h2 className="card__title" id="need-help-title">Need help?</h2>
      <p>
        Ask your IT team to check the settings above. If the problem persists, send your support contact the support bundle: the
        settings without the password, the address used for testing, the last test results with their messages, and the time.
      </p>
      <p>
        <button type="button" className="link-button" onClick={() => void download()} disabled={busy}>
          {busy ? 'Preparing the support bundle…' : 'Download support bundle'}
        </button>
      </p>
      {error ? <Alert kind="error">{error}</Alert> : null}
    </section>
  );
}
