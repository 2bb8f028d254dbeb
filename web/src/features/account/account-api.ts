// Personal settings (docs/api.md "Setup and session": GET/PATCH /me). Every signed-in person,
// members included, may change their own name and password.
import { api } from '../../api/client.ts';
import type { User } from '../../api/types.ts';

export const accountApi = {
  changeName: (name: string) => api.patch<User>('/me', { name }, { noCompany: true }),
  /** Needs the current password; signs out every other session of this person. */
  changePassword: (currentPassword: string, newPassword: string) =>
    api.patch<User>('/me', { currentPassword, newPassword }, { noCompany: true }),
};
