// Create or edit an outgoing mail server. Only the fields that apply are shown: authentication
// fields only when authentication is on, "Make available for" only to system admins.
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiWarning, Company, MailServer, MailServerPreset, SecretItem, SecurityMode, AuthMechanism } from '../../api/types.ts';
import { errorMessage } from '../../api/client.ts';
import { useSignedIn } from '../../app/session.tsx';
import { href, navigate } from '../../app/router.ts';
import { setFlash } from '../../app/flash.ts';
import { Alert } from '../../ui/alert.tsx';
import { CheckboxField, FieldError, RadioGroup, SelectField, TextField, describedBy, type Option } from '../../ui/field.tsx';
import { Loading, PageHeader } from '../../ui/page-header.tsx';
import { useSubmission } from '../../ui/use-submission.ts';
import { MECHANISM_LABELS, SECURITY_LABELS } from '../../ui/format.ts';
import { companiesApi } from '../companies/companies-api.ts';
import { secretsApi } from '../secrets/secrets-api.ts';
import { mailServersApi } from './mail-servers-api.ts';
import {
  CUSTOM_PRESET, USUAL_PORT, applyPreset, applySuggestion, changePort, changeSecurity, draftFromServer, emptyDraft, limitProblems, parsePort, toInput, warningText,
  type ServerDraft,
} from './server-draft.ts';
import { SendingLimitsSection } from './sending-limits-section.tsx';
import { ConnectionTestPanel, PASSWORD_INPUT_ID } from './connection-test-panel.tsx';
import { useSettingsWarnings } from './settings-warnings.ts';
import { SaveTestOutcome, TestOnSaveField, saveTestOf, saveTestSentence, type SaveTest } from './test-on-save.tsx';
import { RecentTests } from './recent-tests.tsx';
import { SupportBundleLink } from './support-bundle-link.tsx';
import { DeliveryPausedNotice, fallbackCoverFor, isPaused, type FallbackCover } from './delivery-state.tsx';
import { SendingDomainWarning } from '../domains/sending-domain-warning.tsx';

const SECURITY_OPTIONS: Option[] = (['none', 'starttls', 'tls'] as SecurityMode[]).map((v) => ({ value: v, label: SECURITY_LABELS[v] }));
const MECHANISM_OPTIONS: Option[] = (['plain', 'login', 'cram-md5', 'xoauth2'] as AuthMechanism[]).map((v) => ({ value: v, label: MECHANISM_LABELS[v] }));

/** The message for `field`, or for any path under it ("cc.1" → shown under CC). */
function pick(errors: Record<string, string>, field: string): string | undefined {
  if (errors[field]) return errors[field];
  const key = Object.keys(errors).find((k) => k.startsWith(`${field}.`) || k.startsWith(`${field}[`));
  return key ? errors[key] : undefined;
}

const CLAIMED_FIELDS = [
  'preset', 'name', 'host', 'port', 'security', 'authEnabled', 'authMechanism', 'username', 'password', 'passwordRef',
  'fromAddress', 'fromName', 'replyTo', 'errorTo', 'cc', 'bcc', 'customHeaders', 'hasRelay', 'allowInvalidCert', 'status', 'sharedWith',
  'maxConnections', 'rateLimitCount', 'rateLimitPeriod',
];

function warningList(warnings: ApiWarning[] | undefined): string[] {
  return (warnings ?? []).map((w) => (typeof w === 'string' ? warningText(w) : warningText(w.code, w.message)));
}

