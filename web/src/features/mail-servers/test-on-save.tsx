// Seed 002's "Enter a test email address that will be sent when you click Save": an optional
// address next to Save, sent as ?sendTestEmailTo=. The save answer then carries the test's result
// (`testResult`, kept like any test of the saved server) or why it did not run (`testError`).
import type { MailServer } from '../../api/types.ts';
import { Alert } from '../../ui/alert.tsx';
import { TextField } from '../../ui/field.tsx';
import { ProbeResultView } from './probe-result-view.tsx';

interface TestOnSaveFieldProps {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  /** The signed-in admin's address: offered as the usual choice. */
  ownAddress: string;
}

export function TestOnSaveField({ value, onChange, error, ownAddress }: TestOnSaveFieldProps) {
  return (
    <TextField
      label="Send a test email to this address when I save"
      type="email"
      value={value}
      onChange={onChange}
      error={error}
      placeholder={ownAddress}
      autoComplete="email"
      spellCheck={false}
      className="test-on-save"
      hint={
        <>
          Optional: leave it empty to save without sending. Your own address or a person of this company.{' '}
          {value.trim() === '' ? (
            <button type="button" className="link-button" onClick={() => onChange(ownAddress)}>Use my address</button>
          ) : null}
        </>
      }
    />
  );
}

export type SaveTest =
  | { kind: 'none' }
  | { kind: 'sent'; to: string }
  | { kind: 'failed'; test: NonNullable<MailServer['testResult']> }
  | { kind: 'not-run'; message: string; toError?: string };

/** What the save answer says about the test that was asked for. */
export function saveTestOf(saved: MailServer): SaveTest {
  if (saved.testResult) {
    return saved.testResult.ok ? { kind: 'sent', to: saved.testResult.testAddress ?? '' } : { kind: 'failed', test: saved.testResult };
  }
  if (saved.testError) {
    const fields = saved.testError.fields ?? [];
    const to = fields.find((f) => f.field === 'to');
    const password = fields.find((f) => f.field === 'password');
    let message = saved.testError.message;
    if (to) message = `The test email was not sent: ${to.message}.`;
    else if (password) message = 'The test email was not sent: no password is saved for this server. Type the password and save again.';
    return { kind: 'not-run', message, toError: to ? to.message : undefined };
  }
  return { kind: 'none' };
}

/** A sentence for the message shown after saving. */
export function saveTestSentence(test: SaveTest): string {
  switch (test.kind) {
    case 'none':
      return '';
    case 'sent':
      return `Test email sent to ${test.to}: check that it arrived (also in the spam folder).`;
    case 'failed':
      return `The test after saving failed: ${test.test.result.message} “Recent tests” below shows the fix and the server's reply.`;
    case 'not-run':
      return test.message;
  }
}

/** On the edit page after a save whose test did not pass: the result, so the fix is right there. */
export function SaveTestOutcome({ test }: { test: SaveTest }) {
  if (test.kind === 'failed') {
    return (
      <section className="card save-test-outcome" aria-label="Test after saving">
        <h2 className="card__title">Saved, but the test email was not sent</h2>
        <ProbeResultView result={test.test.result} />
      </section>
    );
  }
  if (test.kind === 'not-run') {
    return <Alert kind="warning" title="Saved, but no test email was sent">{test.message}</Alert>;
  }
  return null;
}
