// Live warnings while the admin types: combinations that cannot work or are unsafe (SSL/TLS on 587,
// password login at Google or Microsoft, smtp.google.com…), asked of POST /mail-server-warnings once
// the host, port, security or authentication settle for a moment. Warnings never block saving, so a
// failed request just shows none.
import { useEffect, useState } from 'react';
import type { AuthMechanism, SecurityMode, SettingsWarning } from '../../api/types.ts';
import { connectionTestsApi } from './connection-tests-api.ts';

/** Wait this long after the last keystroke before asking, so typing a host does not fire a request per letter. */
export const WARNINGS_DEBOUNCE_MS = 400;

export interface WarningInputs {
  host: string;
  /** null while the port box holds no valid port: nothing is asked then. */
  port: number | null;
  security: SecurityMode;
  authEnabled: boolean;
  authMechanism: AuthMechanism;
  preset: string;
}

/** The messages of the current warnings for one form field, or undefined when it has none. */
export type WarningsForField = (field: SettingsWarning['field']) => string[] | undefined;

export function useSettingsWarnings(inputs: WarningInputs): WarningsForField {
  const [warnings, setWarnings] = useState<SettingsWarning[]>([]);
  const { host, port, security, authEnabled, authMechanism, preset } = inputs;

  useEffect(() => {
    if (host.trim() === '' || port === null) {
      setWarnings([]);
      return;
    }
    const ctrl = new AbortController();
    const timer = window.setTimeout(() => {
      connectionTestsApi
        .warnings({ host: host.trim(), port, security, authEnabled, authMechanism: authEnabled ? authMechanism : null, preset }, ctrl.signal)
        .then((items) => !ctrl.signal.aborted && setWarnings(items))
        .catch(() => !ctrl.signal.aborted && setWarnings([]));
    }, WARNINGS_DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
      ctrl.abort();
    };
  }, [host, port, security, authEnabled, authMechanism, preset]);

  return (field) => {
    const messages = warnings.filter((w) => w.field === field).map((w) => w.message);
    return messages.length ? messages : undefined;
  };
}
