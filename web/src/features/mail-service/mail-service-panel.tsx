// "Mail service" at the top of the Mail servers page: the seeds' choice between the built-in
// service and an external server (seed 002), with the test before "finish" (seed 004). Choosing a
// custom server runs its connection test, and the company switches only when it passes; a failed test
// shows the cause and the fix and says nothing changed. Going back to the built-in service is one
// click and needs no test. System administrators also choose what the built-in service does for the
// company: catch mail, or deliver it directly.
import { useEffect, useId, useMemo, useState } from 'react';
import type { MailServer } from '../../api/types.ts';
import { errorMessage } from '../../api/client.ts';
import { href } from '../../app/router.ts';
import { useSignedIn } from '../../app/session.tsx';
import { Alert } from '../../ui/alert.tsx';
import { SelectField } from '../../ui/field.tsx';
import { useAsync } from '../../ui/use-async.ts';
import { CATCHER_PATH } from '../catcher/catcher-api.ts';
import { PROBE_TIME_LIMIT_SECONDS, sentence } from '../mail-servers/probe-labels.ts';
import { ProbeResultView } from '../mail-servers/probe-result-view.tsx';
import { useProbeRun } from '../mail-servers/use-probe-run.ts';
import { mailServiceApi, type BuiltinDelivery, type MailServiceKind, type MailServiceState } from './mail-service-api.ts';

/** What the built-in service does, in plain words (the brief's wording, shown under its choice). */
export const BUILTIN_TEXT: Record<BuiltinDelivery, string> = {
  catch: 'Mail is kept in the Caught mail page and not delivered — for trying things out.',
  direct: 'Mailroom delivers straight to recipients’ mail servers, signed with DKIM; verify your sender addresses.',
};

const DELIVERY_LABELS: Record<BuiltinDelivery, string> = {
  catch: 'Catch mail (keep it in Caught mail)',
  direct: 'Deliver directly to recipients’ mail servers',
};

interface MailServicePanelProps {
  /** The page's list of servers; a new list (after any change on the page) reloads the setting too. */
  servers: MailServer[] | undefined;
  /** After a switch: the default server may have changed, so the page reloads its list. */
  onChanged: () => void;
}

type Notice = { kind: 'success' | 'error'; title?: string; text: string };

