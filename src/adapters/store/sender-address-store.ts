import type { SenderAddressStore } from '../../core/ports.ts';
import type { SenderAddress, SenderKind, SenderStatus } from '../../core/senders/sender-model.ts';
import type { SenderAddressesTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';

const toSender = (r: SenderAddressesTable): SenderAddress => ({
  id: r.id, companyId: r.company_id, address: r.address, displayName: r.display_name, kind: r.kind as SenderKind,
  status: r.status as SenderStatus, tokenHash: r.token_hash, tokenExpiresAt: r.token_expires_at, verifiedAt: r.verified_at, linkRoute: (r.link_route ?? null) as SenderAddress['linkRoute'],
  createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at,
});

const fromSender = (s: SenderAddress): SenderAddressesTable => ({
  id: s.id, company_id: s.companyId, address: s.address, display_name: s.displayName, kind: s.kind, status: s.status,
  token_hash: s.tokenHash, token_expires_at: s.tokenExpiresAt, verified_at: s.verifiedAt, link_route: s.linkRoute, created_by: s.createdBy,
  created_at: s.createdAt, updated_at: s.updatedAt,
});

export function senderAddressStore(db: Db): SenderAddressStore {
  return {
    async get(id) {
      const r = await db.selectFrom('sender_addresses').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toSender(r);
    },
    async getByAddress(companyId, address) {
      const r = await db.selectFrom('sender_addresses').selectAll().where('company_id', '=', companyId).where('address', '=', address.toLowerCase()).executeTakeFirst();
      return r && toSender(r);
    },
    async getByTokenHash(tokenHash) {
      const r = await db.selectFrom('sender_addresses').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return r && toSender(r);
    },
    async listByCompany(companyId) {
      return (await db.selectFrom('sender_addresses').selectAll().where('company_id', '=', companyId).orderBy('address').execute()).map(toSender);
    },
    async insert(sender) {
      await db.insertInto('sender_addresses').values(fromSender(sender)).execute();
    },
    async update(sender) {
      const { id, ...rest } = fromSender(sender);
      await db.updateTable('sender_addresses').set(rest).where('id', '=', id).execute();
    },
    async delete(id) {
      await db.deleteFrom('sender_addresses').where('id', '=', id).execute();
    },
  };
}
