// DNS for the sending-domain checks: TXT, CNAME and address lookups through node:dns's Resolver,
// pointed at MAILROOM_DNS_SERVERS when set (the tests' stand-in, or a resolver an operator trusts)
// and at the system's configured servers otherwise. Errors become answers the core can judge:
// ENOTFOUND → nxdomain, ENODATA → nodata (nothing published: the admin's to fix), ESERVFAIL and
// ETIMEOUT → a failed lookup (nobody's to fix: try again later).
import { promises as dns } from 'node:dns';
import type { DnsAnswer, DnsFailure, DnsLookup } from '../../core/domains/dns-ports.ts';

export interface DnsLookupOptions {
  /** "host" or "host:port" entries; empty: the system's DNS servers. */
  servers: string[];
  /** Per try (c-ares option). */
  timeoutMs?: number;
  tries?: number;
}

/** A DnsLookup plus the raw resolve(name, type) that mailauth's SPF evaluation takes. */
export interface DnsLookupAdapter extends DnsLookup {
  resolve(name: string, type: string): Promise<unknown>;
}

const DEFAULT_TIMEOUT_MS = 2_500;
const DEFAULT_TRIES = 2;

const FAILURES: Record<string, DnsFailure> = {
  ESERVFAIL: 'servfail',
  ETIMEOUT: 'timeout',
  EREFUSED: 'refused',
  ECONNREFUSED: 'refused',
};

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function toAnswer<T>(err: unknown): DnsAnswer<T> {
  const code = codeOf(err);
  if (code === 'ENOTFOUND') return { kind: 'nxdomain' };
  if (code === 'ENODATA') return { kind: 'nodata' };
  const failure = FAILURES[code] ?? 'other';
  return { kind: 'error', failure, detail: failure === 'servfail' ? 'SERVFAIL' : code || (err instanceof Error ? err.message : 'no answer') };
}

export function createDnsLookup(options: DnsLookupOptions): DnsLookupAdapter {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tries = options.tries ?? DEFAULT_TRIES;
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries });
  if (options.servers.length) resolver.setServers(options.servers);
  // c-ares keeps its own timeouts; this cap only guards against a query that never settles.
  const capMs = timeoutMs * (2 ** tries) + 1_000;

  function capped<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('DNS query timed out'), { code: 'ETIMEOUT' })), capMs);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  async function answer<T>(work: () => Promise<T>, empty: (value: T) => boolean): Promise<DnsAnswer<T>> {
    try {
      const value = await capped(work());
      return empty(value) ? { kind: 'nodata' } : { kind: 'found', value };
    } catch (err) {
      return toAnswer(err);
    }
  }

  return {
    txt: (name) => answer(async () => (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')), (v) => v.length === 0),
    cname: (name) => answer(async () => ((await resolver.resolveCname(name))[0] ?? '').replace(/\.$/, ''), (v) => v === ''),
    async addresses(host) {
      if (!options.servers.length) {
        // No servers configured: the same getaddrinfo answer (with /etc/hosts) that sending uses.
        return answer(async () => (await dns.lookup(host, { all: true, order: 'ipv4first' })).map((a) => a.address), (v) => v.length === 0);
      }
      const [v4, v6] = await Promise.all([answer(() => resolver.resolve4(host), (v) => v.length === 0), answer(() => resolver.resolve6(host), (v) => v.length === 0)]);
      const found = [...(v4.kind === 'found' ? v4.value : []), ...(v6.kind === 'found' ? v6.value : [])];
      if (found.length) return { kind: 'found', value: found };
      if (v4.kind === 'error') return v4;
      if (v6.kind === 'error') return v6;
      return v4.kind === 'nxdomain' || v6.kind === 'nxdomain' ? { kind: 'nxdomain' } : { kind: 'nodata' };
    },
    resolve: (name, type) => capped(resolver.resolve(name, type)),
  };
}
