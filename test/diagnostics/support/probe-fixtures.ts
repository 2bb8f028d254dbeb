// Shared set-up for the probe tests: a prober allowed to reach loopback only, short stage limits
// so failure paths end quickly, and a request builder.
import { createDnsResolver, createSystemResolver, type HostResolver } from '../../../src/adapters/smtp-probe/host-resolver.ts';
import { createSmtpProber, type SmtpProberOptions } from '../../../src/adapters/smtp-probe/smtp-prober.ts';
import { createEgressPolicy } from '../../../src/core/diagnostics/egress-policy.ts';
import type { ProbeRequest, SmtpProber } from '../../../src/core/diagnostics/probe-types.ts';

/** The only networks a test may reach. */
export const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'];

export const FAST_TIMEOUTS = {
  connectMs: 2_000,
  greetingMs: 2_000,
  tlsMs: 2_000,
  commandMs: 2_000,
  dataMs: 2_000,
  implicitTlsCheckAfterMs: 1_000,
  quitMs: 500,
};

export function loopbackProber(overrides: Partial<SmtpProberOptions> = {}): SmtpProber {
  return createSmtpProber({
    resolver: createSystemResolver(),
    egressPolicy: createEgressPolicy({ allowedNetworks: LOOPBACK_NETWORKS }),
    timeouts: FAST_TIMEOUTS,
    ...overrides,
  });
}

export function dnsStandInResolver(server: string): HostResolver {
  return createDnsResolver({ servers: [server] });
}

export function probeRequest(port: number, overrides: Partial<ProbeRequest> = {}): ProbeRequest {
  return {
    host: '127.0.0.1',
    port,
    security: 'none',
    auth: null,
    from: 'sender@example.com',
    to: 'recipient@example.com',
    sendTestMessage: false,
    allowInvalidCert: false,
    timeoutMs: 10_000,
    ...overrides,
  };
}

/** An smtp-server error with the reply code it should answer with. */
export function smtpError(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}
