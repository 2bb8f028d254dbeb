// What the page shows while the probe runs: the probe answers only once it is done (up to 20 s), so
// this says what is happening and how long it may take, and offers to stop waiting.
import { PROBE_TIME_LIMIT_SECONDS } from './probe-labels.ts';

interface ProbeProgressProps {
  /** "smtp.example.com:587" */
  target: string;
  elapsedSeconds: number;
  sendingTestEmail: boolean;
  onCancel?: () => void;
}

export function ProbeProgress({ target, elapsedSeconds, sendingTestEmail, onCancel }: ProbeProgressProps) {
  return (
    <div className="probe-progress">
      <span className="spinner" aria-hidden="true" />
      <div className="probe-progress__body">
        <p className="probe-progress__title" role="status">
          {sendingTestEmail ? 'Testing and sending the test email' : 'Testing the connection'} to <span className="mono">{target}</span>…
        </p>
        <p className="probe-progress__note">
          Mailroom finds the server, connects, sets up encryption, logs in and checks the sender and recipient, one step at a
          time{sendingTestEmail ? ', then sends the test email' : ''}. This takes at most {PROBE_TIME_LIMIT_SECONDS} seconds.
        </p>
        <div className="probe-progress__meter">
          <progress max={PROBE_TIME_LIMIT_SECONDS} value={Math.min(elapsedSeconds, PROBE_TIME_LIMIT_SECONDS)} aria-label="Time used" />
          <span className="probe-progress__seconds" aria-hidden="true">{elapsedSeconds} s</span>
        </div>
      </div>
      {onCancel ? (
        <button type="button" className="button button--small button--ghost" onClick={onCancel}>Stop waiting</button>
      ) : null}
    </div>
  );
}