export function MailServicePanel({ servers, onChanged }: MailServicePanelProps) {
  const session = useSignedIn();
  const setting = useAsync((signal) => mailServiceApi.get(signal), [servers]);
  const [state, setState] = useState<MailServiceState | undefined>(undefined);
  const current = state ?? setting.data;
  useEffect(() => setState(undefined), [setting.data]);

  const active = useMemo(() => (servers ?? []).filter((s) => s.status === 'active'), [servers]);
  const byId = useMemo(() => new Map((servers ?? []).map((s) => [s.id, s])), [servers]);
  const [choice, setChoice] = useState<MailServiceKind | null>(null);
  const [serverId, setServerId] = useState('');
  const [notice, setNotice] = useState<Notice | null>(null);
  const [switchingBack, setSwitchingBack] = useState(false);
  const test = useProbeRun();
  /** The server the running (or last) test was for; null once the admin moved on from its result. */
  const [tested, setTested] = useState<{ id: string; name: string } | null>(null);
  const testedName = tested?.name ?? '';
  const busy = test.running || switchingBack;
  /** Any new choice puts the last test's result away. */
  const reset = () => {
    setNotice(null);
    if (!test.running) setTested(null);
  };

  const chosen = choice ?? current?.service ?? 'builtin';
  // The server list shows the current server, else the first active one.
  const currentServerActive = current?.mailServerId && active.some((s) => s.id === current.mailServerId) ? current.mailServerId : '';
  const pick = serverId && active.some((s) => s.id === serverId) ? serverId : currentServerActive || active[0]?.id || '';
  const pickName = byId.get(pick)?.name ?? 'the server';
  const currentName = current?.mailServerId ? byId.get(current.mailServerId)?.name ?? 'a deleted mail server' : 'no server';
  const onCustom = current?.service === 'custom';
  const needsSwitch = chosen === 'builtin' ? onCustom : !onCustom || pick !== current?.mailServerId;

  const ids = { builtin: useId(), custom: useId(), builtinText: useId(), customText: useId() };

  async function switchToBuiltin() {
    setSwitchingBack(true);
    reset();
    try {
      const { test: _none, ...next } = await mailServiceApi.change({ service: 'builtin' });
      setState(next);
      setChoice(null);
      setNotice({ kind: 'success', title: 'Now using the built-in mail service', text: `${BUILTIN_TEXT[next.builtinDelivery]} Mail already queued on ${currentName} still goes out through it.` });
      onChanged();
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    } finally {
      setSwitchingBack(false);
    }
  }

  async function switchToCustom() {
    if (!pick) return;
    const name = pickName;
    setTested({ id: pick, name });
    setNotice(null);
    await test.start(async () => {
      const answer = await mailServiceApi.switchTo({ service: 'custom', mailServerId: pick });
      if (answer.switched) {
        setState(answer.state);
        setChoice(null);
        setNotice({
          kind: 'success',
          title: `Now sending through ${name}`,
          text: `The connection test passed. New mail goes out through ${name}; mail already caught stays in Caught mail, where you can release it.`,
        });
        onChanged();
      }
      return { result: answer.test ?? passedWithoutResult(), sentTo: null };
    });
  }

  if (setting.error && !current) return <section className="card mail-service" aria-label="Mail service"><Alert kind="error">{setting.error}</Alert></section>;
  if (!current) return <section className="card mail-service" aria-label="Mail service" aria-busy="true"><p className="loading" role="status">Loading the mail service…</p></section>;

  const failed = tested && !test.running && test.outcome && !test.outcome.result.ok ? test.outcome.result : null;
  const failedServer = failed && tested ? byId.get(tested.id) : undefined;

  return (
    <section className="card mail-service" aria-labelledby="mail-service-title">
      <div className="mail-service__head">
        <div>
          <h2 className="card__title" id="mail-service-title">Mail service</h2>
          <p className="mail-service__lead muted">How this company’s email leaves Mailroom. Switching changes where new mail goes; mail already queued keeps its way out.</p>
        </div>
        <p className="mail-service__now" aria-live="polite">
          {onCustom ? (
            <>
              <span className="mail-service__dot mail-service__dot--custom" aria-hidden="true" />
              Now sending through <strong>{currentName}</strong>
              <button type="button" className="link-button mail-service__back" onClick={() => void switchToBuiltin()} disabled={busy}>
                {switchingBack ? 'Switching…' : 'Switch back to the built-in service'}
              </button>
            </>
          ) : (
            <>
              <span className={`mail-service__dot mail-service__dot--${current.builtinDelivery}`} aria-hidden="true" />
              Now using the <strong>built-in mail service</strong>{current.builtinDelivery === 'catch' ? ': mail is caught, not delivered' : ': direct delivery'}
            </>
          )}
        </p>
      </div>

      <fieldset className="mail-service__choices" disabled={busy}>
        <legend className="visually-hidden">Send this company’s email with</legend>
        <div className={`mail-service__option${chosen === 'builtin' ? ' mail-service__option--chosen' : ''}`}>
          <input type="radio" id={ids.builtin} name="mail-service" value="builtin" checked={chosen === 'builtin'} onChange={() => { setChoice('builtin'); reset(); }} aria-describedby={ids.builtinText} />
          <div className="mail-service__option-body">
            <label htmlFor={ids.builtin} className="mail-service__option-title">Built-in mail service</label>
            <p className="mail-service__option-text" id={ids.builtinText}>
              {BUILTIN_TEXT[current.builtinDelivery]}{' '}
              {current.builtinDelivery === 'catch'
                ? <a href={href(CATCHER_PATH)}>Open Caught mail</a>
                : <a href={href('/sender-addresses')}>Sender addresses</a>}
            </p>
          </div>
        </div>
        <div className={`mail-service__option${chosen === 'custom' ? ' mail-service__option--chosen' : ''}`}>
          <input type="radio" id={ids.custom} name="mail-service" value="custom" checked={chosen === 'custom'} onChange={() => { setChoice('custom'); reset(); }} aria-describedby={ids.customText} />
          <div className="mail-service__option-body">
            <label htmlFor={ids.custom} className="mail-service__option-title">Custom mail server</label>
            <p className="mail-service__option-text" id={ids.customText}>
              Mail goes out through your own SMTP server (your provider’s or your IT department’s), to real recipients. Mailroom tests the connection first and switches only when the test passes.
            </p>
            {chosen === 'custom' ? (
              active.length === 0 ? (
                <p className="mail-service__none">
                  No active mail server yet. <a href={href('/mail-servers/new')}>Add a mail server</a>, then choose it here.
                </p>
              ) : (
                <div className="mail-service__pick">
                  <SelectField label="Mail server" value={pick} onChange={(v) => { setServerId(v); reset(); }} options={active.map((s) => ({ value: s.id, label: s.name }))} className="mail-service__select" />
                </div>
              )
            ) : null}
          </div>
        </div>
        {needsSwitch && !(chosen === 'custom' && !pick) ? (
          <div className="form-actions form-actions--tight mail-service__actions">
            {chosen === 'builtin' ? (
              <button type="button" className="button button--primary" onClick={() => void switchToBuiltin()}>{switchingBack ? 'Switching…' : 'Use the built-in mail service'}</button>
            ) : (
              <button type="button" className="button button--primary" onClick={() => void switchToCustom()}>Test and switch to {pickName}</button>
            )}
            <button type="button" className="button button--ghost" onClick={() => { setChoice(null); setServerId(''); reset(); }}>Cancel</button>
          </div>
        ) : null}
      </fieldset>

      {test.running ? (
        <div className="probe-progress">
          <span className="spinner" aria-hidden="true" />
          <div className="probe-progress__body">
            <p className="probe-progress__title" role="status">Testing {testedName}…</p>
            <p className="probe-progress__note">
              Mailroom connects, logs in and checks the sender, as the Test button does. Nothing changes until the test passes. This takes at most {PROBE_TIME_LIMIT_SECONDS} seconds.
            </p>
          </div>
          <span className="probe-progress__seconds" aria-hidden="true">{test.elapsedSeconds} s</span>
        </div>
      ) : null}
      {tested && test.error && !test.running ? (
        <Alert kind="error" title="Nothing was switched">{test.error.fields.length ? test.error.fields.map((f) => sentence(f.message)).join(' ') : test.error.message}</Alert>
      ) : null}
      {failed ? (
        <div className="mail-service__failed">
          <Alert kind="error" title="Nothing was switched">
            <p>
              {testedName} did not pass its connection test, so Mailroom still uses {onCustom ? currentName : 'the built-in mail service'}. The test result
              below says what went wrong and how to fix it; then try again.
            </p>
            {failedServer && failedServer.owned !== false ? <p><a href={href(`/mail-servers/${encodeURIComponent(failedServer.id)}/edit`)}>Edit the settings of {failedServer.name}</a></p> : null}
          </Alert>
          <ProbeResultView result={failed} />
        </div>
      ) : null}
      {notice ? <Alert kind={notice.kind} title={notice.title} onDismiss={() => setNotice(null)}>{notice.text}</Alert> : null}

      {onCustom ? <FallbackToBuiltinChoice state={current} onChanged={(next) => { setState(next); setNotice(null); }} /> : null}
      {session.isSystemAdmin ? <BuiltinDeliveryChoice state={current} onChanged={(next) => { setState(next); setNotice(null); }} /> : null}
    </section>
  );
}

