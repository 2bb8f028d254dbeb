// The egress rule for sending, the same as for the connection test (smtp-probe/smtp-prober.ts):
// resolve the host once with the injected resolver (never nodemailer's own DNS), check every
// address with the egress policy, and connect to an allowed one — the checked address itself, so a
// second DNS answer cannot redirect the connection (rebinding). Runs when a pool is created.
import { isIP } from 'node:net';
import type { EgressPolicy } from '../../core/diagnostics/egress-policy.ts';
import { describeProbeCode, type ProbeCode } from '../../core/diagnostics/result-codes.ts';
import { HostResolveError, type HostResolver } from '../smtp-probe/host-resolver.ts';
import type { PoolTarget } from './nodemailer-pool-options.ts';

export class DeliveryAddressError extends Error {
  readonly kind: 'config' | 'temporary';
  readonly code: ProbeCode;

  constructor(kind: 'config' | 'temporary', code: ProbeCode, message = describeProbeCode(code).message) {
    super(message);
    this.name = 'DeliveryAddressError';
    this.kind = kind;
    this.code = code;
  }
}

export async function resolveDeliveryAddress(host: string, resolver: HostResolver, egressPolicy: EgressPolicy, timeoutMs: number): Promise<PoolTarget> {
  const hostname = host.trim().replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (isIP(hostname)) {
    addresses = [hostname];
  } else {
    try {
      addresses = await resolver.resolve(hostname, timeoutMs);
    } catch (err) {
      if (err instanceof HostResolveError && err.kind === 'not-found') throw new DeliveryAddressError('config', 'DNS_NOT_FOUND');
      // SERVFAIL, a timeout, an unreachable resolver: may work again shortly.
      throw new DeliveryAddressError('temporary', 'TEMPORARY_FAILURE', 'The DNS lookup of the host failed; it may work again shortly.');
    }
  }
  for (const address of addresses) {
    const decision = egressPolicy.check(address);
    if (decision.allowed && decision.address) return { ip: decision.address, hostname };
  }
  // The same words whatever the address is; the address itself is not shown (see smtp-prober.ts).
  throw new DeliveryAddressError('config', 'HOST_BLOCKED');
}
