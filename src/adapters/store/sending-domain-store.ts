import type { DmarcPolicy, DomainStatus, SendingDomain } from '../../core/domains/domain-model.ts';
import type { SendingDomainStore } from '../../core/ports.ts';
import type { SendingDomainsTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';

const toDomain = (r: SendingDomainsTable): SendingDomain => ({
  id: r.id, companyId: r.company_id, domain: r.domain, dkimSelector: r.dkim_selector, dkimPrivateKeySealed: r.dkim_private_key_sealed,
  dkimPublicKey: r.dkim_public_key, nextDkimSelector: r.next_dkim_selector, nextDkimPrivateKeySealed: r.next_dkim_private_key_sealed,
  nextDkimPublicKey: r.next_dkim_public_key, dmarcPolicy: r.dmarc_policy as DmarcPolicy, status: r.status as DomainStatus,
  lastCheck: r.last_check ? JSON.parse(r.last_check) : null, checkedAt: r.checked_at, verifiedAt: r.verified_at,
  createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

const fromDomain = (d: SendingDomain): SendingDomainsTable => ({
  id: d.id, company_id: d.companyId, domain: d.domain, dkim_selector: d.dkimSelector, dkim_private_key_sealed: d.dkimPrivateKeySealed,
  dkim_public_key: d.dkimPublicKey, next_dkim_selector: d.nextDkimSelector, next_dkim_private_key_sealed: d.nextDkimPrivateKeySealed,
  next_dkim_public_key: d.nextDkimPublicKey, dmarc_policy: d.dmarcPolicy, status: d.status,
  last_check: d.lastCheck ? JSON.stringify(d.lastCheck) : null, checked_at: d.checkedAt, verified_at: d.verifiedAt,
  created_by: d.createdBy, created_at: d.createdAt, updated_at: d.updatedAt,
});

export function sendingDomainStore(db: Db): SendingDomainStore {
  return {
    async get(id) {
      const r = await db.selectFrom('sending_domains').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toDomain(r);
    },
    async getByDomain(companyId, domain) {
      const r = await db.selectFrom('sending_domains').selectAll().where('company_id', '=', companyId).where('domain', '=', domain.toLowerCase()).executeTakeFirst();
      return r && toDomain(r);
    },
    async listByCompany(companyId) {
      return (await db.selectFrom('sending_domains').selectAll().where('company_id', '=', companyId).orderBy('domain').execute()).map(toDomain);
    },
    async listAll() {
      return (await db.selectFrom('sending_domains').selectAll().orderBy('company_id').orderBy('domain').execute()).map(toDomain);
    },
    async insert(domain) {
      await db.insertInto('sending_domains').values(fromDomain(domain)).execute();
    },
    async update(domain) {
      const { id, ...rest } = fromDomain(domain);
      await db.updateTable('sending_domains').set(rest).where('id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('sending_domains').where('id', '=', id).execute();
    },
    async listSealed() {
      const rows = await db.selectFrom('sending_domains').select(['id', 'dkim_private_key_sealed', 'next_dkim_private_key_sealed']).execute();
      return rows.flatMap((r) => [
        { id: r.id, column: 'current' as const, sealed: r.dkim_private_key_sealed },
        ...(r.next_dkim_private_key_sealed ? [{ id: r.id, column: 'next' as const, sealed: r.next_dkim_private_key_sealed }] : []),
      ]);
    },
    async replaceSealed(id, column, sealed) {
      const set = column === 'current' ? { dkim_private_key_sealed: sealed } : { next_dkim_private_key_sealed: sealed };
      await db.updateTable('sending_domains').set(set).where('id', '=', id).execute();
    },
  };
}