export function MailServerFormPage({ serverId }: { serverId?: string }) {
  const session = useSignedIn();
  const editing = serverId !== undefined;
  const [presets, setPresets] = useState<MailServerPreset[]>([]);
  const [secrets, setSecrets] = useState<SecretItem[] | null>(null);
  const [childCompanies, setChildCompanies] = useState<Company[]>([]);
  const [server, setServer] = useState<MailServer | null>(null);
  const [draft, setDraft] = useState<ServerDraft>(emptyDraft);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  const [portError, setPortError] = useState<string | undefined>();
  /** Sending limits that are not numbers, found before asking the API (which judges the ranges). */
  const [limitErrors, setLimitErrors] = useState<ReturnType<typeof limitProblems>>({});
  const [testOnSaveTo, setTestOnSaveTo] = useState('');
  const [saveTest, setSaveTest] = useState<SaveTest>({ kind: 'none' });
  /** Bumped after every kept test of this server, so "Recent tests" loads again. */
  const [testsVersion, setTestsVersion] = useState(0);
  const sub = useSubmission();
  /** For a paused server: whether the company's fallback carries its mail meanwhile. */
  const [fallbackCover, setFallbackCover] = useState<FallbackCover | undefined>(undefined);
  const paused = server !== null && isPaused(server);
  const liveWarnings = useSettingsWarnings({
    host: draft.host, port: parsePort(draft.port), security: draft.security, authEnabled: draft.authEnabled, authMechanism: draft.authMechanism, preset: draft.preset,
  });

  useEffect(() => {
    const ctrl = new AbortController();
    const { signal } = ctrl;
    (async () => {
      try {
        const [presetList, existing] = await Promise.all([
          mailServersApi.presets(signal),
          serverId ? mailServersApi.get(serverId, signal) : Promise.resolve(null),
        ]);
        if (signal.aborted) return;
        setPresets(presetList);
        if (existing) {
          setServer(existing);
          setDraft(draftFromServer(existing));
        }
        setLoading(false);
      } catch (err) {
        if (!signal.aborted) {
          setLoadError(errorMessage(err));
          setLoading(false);
        }
      }
      // Secondary lists: the page works without them.
      secretsApi.list(signal).then((s) => !signal.aborted && setSecrets(s), () => !signal.aborted && setSecrets([]));
      if (session.isSystemAdmin) {
        companiesApi.list(signal).then(
          (all) => !signal.aborted && setChildCompanies(all.filter((c) => c.parentId === session.actingCompany.id)),
          () => undefined,
        );
      }
    })();
    return () => ctrl.abort();
  }, [serverId, session.isSystemAdmin, session.actingCompany.id]);

  useEffect(() => {
    if (!paused || !server) return;
    const ctrl = new AbortController();
    mailServersApi.list(ctrl.signal).then((all) => !ctrl.signal.aborted && setFallbackCover(fallbackCoverFor(server, all)), () => undefined);
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [paused, server?.id]);

  const presetById = useMemo(() => new Map(presets.map((p) => [p.id, p])), [presets]);
  const presetOptions: Option[] = useMemo(() => {
    const opts = presets.filter((p) => p.id !== CUSTOM_PRESET).map((p) => ({ value: p.id, label: p.label }));
    return [...opts, { value: CUSTOM_PRESET, label: presetById.get(CUSTOM_PRESET)?.label ?? 'Custom (enter the details yourself)' }];
  }, [presets, presetById]);

  const { dismissField } = sub;
  const set = <K extends keyof ServerDraft>(key: K, value: ServerDraft[K]) => {
    dismissField(key);
    setDraft((d) => ({ ...d, [key]: value }));
  };
  const fe = sub.fieldErrors;
  const readOnly = editing && server !== null && server.owned === false;
  const input = toInput(draft, { includeSharedWith: session.isSystemAdmin, creating: !editing });

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const badPort = parsePort(draft.port) === null;
    const badLimits = limitProblems(draft);
    if (badPort || Object.keys(badLimits).length > 0) {
      setPortError(badPort ? 'Enter a port number between 1 and 65535.' : undefined);
      setLimitErrors(badLimits);
      sub.clear();
      // The sending limits sit far below the top: take the admin to the first field to fix.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.server-form [aria-invalid="true"]')?.focus());
      return;
    }
    setPortError(undefined);
    setLimitErrors({});
    setWarnings([]);
    setSaveTest({ kind: 'none' });
    const sendTestEmailTo = testOnSaveTo.trim() || undefined;
    const saved = await sub.run(() => (editing ? mailServersApi.update(serverId, input, sendTestEmailTo) : mailServersApi.create(input, sendTestEmailTo)));
    if (!saved) return;
    const all = saved.warnings ?? [];
    const passwordWarnings = all.filter((w) => typeof w !== 'string' && w.field === 'password');
    const test = saveTestOf(saved);
    if (test.kind !== 'none') setTestsVersion((v) => v + 1);
    if (passwordWarnings.length > 0 || test.kind === 'failed' || test.kind === 'not-run') {
      // Stay on the form: "type the password again" (PASSWORD_CLEARED), "no password saved"
      // (PASSWORD_MISSING) or a test after saving that did not pass asks the admin to act here and now.
      setServer(saved);
      setDraft(draftFromServer(saved));
      setWarnings(warningList(all));
      setSaveTest(test);
      if (!editing) {
        setFlash([`Mail server “${saved.name}” created.`, ...warningList(all), saveTestSentence(test)].filter(Boolean).join(' '), 'warning');
        navigate(`/mail-servers/${encodeURIComponent(saved.id)}/edit`, { replace: true });
      } else {
        window.scrollTo({ top: 0 });
      }
      return;
    }
    const done = [`Mail server “${saved.name}” ${editing ? 'saved' : 'created'}.`, ...warningList(all), saveTestSentence(test)].filter(Boolean).join(' ');
    setFlash(done, all.length > 0 ? 'warning' : 'success');
    navigate('/mail-servers');
  }

  if (loading) return <Loading />;
  if (loadError) {
    return (
      <>
        <PageHeader title={editing ? 'Edit mail server' : 'New mail server'} back={{ href: href('/mail-servers'), label: 'Mail servers' }} />
        <Alert kind="error">{loadError}</Alert>
      </>
    );
  }

  const selectedPreset = presetById.get(draft.preset);
  const usualPort = USUAL_PORT[draft.security];
  const portNumber = parsePort(draft.port);
  const unclaimed = sub.unclaimed(CLAIMED_FIELDS);

  return (
    <div className="form-page">
      <PageHeader
        title={editing ? `Edit mail server${server ? `: ${server.name}` : ''}` : 'New mail server'}
        description="The outgoing (SMTP) server this company's email is sent through. Your IT team or email provider has these values."
        back={{ href: href('/mail-servers'), label: 'Mail servers' }}
        actions={editing ? <a className="button" href={href(`/mail-servers/${encodeURIComponent(serverId)}/history`)}>History</a> : undefined}
      />
      {server ? <DeliveryPausedNotice server={server} fallback={fallbackCover} /> : null}
      {server && editing ? <SendingDomainWarning serverId={server.id} version={server.version} /> : null}
      {readOnly ? (
        <Alert kind="info" title="Shared with your company">
          This server belongs to a parent company and is made available to yours. Only its owner can change it.
        </Alert>
      ) : null}
      {warnings.length > 0 ? (
        <Alert kind="warning" title="Saved, with a warning">
          <ul>{warnings.map((w) => <li key={w}>{w}</li>)}</ul>
        </Alert>
      ) : null}
      <SaveTestOutcome test={saveTest} />
      {sub.error ? (
        <Alert kind="error" title={sub.error}>
          {unclaimed.length ? <ul>{unclaimed.map((x) => <li key={x.field}><code>{x.field}</code>: {x.message}</li>)}</ul> : null}
        </Alert>
      ) : null}

      <form className="server-form" onSubmit={onSubmit} noValidate aria-label={editing ? 'Edit mail server' : 'New mail server'}>
        <fieldset className="card form-section" disabled={readOnly}>
          <legend className="form-section__title">Server</legend>
          <div className="form-grid">
            <SelectField
              label="Provider preset"
              value={draft.preset}
              onChange={(id) => {
                ['preset', 'host', 'port', 'security', 'authMechanism'].forEach(dismissField);
                setDraft((d) => applyPreset(d, presetById.get(id), id));
              }}
              options={presetOptions}
              error={pick(fe, 'preset')}
              hint={selectedPreset?.note || 'Choosing a provider fills in the host, port, security and authentication for you.'}
              className="span-2"
            />
            <TextField label="Name" value={draft.name} onChange={(v) => set('name', v)} error={pick(fe, 'name')} required placeholder="e.g. Office 365 notifications" className="span-2" />
            <TextField
              label="SMTP host"
              value={draft.host}
              onChange={(v) => set('host', v)}
              error={pick(fe, 'host')}
              warnings={liveWarnings('host')}
              required
              placeholder="smtp.example.com"
              hint="Host name or IP address of the outgoing mail server."
              autoComplete="off"
              spellCheck={false}
            />
            <div className="form-grid form-grid--inner">
              <TextField
                label="Port"
                value={draft.port}
                onChange={(v) => {
                  setPortError(undefined);
                  dismissField('port');
                  setDraft((d) => changePort(d, v));
                }}
                error={portError ?? pick(fe, 'port')}
                warnings={liveWarnings('port')}
                required
                inputMode="numeric"
                autoComplete="off"
                hint={draft.portTyped && portNumber !== usualPort ? `Usual port for ${SECURITY_LABELS[draft.security]}: ${usualPort}` : undefined}
              />
              <SelectField
                label="Security"
                value={draft.security}
                onChange={(v) => {
                  dismissField('security');
                  dismissField('port');
                  setDraft((d) => changeSecurity(d, v as SecurityMode));
                }}
                options={SECURITY_OPTIONS}
                error={pick(fe, 'security')}
                warnings={liveWarnings('security')}
              />
            </div>
          </div>
          <p className="form-section__note">
            STARTTLS upgrades a plain connection (usually port 587); SSL/TLS encrypts from the first byte (usually port 465); None is for
            trusted internal relays only (usually port 25).
          </p>
        </fieldset>

        <fieldset className="card form-section" disabled={readOnly}>
          <legend className="form-section__title">Authentication</legend>
          <CheckboxField
            label="Use SMTP authentication"
            checked={draft.authEnabled}
            onChange={(v) => set('authEnabled', v)}
            error={pick(fe, 'authEnabled')}
            hint="Most providers require it. Turn it off only for a relay that trusts this machine's address."
          />
          {draft.authEnabled ? (
            <div className="form-grid">
              <SelectField
                label="Authentication mechanism"
                value={draft.authMechanism}
                onChange={(v) => set('authMechanism', v as AuthMechanism)}
                options={MECHANISM_OPTIONS}
                error={pick(fe, 'authMechanism')}
                warnings={liveWarnings('authMechanism')}
              />
              <TextField
                label="Username"
                value={draft.username}
                onChange={(v) => set('username', v)}
                error={pick(fe, 'username')}
                autoComplete="off"
                spellCheck={false}
                hint="Often the full email address of the sending account."
              />
              <PasswordSection
                draft={draft}
                setDraft={setDraft}
                server={server}
                secrets={secrets}
                passwordError={pick(fe, 'password')}
                refError={pick(fe, 'passwordRef')}
                dismissField={dismissField}
              />
            </div>
          ) : null}
        </fieldset>

        <fieldset className="card form-section" disabled={readOnly}>
          <legend className="form-section__title">Sender</legend>
          <div className="form-grid">
            <TextField
              label="Default From address"
              type="email"
              value={draft.fromAddress}
              onChange={(v) => set('fromAddress', v)}
              error={pick(fe, 'fromAddress')}
              required
              placeholder="notifications@example.com"
              hint="The address recipients see as the sender. A shared mailbox works well."
            />
            <TextField label="From name" value={draft.fromName} onChange={(v) => set('fromName', v)} error={pick(fe, 'fromName')} placeholder="Example Ltd" />
            <TextField
              label="Reply-to"
              type="email"
              value={draft.replyTo}
              onChange={(v) => set('replyTo', v)}
              error={pick(fe, 'replyTo')}
              hint="Where replies go, if not to the From address."
            />
            <TextField
              label="Error-to (bounces)"
              type="email"
              value={draft.errorTo}
              onChange={(v) => set('errorTo', v)}
              error={pick(fe, 'errorTo')}
              hint="Delivery failure reports are sent to this address."
            />
          </div>
        </fieldset>

        <fieldset className="card form-section" disabled={readOnly}>
          <legend className="form-section__title">Copies and headers</legend>
          <div className="form-grid">
            <TextField label="CC" value={draft.cc} onChange={(v) => set('cc', v)} error={pick(fe, 'cc')} hint="Receives a copy of every email. Separate addresses with commas." />
            <TextField label="BCC" value={draft.bcc} onChange={(v) => set('bcc', v)} error={pick(fe, 'bcc')} hint="Receives a blind copy. Separate addresses with commas." />
          </div>
          <CustomHeadersEditor draft={draft} setDraft={setDraft} errors={fe} dismissField={dismissField} />
        </fieldset>

        <fieldset className="card form-section" disabled={readOnly}>
          <legend className="form-section__title">Options</legend>
          <CheckboxField
            label="Server may send as other domains (has relay)"
            checked={draft.hasRelay}
            onChange={(v) => set('hasRelay', v)}
            error={pick(fe, 'hasRelay')}
            hint="Tick this only if the server is authorised to relay mail for From addresses outside its own domains."
          />
          <CheckboxField
            label="Allow invalid certificate (not recommended)"
            checked={draft.allowInvalidCert}
            onChange={(v) => set('allowInvalidCert', v)}
            error={pick(fe, 'allowInvalidCert')}
          />
          {draft.allowInvalidCert ? (
            <Alert kind="warning">
              Mailroom will not check the server's certificate. Anyone between Mailroom and the server could read the password and the
              mail. Use this only for a test server, and fix the certificate instead where you can.
            </Alert>
          ) : null}
          <RadioGroup
            legend="Status"
            name="status"
            value={draft.status}
            onChange={(v) => set('status', v as 'active' | 'inactive')}
            options={[{ value: 'active', label: 'Active' }, { value: 'inactive', label: 'Inactive' }]}
            error={pick(fe, 'status')}
            hint="An inactive server is kept but not used to send."
          />
        </fieldset>

        <SendingLimitsSection
          draft={draft}
          disabled={readOnly}
          onChange={(key, value) => {
            if (key === 'maxConnections' || key === 'rateLimitCount') setLimitErrors(({ [key]: _dropped, ...rest }) => rest);
            if (key === 'rateLimited') {
              setLimitErrors(({ rateLimitCount: _dropped, ...rest }) => rest);
              dismissField('rateLimitCount');
              dismissField('rateLimitPeriod');
            }
            set(key, value);
          }}
          errors={{
            maxConnections: limitErrors.maxConnections ?? pick(fe, 'maxConnections'),
            rateLimitCount: limitErrors.rateLimitCount ?? pick(fe, 'rateLimitCount'),
            rateLimitPeriod: pick(fe, 'rateLimitPeriod'),
          }}
        />

        {session.isSystemAdmin ? (
          <fieldset className="card form-section" disabled={readOnly}>
            <legend className="form-section__title">Make available for</legend>
            <p className="form-section__note">Child companies of {session.actingCompany.name} that may also send through this server.</p>
            {childCompanies.length === 0 ? (
              <p className="muted">
                {session.actingCompany.name} has no child companies yet. <a href={href('/companies')}>Add a company</a>
              </p>
            ) : (
              <div className="checkbox-list">
                {childCompanies.map((c) => (
                  <CheckboxField
                    key={c.id}
                    label={c.name}
                    checked={draft.sharedWith.includes(c.id)}
                    onChange={(on) => set('sharedWith', on ? [...draft.sharedWith, c.id] : draft.sharedWith.filter((id) => id !== c.id))}
                  />
                ))}
              </div>
            )}
            {pick(fe, 'sharedWith') ? <FieldError message={pick(fe, 'sharedWith')!} /> : null}
          </fieldset>
        ) : null}

        <ConnectionTestPanel
          serverId={serverId}
          saved={server}
          draft={input}
          onApplySuggestion={(suggestion) => {
            ['port', 'security', 'authMechanism'].forEach(dismissField);
            setPortError(undefined);
            setDraft((d) => applySuggestion(d, suggestion));
          }}
          onTested={() => setTestsVersion((v) => v + 1)}
        />

        {!readOnly ? (
          <TestOnSaveField
            value={testOnSaveTo}
            onChange={(v) => {
              setTestOnSaveTo(v);
              if (saveTest.kind === 'not-run') setSaveTest({ kind: 'none' });
            }}
            error={saveTest.kind === 'not-run' ? saveTest.toError : undefined}
            ownAddress={session.user.email}
          />
        ) : null}

        {!readOnly ? (
          <div className="form-actions">
            <button type="submit" className="button button--primary" disabled={sub.submitting}>
              {sub.submitting ? 'Saving…' : editing ? 'Save changes' : 'Create mail server'}
            </button>
            <a className="button" href={href('/mail-servers')}>Cancel</a>
          </div>
        ) : null}
      </form>

      {editing ? (
        <>
          <RecentTests serverId={serverId} refreshKey={testsVersion} />
          <SupportBundleLink serverId={serverId} />
        </>
      ) : null}
    </div>
  );
}

