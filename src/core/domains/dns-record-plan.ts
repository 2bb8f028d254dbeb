// The exact DNS records a company publishes for a sending domain: SPF, DKIM (and, during a key
// rotation, the next key's record), DMARC and the return-path CNAME. Pure: the check compares what
// DNS returns against these values.
import type { DmarcPolicy, SendingDomain } from './domain-model.ts';

export type RecordKind = 'spf' | 'dkim' | 'dkim-next' | 'dmarc' | 'return-path';

export interface PlannedRecord {
  kind: RecordKind;
  type: 'TXT' | 'CNAME';
  name: string;
  value: string;
  purpose: string;
  /** SPF and DKIM make a domain verified; the others are recommended. */
  required: boolean;
}

/** The instance's side of the records (bootstrap config, resolved once). */
export interface DnsPlanSettings {
  /** What companies add to their SPF record as include:<spfInclude>. */
  spfInclude: string;
  /** Where bounces.<domain> points. */
  returnPathHost: string;
}

export function dnsPlanSettings(config: { spfInclude: string | null; returnPathHost: string | null; heloName: string | null }): DnsPlanSettings {
  // Without configuration the names follow the instance's HELO name, so a test instance still shows
  // complete records; docs/configuration.md says to set both on a real one.
  const host = config.heloName || 'localhost';
  return {
    spfInclude: config.spfInclude || `_spf.${host}`,
    returnPathHost: config.returnPathHost || `bounces.${host}`,
  };
}

export const dkimName = (selector: string, domain: string) => `${selector}._domainkey.${domain}`;
export const dmarcName = (domain: string) => `_dmarc.${domain}`;
export const returnPathName = (domain: string) => `bounces.${domain}`;

export const spfValue = (settings: DnsPlanSettings) => `v=spf1 include:${settings.spfInclude} ~all`;
export const dkimValue = (publicKey: string) => `v=DKIM1; k=rsa; p=${publicKey}`;
export const dmarcValue = (domain: string, policy: DmarcPolicy) => `v=DMARC1; p=${policy}; rua=mailto:dmarc-reports@${domain}`;

export function recordsToPublish(d: SendingDomain, settings: DnsPlanSettings): PlannedRecord[] {
  const records: PlannedRecord[] = [
    {
      kind: 'spf', type: 'TXT', name: d.domain, value: spfValue(settings), required: true,
      purpose: `Allows Mailroom's servers to send as ${d.domain}. A domain has exactly one SPF record: if one exists, add include:${settings.spfInclude} to it instead.`,
    },
    {
      kind: 'dkim', type: 'TXT', name: dkimName(d.dkimSelector, d.domain), value: dkimValue(d.dkimPublicKey), required: true,
      purpose: 'The public key receivers use to check Mailroom\'s signature on your mail.',
    },
  ];
  if (d.nextDkimSelector && d.nextDkimPublicKey) {
    records.push({
      kind: 'dkim-next', type: 'TXT', name: dkimName(d.nextDkimSelector, d.domain), value: dkimValue(d.nextDkimPublicKey), required: false,
      purpose: 'The new key of a rotation. Publish it next to the current one; Mailroom switches to it once a check finds it.',
    });
  }
  records.push(
    {
      kind: 'dmarc', type: 'TXT', name: dmarcName(d.domain), value: dmarcValue(d.domain, d.dmarcPolicy), required: false,
      purpose: 'Tells receivers what to do with mail that claims to be from your domain but fails SPF and DKIM.',
    },
    {
      kind: 'return-path', type: 'CNAME', name: returnPathName(d.domain), value: settings.returnPathHost, required: false,
      purpose: 'Reserved for bounces once Mailroom receives mail (it will then also align SPF with your domain for DMARC). Until then bounces go to the From address.',
    },
  );
  return records;
}
