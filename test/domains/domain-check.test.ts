// The pure evaluation of a domain check, one row per case: what DNS returned at each name → the
// record's status and its plain words; then how the records decide the domain's status (verified,
// pending, failing, kept on a failed lookup) and how a found next DKIM key takes over. Last, the
// docs list every message code.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CHECK_MESSAGES } from '../../src/core/domains/check-messages.ts';
import type { DnsAnswer } from '../../src/core/domains/dns-ports.ts';
import { dnsPlanSettings, recordsToPublish } from '../../src/core/domains/dns-record-plan.ts';
import { evaluateDomain, type DnsAnswers } from '../../src/core/domains/domain-check.ts';
import type { SendingDomain } from '../../src/core/domains/domain-model.ts';
import { SERVER_SPF_MESSAGES } from '../../src/core/domains/server-spf-check.ts';

const KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtestkeyAAAABBBBCCCCDDDDEEEEFFFF0123456789abcdefIDAQAB';
const NEXT_KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnextkeyZZZZYYYYXXXXWWWW0123456789abcdefIDAQAB';
const settings = { spfInclude: '_spf.mailroom.example', returnPathHost: 'bounces.mailroom.example' };
const NOW = new Date('2026-11-20T10:00:00Z');

function domain(overrides: Partial<SendingDomain> = {}): SendingDomain {
  return {
    id: 'd1', companyId: 'c1', domain: 'example.com', dkimSelector: 'mr202611abc', dkimPrivateKeySealed: 'sealed', dkimPublicKey: KEY,
    nextDkimSelector: null, nextDkimPrivateKeySealed: null, nextDkimPublicKey: null, dmarcPolicy: 'quarantine', status: 'pending',
    lastCheck: null, checkedAt: null, verifiedAt: null, createdBy: 'test', createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), ...overrides,
  };
}

const found = <T,>(value: T): DnsAnswer<T> => ({ kind: 'found', value });
const NX: DnsAnswer<never> = { kind: 'nxdomain' };
const NODATA: DnsAnswer<never> = { kind: 'nodata' };
const SERVFAIL: DnsAnswer<never> = { kind: 'error', failure: 'servfail', detail: 'SERVFAIL' };
const TIMEOUT: DnsAnswer<never> = { kind: 'error', failure: 'timeout', detail: 'ETIMEOUT' };

const SPF = 'v=spf1 include:_spf.mailroom.example ~all';
const DKIM = `v=DKIM1; k=rsa; p=${KEY}`;
const DMARC = 'v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com';

/** Every record published as asked, with `txt` / `cname` overriding names. */
function answers(txt: Record<string, DnsAnswer<string[]>> = {}, cname: Record<string, DnsAnswer<string>> = {}): DnsAnswers {
  return {
    txt: {
      'example.com': found([SPF, 'google-site-verification=abc']),
      'mr202611abc._domainkey.example.com': found([DKIM]),
      '_dmarc.example.com': found([DMARC]),
      ...txt,
    },
    cname: { 'bounces.example.com': found('bounces.mailroom.example'), ...cname },
  };
}

function recordOf(d: SendingDomain, a: DnsAnswers, kind: string) {
  const r = evaluateDomain(d, a, settings, NOW).result.records.find((x) => x.kind === kind);
  assert.ok(r, `no ${kind} record in the result`);
  return r;
}

describe('the records to publish', () => {
  it('names every record with its exact value', () => {
    const plan = recordsToPublish(domain({ nextDkimSelector: 'mr202612xyz', nextDkimPublicKey: NEXT_KEY }), settings);
    assert.deepEqual(plan.map((r) => [r.kind, r.type, r.name, r.value, r.required]), [
      ['spf', 'TXT', 'example.com', SPF, true],
      ['dkim', 'TXT', 'mr202611abc._domainkey.example.com', DKIM, true],
      ['dkim-next', 'TXT', 'mr202612xyz._domainkey.example.com', `v=DKIM1; k=rsa; p=${NEXT_KEY}`, false],
      ['dmarc', 'TXT', '_dmarc.example.com', DMARC, false],
      ['return-path', 'CNAME', 'bounces.example.com', 'bounces.mailroom.example', false],
    ]);
  });

  it('falls back to names under the HELO name (or localhost) when nothing is configured', () => {
    assert.deepEqual(dnsPlanSettings({ spfInclude: null, returnPathHost: null, heloName: 'mx.mailroom.example' }), { spfInclude: '_spf.mx.mailroom.example', returnPathHost: 'bounces.mx.mailroom.example' });
    assert.deepEqual(dnsPlanSettings({ spfInclude: null, returnPathHost: null, heloName: null }), { spfInclude: '_spf.localhost', returnPathHost: 'bounces.localhost' });
    assert.deepEqual(dnsPlanSettings({ spfInclude: 'spf.example.net', returnPathHost: 'rp.example.net', heloName: 'x' }), { spfInclude: 'spf.example.net', returnPathHost: 'rp.example.net' });
  });
});

