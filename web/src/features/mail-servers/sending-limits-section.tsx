// The mail server form's "Sending limits" card: how many connections Mailroom keeps open to the server,
// and an optional rate limit ("14 messages per second") for providers that cap sending.
import { useId } from 'react';
import type { RatePeriod } from '../../api/types.ts';
import { CheckboxField, FieldError, TextField, describedBy } from '../../ui/field.tsx';
import { RATE_PERIODS, type ServerDraft } from './server-draft.ts';

export type LimitField = 'maxConnections' | 'rateLimited' | 'rateLimitCount' | 'rateLimitPeriod';

interface SendingLimitsSectionProps {
  draft: ServerDraft;
  /** Changes one field (and clears its error). */
  onChange: <K extends LimitField>(key: K, value: ServerDraft[K]) => void;
  /** By the API's field name: maxConnections, rateLimitCount, rateLimitPeriod. */
  errors: Partial<Record<'maxConnections' | 'rateLimitCount' | 'rateLimitPeriod', string | undefined>>;
  disabled?: boolean;
}

export function SendingLimitsSection({ draft, onChange, errors, disabled }: SendingLimitsSectionProps) {
  const id = useId();
  const countId = `${id}-count`;
  const periodId = `${id}-period`;
  const countError = errors.rateLimitCount;
  const periodError = errors.rateLimitPeriod;
  return (
    <fieldset className="card form-section" disabled={disabled}>
      <legend className="form-section__title">Sending limits</legend>
      <TextField
        label="Connections at most"
        value={draft.maxConnections}
        onChange={(v) => onChange('maxConnections', v)}
        error={errors.maxConnections}
        inputMode="numeric"
        autoComplete="off"
        className="limits__connections"
        hint="How many connections Mailroom keeps open to this server at the same time: 1 to 50, usually 5. Lower it if the server refuses extra connections."
      />
      <CheckboxField
        label="Limit how fast mail is sent"
        checked={draft.rateLimited}
        onChange={(on) => onChange('rateLimited', on)}
        hint="Some providers limit sending, e.g. Amazon SES 14 per second; Mailroom also slows down by itself when the server says so."
      />
      {draft.rateLimited ? (
        <div className={`field rate-limit${countError || periodError ? ' field--invalid' : ''}`} role="group" aria-labelledby={`${id}-label`}>
          <span className="field__label" id={`${id}-label`}>Rate limit</span>
          <div className="rate-limit__row">
            <input
              id={countId}
              className="input rate-limit__count"
              aria-label="Number of messages"
              value={draft.rateLimitCount}
              onChange={(e) => onChange('rateLimitCount', e.target.value)}
              inputMode="numeric"
              autoComplete="off"
              placeholder="14"
              aria-invalid={countError ? true : undefined}
              aria-describedby={describedBy(countId, undefined, countError)}
            />
            <span className="rate-limit__words" aria-hidden="true">messages per</span>
            <select
              id={periodId}
              className="input input--select rate-limit__period"
              aria-label="Messages per"
              value={draft.rateLimitPeriod}
              onChange={(e) => onChange('rateLimitPeriod', e.target.value as RatePeriod)}
              aria-invalid={periodError ? true : undefined}
              aria-describedby={describedBy(periodId, undefined, periodError)}
            >
              {RATE_PERIODS.map((p) => <option key={p} value={p}>{p}</option>)}
            </select>
          </div>
          {countError ? <FieldError id={`${countId}-error`} message={countError} /> : null}
          {periodError ? <FieldError id={`${periodId}-error`} message={periodError} /> : null}
        </div>
      ) : null}
    </fieldset>
  );
}