interface PasswordSectionProps {
  draft: ServerDraft;
  setDraft: (update: (d: ServerDraft) => ServerDraft) => void;
  server: MailServer | null;
  secrets: SecretItem[] | null;
  passwordError?: string;
  refError?: string;
  dismissField: (field: string) => void;
}

function PasswordSection({ draft, setDraft, server, secrets, passwordError, refError, dismissField }: PasswordSectionProps) {
  const savedTyped = !!server?.hasPassword && server.passwordSource !== 'reference';
  const internalName = draft.passwordRef.startsWith('secret:') ? draft.passwordRef.slice('secret:'.length) : '';
  let passwordHint: ReactNode = 'Stored encrypted and never shown again. Some providers (Google, Microsoft, iCloud, Yahoo) need an app password.';
  if (savedTyped) passwordHint = 'A password is saved — leave empty to keep it.';
  return (
    <div className="span-2 password-section">
      <RadioGroup
        legend="Password source"
        name="password-mode"
        value={draft.passwordMode}
        onChange={(v) => setDraft((d) => ({ ...d, passwordMode: v as 'typed' | 'reference' }))}
        options={[
          { value: 'typed', label: 'Type the password' },
          { value: 'reference', label: 'Use a secret reference' },
        ]}
      />
      {draft.passwordMode === 'typed' ? (
        <TextField
          id={PASSWORD_INPUT_ID}
          label={savedTyped ? 'New password' : 'Password'}
          type="password"
          value={draft.password}
          onChange={(v) => {
            dismissField('password');
            setDraft((d) => ({ ...d, password: v }));
          }}
          error={passwordError}
          autoComplete="new-password"
          hint={passwordHint}
          placeholder={savedTyped ? '•••••••• (saved)' : undefined}
          className="password-input"
        />
      ) : (
        <div className="form-grid">
          <SelectField
            label="Internal secret"
            value={internalName}
            onChange={(name) => {
              dismissField('passwordRef');
              setDraft((d) => ({ ...d, passwordRef: name ? `secret:${name}` : '' }));
            }}
            options={(secrets ?? []).map((s) => ({ value: s.name, label: s.description ? `${s.name} — ${s.description}` : s.name }))}
            placeholder={secrets === null ? 'Loading…' : secrets.length === 0 ? 'No secrets yet' : 'Choose a secret…'}
            hint={<>Secrets are managed on the <a href={href('/secrets')}>Secrets</a> page.</>}
          />
          <TextField
            label="Secret reference"
            value={draft.passwordRef}
            onChange={(v) => {
              dismissField('passwordRef');
              setDraft((d) => ({ ...d, passwordRef: v }));
            }}
            error={refError ?? passwordError}
            autoComplete="off"
            spellCheck={false}
            placeholder="secret:smtp-password"
            hint="secret:NAME, env:NAME, file:/path, vault:PATH#KEY, azure:NAME or conjur:VARIABLE."
          />
        </div>
      )}
    </div>
  );
}