/** The switch answered 200 without a result (it never does for "custom"); shown as a plain pass. */
function passedWithoutResult() {
  return {
    ok: true, code: 'OK', stage: null, message: 'The connection test passed.', hint: null, reply: null, stages: [], transcript: [],
    offered: { extensions: [], authMechanisms: [], startTls: false, maxSize: null }, suggestion: null, startedAt: new Date().toISOString(), durationMs: 0,
  };
}

/** System administrators only: what the built-in service does for this company. */
function BuiltinDeliveryChoice({ state, onChanged }: { state: MailServiceState; onChanged: (next: MailServiceState) => void }) {
  const saved = state.builtinDeliveryOverride ?? '';
  const [value, setValue] = useState<string>(saved);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  useEffect(() => setValue(saved), [saved]);

  async function save() {
    setSaving(true);
    setMessage(null);
    try {
      const { test: _none, ...next } = await mailServiceApi.change({ builtinDelivery: value === '' ? null : (value as BuiltinDelivery) });
      onChanged(next);
      setMessage({ kind: 'success', text: `The built-in service now ${next.builtinDelivery === 'catch' ? 'catches this company’s mail' : 'delivers this company’s mail directly'}${next.builtinDeliveryOverride ? '' : ', as the instance does'}.` });
    } catch (err) {
      setMessage({ kind: 'error', text: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="mail-service__admin">
      <div className="mail-service__admin-row">
        <SelectField
          label="Built-in delivery for this company"
          value={value}
          onChange={(v) => { setValue(v); setMessage(null); }}
          options={[
            { value: '', label: `Follow the instance (${state.instanceBuiltinDelivery === 'catch' ? 'catch mail' : 'deliver directly'})` },
            { value: 'catch', label: DELIVERY_LABELS.catch },
            { value: 'direct', label: DELIVERY_LABELS.direct },
          ]}
          hint="System administrators only. Applies while the company uses the built-in service. The instance’s choice is MAILROOM_BUILTIN_DELIVERY."
          className="mail-service__delivery"
        />
        <button type="button" className="button" onClick={() => void save()} disabled={saving || value === saved}>{saving ? 'Saving…' : 'Save'}</button>
      </div>
      {message ? <Alert kind={message.kind} onDismiss={() => setMessage(null)}>{message.text}</Alert> : null}
    </div>
  );
}

/** While the custom server is paused by a configuration error, may the built-in service stand in? */
function FallbackToBuiltinChoice({ state, onChanged }: { state: MailServiceState; onChanged: (next: MailServiceState) => void }) {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const canDeliver = state.builtinDelivery === 'direct';
  async function toggle(on: boolean) {
    setSaving(true);
    setError(null);
    try {
      const { test: _none, ...next } = await mailServiceApi.change({ fallbackToBuiltin: on });
      onChanged(next);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  }
  return (
    <div className="mail-service__fallback">
      <label className="checkbox">
        <input type="checkbox" checked={Boolean(state.fallbackToBuiltin)} disabled={saving || (!canDeliver && !state.fallbackToBuiltin)} onChange={(e) => void toggle(e.target.checked)} />
        {' '}If the server is paused by a configuration error (a wrong password, a certificate problem), send mail from verified senders through the built-in service meanwhile
      </label>
      {!canDeliver ? <p className="muted">The built-in service catches this company’s mail instead of delivering it, so it cannot stand in.</p> : null}
      {error ? <Alert kind="error">{error}</Alert> : null}
    </div>
  );
}
