// Table shapes as stored. The same columns on SQLite and PostgreSQL: timestamps are ISO-8601 UTC
// text, booleans are 0/1 integers, lists and maps are JSON text — so one store implementation
// serves both backends.
import type { Generated } from 'kysely';

export interface CompaniesTable {
  id: string;
  slug: string;
  name: string;
  parent_id: string | null;
  default_mail_server_id: string | null;
  fallback_mail_server_id: string | null;
  mail_service: string;
  builtin_delivery: string | null;
  fallback_builtin: number;
  created_at: string;
}

export interface UsersTable {
  id: string;
  company_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string;
  disabled: number;
  created_at: string;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface ApiKeysTable {
  id: string;
  company_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface MailServersTable {
  id: string;
  company_id: string;
  name: string;
  preset: string;
  host: string;
  port: number;
  security: string;
  auth_enabled: number;
  auth_mechanism: string;
  username: string | null;
  password_sealed: string | null;
  password_ref: string | null;
  from_address: string;
  from_name: string | null;
  reply_to: string | null;
  error_to: string | null;
  cc: string;
  bcc: string;
  custom_headers: string;
  has_relay: number;
  allow_invalid_cert: number;
  status: string;
  created_by: string;
  created_at: string;
  updated_at: string;
  version: number;
  max_connections: Generated<number>;
  rate_limit_count: number | null;
  rate_limit_period: string | null;
}

export interface MailServerSharesTable {
  server_id: string;
  company_id: string;
}

export interface MailServerVersionsTable {
  server_id: string;
  version: number;
  snapshot: string;
  password_sealed: string | null;
  password_ref: string | null;
  change: string;
  changed_by: string;
  changed_at: string;
}

export interface CompanySecretsTable {
  id: string;
  company_id: string;
  name: string;
  description: string | null;
  value_sealed: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface AuditLogTable {
  seq: Generated<number>;
  id: string;
  company_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  details: string;
  created_at: string;
}

export interface ConnectionTestsTable {
  id: string;
  server_id: string;
  company_id: string;
  ok: number;
  code: string;
  stage: string | null;
  sent_test_email: number;
  test_address: string | null;
  result: string;
  tested_by: string;
  created_at: string;
}

export interface MessagesTable {
  id: string;
  company_id: string;
  server_id: string | null;
  message_id: string;
  idempotency_key: string | null;
  request_hash: string | null;
  mail_from: string;
  from_address: string;
  subject: string;
  raw: string;
  size_bytes: number;
  status: string;
  attempt_count: number;
  last_code: string | null;
  last_message: string | null;
  possibly_delivered: number;
  give_up_at: string;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  route: string;
  caught_at: string | null;
  released_at: string | null;
}

export interface MessageRecipientsTable {
  message_id: string;
  address: string;
  kind: string;
  status: string;
  reply_code: number | null;
  enhanced: string | null;
  reply_text: string | null;
  updated_at: string;
}

export interface DeliveryAttemptsTable {
  seq: Generated<number>;
  id: string;
  message_id: string;
  company_id: string;
  server_id: string | null;
  started_at: string;
  finished_at: string | null;
  outcome: string | null;
  code: string | null;
  message: string | null;
  hint: string | null;
  reply_code: number | null;
  enhanced: string | null;
  reply_text: string | null;
  tls: string | null;
  recipients: string;
}

export interface JobsTable {
  seq: Generated<number>;
  id: string;
  kind: string;
  company_id: string;
  partition_key: string;
  payload: string;
  status: string;
  run_at: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  dedupe_key: string | null;
  created_at: string;
}

export interface ServerDeliveryStateTable {
  server_id: string;
  company_id: string;
  state: string;
  code: string | null;
  message: string | null;
  since: string;
}

export interface ServerRateGateTable {
  server_id: string;
  /** bigint: pg returns it as a string. */
  tat_ms: number | string;
}

export interface WebhookEndpointsTable {
  company_id: string;
  url: string;
  events: string;
  enabled: number;
  secret_sealed: string;
  secret_rotated_at: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  company_id: string;
  event_id: string;
  event_type: string;
  message_id: string | null;
  payload: string;
  status: string;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  next_attempt_at: string | null;
  give_up_at: string;
  redelivery_of: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

export interface WebhookDeliveryAttemptsTable {
  id: string;
  delivery_id: string;
  company_id: string;
  url: string;
  started_at: string;
  duration_ms: number;
  status_code: number | null;
  outcome: string;
  error: string | null;
}

export interface SenderAddressesTable {
  id: string;
  company_id: string;
  address: string;
  display_name: string | null;
  kind: string;
  status: string;
  token_hash: string | null;
  token_expires_at: string | null;
  verified_at: string | null;
  link_route: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface SendingDomainsTable {
  id: string;
  company_id: string;
  domain: string;
  dkim_selector: string;
  dkim_private_key_sealed: string;
  dkim_public_key: string;
  next_dkim_selector: string | null;
  next_dkim_private_key_sealed: string | null;
  next_dkim_public_key: string | null;
  dmarc_policy: string;
  status: string;
  last_check: string | null;
  checked_at: string | null;
  verified_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface Database {
  companies: CompaniesTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  mail_servers: MailServersTable;
  mail_server_shares: MailServerSharesTable;
  mail_server_versions: MailServerVersionsTable;
  company_secrets: CompanySecretsTable;
  audit_log: AuditLogTable;
  connection_tests: ConnectionTestsTable;
  messages: MessagesTable;
  message_recipients: MessageRecipientsTable;
  delivery_attempts: DeliveryAttemptsTable;
  jobs: JobsTable;
  server_delivery_state: ServerDeliveryStateTable;
  server_rate_gate: ServerRateGateTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_delivery_attempts: WebhookDeliveryAttemptsTable;
  sender_addresses: SenderAddressesTable;
  sending_domains: SendingDomainsTable;
}
