// The egress rule (SSRF): which addresses the probe may connect to, that it applies to the
// resolved address of a name, that a blocked answer says nothing about what listens there, and
// that the probe connects to the address it checked (no second resolution).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createEgressPolicy, parseAllowedNetworks } from '../../src/core/diagnostics/egress-policy.ts';
import { createSmtpProber } from '../../src/adapters/smtp-probe/smtp-prober.ts';
import type { HostResolver } from '../../src/adapters/smtp-probe/host-resolver.ts';
import type { TcpConnector } from '../../src/adapters/smtp-probe/tcp-connect.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';
import { closedPort, startSmtpServer, type RunningServer } from './support/scripted-servers.ts';
import { createTestCertificates, type TestCertificates } from './support/test-certificates.ts';
import { dnsStandInResolver, FAST_TIMEOUTS, LOOPBACK_NETWORKS, probeRequest } from './support/probe-fixtures.ts';

describe('egress policy on addresses', () => {
  const byDefault = createEgressPolicy({ allowedNetworks: [] });

  const refused: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['169.254.1.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'metadata'],
    ['fe80::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'], // NAT64 of 169.254.169.254
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2001:db8::1', 'reserved'],
    ['::127.0.0.1', 'loopback'], // ipaddr.js reads the deprecated IPv4-compatible form as mapped
    ['::2', 'not global unicast'],
  ];
  for (const [ip, reason] of refused) {
    it(`refuses ${ip} by default (${reason})`, () => {
      const decision = byDefault.check(ip);
      assert.equal(decision.allowed, false);
      assert.equal(decision.reason, reason);
    });
  }

  for (const ip of ['93.184.215.14', '8.8.8.8', '2a00:1450:4001:80b::201a', '::ffff:93.184.215.14', '64:ff9b::808:808']) {
    it(`allows public ${ip}`, () => assert.deepEqual({ ...byDefault.check(ip), address: null }, { allowed: true, reason: 'public', address: null }));
  }

  for (const notAnAddress of ['localhost', '2130706433', '0x7f000001', '127.1', '', '1.2.3.4.5']) {
    it(`refuses "${notAnAddress}", which is not a canonical address`, () => assert.equal(byDefault.check(notAnAddress).allowed, false));
  }

  it('allows private ranges with allowPrivate, but never metadata endpoints', () => {
    const policy = createEgressPolicy({ allowedNetworks: [], allowPrivate: true });
    for (const ip of ['127.0.0.1', '10.1.2.3', '192.168.0.10', '::1', 'fd12::1', '100.64.1.1', '::ffff:127.0.0.1']) assert.equal(policy.check(ip).allowed, true, ip);
    for (const ip of ['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200', '::ffff:169.254.169.254', '0.0.0.0', '224.0.0.1']) assert.equal(policy.check(ip).allowed, false, ip);
  });

  it('allows exactly the configured networks', () => {
    const policy = createEgressPolicy({ allowedNetworks: ['10.20.0.0/16', 'fd00:1::/64', '192.168.5.7'] });
    assert.deepEqual(policy.check('10.20.3.4'), { allowed: true, reason: 'allowed network 10.20.0.0/16', address: '10.20.3.4' });
    assert.equal(policy.check('10.21.0.1').allowed, false);
    assert.equal(policy.check('fd00:1::25').allowed, true);
    assert.equal(policy.check('fd00:2::25').allowed, false);
    assert.equal(policy.check('192.168.5.7').allowed, true);
    assert.equal(policy.check('192.168.5.8').allowed, false);
    assert.deepEqual(policy.check('::ffff:10.20.0.9'), { allowed: true, reason: 'allowed network 10.20.0.0/16', address: '10.20.0.9' }, 'a mapped address is judged, and connected to, as its IPv4 address');
  });

  it('never allows unspecified, multicast or broadcast, even inside an allowed network', () => {
    const policy = createEgressPolicy({ allowedNetworks: ['0.0.0.0/0', '::/0'] });
    for (const ip of ['0.0.0.0', '224.0.0.1', '255.255.255.255', '::', 'ff02::1']) assert.equal(policy.check(ip).allowed, false, ip);
    assert.equal(policy.check('10.0.0.1').allowed, true);
  });

  it('allows a metadata address only when listed explicitly', () => {
    assert.equal(createEgressPolicy({ allowedNetworks: ['169.254.169.254/32'] }).check('169.254.169.254').allowed, true);
  });

  it('rejects a malformed network at construction', () => {
    assert.throws(() => createEgressPolicy({ allowedNetworks: ['10.0.0.0/33'] }), /MAILROOM_ALLOWED_SMTP_NETWORKS: "10.0.0.0\/33"/);
    assert.throws(() => createEgressPolicy({ allowedNetworks: ['intranet'] }), /not a CIDR/);
  });

  it('parses MAILROOM_ALLOWED_SMTP_NETWORKS', () => {
    assert.deepEqual(parseAllowedNetworks(' 10.0.0.0/8, fd00::/8\n192.168.1.0/24 '), ['10.0.0.0/8', 'fd00::/8', '192.168.1.0/24']);
    assert.deepEqual(parseAllowedNetworks(undefined), []);
    assert.deepEqual(parseAllowedNetworks(''), []);
  });
});

