// The resolvers behind the dns stage: the DNS resolver against the local stand-in, and the
// system resolver on a name every machine knows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createDnsResolver, createSystemResolver, HostResolveError } from '../../src/adapters/smtp-probe/host-resolver.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';

const LOOKUP_MS = 2_000;

describe('host resolvers', () => {
  let dns: DnsStandIn;

  before(async () => {
    dns = await startDnsStandIn({
      'both.probe.test': { A: ['192.0.2.10', '192.0.2.11'], AAAA: ['2001:db8::10'] },
      'v6only.probe.test': { AAAA: ['2001:db8::20'] },
      'empty.probe.test': {},
    });
  });
  after(() => dns.close());

  it('returns IPv4 addresses first, then IPv6', async () => {
    assert.deepEqual(await createDnsResolver({ servers: [dns.server] }).resolve('both.probe.test', LOOKUP_MS), ['192.0.2.10', '192.0.2.11', '2001:db8::10']);
    assert.deepEqual(await createDnsResolver({ servers: [dns.server] }).resolve('v6only.probe.test', LOOKUP_MS), ['2001:db8::20']);
  });

  it('reports an unknown name, and a name without addresses, as not found', async () => {
    for (const name of ['missing.probe.test', 'empty.probe.test']) {
      await assert.rejects(createDnsResolver({ servers: [dns.server] }).resolve(name, LOOKUP_MS), (err: unknown) => err instanceof HostResolveError && err.kind === 'not-found');
    }
  });

  it('reports a DNS server that does not answer as a temporary failure', async () => {
    // A bound UDP socket that never replies: the lookup runs into its own time limit.
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    try {
      const resolver = createDnsResolver({ servers: [`127.0.0.1:${silent.address().port}`] });
      await assert.rejects(resolver.resolve('both.probe.test', 300), (err: unknown) => err instanceof HostResolveError && err.kind === 'temporary');
    } finally {
      silent.close();
    }
  });

  it('the system resolver finds localhost', async () => {
    const addresses = await createSystemResolver().resolve('localhost', LOOKUP_MS);
    assert.ok(addresses.some((a) => a === '127.0.0.1' || a === '::1'), addresses.join(', '));
  });
});
