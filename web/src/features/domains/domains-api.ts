// Calls and shapes for sending domains (docs/api.md "Sending domains", docs/domains.md).
import { api } from '../../api/client.ts';
import type { Items } from '../../api/types.ts';

export type DomainStatus = 'pending' | 'verified' | 'failing';
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';
export type RecordKind = 'spf' | 'dkim' | 'dkim-next' | 'dmarc' | 'return-path';

/** A record to publish, exactly as Mailroom wants it. */
export interface DnsRecordToPublish {
  kind: RecordKind;
  type: 'TXT' | 'CNAME';
  name: string;
  value: string;
  purpose: string;
  required: boolean;
}

export interface DnsRecordCheck {
  kind: RecordKind;
  type: 'TXT' | 'CNAME';
  name: string;
  required: boolean;
  status: 'ok' | 'missing' | 'wrong' | 'error';
  severity: 'ok' | 'warning' | 'problem';
  code: string;
  message: string;
  found: string[];
  suggestedValue?: string;
}

export interface DomainCheckResult {
  checkedAt: string;
  status: DomainStatus;
  verified: boolean;
  complete: boolean;
  summary: string;
  records: DnsRecordCheck[];
  changes: string[];
}

export interface SendingDomain {
  id: string;
  domain: string;
  status: DomainStatus;
  dmarcPolicy: DmarcPolicy;
  dkimSelector: string;
  nextDkimSelector: string | null;
  records: DnsRecordToPublish[];
  lastCheck: DomainCheckResult | null;
  checkedAt: string | null;
  verifiedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface ServerSpfCheck {
  serverId: string;
  fromDomain: string;
  host: string;
  addresses: string[];
  verdict: 'allowed' | 'not-allowed' | 'unknown';
  code: string;
  message: string;
  warning: string | null;
}

const one = (id: string) => `/domains/${encodeURIComponent(id)}`;

export const domainsApi = {
  list: (signal?: AbortSignal) => api.get<Items<SendingDomain>>('/domains', { signal }).then((r) => r.items),
  get: (id: string, signal?: AbortSignal) => api.get<SendingDomain>(one(id), { signal }),
  add: (domain: string) => api.post<SendingDomain>('/domains', { domain }),
  setDmarcPolicy: (id: string, dmarcPolicy: DmarcPolicy) => api.patch<SendingDomain>(one(id), { dmarcPolicy }),
  remove: (id: string) => api.delete(one(id)),
  check: (id: string) => api.post<SendingDomain>(`${one(id)}/check`),
  rotateDkim: (id: string) => api.post<SendingDomain>(`${one(id)}/rotate-dkim`),
  /** Whether the SPF record of a mail server's From domain allows the server (a warning, never a block). */
  serverCheck: (serverId: string, signal?: AbortSignal) =>
    api.get<ServerSpfCheck>(`/mail-servers/${encodeURIComponent(serverId)}/sending-domain-check`, { signal }),
};
