// "Test connection" in the mail server form, above Save. A saved server whose connection settings
// are unchanged is tested as saved (POST /mail-servers/:id/test: the result is kept in "Recent
// tests"); anything else tests the values typed in the form (POST /mail-server-tests, nothing kept).
// With changed host, port, security or mechanism the API will not use the saved password, so the
// panel asks for it to be typed again.
import { useState } from 'react';
import { ApiError } from '../../api/client.ts';
import type { MailServer, MailServerInput, ProbeSuggestion } from '../../api/types.ts';
import { useSignedIn } from '../../app/session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { CheckboxField, TextField } from '../../ui/field.tsx';
import { MECHANISM_LABELS, SECURITY_LABELS, smtpAddress } from '../../ui/format.ts';
import { connectionTestsApi } from './connection-tests-api.ts';
import { sentence } from './probe-labels.ts';
import { ProbeProgress } from './probe-progress.tsx';
import { ProbeResultView } from './probe-result-view.tsx';
import { useProbeRun } from './use-probe-run.ts';

/** The id of the form's password input, so "Type the password" can take the admin there. */
export const PASSWORD_INPUT_ID = 'mail-server-password';

export interface ConnectionTestPanelProps {
  /** The server being edited; undefined while creating a new one. */
  serverId?: string;
  /** The server as saved (null while creating). */
  saved: MailServer | null;
  /** The form's current values as a MailServerInput (password only if typed in this form). */
  draft: MailServerInput;
  /** Puts a test's suggestion (security, port, maybe the mechanism) into the form. */
  onApplySuggestion: (suggestion: ProbeSuggestion) => void;
  /** A saved server was tested: its kept results changed. */
  onTested?: () => void;
}

/** Names of the API's field paths, for errors that have no input in this panel. */
const FIELD_LABELS: Record<string, string> = {
  host: 'SMTP host',
  port: 'Port',
  security: 'Security',
  username: 'Username',
  'auth.username': 'Username',
  authMechanism: 'Authentication mechanism',
  'auth.mechanism': 'Authentication mechanism',
  from: 'Default From address',
  fromAddress: 'Default From address',
  passwordRef: 'Secret reference',
};

export function ConnectionTestPanel({ serverId, saved, draft, onApplySuggestion, onTested }: ConnectionTestPanelProps) {
  const session = useSignedIn();
  const run = useProbeRun();
  const [sendTestEmail, setSendTestEmail] = useState(false);
  const [to, setTo] = useState(session.user.email);
  const [localError, setLocalError] = useState<string | null>(null);
  const [testedKey, setTestedKey] = useState<string | null>(null);
  const [applied, setApplied] = useState<ProbeSuggestion | null>(null);
  /** The recipient was edited since the API refused it: its error no longer applies. */
  const [toEdited, setToEdited] = useState(false);

  const asSaved = serverId !== undefined && saved !== null && !testSettingsChanged(saved, draft);
  const currentKey = testSettingsKey(draft);

  async function test() {
    setLocalError(null);
    setToEdited(false);
    if (!draft.host) {
      setLocalError('Enter the SMTP host first.');
      return;
    }
    if (!Number.isInteger(draft.port) || draft.port < 1 || draft.port > 65535) {
      setLocalError('Enter a port number between 1 and 65535 first.');
      return;
    }
    const options = { sendTestEmail, to: sendTestEmail ? to.trim() || null : null };
    const savedId = asSaved ? serverId : undefined;
    const outcome = await run.start(async (signal) => {
      if (savedId) {
        const kept = await connectionTestsApi.testSaved(savedId, options, signal);
        return { result: kept.result, sentTo: kept.ok && kept.sentTestEmail ? kept.testAddress : null };
      }
      const result = await connectionTestsApi.testUnsaved({ ...draft, serverId: serverId ?? null }, options, signal);
      return { result, sentTo: result.ok && options.sendTestEmail ? options.to ?? session.user.email : null };
    });
    setTestedKey(currentKey);
    setApplied(null);
    if (outcome && savedId) onTested?.();
  }

  const errors = run.error ? splitErrors(run.error) : null;
  const outcome = run.outcome;
  let note: string | null = null;
  if (outcome && applied) {
    note = `Applied: Security ${SECURITY_LABELS[applied.security]}, port ${applied.port}${applied.authMechanism ? `, ${MECHANISM_LABELS[applied.authMechanism]} login` : ''}. Test again to check, then save.`;
  } else if (outcome && testedKey !== currentKey) {
    note = 'The settings changed since this test: test again to check them.';
  }

  return (
    <fieldset className="card form-section test-panel">
      <legend className="form-section__title">Test connection</legend>
      <p className="form-section__note">
        Mailroom connects to the server step by step and logs in, and tells you in plain words what is wrong and how to fix it.
        No email is sent unless you ask for a test email.
      </p>
      <CheckboxField
        label="Also send a test email"
        checked={sendTestEmail}
        onChange={(on) => {
          setSendTestEmail(on);
          if (!on) setTo((current) => current || session.user.email);
        }}
        hint="A short fixed message, to check that mail really arrives."
      />
      {sendTestEmail ? (
        <TextField
          label="Send the test email to"
          type="email"
          value={to}
          onChange={(v) => {
            setTo(v);
            setToEdited(true);
          }}
          onKeyDown={(e) => {
            // Enter here means "test", not "save the form".
            if (e.key === 'Enter') {
              e.preventDefault();
              if (!run.running) void test();
            }
          }}
          error={toEdited ? undefined : errors?.to}
          hint="Your own address or a person of this company."
          autoComplete="email"
          spellCheck={false}
          className="test-panel__recipient"
        />
      ) : null}

      <div className="test-panel__actions">
        <button type="button" className="button" onClick={() => void test()} disabled={run.running}>
          {run.running ? 'Testing…' : 'Test connection'}
        </button>
        <span className="test-panel__scope">
          {asSaved
            ? 'Tests the saved settings; the result is kept under “Recent tests”.'
            : serverId !== undefined
              ? 'Tests the values in this form, before you save them.'
              : 'Tests the values in this form; nothing is saved.'}
        </span>
      </div>

      {run.running ? (
        <ProbeProgress target={smtpAddress(draft.host, draft.port)} elapsedSeconds={run.elapsedSeconds} sendingTestEmail={sendTestEmail} onCancel={run.cancel} />
      ) : null}
      {localError ? <Alert kind="error">{localError}</Alert> : null}
      {errors?.password ? (
        <Alert kind="warning" title="Type the password to test these settings">
          <p>
            {saved?.hasPassword
              ? 'The saved password is used only with the saved host, port, security and authentication mechanism, so that it never goes to a server it was not meant for. Type it again in the password field, then test.'
              : 'Authentication is on: enter the password in the password field, then test.'}
          </p>
          <button type="button" className="link-button" onClick={() => focusPassword()}>Go to the password field</button>
        </Alert>
      ) : null}
      {errors?.general ? (
        <Alert kind="error" title={errors.general.title}>
          {errors.general.items.length ? <ul>{errors.general.items.map((x) => <li key={x}>{x}</li>)}</ul> : null}
        </Alert>
      ) : null}
      {outcome && !run.running ? (
        <ProbeResultView
          result={outcome.result}
          sentTo={outcome.sentTo}
          note={note}
          onApplySuggestion={
            applied
              ? undefined
              : (s) => {
                  onApplySuggestion(s);
                  setApplied(s);
                }
          }
        />
      ) : null}
    </fieldset>
  );
}

