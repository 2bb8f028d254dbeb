// Calls for API keys (docs/api.md "Companies, users, API keys").
import { api } from '../../api/client.ts';
import type { ApiKeyItem, CreatedApiKey, Items } from '../../api/types.ts';

export const apiKeysApi = {
  list: (signal?: AbortSignal) => api.get<Items<ApiKeyItem>>('/api-keys', { signal }).then((r) => r.items),
  create: (name: string) => api.post<CreatedApiKey>('/api-keys', { name }),
  revoke: (id: string) => api.delete(`/api-keys/${encodeURIComponent(id)}`),
};
