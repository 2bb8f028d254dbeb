// The DNS questions direct delivery asks about a recipient domain: its MX records, and TXT records
// (the `_mta-sts.<domain>` policy indicator). The answers keep the distinctions RFC 5321 §5.1 acts
// on — no such domain (NXDOMAIN), a domain without MX records (NODATA: fall back to its address),
// and a lookup that failed (SERVFAIL, timeout: try again later) — which a plain "no records" hides.
// Addresses of the mail exchangers themselves are looked up with the HostResolver
// (smtp-probe/host-resolver.ts), as for every other host Mailroom connects to.
import { promises as dns } from 'node:dns';
import { HostResolveError } from '../smtp-probe/host-resolver.ts';

export interface MxRecord {
  /** The mail exchanger's name without the trailing dot; "" is the root: a null MX (RFC 7505). */
  exchange: string;
  preference: number;
}

export interface MxResolver {
  /**
   * The domain's MX records, [] when the domain exists but has none (NODATA).
   * Throws HostResolveError: 'not-found' for NXDOMAIN, 'temporary' for SERVFAIL, timeouts, refusals.
   */
  resolveMx(domain: string, timeoutMs: number): Promise<MxRecord[]>;
  /**
   * The name's TXT records, each one's character-strings joined; [] when there are none or the
   * name does not exist. Throws HostResolveError('temporary') when the lookup itself failed.
   */
  resolveTxt(name: string, timeoutMs: number): Promise<string[]>;
}

// c-ares codes (node:dns): ENOTFOUND is NXDOMAIN, ENODATA an empty answer.
const NXDOMAIN_CODES = new Set(['ENOTFOUND', 'NXDOMAIN']);
const NODATA_CODES = new Set(['ENODATA']);

/**
 * Queries DNS servers directly (the given ones, MAILROOM_DNS_SERVERS, or else the machine's
 * resolv.conf servers): getaddrinfo, which the system resolver uses, cannot ask for MX or TXT.
 */
export function createDnsMxResolver(options: { servers?: string[] } = {}): MxResolver {
  const resolverFor = (timeoutMs: number): dns.Resolver => {
    // One resolver per lookup: its timeout is the time allowed for this lookup.
    const resolver = new dns.Resolver({ timeout: Math.max(1, timeoutMs), tries: 1 });
    if (options.servers && options.servers.length > 0) resolver.setServers(options.servers);
    return resolver;
  };
  return {
    async resolveMx(domain, timeoutMs) {
      try {
        const records = await resolverFor(timeoutMs).resolveMx(domain);
        return records.map((r) => ({ exchange: r.exchange.replace(/\.$/, ''), preference: r.priority }));
      } catch (err) {
        const code = errorCode(err);
        if (NODATA_CODES.has(code)) return [];
        if (NXDOMAIN_CODES.has(code)) throw new HostResolveError('not-found', `${domain} does not exist (${code})`);
        throw new HostResolveError('temporary', `the MX lookup of ${domain} failed (${code || 'no answer'})`);
      }
    },
    async resolveTxt(name, timeoutMs) {
      try {
        const records = await resolverFor(timeoutMs).resolveTxt(name);
        return records.map((chunks) => chunks.join(''));
      } catch (err) {
        const code = errorCode(err);
        if (NODATA_CODES.has(code) || NXDOMAIN_CODES.has(code)) return [];
        throw new HostResolveError('temporary', `the TXT lookup of ${name} failed (${code || 'no answer'})`);
      }
    },
  };
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}
