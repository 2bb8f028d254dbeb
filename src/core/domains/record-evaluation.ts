// Judges one record: what DNS returned at a name against what Mailroom asked to publish there.
// Pure; each function returns a code of CHECK_MESSAGES and the facts its sentence needs.
import type { CheckCode, MessageParams } from './check-messages.ts';
import type { DnsAnswer } from './dns-ports.ts';
import type { DmarcPolicy } from './domain-model.ts';

export interface Evaluation {
  code: CheckCode;
  params: MessageParams;
  found: string[];
  suggestedValue?: string;
}

/** A lookup that got no answer: the same words for every record. */
function lookupFailed(name: string, domain: string, answer: Extract<DnsAnswer<unknown>, { kind: 'error' }>): Evaluation {
  const params = { name, domain, detail: answer.detail };
  if (answer.failure === 'servfail') return { code: 'DNS_SERVFAIL', params, found: [] };
  if (answer.failure === 'timeout') return { code: 'DNS_TIMEOUT', params, found: [] };
  return { code: 'DNS_FAILED', params, found: [] };
}

const sameHost = (a: string, b: string) => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');

// --- SPF (RFC 7208) --------------------------------------------------------------------------

const isSpfRecord = (txt: string) => /^v=spf1(\s|$)/i.test(txt.trim());
const isAllTerm = (term: string) => /^[+\-~?]?all$/i.test(term);
const isModifier = (term: string) => /^[a-z][a-z0-9_.-]*=/i.test(term);

function includeTarget(term: string): string | null {
  const m = /^\+?include:(.+)$/i.exec(term);
  return m ? m[1]! : null;
}

export function evaluateSpf(domain: string, answer: DnsAnswer<string[]>, include: string): Evaluation {
  const name = domain;
  if (answer.kind === 'error') return lookupFailed(name, domain, answer);
  const base = { name, domain, include };
  if (answer.kind === 'nxdomain') return { code: 'SPF_DOMAIN_NOT_FOUND', params: base, found: [] };
  const records = answer.kind === 'found' ? answer.value.filter(isSpfRecord) : [];
  if (records.length === 0) return { code: 'SPF_MISSING', params: base, found: [] };
  if (records.length > 1) {
    return { code: 'SPF_MULTIPLE', params: { ...base, count: records.length }, found: records, suggestedValue: mergedSpf(records, include) };
  }
  const record = records[0]!;
  const terms = record.trim().split(/\s+/).slice(1);
  const allIndex = terms.findIndex(isAllTerm);
  const all = allIndex >= 0 ? terms[allIndex]! : null;
  const includeIndex = terms.findIndex((t) => {
    const target = includeTarget(t);
    return target !== null && sameHost(target, include);
  });
  if (includeIndex < 0) {
    // Receivers stop at the first matching mechanism, so the include goes before "all".
    const fixed = [...terms];
    fixed.splice(allIndex >= 0 ? allIndex : fixed.length, 0, `include:${include}`);
    return { code: 'SPF_NO_INCLUDE', params: { ...base, all: all ?? 'the end' }, found: records, suggestedValue: ['v=spf1', ...fixed].join(' ') };
  }
  if (all && includeIndex > allIndex) {
    const fixed = terms.filter((_, i) => i !== includeIndex);
    fixed.splice(fixed.indexOf(all), 0, terms[includeIndex]!);
    return { code: 'SPF_INCLUDE_AFTER_ALL', params: { ...base, all }, found: records, suggestedValue: ['v=spf1', ...fixed].join(' ') };
  }
  if (all && /^\+?all$/i.test(all)) return { code: 'SPF_ALLOWS_ALL', params: { ...base, all }, found: records };
  return { code: 'SPF_OK', params: base, found: records };
}

/** One record from several: their mechanisms, Mailroom's include, then ~all. None when a modifier (redirect=, exp=) makes merging a judgment call. */
function mergedSpf(records: string[], include: string): string | undefined {
  const terms: string[] = [];
  for (const record of records) {
    for (const term of record.trim().split(/\s+/).slice(1)) {
      if (isModifier(term)) return undefined;
      if (!isAllTerm(term) && !terms.some((t) => t.toLowerCase() === term.toLowerCase())) terms.push(term);
    }
  }
  if (!terms.some((t) => { const target = includeTarget(t); return target !== null && sameHost(target, include); })) terms.push(`include:${include}`);
  return ['v=spf1', ...terms, '~all'].join(' ');
}

