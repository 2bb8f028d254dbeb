// Resolves the host typed into the settings to its addresses, once per probe. The prober checks
// these addresses with the egress policy and connects to a checked one, so the name is never
// resolved a second time (a second answer could point somewhere else: DNS rebinding).
import { promises as dns } from 'node:dns';

export type ResolveFailureKind = 'not-found' | 'temporary';

export class HostResolveError extends Error {
  readonly kind: ResolveFailureKind;

  constructor(kind: ResolveFailureKind, message: string) {
    super(message);
    this.name = 'HostResolveError';
    this.kind = kind;
  }
}

export interface HostResolver {
  /** IPv4 addresses first, then IPv6. Throws HostResolveError. */
  resolve(hostname: string, timeoutMs: number): Promise<string[]>;
}

const NOT_FOUND_CODES = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME', 'EAI_NODATA', 'NXDOMAIN']);

/**
 * The operating system's resolver (getaddrinfo): honours /etc/hosts and the container's DNS, as
 * every other program on the machine does. The default for the service and the CLI.
 */
export function createSystemResolver(): HostResolver {
  return {
    async resolve(hostname, timeoutMs) {
      const lookup = dns.lookup(hostname, { all: true, order: 'ipv4first' });
      const results = await withTimeout(lookup, timeoutMs, hostname).catch((err: unknown) => {
        throw toResolveError(err, hostname);
      });
      if (results.length === 0) throw new HostResolveError('not-found', `${hostname} has no address`);
      return results.map((r) => r.address);
    },
  };
}

/**
 * Queries DNS servers directly for A and AAAA records. Used by the tests to point the probe at a
 * local DNS stand-in; an instance could use it to pin the resolver the probe trusts.
 */
export function createDnsResolver(options: { servers?: string[] } = {}): HostResolver {
  return {
    async resolve(hostname, timeoutMs) {
      // One resolver per lookup: its timeout is the time left for this stage.
      const resolver = new dns.Resolver({ timeout: Math.max(1, timeoutMs), tries: 1 });
      if (options.servers) resolver.setServers(options.servers);
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)]);
      const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
      if (addresses.length > 0) return addresses;
      const failures = [v4, v6].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      if (failures.length === 0 || failures.every((f) => NOT_FOUND_CODES.has(errorCode(f)))) {
        throw new HostResolveError('not-found', `${hostname} has no A or AAAA record`);
      }
      throw toResolveError(failures.find((f) => !NOT_FOUND_CODES.has(errorCode(f))), hostname);
    },
  };
}

function errorCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

function toResolveError(err: unknown, hostname: string): HostResolveError {
  if (err instanceof HostResolveError) return err;
  const code = errorCode(err);
  if (NOT_FOUND_CODES.has(code)) return new HostResolveError('not-found', `${hostname} does not resolve (${code})`);
  return new HostResolveError('temporary', `the DNS lookup of ${hostname} failed (${code || 'no answer'})`);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, hostname: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HostResolveError('temporary', `the DNS lookup of ${hostname} timed out`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
