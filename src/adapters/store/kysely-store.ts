// The Store port on Kysely: one implementation for SQLite and PostgreSQL.
import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../../core/ports.ts';
import type { Database } from '../db/schema.ts';
import { apiKeyStore } from './api-key-store.ts';
import { auditLog } from './audit-log-store.ts';
import { companyStore } from './company-store.ts';
import { connectionTestStore } from './connection-test-store.ts';
import { mailServerStore } from './mail-server-store.ts';
import { secretStore } from './secret-store.ts';
import { sessionStore } from './session-store.ts';
import { userStore } from './user-store.ts';

export type Db = Kysely<Database> | Transaction<Database>;

export function createKyselyStore(db: Kysely<Database>): Store {
  return bind(db, false);
}

function bind(db: Db, inTransaction: boolean): Store {
  const store: Store = {
    companies: companyStore(db),
    users: userStore(db),
    sessions: sessionStore(db),
    apiKeys: apiKeyStore(db),
    mailServers: mailServerStore(db),
    secrets: secretStore(db),
    audit: auditLog(db),
    connectionTests: connectionTestStore(db),
    // Nested calls join the outer transaction: use cases compose without knowing who opened it.
    transaction: (work) => (inTransaction ? work(store) : (db as Kysely<Database>).transaction().execute((trx) => work(bind(trx, true)))),
  };
  return store;
}
