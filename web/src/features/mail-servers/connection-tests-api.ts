// Calls for "Test connection", kept results, form warnings and the support bundle
// (docs/api.md "Connection tests").
import { api, download } from '../../api/client.ts';
import type { ConnectionTest, Items, MailServerInput, ProbeResult, SettingsWarning, TestOptions, WarningSettings } from '../../api/types.ts';

const one = (id: string) => `/mail-servers/${encodeURIComponent(id)}`;

export const connectionTestsApi = {
  /** Tests a saved server with its saved password; the result is kept with the server. */
  testSaved: (id: string, options: TestOptions, signal?: AbortSignal) => api.post<ConnectionTest>(`${one(id)}/test`, options, { signal }),
  /**
   * Tests the values typed in the form (not kept). With `serverId`, the saved password is used only
   * while host, port, security and mechanism are unchanged: otherwise the API asks for it (field `password`).
   */
  testUnsaved: (input: Partial<MailServerInput> & { serverId?: string | null }, options: TestOptions, signal?: AbortSignal) =>
    api.post<ProbeResult>('/mail-server-tests', { ...input, ...options }, { signal }),
  history: (id: string, signal?: AbortSignal) => api.get<Items<ConnectionTest>>(`${one(id)}/tests`, { signal }).then((r) => r.items),
  warnings: (settings: WarningSettings, signal?: AbortSignal) => api.post<Items<SettingsWarning>>('/mail-server-warnings', settings, { signal }).then((r) => r.items),
  supportBundle: (id: string) => download(`${one(id)}/support-bundle`),
};
