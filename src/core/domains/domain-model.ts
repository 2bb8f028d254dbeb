// A company's sending domain: the DNS records Mailroom asks it to publish (SPF, DKIM, DMARC,
// return-path) and what the last check found, record by record.

export const DMARC_POLICIES = ['none', 'quarantine', 'reject'] as const;
export type DmarcPolicy = (typeof DMARC_POLICIES)[number];

export type DomainStatus = 'pending' | 'verified' | 'failing';

export interface SendingDomain {
  id: string;
  companyId: string;
  /** Lower-cased. */
  domain: string;
  dkimSelector: string;
  /** PKCS#8 PEM, sealed like a password. */
  dkimPrivateKeySealed: string;
  /** base64 SubjectPublicKeyInfo, exactly as published in the record's p= tag. */
  dkimPublicKey: string;
  /** During rotation: the next key, published first, signing only once its record is found. */
  nextDkimSelector: string | null;
  nextDkimPrivateKeySealed: string | null;
  nextDkimPublicKey: string | null;
  dmarcPolicy: DmarcPolicy;
  status: DomainStatus;
  /** The record-by-record result of the last check (shape owned by core/domains). */
  lastCheck: Record<string, unknown> | null;
  checkedAt: string | null;
  verifiedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
