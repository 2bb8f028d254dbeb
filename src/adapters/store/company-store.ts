import type { Company } from '../../core/model.ts';
import type { CompanyStore } from '../../core/ports.ts';
import type { CompaniesTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';

export const toCompany = (r: CompaniesTable): Company => ({
  id: r.id, slug: r.slug, name: r.name, parentId: r.parent_id,
  defaultMailServerId: r.default_mail_server_id, fallbackMailServerId: r.fallback_mail_server_id ?? null,
  mailService: r.mail_service === 'custom' ? 'custom' : 'builtin', builtinDelivery: (r.builtin_delivery ?? null) as Company['builtinDelivery'],
  fallbackToBuiltin: Number(r.fallback_builtin ?? 0) === 1, createdAt: r.created_at,
});

export function companyStore(db: Db): CompanyStore {
  return {
    async get(id) {
      const r = await db.selectFrom('companies').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toCompany(r);
    },
    async getBySlug(slug) {
      const r = await db.selectFrom('companies').selectAll().where('slug', '=', slug).executeTakeFirst();
      return r && toCompany(r);
    },
    async list() {
      return (await db.selectFrom('companies').selectAll().orderBy('created_at').orderBy('id').execute()).map(toCompany);
    },
    async insert(c) {
      await db.insertInto('companies').values({
        id: c.id, slug: c.slug, name: c.name, parent_id: c.parentId,
        default_mail_server_id: c.defaultMailServerId, fallback_mail_server_id: c.fallbackMailServerId, mail_service: c.mailService, builtin_delivery: c.builtinDelivery, fallback_builtin: c.fallbackToBuiltin ? 1 : 0, created_at: c.createdAt,
      }).execute();
    },
    async setDefaultMailServer(companyId, serverId) {
      await db.updateTable('companies').set({ default_mail_server_id: serverId }).where('id', '=', companyId).execute();
    },
    async setFallbackMailServer(companyId, serverId) {
      await db.updateTable('companies').set({ fallback_mail_server_id: serverId }).where('id', '=', companyId).execute();
    },
    async setMailService(companyId, mailService, defaultServerId) {
      await db.updateTable('companies').set({ mail_service: mailService, ...(defaultServerId !== undefined ? { default_mail_server_id: defaultServerId } : {}) }).where('id', '=', companyId).execute();
    },
    async setBuiltinDelivery(companyId, delivery) {
      await db.updateTable('companies').set({ builtin_delivery: delivery }).where('id', '=', companyId).execute();
    },
    async setFallbackToBuiltin(companyId, on) {
      await db.updateTable('companies').set({ fallback_builtin: on ? 1 : 0 }).where('id', '=', companyId).execute();
    },
    async count() {
      const r = await db.selectFrom('companies').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}
