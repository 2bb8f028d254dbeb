// "Test" on a row of the servers list: tests the saved server (the result is kept and becomes the
// row's last test) and shows the result in a dialog. The test starts from the click, never from a
// render, so it runs exactly once per click.
import { useState } from 'react';
import type { MailServer } from '../../api/types.ts';
import { href } from '../../app/router.ts';
import { Alert } from '../../ui/alert.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { SECURITY_LABELS, smtpAddress } from '../../ui/format.ts';
import { connectionTestsApi } from './connection-tests-api.ts';
import { sentence } from './probe-labels.ts';
import { ProbeProgress } from './probe-progress.tsx';
import { ProbeResultView } from './probe-result-view.tsx';
import { useProbeRun, type ProbeRun } from './use-probe-run.ts';

export interface ServerTest {
  server: MailServer | null;
  run: ProbeRun;
  start(server: MailServer): Promise<void>;
  close(): void;
}

/** `onTested` runs after each finished test, e.g. to reload the list with the new last test. */
export function useServerTest(onTested: () => void): ServerTest {
  const run = useProbeRun();
  const [server, setServer] = useState<MailServer | null>(null);
  return {
    server,
    run,
    async start(s) {
      setServer(s);
      const outcome = await run.start(async (signal) => {
        const kept = await connectionTestsApi.testSaved(s.id, { sendTestEmail: false }, signal);
        return { result: kept.result, sentTo: null };
      });
      if (outcome) onTested();
    },
    close() {
      run.cancel();
      setServer(null);
    },
  };
}

export function TestServerDialog({ test }: { test: ServerTest }) {
  const { server, run } = test;
  return (
    <Dialog
      open={server !== null}
      wide
      title={server ? `Test “${server.name}”` : ''}
      onClose={test.close}
      footer={
        <>
          {server && server.owned !== false && run.outcome && !run.outcome.result.ok ? (
            <a className="button" href={href(`/mail-servers/${encodeURIComponent(server.id)}/edit`)}>Edit settings</a>
          ) : null}
          <button type="button" className="button" onClick={() => server && void test.start(server)} disabled={run.running || !server}>
            Test again
          </button>
          <button type="button" className="button button--primary" onClick={test.close}>Close</button>
        </>
      }
    >
      {server ? (
        <>
          <p className="muted">
            <span className="mono">{smtpAddress(server.host, server.port)}</span> with {SECURITY_LABELS[server.security]}
            {server.authEnabled ? ', logging in as saved' : ', without login'}. Nothing is sent.
          </p>
          {run.running ? <ProbeProgress target={smtpAddress(server.host, server.port)} elapsedSeconds={run.elapsedSeconds} sendingTestEmail={false} /> : null}
          {run.error ? <Alert kind="error">{run.error.fields.length ? run.error.fields.map((f) => sentence(f.message)).join(' ') : run.error.message}</Alert> : null}
          {run.outcome && !run.running ? <ProbeResultView result={run.outcome.result} /> : null}
        </>
      ) : null}
    </Dialog>
  );
}
