import type { Role, User } from '../../core/model.ts';
import type { UserStore } from '../../core/ports.ts';
import type { UsersTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';
import { fromBool, toBool } from './row-codec.ts';

const toUser = (r: UsersTable): User => ({
  id: r.id, companyId: r.company_id, email: r.email, name: r.name, role: r.role as Role,
  passwordHash: r.password_hash, disabled: toBool(r.disabled), createdAt: r.created_at,
});

export function userStore(db: Db): UserStore {
  return {
    async get(id) {
      const r = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toUser(r);
    },
    async getByEmail(email) {
      const r = await db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
      return r && toUser(r);
    },
    async listByCompany(companyId) {
      return (await db.selectFrom('users').selectAll().where('company_id', '=', companyId).orderBy('email').execute()).map(toUser);
    },
    async insert(u) {
      await db.insertInto('users').values({
        id: u.id, company_id: u.companyId, email: u.email.toLowerCase(), name: u.name, role: u.role,
        password_hash: u.passwordHash, disabled: fromBool(u.disabled), created_at: u.createdAt,
      }).execute();
    },
    async update(u) {
      await db.updateTable('users').set({
        email: u.email.toLowerCase(), name: u.name, role: u.role, password_hash: u.passwordHash, disabled: fromBool(u.disabled),
      }).where('id', '=', u.id).execute();
    },
    async count() {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
