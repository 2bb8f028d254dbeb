import type { ApiKey } from '../../core/model.ts';
import type { ApiKeyStore } from '../../core/ports.ts';
import type { ApiKeysTable } from '../db/schema.ts';
import { toCompany } from './company-store.ts';
import type { Db } from './kysely-store.ts';

const toApiKey = (r: ApiKeysTable): ApiKey => ({
  id: r.id, companyId: r.company_id, name: r.name, prefix: r.prefix, keyHash: r.key_hash,
  createdBy: r.created_by, createdAt: r.created_at, lastUsedAt: r.last_used_at, revokedAt: r.revoked_at,
});

export function apiKeyStore(db: Db): ApiKeyStore {
  return {
    async getByHashWithCompany(keyHash) {
      const r = await db.selectFrom('api_keys').innerJoin('companies as c', 'c.id', 'api_keys.company_id')
        .selectAll('api_keys')
        .select([
          'c.slug as c_slug', 'c.name as c_name', 'c.parent_id as c_parent_id', 'c.default_mail_server_id as c_default_mail_server_id',
          'c.fallback_mail_server_id as c_fallback_mail_server_id', 'c.mail_service as c_mail_service', 'c.builtin_delivery as c_builtin_delivery',
          'c.fallback_builtin as c_fallback_builtin', 'c.created_at as c_created_at',
        ])
        .where('api_keys.key_hash', '=', keyHash).executeTakeFirst();
      if (!r) return undefined;
      return {
        apiKey: toApiKey(r),
        company: toCompany({
          id: r.company_id, slug: r.c_slug, name: r.c_name, parent_id: r.c_parent_id, default_mail_server_id: r.c_default_mail_server_id,
          fallback_mail_server_id: r.c_fallback_mail_server_id, mail_service: r.c_mail_service, builtin_delivery: r.c_builtin_delivery,
          fallback_builtin: r.c_fallback_builtin, created_at: r.c_created_at,
        }),
      };
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