// --- DKIM (RFC 6376 §3.6.1) ------------------------------------------------------------------

/** "v=DKIM1; k=rsa; p=…" → tags; names lower-cased, values trimmed. */
export function parseTagList(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const tag = part.slice(0, eq).trim().toLowerCase();
    if (tag && !tags.has(tag)) tags.set(tag, part.slice(eq + 1).trim());
  }
  return tags;
}

const isDkimRecord = (txt: string) => /^\s*v\s*=\s*DKIM1\s*(;|$)/i.test(txt) || parseTagList(txt).has('p');

export function evaluateDkim(name: string, domain: string, answer: DnsAnswer<string[]>, publicKey: string, next: boolean): Evaluation {
  if (answer.kind === 'error') return lookupFailed(name, domain, answer);
  const base = { name, domain };
  const records = answer.kind === 'found' ? answer.value.filter(isDkimRecord) : [];
  if (records.length === 0) return { code: next ? 'DKIM_NEXT_MISSING' : 'DKIM_MISSING', params: base, found: [] };
  if (records.length > 1) return { code: 'DKIM_MULTIPLE', params: { ...base, count: records.length }, found: records };
  const tags = parseTagList(records[0]!);
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  if (keyType !== 'rsa') return { code: 'DKIM_NOT_RSA', params: { ...base, keyType }, found: records };
  // Whitespace inside p= is allowed (folding); everything else must match byte for byte.
  const published = (tags.get('p') ?? '').replace(/\s+/g, '');
  if (published === '') return { code: 'DKIM_REVOKED', params: base, found: records };
  if (published === publicKey) return { code: 'DKIM_OK', params: base, found: records };
  if (publicKey.startsWith(published)) {
    return { code: 'DKIM_TRUNCATED', params: { ...base, found: published.length, expected: publicKey.length }, found: records };
  }
  return { code: 'DKIM_WRONG_KEY', params: base, found: records };
}

// --- DMARC (RFC 7489 §6.3) -------------------------------------------------------------------

const isDmarcRecord = (txt: string) => /^\s*v\s*=\s*DMARC1\s*(;|$)/i.test(txt);
const POLICY_ACTIONS: Record<DmarcPolicy, string> = { none: 'deliver', quarantine: 'put in spam', reject: 'refuse' };

export function evaluateDmarc(name: string, domain: string, answer: DnsAnswer<string[]>, chosen: DmarcPolicy): Evaluation {
  if (answer.kind === 'error') return lookupFailed(name, domain, answer);
  const base = { name, domain, policy: chosen };
  const records = answer.kind === 'found' ? answer.value.filter(isDmarcRecord) : [];
  if (records.length === 0) return { code: 'DMARC_MISSING', params: base, found: [] };
  if (records.length > 1) return { code: 'DMARC_MULTIPLE', params: { ...base, count: records.length }, found: records };
  const published = (parseTagList(records[0]!).get('p') ?? '').toLowerCase();
  if (!(published in POLICY_ACTIONS)) return { code: 'DMARC_NO_POLICY', params: base, found: records };
  // p=none is worth the warning whatever was chosen here: it protects nothing.
  if (published === 'none') return { code: 'DMARC_MONITOR_ONLY', params: base, found: records };
  if (published !== chosen) return { code: 'DMARC_POLICY_DIFFERS', params: { ...base, found: published }, found: records };
  return { code: 'DMARC_OK', params: { ...base, action: POLICY_ACTIONS[chosen] }, found: records };
}

// --- Return path (a CNAME) -------------------------------------------------------------------

export function evaluateReturnPath(name: string, domain: string, answer: DnsAnswer<string>, target: string): Evaluation {
  if (answer.kind === 'error') return lookupFailed(name, domain, answer);
  const base = { name, domain, target };
  if (answer.kind !== 'found') return { code: 'RETURN_PATH_MISSING', params: base, found: [] };
  if (sameHost(answer.value, target)) return { code: 'RETURN_PATH_OK', params: base, found: [answer.value] };
  return { code: 'RETURN_PATH_WRONG', params: { ...base, found: answer.value }, found: [answer.value] };
}
