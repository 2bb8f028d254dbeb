// Does the From domain's SPF record allow a custom mail server to send as it? Evaluated as a
// receiver would (SpfEvaluator: mailauth in the adapter) for each address the server's host
// resolves to. A warning for the mail server page, never a block: hosted providers often send
// from other addresses than the one Mailroom connects to, which only their own SPF include covers.
import ipaddr from 'ipaddr.js';
import { providerFamily } from '../diagnostics/known-providers.ts';
import { fillTemplate } from './check-messages.ts';
import type { DnsLookup, SpfEvaluator, SpfResult } from './dns-ports.ts';

export const SERVER_SPF_MESSAGES = {
  SERVER_SPF_PASS: 'The SPF record of {domain} allows {host} ({addresses}) to send as {domain}.',
  SERVER_SPF_NOT_ALLOWED: 'The SPF record of {domain} does not allow {host} ({addresses}) to send as {domain}: receivers may reject such mail or file it as spam. Add {mechanism} to the record (or the include: your provider documents).',
  SERVER_SPF_NEUTRAL: 'The SPF record of {domain} neither allows nor denies {host} ({addresses}): receivers treat its mail as unauthenticated. Add {mechanism} to the record (or the include: your provider documents).',
  SERVER_SPF_NONE: '{domain} has no SPF record: receivers cannot tell that {host} may send as {domain} and may file its mail as spam. Publish one, e.g. "v=spf1 {mechanism} ~all".',
  SERVER_SPF_BROKEN: 'The SPF record of {domain} is broken ({detail}): receivers treat SPF as failed for all its mail. Fix the record.',
  SERVER_SPF_UNCHECKED: 'The SPF record of {domain} could not be checked ({detail}): try again later.',
  SERVER_HOST_NOT_FOUND: '{host} does not resolve, so Mailroom cannot check whether the SPF record of {domain} allows it.',
  SERVER_HOST_LOOKUP_FAILED: 'The DNS lookup of {host} failed ({detail}), so the SPF record of {domain} could not be checked: try again later.',
} as const;

export type ServerSpfCode = keyof typeof SERVER_SPF_MESSAGES;

export interface ServerSpfCheck {
  fromDomain: string;
  host: string;
  addresses: string[];
  /** allowed: every address passes; not-allowed: the record says no (or nothing); unknown: could not tell. */
  verdict: 'allowed' | 'not-allowed' | 'unknown';
  code: ServerSpfCode;
  message: string;
  /** The same words when something needs attention, null when the server is allowed. */
  warning: string | null;
  results: { address: string; result: SpfResult; detail: string | null }[];
}

/** Enough to judge a server behind a few addresses, bounded so one check stays a handful of lookups. */
const MAX_ADDRESSES = 4;

const PROVIDER_INCLUDES = { google: 'include:_spf.google.com', microsoft: 'include:spf.protection.outlook.com' } as const;

function literalAddress(host: string): string | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.IPv4.isValidFourPartDecimal(bare) || ipaddr.IPv6.isValid(bare) ? bare : null;
}

function mechanismFor(host: string, addresses: string[]): string {
  const family = providerFamily(host);
  if (family) return PROVIDER_INCLUDES[family];
  return addresses.map((a) => (a.includes(':') ? `ip6:${a}` : `ip4:${a}`)).join(' ');
}

export async function spfAllowsServer(deps: { dns: DnsLookup; spf: SpfEvaluator }, fromDomain: string, serverHost: string): Promise<ServerSpfCheck> {
  const domain = fromDomain.toLowerCase();
  const host = serverHost.trim().toLowerCase();
  let addresses: string[] = [];
  const results: ServerSpfCheck['results'] = [];
  /** `shown`: the addresses the sentence is about (those that do not pass). */
  const answer = (code: ServerSpfCode, verdict: ServerSpfCheck['verdict'], params: { detail?: string; shown?: string[] } = {}): ServerSpfCheck => {
    const shown = params.shown ?? addresses;
    const message = fillTemplate(SERVER_SPF_MESSAGES[code], { domain, host, addresses: shown.join(', '), mechanism: mechanismFor(host, shown), detail: params.detail ?? '' });
    return { fromDomain: domain, host, addresses, verdict, code, message, warning: verdict === 'allowed' ? null : message, results };
  };

  const literal = literalAddress(host);
  if (literal) {
    addresses = [literal];
  } else {
    const resolved = await deps.dns.addresses(host);
    if (resolved.kind === 'nxdomain' || resolved.kind === 'nodata') return answer('SERVER_HOST_NOT_FOUND', 'unknown');
    if (resolved.kind === 'error') return answer('SERVER_HOST_LOOKUP_FAILED', 'unknown', { detail: resolved.detail });
    addresses = resolved.value.slice(0, MAX_ADDRESSES);
  }

  // One at a time: each evaluation may make up to ten lookups of its own.
  for (const address of addresses) results.push({ address, ...(await deps.spf.check({ domain, ip: address, helo: host })) });

  const notPassing = results.filter((r) => r.result !== 'pass');
  if (notPassing.length === 0) return answer('SERVER_SPF_PASS', 'allowed');
  const first = (result: SpfResult) => results.find((r) => r.result === result);
  const temp = first('temperror');
  if (temp) return answer('SERVER_SPF_UNCHECKED', 'unknown', { detail: temp.detail ?? 'DNS error' });
  const perm = first('permerror');
  if (perm) return answer('SERVER_SPF_BROKEN', 'not-allowed', { detail: perm.detail ?? 'permanent error' });
  if (first('none')) return answer('SERVER_SPF_NONE', 'not-allowed');
  const shown = notPassing.map((r) => r.address);
  if (notPassing.some((r) => r.result === 'fail' || r.result === 'softfail')) return answer('SERVER_SPF_NOT_ALLOWED', 'not-allowed', { shown });
  return answer('SERVER_SPF_NEUTRAL', 'not-allowed', { shown });
}
