// Calls for the people of the acting company (docs/api.md "Companies, users, API keys").
import { api } from '../../api/client.ts';
import type { Items, Role, User } from '../../api/types.ts';

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  /** The initial password; the person changes it under My account. */
  password: string;
}

export const usersApi = {
  list: (signal?: AbortSignal) => api.get<Items<User>>('/users', { signal }).then((r) => r.items),
  create: (input: NewUser) => api.post<User>('/users', input),
};
