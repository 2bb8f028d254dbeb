import type { ServerDeliveryStateStore } from '../../core/ports.ts';
import type { ServerDeliveryState } from '../../core/outbound/outbound-model.ts';
import type { Db } from './kysely-store.ts';

export function serverDeliveryStateStore(db: Db): ServerDeliveryStateStore {
  const toState = (r: { server_id: string; company_id: string; state: string; code: string | null; message: string | null; since: string }): ServerDeliveryState => ({
    serverId: r.server_id, companyId: r.company_id, state: r.state as ServerDeliveryState['state'], code: r.code, message: r.message, since: r.since,
  });
  return {
    async get(serverId) {
      const r = await db.selectFrom('server_delivery_state').selectAll().where('server_id', '=', serverId).executeTakeFirst();
      return r && toState(r);
    },
    async put(s) {
      await db.insertInto('server_delivery_state')
        .values({ server_id: s.serverId, company_id: s.companyId, state: s.state, code: s.code, message: s.message, since: s.since })
        .onConflict((oc) => oc.column('server_id').doUpdateSet({ state: s.state, code: s.code, message: s.message, since: s.since }))
        .execute();
    },
    async listHeld(companyId) {
      return (await db.selectFrom('server_delivery_state').selectAll().where('company_id', '=', companyId).where('state', '=', 'held').execute()).map(toState);
    },
  };
}
