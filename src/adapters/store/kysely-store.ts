// The Store port on Kysely: one implementation for SQLite and PostgreSQL.
import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../../core/ports.ts';
import type { DialectCapabilities } from '../db/dialect-capabilities.ts';
import type { Database } from '../db/schema.ts';
import { jobQueue } from './job-queue.ts';
import { messageStore } from './message-store.ts';
import { serverDeliveryStateStore } from './server-delivery-state-store.ts';
import { apiKeyStore } from './api-key-store.ts';
import { auditLog } from './audit-log-store.ts';
import { companyStore } from './company-store.ts';
import { connectionTestStore } from './connection-test-store.ts';
import { mailServerStore } from './mail-server-store.ts';
import { secretStore } from './secret-store.ts';
import { sessionStore } from './session-store.ts';
import { userStore } from './user-store.ts';
import { webhookDeliveryStore, webhookEndpointStore } from './webhook-store.ts';

export type Db = Kysely<Database> | Transaction<Database>;

export function createKyselyStore(db: Kysely<Database>, caps: DialectCapabilities): Store {
  return bind(db, caps, false);
}

function bind(db: Db, caps: DialectCapabilities, inTransaction: boolean): Store {
  const store: Store = {
    companies: companyStore(db),
    users: userStore(db),
    sessions: sessionStore(db),
    apiKeys: apiKeyStore(db),
    mailServers: mailServerStore(db),
    secrets: secretStore(db),
    audit: auditLog(db),
    connectionTests: connectionTestStore(db),
    messages: messageStore(db),
    queue: jobQueue(db, caps, inTransaction),
    serverDelivery: serverDeliveryStateStore(db),
    webhookEndpoints: webhookEndpointStore(db),
    webhookDeliveries: webhookDeliveryStore(db),
    // Nested calls join the outer transaction: use cases compose without knowing who opened it.
    transaction: (work) => (inTransaction ? work(store) : (db as Kysely<Database>).transaction().execute((trx) => work(bind(trx, caps, true)))),
  };
  return store;
}
