// Calls for companies (docs/api.md "Companies, users, API keys").
import { api } from '../../api/client.ts';
import type { Company, Items } from '../../api/types.ts';

export const companiesApi = {
  /** Companies the caller may act for. docs/api.md does not say whether this is wrapped in {items}; both are accepted. */
  list: async (signal?: AbortSignal): Promise<Company[]> => {
    const r = await api.get<Items<Company> | Company[]>('/companies', { signal, noCompany: true });
    return Array.isArray(r) ? r : r.items;
  },
  create: (input: { name: string; slug: string; parentId?: string }) => api.post<Company>('/companies', input),
};
