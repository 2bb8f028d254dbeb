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
import { senderAddressStore } from './sender-address-store.ts';
import { sendingDomainStore } from './sending-domain-store.ts';
import { SharedReads, type TransactionWrites } from './shared-reads.ts';

export type Db = Kysely<Database> | Transaction<Database>;

export function createKyselyStore(db: Kysely<Database>, caps: DialectCapabilities): Store {
  return bind(db, caps, new SharedReads(), null);
}

/** `writes` is null for the store outside transactions, else what its transaction wrote (shared-reads.ts). */
function bind(db: Db, caps: DialectCapabilities, shared: SharedReads, writes: TransactionWrites | null): Store {
  const inTransaction = writes !== null;
  const store: Store = {
    // The rows a claim's messages all read (shared-reads.ts); each store's other methods pass through.
    companies: shared.rows(companyStore(db), 'company', 'get', ['getBySlug', 'list', 'count'], writes),
    users: userStore(db),
    sessions: sessionStore(db),
    apiKeys: apiKeyStore(db),
    mailServers: shared.rows(mailServerStore(db), 'server', 'get', ['listVisibleTo', 'listVersions', 'getVersion', 'listSealed', 'countReferencing'], writes),
    secrets: secretStore(db),
    audit: auditLog(db),
    connectionTests: connectionTestStore(db),
    messages: shared.messages(messageStore(db, caps), writes),
    queue: jobQueue(db, caps, inTransaction),
    serverDelivery: shared.rows(serverDeliveryStateStore(db), 'delivery-state', 'get', ['listHeld'], writes),
    webhookEndpoints: shared.rows(webhookEndpointStore(db), 'webhook-endpoint', 'get', ['listSealed'], writes),
    webhookDeliveries: webhookDeliveryStore(db),
    senderAddresses: senderAddressStore(db),
    sendingDomains: sendingDomainStore(db),
    // Nested calls join the outer transaction: use cases compose without knowing who opened it.
    transaction: (work) => {
      if (inTransaction) return work(store);
      const txWrites: TransactionWrites = { rows: false, recipientsOf: new Set() };
      return (db as Kysely<Database>).transaction().execute((trx) => work(bind(trx, caps, shared, txWrites)))
        .finally(() => shared.transactionEnded(txWrites));
    },
    ...(inTransaction ? {} : { sharedReads: (messageIds: string[]) => shared.runner(messageIds, messageStore(db, caps)) }),
  };
  return store;
}
