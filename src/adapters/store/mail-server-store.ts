import { sql, type Insertable, type Selectable } from 'kysely';
import type { AuthMechanism, CustomHeader, MailServer, MailServerVersion, RatePeriod, SecurityMode, ServerStatus } from '../../core/model.ts';
import type { MailServerStore } from '../../core/ports.ts';
import type { MailServersTable } from '../db/schema.ts';
import type { Db } from './kysely-store.ts';
import { fromBool, fromJson, toBool, toJson } from './row-codec.ts';

function toServer(r: Selectable<MailServersTable>, sharedWith: string[]): MailServer {
  return {
    id: r.id, companyId: r.company_id, name: r.name, preset: r.preset, host: r.host, port: Number(r.port),
    security: r.security as SecurityMode, authEnabled: toBool(r.auth_enabled), authMechanism: r.auth_mechanism as AuthMechanism,
    username: r.username, passwordSealed: r.password_sealed, passwordRef: r.password_ref,
    fromAddress: r.from_address, fromName: r.from_name, replyTo: r.reply_to, errorTo: r.error_to,
    cc: fromJson<string[]>(r.cc, []), bcc: fromJson<string[]>(r.bcc, []),
    customHeaders: fromJson<CustomHeader[]>(r.custom_headers, []),
    hasRelay: toBool(r.has_relay), allowInvalidCert: toBool(r.allow_invalid_cert), status: r.status as ServerStatus,
    maxConnections: Number(r.max_connections), rateLimitCount: r.rate_limit_count === null ? null : Number(r.rate_limit_count),
    rateLimitPeriod: r.rate_limit_period as RatePeriod | null, sharedWith, createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at, version: Number(r.version),
  };
}

function toRow(s: MailServer): Insertable<MailServersTable> {
  return {
    id: s.id, company_id: s.companyId, name: s.name, preset: s.preset, host: s.host, port: s.port,
    security: s.security, auth_enabled: fromBool(s.authEnabled), auth_mechanism: s.authMechanism,
    username: s.username, password_sealed: s.passwordSealed, password_ref: s.passwordRef,
    from_address: s.fromAddress, from_name: s.fromName, reply_to: s.replyTo, error_to: s.errorTo,
    cc: toJson(s.cc), bcc: toJson(s.bcc), custom_headers: toJson(s.customHeaders),
    has_relay: fromBool(s.hasRelay), allow_invalid_cert: fromBool(s.allowInvalidCert), status: s.status,
    created_by: s.createdBy, created_at: s.createdAt, updated_at: s.updatedAt, version: s.version,
    max_connections: s.maxConnections, rate_limit_count: s.rateLimitCount, rate_limit_period: s.rateLimitPeriod,
  };
}

export function mailServerStore(db: Db): MailServerStore {
  async function sharesOf(ids: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (ids.length === 0) return map;
    const rows = await db.selectFrom('mail_server_shares').selectAll().where('server_id', 'in', ids).orderBy('company_id').execute();
    for (const r of rows) map.set(r.server_id, [...(map.get(r.server_id) ?? []), r.company_id]);
    return map;
  }
  async function writeShares(s: MailServer): Promise<void> {
    await db.deleteFrom('mail_server_shares').where('server_id', '=', s.id).execute();
    if (s.sharedWith.length) {
      await db.insertInto('mail_server_shares').values(s.sharedWith.map((c) => ({ server_id: s.id, company_id: c }))).execute();
    }
  }
  return {
    async get(id) {
      // One round trip, the shares folded into one column (company ids are UUIDs: no commas). Every
      // submit reads its server. A subquery, not a LEFT JOIN: on SQLite the join took ~60 µs of the
      // event loop, the subquery ~10 (bench/README.md, fifth pass).
      const row = await db.selectFrom('mail_servers').selectAll()
        .select(sql<string | null>`(select string_agg(company_id, ',' order by company_id) from mail_server_shares where server_id = mail_servers.id)`.as('shared_with'))
        .where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const { shared_with: shares, ...server } = row;
      return toServer(server, shares ? shares.split(',') : []);
    },
    async listVisibleTo(companyId) {
      const rows = await db.selectFrom('mail_servers').selectAll()
        .where((eb) => eb.or([
          eb('company_id', '=', companyId),
          eb('id', 'in', eb.selectFrom('mail_server_shares').select('server_id').where('company_id', '=', companyId)),
        ]))
        .orderBy('created_at').orderBy('id').execute();
      const shares = await sharesOf(rows.map((r) => r.id));
      return rows.map((r) => toServer(r, shares.get(r.id) ?? []));
    },
    async insert(s) {
      await db.insertInto('mail_servers').values(toRow(s)).execute();
      await writeShares(s);
    },
    async update(s) {
      const { id, ...rest } = toRow(s);
      await db.updateTable('mail_servers').set(rest).where('id', '=', id).execute();
      await writeShares(s);
    },
    async delete(id) {
      await db.deleteFrom('mail_servers').where('id', '=', id).execute();
    },
    async addVersion(v) {
      await db.insertInto('mail_server_versions').values({
        server_id: v.serverId, version: v.version, snapshot: toJson(v.snapshot), password_sealed: v.passwordSealed,
        password_ref: v.passwordRef, change: v.change, changed_by: v.changedBy, changed_at: v.changedAt,
      }).execute();
    },
    async listVersions(serverId) {
      const rows = await db.selectFrom('mail_server_versions').selectAll().where('server_id', '=', serverId).orderBy('version', 'desc').execute();
      return rows.map(toVersion);
    },
    async getVersion(serverId, version) {
      const r = await db.selectFrom('mail_server_versions').selectAll().where('server_id', '=', serverId).where('version', '=', version).executeTakeFirst();
      return r && toVersion(r);
    },
    async listSealed() {
      const current = await db.selectFrom('mail_servers').select(['id', 'password_sealed']).where('password_sealed', 'is not', null).execute();
      const history = await db.selectFrom('mail_server_versions').select(['server_id', 'version', 'password_sealed']).where('password_sealed', 'is not', null).execute();
      return [
        ...current.map((r) => ({ table: 'mail_servers' as const, key: r.id, sealed: r.password_sealed! })),
        ...history.map((r) => ({ table: 'mail_server_versions' as const, key: `${r.server_id}:${r.version}`, sealed: r.password_sealed! })),
      ];
    },
    async replaceSealed(table, key, sealed) {
      if (table === 'mail_servers') {
        await db.updateTable('mail_servers').set({ password_sealed: sealed }).where('id', '=', key).execute();
      } else {
        const at = key.lastIndexOf(':');
        await db.updateTable('mail_server_versions').set({ password_sealed: sealed })
          .where('server_id', '=', key.slice(0, at)).where('version', '=', Number(key.slice(at + 1))).execute();
      }
    },
    async countReferencing(companyId, passwordRef) {
      const r = await db.selectFrom('mail_servers').select((eb) => eb.fn.countAll<number>().as('n'))
        .where('company_id', '=', companyId).where('password_ref', '=', passwordRef).executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

function toVersion(r: { server_id: string; version: number; snapshot: string; password_sealed: string | null; password_ref: string | null; change: string; changed_by: string; changed_at: string }): MailServerVersion {
  return {
    serverId: r.server_id, version: Number(r.version), snapshot: JSON.parse(r.snapshot), passwordSealed: r.password_sealed,
    passwordRef: r.password_ref, change: r.change as MailServerVersion['change'], changedBy: r.changed_by, changedAt: r.changed_at,
  };
}