describe('egress rule in the probe', () => {
  let dns: DnsStandIn;
  let server: RunningServer;
  let certs: TestCertificates;

  before(async () => {
    certs = createTestCertificates();
    dns = await startDnsStandIn({
      'loopback.probe.test': { A: ['127.0.0.1'] },
      'private.probe.test': { A: ['10.0.0.1'] },
      'metadata.probe.test': { A: ['169.254.169.254'] },
      'v6-loopback.probe.test': { AAAA: ['::1'] },
      'mapped.probe.test': { AAAA: ['::ffff:127.0.0.1'] },
      localhost: { A: ['127.0.0.1'] },
      'other-name.probe.test': { A: ['127.0.0.1'] },
    });
    server = await startSmtpServer({ key: certs.valid.key, cert: certs.valid.cert, disabledCommands: ['AUTH'] });
  });
  after(async () => {
    await server.close();
    await dns.close();
    certs.remove();
  });

  /** A connector that records every connection attempt and makes none. */
  function spyConnector(): { connector: TcpConnector; targets: string[] } {
    const targets: string[] = [];
    return {
      targets,
      connector: (target) => {
        targets.push(`${target.host}:${target.port}`);
        return net.connect(target);
      },
    };
  }

  for (const host of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1', '[::1]']) {
    it(`HOST_BLOCKED for ${host} by default, before any connection`, { timeout: 5_000 }, async () => {
      const spy = spyConnector();
      const prober = createSmtpProber({ resolver: dnsStandInResolver(dns.server), egressPolicy: createEgressPolicy({ allowedNetworks: [] }), connector: spy.connector });
      const result = await prober.probe(probeRequest(server.port, { host }));
      assert.equal(result.code, 'HOST_BLOCKED');
      assert.equal(result.stage, 'dns');
      assert.deepEqual(spy.targets, []);
      assert.equal(result.suggestion, null);
    });
  }

  for (const host of ['loopback.probe.test', 'private.probe.test', 'metadata.probe.test', 'v6-loopback.probe.test', 'mapped.probe.test']) {
    it(`HOST_BLOCKED for ${host}, a name resolving to a blocked address`, { timeout: 5_000 }, async () => {
      const spy = spyConnector();
      const prober = createSmtpProber({ resolver: dnsStandInResolver(dns.server), egressPolicy: createEgressPolicy({ allowedNetworks: [] }), connector: spy.connector });
      const result = await prober.probe(probeRequest(server.port, { host, security: 'starttls' }));
      assert.equal(result.code, 'HOST_BLOCKED');
      assert.deepEqual(spy.targets, []);
      assert.ok(!result.transcript.join('\n').match(/127\.0\.0\.1|10\.0\.0\.1|169\.254|::1/), 'the refused address is not disclosed');
    });
  }

  it('says the same about a blocked open port and a blocked closed port', { timeout: 5_000 }, async () => {
    const prober = createSmtpProber({ resolver: dnsStandInResolver(dns.server), egressPolicy: createEgressPolicy({ allowedNetworks: [] }) });
    const open = await prober.probe(probeRequest(server.port, { host: 'loopback.probe.test' }));
    const closed = await prober.probe(probeRequest(await closedPort(), { host: 'loopback.probe.test' }));
    const comparable = (r: typeof open) => ({ ...r, startedAt: '', durationMs: 0, stages: r.stages.map((s) => ({ ...s, ms: 0 })) });
    assert.deepEqual(comparable(open), comparable(closed));
  });

  it('resolves once and connects to the checked address; the name is used for the certificate', { timeout: 5_000 }, async () => {
    const spy = spyConnector();
    let lookups = 0;
    const standIn = dnsStandInResolver(dns.server);
    const countingResolver: HostResolver = { resolve: (name, ms) => { lookups++; return standIn.resolve(name, ms); } };
    const prober = createSmtpProber({
      resolver: countingResolver, egressPolicy: createEgressPolicy({ allowedNetworks: LOOPBACK_NETWORKS }),
      connector: spy.connector, extraCaCertificates: [certs.caPem], timeouts: FAST_TIMEOUTS,
    });
    const result = await prober.probe(probeRequest(server.port, { host: 'localhost', security: 'starttls' }));
    assert.equal(result.code, 'OK', result.transcript.join('\n'));
    assert.equal(lookups, 1);
    assert.deepEqual(spy.targets, [`127.0.0.1:${server.port}`]);

    // Same address, another name: the certificate (for localhost) does not match the name typed.
    const mismatch = await prober.probe(probeRequest(server.port, { host: 'other-name.probe.test', security: 'starttls' }));
    assert.equal(mismatch.code, 'CERT_HOSTNAME_MISMATCH');
  });

  it('a name with a blocked and an allowed address connects only to the allowed one', { timeout: 5_000 }, async () => {
    const spy = spyConnector();
    const mixed: HostResolver = { resolve: async () => ['10.0.0.1', '127.0.0.1'] };
    const prober = createSmtpProber({ resolver: mixed, egressPolicy: createEgressPolicy({ allowedNetworks: ['127.0.0.0/8'] }), connector: spy.connector, timeouts: FAST_TIMEOUTS });
    const result = await prober.probe(probeRequest(server.port, { host: 'mixed.probe.test' }));
    assert.equal(result.code, 'OK', result.transcript.join('\n'));
    assert.deepEqual(spy.targets, [`127.0.0.1:${server.port}`]);
  });
});
