// Durable delivery's records: a message, its recipients, its attempts, queue jobs.

// "caught": kept in the built-in mailbox (the catcher); nothing left the machine.
export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'retrying', 'held', 'failed', 'caught'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * How a message leaves, fixed when it is accepted (queued mail keeps its way out when the company
 * switches): through a mail server, kept by the catcher, or delivered straight to the recipients'
 * MX hosts by the built-in service.
 */
export const MESSAGE_ROUTES = ['server', 'catch', 'direct'] as const;
export type MessageRoute = (typeof MESSAGE_ROUTES)[number];

export interface OutboundMessage {
  id: string;
  companyId: string;
  route: MessageRoute;
  /** The mail server for route "server"; null for the built-in routes. */
  serverId: string | null;
  /** The Message-ID header, fixed at accept time and reused on every attempt. */
  messageId: string;
  idempotencyKey: string | null;
  requestHash: string | null;
  mailFrom: string;
  fromAddress: string;
  subject: string;
  /** The rendered message, with its final Message-ID and Date. */
  raw: string;
  sizeBytes: number;
  status: MessageStatus;
  attemptCount: number;
  lastCode: string | null;
  lastMessage: string | null;
  /** An attempt was cut off after the data was sent: a retry may have duplicated it. */
  possiblyDelivered: boolean;
  giveUpAt: string;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  /** When the catcher kept it (it stays in the catcher's list after a release). */
  caughtAt: string | null;
  /** When an admin released it from the catcher to a real server. */
  releasedAt: string | null;
}

export type RecipientKind = 'to' | 'cc' | 'bcc';
export type RecipientStatus = 'pending' | 'sent' | 'failed';

export interface MessageRecipient {
  messageId: string;
  address: string;
  kind: RecipientKind;
  status: RecipientStatus;
  replyCode: number | null;
  enhanced: string | null;
  replyText: string | null;
  updatedAt: string;
}

export type AttemptOutcome = 'sent' | 'partial' | 'temporary' | 'throttled' | 'permanent' | 'config' | 'interrupted';

export interface DeliveryAttempt {
  id: string;
  messageId: string;
  companyId: string;
  serverId: string | null;
  startedAt: string;
  finishedAt: string | null;
  outcome: AttemptOutcome | null;
  code: string | null;
  message: string | null;
  hint: string | null;
  replyCode: number | null;
  enhanced: string | null;
  replyText: string | null;
  tls: string | null;
  recipients: string[];
}

/** Job states as frozen constants (pg-boss style): the only values the queue writes. */
export const JOB_STATUS = Object.freeze({ READY: 'ready', LEASED: 'leased', HELD: 'held' } as const);
export type JobStatus = (typeof JOB_STATUS)[keyof typeof JOB_STATUS];

export const JOB_KINDS = Object.freeze({ SEND_MESSAGE: 'send-message', WEBHOOK: 'webhook' } as const);

export interface NewJob {
  id: string;
  kind: string;
  companyId: string;
  /** Jobs sharing a fate: for sending, the mail server id. */
  partitionKey: string;
  payload: Record<string, unknown>;
  runAt: string;
  dedupeKey?: string | null;
}

export interface Job extends NewJob {
  status: JobStatus;
  attempts: number;
  leaseOwner: string | null;
  leaseUntil: string | null;
  createdAt: string;
}

export interface ServerDeliveryState {
  serverId: string;
  companyId: string;
  state: 'healthy' | 'held';
  code: string | null;
  message: string | null;
  since: string;
}
