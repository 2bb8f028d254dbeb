import type { SessionStore } from '../../core/ports.ts';
import type { Db } from './kysely-store.ts';

export function sessionStore(db: Db): SessionStore {
  return {
    async get(id) {
      const r = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return r && { id: r.id, userId: r.user_id, csrfToken: r.csrf_token, createdAt: r.created_at, expiresAt: r.expires_at };
    },
    async insert(s) {
      await db.insertInto('sessions').values({
        id: s.id, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt,
      }).execute();
    },
    async delete(id) {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async deleteForUser(userId, exceptId) {
      let q = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (exceptId) q = q.where('id', '!=', exceptId);
      await q.execute();
    },
    async deleteExpired(nowIso) {
      await db.deleteFrom('sessions').where('expires_at', '<', nowIso).execute();
    },
  };
}