describe('each record, judged', () => {
  const d = domain();
  type Row = [string, string, DnsAnswers, string, string, RegExp];
  const rows: Row[] = [
    // SPF
    ['SPF as asked', 'spf', answers(), 'ok', 'SPF_OK', /includes _spf\.mailroom\.example/],
    ['SPF among other includes, case-insensitive', 'spf', answers({ 'example.com': found(['V=SPF1 include:_spf.google.com INCLUDE:_SPF.mailroom.example -all']) }), 'ok', 'SPF_OK', /includes/],
    ['no SPF record', 'spf', answers({ 'example.com': found(['google-site-verification=abc']) }), 'missing', 'SPF_MISSING', /^No SPF record at example\.com: publish the TXT record below\.$/],
    ['no TXT at all', 'spf', answers({ 'example.com': NODATA }), 'missing', 'SPF_MISSING', /No SPF record at example\.com/],
    ['the domain does not exist', 'spf', answers({ 'example.com': NX }), 'missing', 'SPF_DOMAIN_NOT_FOUND', /does not exist in DNS \(NXDOMAIN\)/],
    ['SPF without the include', 'spf', answers({ 'example.com': found(['v=spf1 include:_spf.google.com ~all']) }), 'wrong', 'SPF_NO_INCLUDE',
      /^The SPF record at example\.com does not include _spf\.mailroom\.example: add include:_spf\.mailroom\.example before ~all\.$/],
    ['two SPF records', 'spf', answers({ 'example.com': found(['v=spf1 include:_spf.google.com ~all', SPF]) }), 'wrong', 'SPF_MULTIPLE',
      /^Two SPF records found at example\.com: a domain must have exactly one \(RFC 7208 §3\.2\).*[Mm]erge them/],
    ['the include after all', 'spf', answers({ 'example.com': found(['v=spf1 -all include:_spf.mailroom.example']) }), 'wrong', 'SPF_INCLUDE_AFTER_ALL', /after -all, where it is never reached/],
    ['SPF with +all', 'spf', answers({ 'example.com': found(['v=spf1 include:_spf.mailroom.example +all']) }), 'ok', 'SPF_ALLOWS_ALL', /any server in the world/],
    ['SPF lookup SERVFAIL', 'spf', answers({ 'example.com': SERVFAIL }), 'error', 'DNS_SERVFAIL', /^The DNS lookup of example\.com failed \(SERVFAIL\): try again later/],
    ['SPF lookup timeout', 'spf', answers({ 'example.com': TIMEOUT }), 'error', 'DNS_TIMEOUT', /timed out: try again later/],
    // DKIM
    ['DKIM as asked', 'dkim', answers(), 'ok', 'DKIM_OK', /has Mailroom's key/],
    ['DKIM key folded with spaces, no v=', 'dkim', answers({ 'mr202611abc._domainkey.example.com': found([`k=rsa; p=${KEY.slice(0, 40)} ${KEY.slice(40)}`]) }), 'ok', 'DKIM_OK', /has Mailroom's key/],
    ['no DKIM record', 'dkim', answers({ 'mr202611abc._domainkey.example.com': NX }), 'missing', 'DKIM_MISSING', /^No DKIM record at mr202611abc\._domainkey\.example\.com: publish the TXT record below\.$/],
    ['another key', 'dkim', answers({ 'mr202611abc._domainkey.example.com': found([`v=DKIM1; k=rsa; p=${NEXT_KEY}`]) }), 'wrong', 'DKIM_WRONG_KEY',
      /^The DKIM record at mr202611abc\._domainkey\.example\.com has a different key than Mailroom's: replace it/],
    ['a key cut off', 'dkim', answers({ 'mr202611abc._domainkey.example.com': found([`v=DKIM1; k=rsa; p=${KEY.slice(0, 50)}`]) }), 'wrong', 'DKIM_TRUNCATED', new RegExp(`only the first 50 of the key's ${KEY.length} characters`)],
    ['a revoked key', 'dkim', answers({ 'mr202611abc._domainkey.example.com': found(['v=DKIM1; k=rsa; p=']) }), 'wrong', 'DKIM_REVOKED', /empty key \(p=\)/],
    ['an ed25519 record', 'dkim', answers({ 'mr202611abc._domainkey.example.com': found(['v=DKIM1; k=ed25519; p=abc']) }), 'wrong', 'DKIM_NOT_RSA', /k=ed25519/],
    ['two DKIM records', 'dkim', answers({ 'mr202611abc._domainkey.example.com': found([DKIM, DKIM]) }), 'wrong', 'DKIM_MULTIPLE', /^Two DKIM records found/],
    // DMARC
    ['DMARC as asked', 'dmarc', answers(), 'ok', 'DMARC_OK', /put in spam mail that fails SPF and DKIM \(p=quarantine\)/],
    ['no DMARC record', 'dmarc', answers({ '_dmarc.example.com': NX }), 'missing', 'DMARC_MISSING', /^No DMARC record at _dmarc\.example\.com: publish the TXT record below\. Not required/],
    ['DMARC p=none', 'dmarc', answers({ '_dmarc.example.com': found(['v=DMARC1; p=none']) }), 'ok', 'DMARC_MONITOR_ONLY', /^DMARC p=none only monitors: mail that fails SPF and DKIM is still delivered/],
    ['DMARC p=reject, quarantine chosen', 'dmarc', answers({ '_dmarc.example.com': found(['v=DMARC1; p=reject']) }), 'wrong', 'DMARC_POLICY_DIFFERS', /says p=reject, but the policy chosen here is quarantine/],
    ['DMARC without p=', 'dmarc', answers({ '_dmarc.example.com': found(['v=DMARC1; rua=mailto:x@example.com']) }), 'wrong', 'DMARC_NO_POLICY', /no valid policy/],
    ['two DMARC records', 'dmarc', answers({ '_dmarc.example.com': found([DMARC, 'v=DMARC1; p=none']) }), 'wrong', 'DMARC_MULTIPLE', /^Two DMARC records found.*ignore them all/],
    ['DMARC SERVFAIL', 'dmarc', answers({ '_dmarc.example.com': SERVFAIL }), 'error', 'DNS_SERVFAIL', /_dmarc\.example\.com failed \(SERVFAIL\)/],
    // Return path
    ['return path as asked', 'return-path', answers(), 'ok', 'RETURN_PATH_OK', /^bounces\.example\.com points to bounces\.mailroom\.example/],
    ['return path with a trailing dot, other case', 'return-path', answers({}, { 'bounces.example.com': found('Bounces.Mailroom.Example.') }), 'ok', 'RETURN_PATH_OK', /points to/],
    ['no return path', 'return-path', answers({}, { 'bounces.example.com': NX }), 'missing', 'RETURN_PATH_MISSING', /^No CNAME record at bounces\.example\.com.*Not required/],
    ['return path elsewhere', 'return-path', answers({}, { 'bounces.example.com': found('mail.other.example') }), 'wrong', 'RETURN_PATH_WRONG', /points to mail\.other\.example, not bounces\.mailroom\.example: change the CNAME/],
  ];
  for (const [title, kind, a, status, code, words] of rows) {
    it(title, () => {
      const r = recordOf(d, a, kind);
      assert.equal(r.code, code, r.message);
      assert.equal(r.status, status);
      assert.match(r.message, words);
    });
  }

  it('suggests the SPF record with the include added, before all', () => {
    const r = recordOf(d, answers({ 'example.com': found(['v=spf1 ip4:192.0.2.1 include:_spf.google.com ~all']) }), 'spf');
    assert.equal(r.suggestedValue, 'v=spf1 ip4:192.0.2.1 include:_spf.google.com include:_spf.mailroom.example ~all');
    const merged = recordOf(d, answers({ 'example.com': found(['v=spf1 include:_spf.google.com ~all', 'v=spf1 ip4:192.0.2.1 -all']) }), 'spf');
    assert.equal(merged.suggestedValue, 'v=spf1 include:_spf.google.com ip4:192.0.2.1 include:_spf.mailroom.example ~all');
  });

  it('colours a problem only where it keeps the domain from being verified', () => {
    const a = answers({ 'example.com': NODATA, '_dmarc.example.com': found(['v=DMARC1; p=none']) }, { 'bounces.example.com': NX });
    assert.equal(recordOf(d, a, 'spf').severity, 'problem');
    assert.equal(recordOf(d, a, 'dkim').severity, 'ok');
    assert.equal(recordOf(d, a, 'dmarc').severity, 'warning');
    assert.equal(recordOf(d, a, 'return-path').severity, 'warning');
  });
});

describe('the domain status', () => {
  it('is verified when SPF and DKIM are found, whatever DMARC and the return path say', () => {
    const { result, domain: after } = evaluateDomain(domain(), answers({ '_dmarc.example.com': NX }, { 'bounces.example.com': NX }), settings, NOW);
    assert.equal(result.status, 'verified');
    assert.equal(result.verified, true);
    assert.match(result.summary, /example\.com is verified/);
    assert.equal(after.verifiedAt, NOW.toISOString());
    assert.equal(after.checkedAt, NOW.toISOString());
  });

  it('stays pending while a required record is missing, and turns failing once it was verified', () => {
    const missingDkim = answers({ 'mr202611abc._domainkey.example.com': NX });
    assert.equal(evaluateDomain(domain(), missingDkim, settings, NOW).result.status, 'pending');
    const failing = evaluateDomain(domain({ status: 'verified', verifiedAt: 'earlier' }), missingDkim, settings, NOW);
    assert.equal(failing.result.status, 'failing');
    assert.match(failing.result.summary, /stopped signing/);
    assert.equal(failing.domain.verifiedAt, 'earlier');
  });

  it('keeps the status when a required lookup failed', () => {
    const outcome = evaluateDomain(domain({ status: 'verified' }), answers({ 'example.com': SERVFAIL }), settings, NOW);
    assert.equal(outcome.result.status, 'verified');
    assert.equal(outcome.result.complete, false);
    assert.equal(outcome.result.verified, false);
    assert.match(outcome.result.summary, /could not finish.*stays "verified"/);
    // A definite answer still counts: SPF missing while DKIM's lookup failed is not verified.
    const mixed = evaluateDomain(domain({ status: 'verified' }), answers({ 'example.com': NODATA, 'mr202611abc._domainkey.example.com': TIMEOUT }), settings, NOW);
    assert.equal(mixed.result.status, 'failing');
  });

  it('lets the next DKIM key take over once its record is found, and says so', () => {
    const rotating = domain({ status: 'verified', nextDkimSelector: 'mr202612xyz', nextDkimPrivateKeySealed: 'sealed-next', nextDkimPublicKey: NEXT_KEY });
    const waiting = evaluateDomain(rotating, answers({ 'mr202612xyz._domainkey.example.com': NX }), settings, NOW);
    assert.equal(waiting.rotated, false);
    const next = waiting.result.records.find((r) => r.kind === 'dkim-next')!;
    assert.equal(next.code, 'DKIM_NEXT_MISSING');
    assert.match(next.message, /not published yet.*keeps signing with the current key/);
    assert.equal(waiting.domain.dkimSelector, 'mr202611abc');

    const published = answers({ 'mr202612xyz._domainkey.example.com': found([`v=DKIM1; k=rsa; p=${NEXT_KEY}`]) });
    const done = evaluateDomain(rotating, published, settings, NOW);
    assert.equal(done.rotated, true);
    assert.deepEqual([done.domain.dkimSelector, done.domain.dkimPublicKey, done.domain.dkimPrivateKeySealed], ['mr202612xyz', NEXT_KEY, 'sealed-next']);
    assert.deepEqual([done.domain.nextDkimSelector, done.domain.nextDkimPublicKey, done.domain.nextDkimPrivateKeySealed], [null, null, null]);
    assert.equal(done.result.status, 'verified');
    assert.match(done.result.changes.join(' '), /now signs with selector mr202612xyz, and the old key \(selector mr202611abc\) is dropped/);
    const dkim = done.result.records.filter((r) => r.kind === 'dkim' || r.kind === 'dkim-next');
    assert.deepEqual(dkim.map((r) => [r.kind, r.name, r.status]), [['dkim', 'mr202612xyz._domainkey.example.com', 'ok']]);
  });
});

describe('docs/domains.md', () => {
  it('lists every check message code', () => {
    const text = fs.readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'domains.md'), 'utf8');
    const missing = [...Object.keys(CHECK_MESSAGES), ...Object.keys(SERVER_SPF_MESSAGES)].filter((code) => !text.includes(`\`${code}\``));
    assert.deepEqual(missing, []);
  });
});
