import type { ApiKey } from '../../core/model.ts';
import type { ApiKeyStore } from '../../core/ports.ts';
import type { ApiKeysTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';

const toApiKey = (r: ApiKeysTable): ApiKey => ({
  id: r.id, companyId: r.company_id, name: r.name, prefix: r.prefix, keyHash: r.key_hash,
  createdBy: r.created_by, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
});

export function apiKeyStore(db: Db): ApiKeyStore {
  return {
    async getByHash(keyHash) {
      const r = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
      return r && toApiKey(r);
    },
    async get(id) {
      const r = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toApiKey(r);
    },
    async listByCompany(companyId) {
      return (await db.selectFrom('api_keys').selectAll().where('company_id', '=', companyId).orderBy('created_at', 'desc').execute()).map(toApiKey);
    },
    async insert(k) {
      await db.insertInto('api_keys').values({
        id: k.id, company_id: k.companyId, name: k.name, prefix: k.prefix, key_hash: k.keyHash,
        created_by: k.createdBy, created_at: k.createdAt, last_used_at: k.lastUsedAt, revoked_at: k.revokedAt,
      }).execute();
    },
    async revoke(id, atIso) {
      await db.updateTable('api_keys').set({ revoked_at: atIso }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async touch(id, atIso) {
      await db.updateTable('api_keys').set({ last_used_at: atIso }).where('id', '=', id).execute();
    },
  };
}
