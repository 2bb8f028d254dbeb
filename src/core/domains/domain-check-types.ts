// The shape of a domain check's result, stored as the domain's `lastCheck` and returned by the API.
import type { DomainStatus } from './domain-model.ts';
import type { RecordKind } from './dns-record-plan.ts';

/** ok: as asked; missing: nothing published; wrong: published but not right; error: DNS did not answer. */
export type RecordStatus = 'ok' | 'missing' | 'wrong' | 'error';

/** How the UI colours a record: a problem keeps the domain from being verified. */
export type RecordSeverity = 'ok' | 'warning' | 'problem';

export interface RecordCheck {
  kind: RecordKind;
  type: 'TXT' | 'CNAME';
  name: string;
  required: boolean;
  status: RecordStatus;
  severity: RecordSeverity;
  /** Stable code from CHECK_MESSAGES. */
  code: string;
  /** Plain words: what was found and what to do. */
  message: string;
  /** What DNS returned at the name (the relevant records only). */
  found: string[];
  /** A corrected value to publish when the published one only needs a change (SPF missing an include). */
  suggestedValue?: string;
}

export interface DomainCheckResult {
  checkedAt: string;
  /** The domain's status after this check. */
  status: DomainStatus;
  /** SPF and DKIM were both found as asked. */
  verified: boolean;
  /** False when a required record's lookup failed: the status was then left as it was. */
  complete: boolean;
  summary: string;
  records: RecordCheck[];
  /** What this check changed, in plain words (e.g. the rotated DKIM key now signs). */
  changes: string[];
}
