import type { CompanySecret } from '../../core/model.ts';
import type { SecretStore } from '../../core/ports.ts';
import type { CompanySecretsTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';

const toSecret = (r: CompanySecretsTable): CompanySecret => ({
  id: r.id, companyId: r.company_id, name: r.name, description: r.description, valueSealed: r.value_sealed,
  createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

export function secretStore(db: Db): SecretStore {
  return {
    async get(companyId, name) {
      const r = await db.selectFrom('company_secrets').selectAll().where('company_id', '=', companyId).where('name', '=', name).executeTakeFirst();
      return r && toSecret(r);
    },
    async list(companyId) {
      return (await db.selectFrom('company_secrets').selectAll().where('company_id', '=', companyId).orderBy('name').execute()).map(toSecret);
    },
    async upsert(s) {
      await db.insertInto('company_secrets').values({
        id: s.id, company_id: s.companyId, name: s.name, description: s.description, value_sealed: s.valueSealed,
        created_by: s.createdBy, created_at: s.createdAt, updated_at: s.updatedAt,
      }).onConflict((oc) => oc.columns(['company_id', 'name']).doUpdateSet({
        description: s.description, value_sealed: s.valueSealed, updated_at: s.updatedAt,
      })).execute();
    },
    async delete(companyId, name) {
      await db.deleteFrom('company_secrets').where('company_id', '=', companyId).where('name', '=', name).execute();
    },
    async listSealed() {
      return (await db.selectFrom('company_secrets').select(['id', 'value_sealed']).execute()).map((r) => ({ id: r.id, sealed: r.value_sealed }));
    },
    async replaceSealed(id, sealed) {
      await db.updateTable('company_secrets').set({ value_sealed: sealed }).where('id', '=', id).execute();
    },
  };
}
