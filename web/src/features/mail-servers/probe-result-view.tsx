// One connection test result, the same wherever it is shown (the form's panel, the list's dialog,
// "Recent tests"): green or red, the message in plain words, the fix, where it failed and what the
// server said, the one-click suggestion, the stages with their times, what the server offered, and
// the transcript (already free of credentials: the API replaces them before answering).
import type { ReactNode } from 'react';
import type { ProbeResult, ProbeSuggestion } from '../../api/types.ts';
import { formatDuration } from '../../ui/format.ts';
import { replyText, stageLabel, suggestionAction } from './probe-labels.ts';
import { ProbeStageList } from './probe-stage-list.tsx';
import { ProbeTranscript } from './probe-transcript.tsx';
import { ServerOfferDetails } from './server-offer-details.tsx';

interface ProbeResultViewProps {
  result: ProbeResult;
  /** Where the test email went, when the test sent one. */
  sentTo?: string | null;
  /** Offered only where a form can take the change; elsewhere the suggestion is shown as text. */
  onApplySuggestion?: (suggestion: ProbeSuggestion) => void;
  /** A line under the headline, e.g. "The settings changed since this test." */
  note?: ReactNode;
}

export function ProbeResultView({ result, sentTo, onApplySuggestion, note }: ProbeResultViewProps) {
  const { ok } = result;
  const title = ok ? (sentTo ? `Test email sent to ${sentTo}` : 'Connection works') : 'Connection test failed';
  return (
    <section className={`probe-result probe-result--${ok ? 'ok' : 'failed'}`} aria-label="Test result">
      <div className="probe-result__head" role={ok ? 'status' : 'alert'}>
        <span className="probe-result__icon" aria-hidden="true">{ok ? '✓' : '✗'}</span>
        <div className="probe-result__summary">
          <p className="probe-result__title">{title}</p>
          <p className="probe-result__message">
            {result.message}
            {ok && sentTo ? ` Check the inbox of ${sentTo} (and its spam folder).` : ''}
          </p>
        </div>
        <span className="probe-result__meta">
          <code className="probe-result__code" title="Result code: quote it when you ask for help">{result.code}</code>
          <span className="probe-result__duration">{formatDuration(result.durationMs)}</span>
        </span>
      </div>
      {note ? <p className="probe-result__note">{note}</p> : null}

      {!ok ? (
        <div className="probe-result__diagnosis">
          {result.hint ? (
            <p className="probe-result__fix"><strong>How to fix it:</strong> {result.hint}</p>
          ) : null}
          <dl className="probe-facts">
            {result.stage ? (
              <div>
                <dt>Failed at</dt>
                <dd>{stageLabel(result.stage)} <code className="probe-facts__stage">{result.stage}</code></dd>
              </div>
            ) : null}
            {result.reply ? (
              <div>
                <dt>Server's reply</dt>
                <dd>
                  <code className="probe-facts__reply-code" title="SMTP reply code">{result.reply.code}</code>
                  {result.reply.enhanced ? <> <code title="Enhanced status code">{result.reply.enhanced}</code></> : null}
                  {' '}<span className="probe-facts__reply-text">{replyText(result.reply)}</span>
                </dd>
              </div>
            ) : null}
          </dl>
        </div>
      ) : null}

      {result.suggestion ? <SuggestionOffer suggestion={result.suggestion} onApply={onApplySuggestion} /> : null}

      <ProbeStageList stages={result.stages} />
      <ServerOfferDetails offered={result.offered} />
      <ProbeTranscript lines={result.transcript} />
    </section>
  );
}

function SuggestionOffer({ suggestion, onApply }: { suggestion: ProbeSuggestion; onApply?: (s: ProbeSuggestion) => void }) {
  return (
    <div className="probe-suggestion">
      <p className="probe-suggestion__text">
        <strong>Mailroom found settings that work on this server:</strong> {suggestion.text}
      </p>
      {onApply ? (
        <button type="button" className="button button--small button--primary" onClick={() => onApply(suggestion)}>
          {suggestionAction(suggestion)}
        </button>
      ) : null}
    </div>
  );
}
