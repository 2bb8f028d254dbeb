// The DNS adapter against the DNS stand-in (real node:dns queries over UDP): how each kind of answer
// maps to the core's DnsAnswer; and "does the From domain's SPF allow this mail server?" evaluated
// by mailauth through that adapter, with the words each verdict gives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDnsLookup, type DnsLookupAdapter } from '../../src/adapters/dns/dns-lookup.ts';
import { createMailauthSpfEvaluator } from '../../src/adapters/dns/mailauth-spf-evaluator.ts';
import { spfAllowsServer } from '../../src/core/domains/server-spf-check.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';

const LONG_TXT = `v=DKIM1; k=rsa; p=${'A'.repeat(380)}`;

describe('DNS lookup adapter and the SPF check of a mail server', () => {
  let dns: DnsStandIn;
  let lookup: DnsLookupAdapter;
  let check: (fromDomain: string, host: string) => ReturnType<typeof spfAllowsServer>;

  before(async () => {
    dns = await startDnsStandIn({
      'example.com': { TXT: ['v=spf1 ip4:192.0.2.10 include:_spf.relay.example -all', 'other=1'] },
      '_spf.relay.example': { TXT: ['v=spf1 ip4:198.51.100.0/24 ~all'] },
      'long.example.com': { TXT: [LONG_TXT] },
      'bounces.example.com': { CNAME: 'bounces.mailroom.example' },
      'a-only.example.com': { A: ['192.0.2.10'] },
      'smtp.example.com': { A: ['192.0.2.10'] },
      'relay.example': { A: ['198.51.100.7'] },
      'rogue.example': { A: ['203.0.113.9'] },
      'nospf.example': { TXT: ['hello'] },
      'broken.example': { servfail: true },
      'neutral.example': { TXT: ['v=spf1 ?all'] },
    });
    lookup = createDnsLookup({ servers: [dns.server], timeoutMs: 500, tries: 1 });
    const spf = createMailauthSpfEvaluator({ resolve: lookup.resolve, mtaName: 'mailroom.test' });
    check = (fromDomain, host) => spfAllowsServer({ dns: lookup, spf }, fromDomain, host);
  });
  after(() => dns.close());

  it('maps answers: records (long ones joined), nxdomain, nodata, servfail, CNAME, addresses', async () => {
    assert.deepEqual(await lookup.txt('example.com'), { kind: 'found', value: ['v=spf1 ip4:192.0.2.10 include:_spf.relay.example -all', 'other=1'] });
    assert.deepEqual(await lookup.txt('long.example.com'), { kind: 'found', value: [LONG_TXT] }, 'the 255-byte character-strings are joined');
    assert.deepEqual(await lookup.txt('missing.example.com'), { kind: 'nxdomain' });
    assert.deepEqual(await lookup.txt('a-only.example.com'), { kind: 'nodata' });
    assert.deepEqual(await lookup.txt('broken.example'), { kind: 'error', failure: 'servfail', detail: 'SERVFAIL' });
    assert.deepEqual(await lookup.cname('bounces.example.com'), { kind: 'found', value: 'bounces.mailroom.example' });
    assert.deepEqual(await lookup.cname('a-only.example.com'), { kind: 'nodata' });
    assert.deepEqual(await lookup.addresses('smtp.example.com'), { kind: 'found', value: ['192.0.2.10'] });
    assert.deepEqual(await lookup.addresses('missing.example.com'), { kind: 'nxdomain' });
  });

  it('allows a server the record names directly or through an include', async () => {
    const direct = await check('example.com', 'smtp.example.com');
    assert.equal(direct.verdict, 'allowed', direct.message);
    assert.equal(direct.warning, null);
    assert.deepEqual(direct.addresses, ['192.0.2.10']);
    const included = await check('example.com', 'relay.example');
    assert.equal(included.verdict, 'allowed', included.message);
    const literal = await check('Example.COM', '[192.0.2.10]');
    assert.equal(literal.verdict, 'allowed', literal.message);
  });

  it('warns in plain words when the record does not allow the server', async () => {
    const r = await check('example.com', 'rogue.example');
    assert.equal(r.verdict, 'not-allowed');
    assert.equal(r.code, 'SERVER_SPF_NOT_ALLOWED');
    assert.equal(r.results[0]!.result, 'fail');
    assert.equal(r.warning, 'The SPF record of example.com does not allow rogue.example (203.0.113.9) to send as example.com: receivers may reject such mail or file it as spam. Add ip4:203.0.113.9 to the record (or the include: your provider documents).');
  });

  it('names the provider\'s include for a known provider', async () => {
    dns.zone['smtp.office365.com'] = { A: ['203.0.113.50'] };
    const r = await check('example.com', 'smtp.office365.com');
    assert.equal(r.verdict, 'not-allowed');
    assert.match(r.warning!, /Add include:spf\.protection\.outlook\.com to the record/);
  });

  it('says when there is no SPF record, or a neutral one', async () => {
    const none = await check('nospf.example', 'smtp.example.com');
    assert.equal(none.code, 'SERVER_SPF_NONE');
    assert.match(none.warning!, /^nospf\.example has no SPF record: .*Publish one, e\.g\. "v=spf1 ip4:192\.0\.2\.10 ~all"\.$/);
    const neutral = await check('neutral.example', 'smtp.example.com');
    assert.equal(neutral.code, 'SERVER_SPF_NEUTRAL');
  });

  it('cannot tell when DNS fails or the host does not resolve', async () => {
    const failed = await check('broken.example', 'smtp.example.com');
    assert.equal(failed.verdict, 'unknown');
    assert.equal(failed.code, 'SERVER_SPF_UNCHECKED');
    assert.equal(failed.warning, 'The SPF record of broken.example could not be checked (SERVFAIL): try again later.');
    const nohost = await check('example.com', 'nowhere.example');
    assert.equal(nohost.code, 'SERVER_HOST_NOT_FOUND');
    assert.match(nohost.warning!, /^nowhere\.example does not resolve/);
  });
});
