// Every sentence a domain check can say, in one table, so docs/domains.md can list them all (and a
// test keeps it doing so). `{name}`-style placeholders are filled from the check's facts; `{Count}`
// is a number written as a word ("Two"). A `warning` entry is an "ok" that still deserves attention.
import type { RecordStatus } from './domain-check-types.ts';

interface MessageEntry {
  status: RecordStatus;
  text: string;
  warning?: boolean;
}

export const CHECK_MESSAGES = {
  // SPF, at the domain itself (required)
  SPF_OK: { status: 'ok', text: 'The SPF record at {name} includes {include}.' },
  SPF_ALLOWS_ALL: { status: 'ok', warning: true, text: 'The SPF record at {name} includes {include}, but ends with {all}: any server in the world may send as {domain}. End it with ~all instead.' },
  SPF_DOMAIN_NOT_FOUND: { status: 'missing', text: '{domain} does not exist in DNS (NXDOMAIN): check the spelling, and publish the records at the DNS provider that serves {domain}.' },
  SPF_MISSING: { status: 'missing', text: 'No SPF record at {name}: publish the TXT record below.' },
  SPF_MULTIPLE: { status: 'wrong', text: '{Count} SPF records found at {name}: a domain must have exactly one (RFC 7208 §3.2), or receivers treat SPF as broken. Merge them into one record that includes {include}.' },
  SPF_NO_INCLUDE: { status: 'wrong', text: 'The SPF record at {name} does not include {include}: add include:{include} before {all}.' },
  SPF_INCLUDE_AFTER_ALL: { status: 'wrong', text: 'The SPF record at {name} has include:{include} after {all}, where it is never reached: move it before {all}.' },

  // DKIM, at <selector>._domainkey.<domain> (required)
  DKIM_OK: { status: 'ok', text: 'The DKIM record at {name} has Mailroom\'s key.' },
  DKIM_MISSING: { status: 'missing', text: 'No DKIM record at {name}: publish the TXT record below.' },
  DKIM_WRONG_KEY: { status: 'wrong', text: 'The DKIM record at {name} has a different key than Mailroom\'s: replace it with the record below.' },
  DKIM_TRUNCATED: { status: 'wrong', text: 'The DKIM record at {name} holds only the first {found} of the key\'s {expected} characters: the value was cut off. Many DNS panels need a long value split into quoted strings of at most 255 characters; publish the whole value below.' },
  DKIM_REVOKED: { status: 'wrong', text: 'The DKIM record at {name} has an empty key (p=), which means the key is revoked: publish the record below.' },
  DKIM_NOT_RSA: { status: 'wrong', text: 'The DKIM record at {name} says k={keyType}, but Mailroom\'s key is RSA: publish the record below (k=rsa).' },
  DKIM_MULTIPLE: { status: 'wrong', text: '{Count} DKIM records found at {name}: receivers may use any of them. Keep only the record below.' },
  // During a key rotation, the next key's record (recommended until found)
  DKIM_NEXT_MISSING: { status: 'missing', text: 'The new DKIM key\'s record at {name} is not published yet: publish the TXT record below. Mailroom keeps signing with the current key until a check finds it.' },
  DKIM_ROTATED: { status: 'ok', text: 'The new DKIM key\'s record at {name} was found: Mailroom now signs with selector {selector}, and the old key (selector {oldSelector}) is dropped. Keep the old record at {oldName} for a few days, so mail already sent still verifies, then delete it.' },

  // DMARC, at _dmarc.<domain> (recommended)
  DMARC_OK: { status: 'ok', text: 'The DMARC record at {name} asks receivers to {action} mail that fails SPF and DKIM (p={policy}).' },
  DMARC_MONITOR_ONLY: { status: 'ok', warning: true, text: 'DMARC p=none only monitors: mail that fails SPF and DKIM is still delivered. Move to p=quarantine once the reports show that all your mail passes.' },
  DMARC_MISSING: { status: 'missing', text: 'No DMARC record at {name}: publish the TXT record below. Not required to send, but large mailbox providers expect one from bulk senders.' },
  DMARC_MULTIPLE: { status: 'wrong', text: '{Count} DMARC records found at {name}: receivers then ignore them all (RFC 7489 §6.6.3). Keep only the record below.' },
  DMARC_NO_POLICY: { status: 'wrong', text: 'The DMARC record at {name} has no valid policy (p=none, p=quarantine or p=reject): publish the record below.' },
  DMARC_POLICY_DIFFERS: { status: 'wrong', text: 'The DMARC record at {name} says p={found}, but the policy chosen here is {policy}: publish the record below, or choose {found} here.' },

  // Return path, a CNAME at bounces.<domain> (recommended)
  RETURN_PATH_OK: { status: 'ok', text: '{name} points to {target}: ready for bounces to come back to Mailroom.' },
  RETURN_PATH_MISSING: { status: 'missing', text: 'No CNAME record at {name}: publish the record below so bounces can come back to Mailroom under your domain. Not required: mail is sent without it.' },
  RETURN_PATH_WRONG: { status: 'wrong', text: '{name} points to {found}, not {target}: change the CNAME to {target}.' },

  // Any record: the lookup itself failed (nothing to fix in the records; ask again later)
  DNS_SERVFAIL: { status: 'error', text: 'The DNS lookup of {name} failed (SERVFAIL): try again later. If it keeps failing, the DNS servers of {domain} are not answering correctly.' },
  DNS_TIMEOUT: { status: 'error', text: 'The DNS lookup of {name} timed out: try again later.' },
  DNS_FAILED: { status: 'error', text: 'The DNS lookup of {name} failed ({detail}): try again later.' },
} as const satisfies Record<string, MessageEntry>;

export type CheckCode = keyof typeof CHECK_MESSAGES;

/** The sentence that sums up a check, by the domain's status after it. */
export const SUMMARY_MESSAGES = {
  verified: '{domain} is verified: SPF and DKIM are in place, and Mailroom signs mail from {domain} with DKIM.',
  pending: '{domain} is not verified yet: publish the required records (SPF and DKIM) marked below, then check again.',
  failing: '{domain} was verified, but a required record is now missing or wrong: Mailroom stopped signing its mail with DKIM. Fix the records marked below.',
  incomplete: 'The check could not finish: a DNS lookup failed. The status stays "{status}" until a check gets an answer.',
} as const;

const COUNT_WORDS = ['No', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine'];

export type MessageParams = Record<string, string | number>;

export function fillTemplate(text: string, params: MessageParams): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (key === 'Count') {
      const n = Number(params.count);
      return COUNT_WORDS[n] ?? String(n);
    }
    const value = params[key];
    return value === undefined ? whole : String(value);
  });
}

export function checkMessage(code: CheckCode, params: MessageParams): string {
  return fillTemplate(CHECK_MESSAGES[code].text, params);
}

export function isWarningCode(code: CheckCode): boolean {
  return 'warning' in CHECK_MESSAGES[code];
}
