// A sender address a company sends as (seed 004's "Mail Addresses"). It is verified by a link
// emailed to it before the built-in service will use it as From.
import type { MessageRoute } from '../outbound/outbound-model.ts';

export const SENDER_KINDS = ['person', 'group'] as const;
/** "group": a shared mailbox or list (support@, team@); anyone who reads it may verify it. */
export type SenderKind = (typeof SENDER_KINDS)[number];

export type SenderStatus = 'pending' | 'verified';

export interface SenderAddress {
  id: string;
  companyId: string;
  /** Lower-cased. */
  address: string;
  displayName: string | null;
  kind: SenderKind;
  status: SenderStatus;
  /** sha-256 (hex) of the token in the emailed link; null once used. The token itself is never stored. */
  tokenHash: string | null;
  tokenExpiresAt: string | null;
  verifiedAt: string | null;
  /**
   * How the last verification email left: through a mail server, direct delivery, or the catcher.
   * A link that was only caught was readable by the company's admins, so it proves nothing about
   * who owns the mailbox: such an address counts as verified only in the catcher.
   */
  linkRoute: MessageRoute | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
