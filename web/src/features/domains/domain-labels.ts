// Words and colours for a domain's status and each record's result, shared by the list and detail pages.
import type { DmarcPolicy, DnsRecordCheck, DomainStatus, RecordKind } from './domains-api.ts';

type Tone = 'green' | 'grey' | 'blue' | 'amber' | 'red';

export const DOMAIN_STATUS: Record<DomainStatus, { label: string; tone: Tone }> = {
  pending: { label: 'Not verified yet', tone: 'blue' },
  verified: { label: 'Verified', tone: 'green' },
  failing: { label: 'Failing', tone: 'red' },
};

export const RECORD_LABELS: Record<RecordKind, string> = {
  spf: 'SPF',
  dkim: 'DKIM',
  'dkim-next': 'DKIM (new key)',
  dmarc: 'DMARC',
  'return-path': 'Return path',
};

export const DMARC_OPTIONS: { value: DmarcPolicy; label: string }[] = [
  { value: 'none', label: 'none — only report (nothing is protected)' },
  { value: 'quarantine', label: 'quarantine — failing mail goes to spam (recommended)' },
  { value: 'reject', label: 'reject — failing mail is refused' },
];

const TONES = { ok: 'green', warning: 'amber', problem: 'red' } as const;

/** The badge for one record's last result. */
export function resultBadge(check: DnsRecordCheck | undefined): { label: string; tone: Tone } {
  if (!check) return { label: 'Not checked', tone: 'grey' };
  const tone = TONES[check.severity];
  switch (check.status) {
    case 'ok': return { label: check.severity === 'warning' ? 'Found, with a warning' : 'Found', tone };
    case 'missing': return { label: 'Missing', tone };
    case 'wrong': return { label: 'Wrong', tone };
    case 'error': return { label: 'Lookup failed', tone };
  }
}
