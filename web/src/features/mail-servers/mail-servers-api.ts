// Calls for the outgoing mail servers area (docs/api.md "Outgoing mail servers").
import { api } from '../../api/client.ts';
import type { Items, MailServer, MailServerInput, MailServerPreset, MailServerVersion } from '../../api/types.ts';

const base = '/mail-servers';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

export const mailServersApi = {
  presets: (signal?: AbortSignal) => api.get<Items<MailServerPreset>>('/mail-server-presets', { signal }).then((r) => r.items),
  list: (signal?: AbortSignal) => api.get<Items<MailServer>>(base, { signal }).then((r) => r.items),
  get: (id: string, signal?: AbortSignal) => api.get<MailServer>(one(id), { signal }),
  /** `sendTestEmailTo`: test the server right after saving and send it the test email (seed 002). */
  create: (input: MailServerInput, sendTestEmailTo?: string) => api.post<MailServer>(base, input, { query: { sendTestEmailTo } }),
  update: (id: string, input: Partial<MailServerInput>, sendTestEmailTo?: string) => api.patch<MailServer>(one(id), input, { query: { sendTestEmailTo } }),
  remove: (id: string, replacementId?: string) => api.delete(one(id), { query: { replacementId } }),
  duplicate: (id: string) => api.post<MailServer>(`${one(id)}/duplicate`),
  makeDefault: (id: string) => api.post<MailServer>(`${one(id)}/default`),
  /** The company's fallback: it carries the mail while the company's own server is held. */
  makeFallback: (id: string) => api.post<MailServer>(`${one(id)}/fallback`),
  /** No fallback any more: held mail then waits for the fix. */
  stopFallback: (id: string) => api.delete(`${one(id)}/fallback`),
  versions: (id: string, signal?: AbortSignal) => api.get<Items<MailServerVersion>>(`${one(id)}/versions`, { signal }).then((r) => r.items),
  rollback: (id: string, version: number) => api.post<MailServer>(`${one(id)}/versions/${version}/rollback`),
};
