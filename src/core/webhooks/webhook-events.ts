// Which message status becomes which event, and the payload each event carries.
import crypto from 'node:crypto';
import type { MessageRecipient, MessageStatus, OutboundMessage } from '../outbound/outbound-model.ts';
import { TEST_EVENT_TYPE, type WebhookEventPayload, type WebhookEventType } from './webhook-model.ts';

/**
 * The event for a message's status after an attempt: sent and failed are final, held means its
 * server is paused by a configuration error. Queued and sending are not events.
 */
export function messageEventType(status: MessageStatus): WebhookEventType | null {
  switch (status) {
    case 'sent': return 'message.sent';
    case 'failed': return 'message.failed';
    case 'held': return 'message.held';
    case 'retrying': return 'message.retrying';
    default: return null;
  }
}

export function newEventId(): string {
  return `evt_${crypto.randomUUID().replace(/-/g, '')}`;
}

export function messageEventPayload(type: WebhookEventType, message: OutboundMessage, recipients: MessageRecipient[], createdAt: string): WebhookEventPayload {
  return {
    id: newEventId(),
    type,
    createdAt,
    companyId: message.companyId,
    data: {
      messageId: message.id,
      messageIdHeader: message.messageId,
      status: message.status,
      lastCode: message.lastCode,
      lastMessage: message.lastMessage,
      recipients: recipients.map((r) => ({ address: r.address, status: r.status, replyCode: r.replyCode })),
      serverId: message.serverId,
    },
  };
}

export function testEventPayload(companyId: string, createdAt: string): WebhookEventPayload {
  return {
    id: newEventId(),
    type: TEST_EVENT_TYPE,
    createdAt,
    companyId,
    data: { test: true, message: 'A test event from Mailroom. If its signature verifies, your endpoint is ready.' },
  };
}
