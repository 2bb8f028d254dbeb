// Calls and shapes for the company's mail service (docs/api.md "Mail service",
// docs/builtin-mail-service.md): the built-in service or a custom server.
import { api, ApiError } from '../../api/client.ts';
import type { ProbeResult } from '../../api/types.ts';

export type MailServiceKind = 'builtin' | 'custom';
/** What the built-in service does: keep mail in the catcher, or deliver it to recipients' MX hosts. */
export type BuiltinDelivery = 'catch' | 'direct';

export interface MailServiceState {
  service: MailServiceKind;
  /** The server "custom" sends through (the company default). */
  mailServerId: string | null;
  /** What the built-in service does for this company now. */
  builtinDelivery: BuiltinDelivery;
  /** The company's own choice (system admins set it), or null when it follows the instance. */
  builtinDeliveryOverride: BuiltinDelivery | null;
  instanceBuiltinDelivery: BuiltinDelivery;
  /** While the custom server is held, mail from verified senders goes out by built-in direct delivery. */
  fallbackToBuiltin?: boolean;
}

export interface MailServiceChange {
  service?: MailServiceKind;
  mailServerId?: string | null;
  /** System administrators only; null follows the instance. */
  builtinDelivery?: BuiltinDelivery | null;
  fallbackToBuiltin?: boolean;
}

/** A switch to a custom server: switched (with the test that allowed it), or refused by the test. */
export type SwitchOutcome =
  | { switched: true; state: MailServiceState; test: ProbeResult | null }
  | { switched: false; test: ProbeResult };

export const mailServiceApi = {
  get: (signal?: AbortSignal) => api.get<MailServiceState>('/mail-service', { signal }),
  change: (change: MailServiceChange) => api.put<MailServiceState & { test: ProbeResult | null }>('/mail-service', change),
  /**
   * Switching to a custom server runs its connection test first; a failed test answers 422
   * MAIL_SERVICE_TEST_FAILED with the probe's result, returned here as `switched: false`.
   */
  async switchTo(change: MailServiceChange): Promise<SwitchOutcome> {
    try {
      const { test, ...state } = await mailServiceApi.change(change);
      return { switched: true, state, test };
    } catch (err) {
      const test = err instanceof ApiError && err.code === 'MAIL_SERVICE_TEST_FAILED' ? (err.details?.test as ProbeResult | undefined) : undefined;
      if (test) return { switched: false, test };
      throw err;
    }
  },
};
