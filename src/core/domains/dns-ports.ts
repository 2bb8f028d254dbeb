// What the domain checks need from DNS, owned here (their only consumer). The adapter
// (adapters/dns/dns-lookup.ts) maps resolver errors into these answers, so the evaluation can tell
// "nothing is published" (nxdomain, nodata) from "we could not ask" (servfail, timeout) — the first is
// the admin's to fix, the second is not, and must never turn a verified domain into a failing one.

/** Why a lookup got no usable answer. */
export type DnsFailure = 'servfail' | 'timeout' | 'refused' | 'other';

export type DnsAnswer<T> =
  | { kind: 'found'; value: T }
  /** The name does not exist at all. */
  | { kind: 'nxdomain' }
  /** The name exists but has no record of this type. */
  | { kind: 'nodata' }
  | { kind: 'error'; failure: DnsFailure; detail: string };

export interface DnsLookup {
  /** TXT records at `name`; each record's character-strings joined (RFC 7208 §3.3, RFC 6376 §3.6.2.2). */
  txt(name: string): Promise<DnsAnswer<string[]>>;
  /** The CNAME target at `name`, without its trailing dot. */
  cname(name: string): Promise<DnsAnswer<string>>;
  /** IPv4 then IPv6 addresses of `host`. */
  addresses(host: string): Promise<DnsAnswer<string[]>>;
}

/** RFC 7208 results, as receivers report them. */
export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';

/** Evaluates a domain's SPF policy for one sending address, as a receiving server would. */
export interface SpfEvaluator {
  check(input: { domain: string; ip: string; helo: string }): Promise<{ result: SpfResult; detail: string | null }>;
}
