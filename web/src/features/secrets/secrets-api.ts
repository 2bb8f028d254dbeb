// Calls for the internal secret manager (docs/api.md "Secrets"). Values go in, never come out.
import { api } from '../../api/client.ts';
import type { Items, SecretItem } from '../../api/types.ts';

const one = (name: string) => `/secrets/${encodeURIComponent(name)}`;

export const secretsApi = {
  list: (signal?: AbortSignal) => api.get<Items<SecretItem>>('/secrets', { signal }).then((r) => r.items),
  put: (name: string, value: string, description: string | null) => api.put<SecretItem>(one(name), { value, description }),
  remove: (name: string) => api.delete(one(name)),
};