interface CustomHeadersEditorProps {
  draft: ServerDraft;
  setDraft: (update: (d: ServerDraft) => ServerDraft) => void;
  errors: Record<string, string>;
  dismissField: (field: string) => void;
}

function CustomHeadersEditor({ draft, setDraft, errors, dismissField }: CustomHeadersEditorProps) {
  const rows = draft.customHeaders;
  const update = (i: number, key: 'name' | 'value', v: string) => {
    dismissField(`customHeaders.${i}.${key}`);
    setDraft((d) => ({ ...d, customHeaders: d.customHeaders.map((h, j) => (j === i ? { ...h, [key]: v } : h)) }));
  };
  const general = errors.customHeaders;
  return (
    <div className="headers-editor" role="group" aria-labelledby="custom-headers-title">
      <p className="field__label" id="custom-headers-title">Custom headers</p>
      <p className="field__hint">Added to every email sent through this server, e.g. <code>X-Campaign: onboarding</code>.</p>
      {rows.length > 0 ? (
        <table className="headers-editor__table">
          <thead>
            <tr>
              <th scope="col">Header name</th>
              <th scope="col">Value</th>
              <th scope="col"><span className="visually-hidden">Remove</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((h, i) => {
              const nameErr = errors[`customHeaders.${i}.name`] ?? errors[`customHeaders.${i}`];
              const valueErr = errors[`customHeaders.${i}.value`];
              const nameId = `header-name-${i}`;
              const valueId = `header-value-${i}`;
              return (
                <tr key={i}>
                  <td>
                    <input
                      id={nameId}
                      className="input"
                      aria-label={`Header name ${i + 1}`}
                      value={h.name}
                      onChange={(e) => update(i, 'name', e.target.value)}
                      aria-invalid={nameErr ? true : undefined}
                      aria-describedby={describedBy(nameId, undefined, nameErr)}
                      placeholder="X-Example"
                      spellCheck={false}
                    />
                    {nameErr ? <FieldError id={`${nameId}-error`} message={nameErr} /> : null}
                  </td>
                  <td>
                    <input
                      id={valueId}
                      className="input"
                      aria-label={`Header value ${i + 1}`}
                      value={h.value}
                      onChange={(e) => update(i, 'value', e.target.value)}
                      aria-invalid={valueErr ? true : undefined}
                      aria-describedby={describedBy(valueId, undefined, valueErr)}
                    />
                    {valueErr ? <FieldError id={`${valueId}-error`} message={valueErr} /> : null}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="button button--small button--ghost"
                      aria-label={`Remove header ${i + 1}`}
                      onClick={() => setDraft((d) => ({ ...d, customHeaders: d.customHeaders.filter((_, j) => j !== i) }))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {general ? <FieldError message={general} /> : null}
      <button
        type="button"
        className="button button--small"
        onClick={() => setDraft((d) => ({ ...d, customHeaders: [...d.customHeaders, { name: '', value: '' }] }))}
      >
        + Add header
      </button>
    </div>
  );
}