function focusPassword(): void {
  const input = document.getElementById(PASSWORD_INPUT_ID);
  if (!input) return;
  input.scrollIntoView({ block: 'center' });
  input.focus();
}

interface PanelErrors {
  to?: string;
  password?: string;
  general?: { title: string; items: string[] };
}

/** A refused test: the recipient's error under its field, the password prompt, the rest as a list. */
function splitErrors(err: ApiError): PanelErrors {
  const out: PanelErrors = {};
  const rest: string[] = [];
  for (const f of err.fields) {
    if (f.field === 'to') out.to ??= sentence(f.message);
    else if (f.field === 'password' || f.field === 'auth.password') out.password ??= f.message;
    else rest.push(`${FIELD_LABELS[f.field] ?? f.field}: ${f.message}`);
  }
  if (rest.length) out.general = { title: 'The test did not run: some settings need attention.', items: rest };
  else if (err.fields.length === 0) out.general = { title: err.message, items: [] };
  return out;
}

/** Everything the probe uses: when any of it differs from what is saved, the saved test would not test the form. */
function testSettingsChanged(saved: MailServer, draft: MailServerInput): boolean {
  if (saved.host.trim().toLowerCase() !== draft.host.trim().toLowerCase()) return true;
  if (saved.port !== draft.port || saved.security !== draft.security || saved.authEnabled !== draft.authEnabled) return true;
  if (saved.fromAddress !== draft.fromAddress || saved.allowInvalidCert !== draft.allowInvalidCert) return true;
  if (!draft.authEnabled) return false;
  if (saved.authMechanism !== draft.authMechanism || (saved.username ?? null) !== (draft.username ?? null)) return true;
  if (draft.password) return true;
  // Omitted (authentication off while editing) keeps the saved reference.
  return draft.passwordRef !== undefined && (draft.passwordRef ?? null) !== (saved.passwordRef ?? null);
}

/** What a result was tested with, to say when the form has moved on since. */
function testSettingsKey(d: MailServerInput): string {
  return JSON.stringify([d.host, d.port, d.security, d.authEnabled, d.authMechanism, d.username, d.password ?? '', d.passwordRef, d.fromAddress, d.allowInvalidCert]);
}
