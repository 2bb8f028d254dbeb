// Sending domains through the API, on SQLite and PostgreSQL, with DNS answered by the stand-in
// (MAILROOM_DNS_SERVERS): add a domain and see its records; check with nothing published, then with
// the returned values published (verified), then with a wrong key, a missing include, two SPF
// records, p=none and a SERVFAIL, each with its words; DKIM rotation; the DMARC policy; the
// scheduled check (a manual clock, one pass run by the test); the SPF warning for a mail server;
// tenancy and roles; and the DKIM private key never appearing in an answer or a log line.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ApiClient, signedInUser, serverInput, setupRoot } from '../support/api-client.ts';
import { ManualClock, startTestApp, type TestApp } from '../support/app-harness.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';
import { BACKENDS } from '../support/test-databases.ts';

const USER_PASSWORD = 'user-password-123';
const SPF_INCLUDE = '_spf.mailroom.test';
const RETURN_PATH = 'bounces.mailroom.test';

interface ApiRecord { kind: string; type: string; name: string; value: string; purpose: string; required: boolean }

for (const backend of BACKENDS) {
  describe(`sending domains API (${backend})`, () => {
    const clock = new ManualClock();
    let t: TestApp;
    let dns: DnsStandIn;
    let root: ApiClient;
    let adminA: ApiClient;
    let memberA: ApiClient;
    let keyA: ApiClient;
    let adminB: ApiClient;
    let companyA: string;
    let domainId = '';
    let records: ApiRecord[] = [];
    /** PEM bodies (and sealed forms) of every DKIM key made: none may ever leave in an answer or a log. */
    const secrets: string[] = [];

    before(async () => {
      dns = await startDnsStandIn({ [SPF_INCLUDE]: { TXT: ['v=spf1 ip4:198.51.100.0/24 -all'] } });
      t = await startTestApp({
        backend, clock,
        env: { MAILROOM_DNS_SERVERS: dns.server, MAILROOM_SPF_INCLUDE: SPF_INCLUDE, MAILROOM_RETURN_PATH_HOST: RETURN_PATH, MAILROOM_SESSION_TTL_HOURS: '1000' },
      });
      root = await setupRoot(t.url);
      companyA = (await root.post('/companies', { name: 'Shop A', slug: 'shop-a' })).body.id;
      const companyB = (await root.post('/companies', { name: 'Shop B', slug: 'shop-b' })).body.id;
      const user = (company: string, email: string, role: string) => signedInUser(root, company, email, role, USER_PASSWORD);
      adminA = await user(companyA, 'admin@a.example', 'company_admin');
      memberA = await user(companyA, 'member@a.example', 'member');
      adminB = await user(companyB, 'admin@b.example', 'company_admin');
      keyA = ApiClient.withApiKey(t.url, (await adminA.post('/api-keys', { name: 'host app' })).body.key);
    });
    after(async () => {
      await t.close();
      await dns.close();
    });

    const record = (kind: string) => {
      const r = records.find((x) => x.kind === kind);
      assert.ok(r, `no ${kind} record`);
      return r;
    };
    const check = async () => {
      const res = await adminA.post(`/domains/${domainId}/check`);
      assert.equal(res.status, 200, res.text);
      records = res.body.records;
      return res.body;
    };
    const result = (body: any, kind: string) => {
      const r = body.lastCheck.records.find((x: any) => x.kind === kind);
      assert.ok(r, `no ${kind} result`);
      return r;
    };
    const keepSecretsOf = async () => {
      const stored = await t.app.services.store.sendingDomains.get(domainId);
      assert.ok(stored);
      for (const sealed of [stored.dkimPrivateKeySealed, stored.nextDkimPrivateKeySealed]) {
        if (!sealed) continue;
        secrets.push(sealed);
        const pem = t.app.services.sealer.open(sealed);
        // Any line of the PEM body would be a leak; the first two are enough to find one.
        secrets.push(...pem.split('\n').filter((l) => l && !l.startsWith('-----')).slice(0, 2));
      }
    };
    const publish = () => {
      dns.zone['shop.example'] = { A: ['192.0.2.1'], TXT: [record('spf').value] };
      dns.zone[record('dkim').name] = { TXT: [record('dkim').value] };
      dns.zone[record('dmarc').name] = { TXT: [record('dmarc').value] };
      dns.zone[record('return-path').name] = { CNAME: record('return-path').value };
    };

    it('adds a domain and shows the exact records to publish', async () => {
      const res = await adminA.post('/domains', { domain: ' Shop.Example. ' });
      assert.equal(res.status, 201, res.text);
      domainId = res.body.id;
      records = res.body.records;
      assert.equal(res.body.domain, 'shop.example');
      assert.equal(res.body.status, 'pending');
      assert.equal(res.body.dmarcPolicy, 'quarantine');
      assert.equal(res.body.lastCheck, null);
      assert.match(res.body.dkimSelector, /^mr\d{6}[a-z2-9]{3}$/);
      assert.deepEqual(records.map((r) => [r.kind, r.type, r.required]), [['spf', 'TXT', true], ['dkim', 'TXT', true], ['dmarc', 'TXT', false], ['return-path', 'CNAME', false]]);
      assert.deepEqual(record('spf'), { ...record('spf'), name: 'shop.example', value: `v=spf1 include:${SPF_INCLUDE} ~all` });
      assert.equal(record('dkim').name, `${res.body.dkimSelector}._domainkey.shop.example`);
      assert.equal(record('dmarc').value, 'v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@shop.example');
      assert.deepEqual([record('return-path').name, record('return-path').value], ['bounces.shop.example', RETURN_PATH]);
      for (const r of records) assert.ok(r.purpose.length > 20, `${r.kind} says what it is for`);

      const p = /^v=DKIM1; k=rsa; p=([A-Za-z0-9+/=]+)$/.exec(record('dkim').value)?.[1];
      assert.ok(p, record('dkim').value);
      const publicKey = crypto.createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
      assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      await keepSecretsOf();

      const audit = await adminA.get('/audit-log?targetType=sending_domain');
      assert.deepEqual(audit.body.items.map((e: any) => e.action), ['domain.added']);
    });

    it('refuses a second copy and names the field of an invalid domain', async () => {
      const again = await keyA.post('/domains', { domain: 'SHOP.example' });
      assert.equal(again.status, 409, again.text);
      assert.equal(again.body.error.code, 'CONFLICT');
      const cases: [Record<string, unknown>, string, string][] = [
        [{ domain: '' }, 'domain', 'required'],
        [{ domain: 'not a domain' }, 'domain', 'domain'],
        [{ domain: 'noreply@shop.example' }, 'domain', 'domain'],
        [{ domain: '192.0.2.1' }, 'domain', 'domain'],
        [{ domain: 'localhost' }, 'domain', 'domain'],
        [{ domain: 'ok.example', dmarcPolicy: 'strict' }, 'dmarcPolicy', 'enum'],
        [{ domain: 'ok.example', privateKey: 'mine' }, 'privateKey', 'unknown_field'],
      ];
      for (const [body, field, rule] of cases) {
        const res = await adminA.post('/domains', body);
        assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
        assert.deepEqual(res.body.error.fields.map((f: any) => [f.field, f.rule]), [[field, rule]], JSON.stringify(body));
      }
    });

    it('says what is missing when nothing is published', async () => {
      dns.zone['shop.example'] = { A: ['192.0.2.1'] };
      const body = await check();
      assert.equal(body.status, 'pending');
      assert.equal(body.lastCheck.verified, false);
      assert.equal(result(body, 'spf').message, 'No SPF record at shop.example: publish the TXT record below.');
      assert.equal(result(body, 'dkim').message, `No DKIM record at ${record('dkim').name}: publish the TXT record below.`);
      assert.match(result(body, 'dmarc').message, /^No DMARC record at _dmarc\.shop\.example: publish the TXT record below\. Not required/);
      assert.match(result(body, 'return-path').message, /^No CNAME record at bounces\.shop\.example: .*Not required/);
      assert.deepEqual(body.lastCheck.records.map((r: any) => [r.kind, r.status, r.severity]), [
        ['spf', 'missing', 'problem'], ['dkim', 'missing', 'problem'], ['dmarc', 'missing', 'warning'], ['return-path', 'missing', 'warning'],
      ]);
      assert.match(body.lastCheck.summary, /not verified yet: publish the required records \(SPF and DKIM\)/);
      assert.equal(await t.app.services.domains.signingKeyFor(companyA, 'shop.example'), null);
    });

    it('verifies the domain once the returned values are published', async () => {
      publish();
      const body = await check();
      assert.equal(body.status, 'verified', JSON.stringify(body.lastCheck));
      assert.deepEqual(body.lastCheck.records.map((r: any) => [r.kind, r.status]), [['spf', 'ok'], ['dkim', 'ok'], ['dmarc', 'ok'], ['return-path', 'ok']]);
      assert.ok(body.verifiedAt);
      assert.match(body.lastCheck.summary, /shop\.example is verified/);

      const key = await t.app.services.domains.signingKeyFor(companyA, 'Shop.Example');
      assert.ok(key);
      assert.equal(key.selector, body.dkimSelector);
      const derived = crypto.createPublicKey(key.privateKeyPem).export({ type: 'spki', format: 'der' }).toString('base64');
      assert.equal(record('dkim').value, `v=DKIM1; k=rsa; p=${derived}`, 'the published key is the signing key\'s');
      assert.equal(await t.app.services.domains.signingKeyFor(companyA, 'other.example'), null);

      const audit = await adminA.get('/audit-log?targetType=sending_domain');
      assert.equal(audit.body.items[0].action, 'domain.verified');
    });

    it('names a wrong DKIM key, and stops signing', async () => {
      const other = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      dns.zone[record('dkim').name] = { TXT: [`v=DKIM1; k=rsa; p=${other}`] };
      const body = await check();
      assert.equal(result(body, 'dkim').status, 'wrong');
      assert.equal(result(body, 'dkim').message, `The DKIM record at ${record('dkim').name} has a different key than Mailroom's: replace it with the record below.`);
      assert.equal(body.status, 'failing');
      assert.match(body.lastCheck.summary, /stopped signing/);
      assert.equal(await t.app.services.domains.signingKeyFor(companyA, 'shop.example'), null);
      const audit = await adminA.get('/audit-log?targetType=sending_domain');
      assert.equal(audit.body.items[0].action, 'domain.failing');
      publish();
      assert.equal((await check()).status, 'verified');
    });

    it('names an SPF record without the include, and two SPF records', async () => {
      dns.zone['shop.example'] = { TXT: ['v=spf1 include:_spf.google.com ~all'] };
      let body = await check();
      assert.equal(result(body, 'spf').message, `The SPF record at shop.example does not include ${SPF_INCLUDE}: add include:${SPF_INCLUDE} before ~all.`);
      assert.equal(result(body, 'spf').suggestedValue, `v=spf1 include:_spf.google.com include:${SPF_INCLUDE} ~all`);
      assert.deepEqual(result(body, 'spf').found, ['v=spf1 include:_spf.google.com ~all']);
      assert.equal(body.status, 'failing');

      dns.zone['shop.example'] = { TXT: ['v=spf1 include:_spf.google.com ~all', record('spf').value] };
      body = await check();
      assert.equal(result(body, 'spf').status, 'wrong');
      assert.match(result(body, 'spf').message, /^Two SPF records found at shop\.example: a domain must have exactly one \(RFC 7208 §3\.2\).*Merge them/);
      publish();
    });

    it('warns about DMARC p=none without failing the domain', async () => {
      dns.zone[record('dmarc').name] = { TXT: ['v=DMARC1; p=none'] };
      const body = await check();
      assert.equal(body.status, 'verified');
      assert.deepEqual([result(body, 'dmarc').status, result(body, 'dmarc').severity], ['ok', 'warning']);
      assert.match(result(body, 'dmarc').message, /^DMARC p=none only monitors: mail that fails SPF and DKIM is still delivered/);
      publish();
    });

    it('says the lookup failed on SERVFAIL, and keeps the status', async () => {
      dns.zone['shop.example'] = { servfail: true };
      const body = await check();
      assert.equal(result(body, 'spf').status, 'error');
      assert.match(result(body, 'spf').message, /^The DNS lookup of shop\.example failed \(SERVFAIL\): try again later/);
      assert.equal(body.status, 'verified');
      assert.equal(body.lastCheck.complete, false);
      assert.match(body.lastCheck.summary, /could not finish.*stays "verified"/);
      assert.ok(await t.app.services.domains.signingKeyFor(companyA, 'shop.example'), 'a DNS hiccup does not stop signing');
      publish();
    });

    it('rotates the DKIM key: the next key is shown, and signs once its record is found', async () => {
      const before = await t.app.services.domains.signingKeyFor(companyA, 'shop.example');
      assert.ok(before);
      const res = await adminA.post(`/domains/${domainId}/rotate-dkim`);
      assert.equal(res.status, 200, res.text);
      records = res.body.records;
      await keepSecretsOf();
      const next = record('dkim-next');
      assert.equal(next.name, `${res.body.nextDkimSelector}._domainkey.shop.example`);
      assert.notEqual(res.body.nextDkimSelector, res.body.dkimSelector);
      assert.notEqual(next.value, record('dkim').value);
      assert.equal(next.required, false);
      assert.equal((await adminA.post(`/domains/${domainId}/rotate-dkim`)).status, 409, 'one rotation at a time');

      let body = await check();
      assert.equal(result(body, 'dkim-next').status, 'missing');
      assert.match(result(body, 'dkim-next').message, /not published yet.*keeps signing with the current key/);
      assert.equal((await t.app.services.domains.signingKeyFor(companyA, 'shop.example'))?.selector, before.selector);

      dns.zone[next.name] = { TXT: [next.value] };
      body = await check();
      assert.equal(body.dkimSelector, res.body.nextDkimSelector);
      assert.equal(body.nextDkimSelector, null);
      assert.equal(body.status, 'verified');
      assert.match(body.lastCheck.changes.join(' '), new RegExp(`now signs with selector ${body.dkimSelector}, and the old key \\(selector ${before.selector}\\) is dropped`));
      assert.deepEqual(body.records.map((r: ApiRecord) => r.kind), ['spf', 'dkim', 'dmarc', 'return-path']);
      assert.equal(record('dkim').value, next.value);
      const after = await t.app.services.domains.signingKeyFor(companyA, 'shop.example');
      assert.equal(after?.selector, body.dkimSelector);
      assert.notEqual(after?.privateKeyPem, before.privateKeyPem);
      const audit = await adminA.get('/audit-log?targetType=sending_domain');
      assert.ok(audit.body.items.some((e: any) => e.action === 'domain.dkim_rotated'));
    });

    it('changes the DMARC policy shown in the record', async () => {
      const res = await keyA.patch(`/domains/${domainId}`, { dmarcPolicy: 'reject' });
      assert.equal(res.status, 200, res.text);
      records = res.body.records;
      assert.equal(record('dmarc').value, 'v=DMARC1; p=reject; rua=mailto:dmarc-reports@shop.example');
      const body = await check();
      assert.match(result(body, 'dmarc').message, /says p=quarantine, but the policy chosen here is reject/);
      const bad = await adminA.patch(`/domains/${domainId}`, { dmarcPolicy: 'strict' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.fields[0].field, 'dmarcPolicy');
      publish();
      assert.equal(result(await check(), 'dmarc').status, 'ok');
    });

    it('checks every due domain on the schedule and records a change of status', async () => {
      assert.deepEqual(await t.app.domainChecks.runOnce(), { checked: 0, failed: 0 }, 'just checked: not due');
      clock.advance(25 * 3_600_000);
      delete dns.zone[record('dkim').name];
      assert.deepEqual(await t.app.domainChecks.runOnce(), { checked: 1, failed: 0 });
      const body = (await adminA.get(`/domains/${domainId}`)).body;
      assert.equal(body.status, 'failing');
      assert.equal(result(body, 'dkim').status, 'missing');
      const audit = await adminA.get('/audit-log?targetType=sending_domain');
      assert.deepEqual([audit.body.items[0].action, audit.body.items[0].actorLabel], ['domain.failing', 'Mailroom (scheduled domain check)']);
      publish();
      assert.equal((await check()).status, 'verified');
    });

    it('warns when the SPF record of a mail server\'s From domain does not allow the server', async () => {
      dns.zone['smtp.shop.example'] = { A: ['192.0.2.25'] };
      const created = await adminA.post('/mail-servers', serverInput({ host: 'smtp.shop.example', fromAddress: 'noreply@shop.example' }));
      assert.equal(created.status, 201, created.text);
      const id = created.body.id;
      let res = await adminA.get(`/mail-servers/${id}/sending-domain-check`);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.verdict, 'not-allowed');
      assert.equal(res.body.warning, 'The SPF record of shop.example does not allow smtp.shop.example (192.0.2.25) to send as shop.example: receivers may reject such mail or file it as spam. Add ip4:192.0.2.25 to the record (or the include: your provider documents).');

      dns.zone['shop.example'] = { TXT: [`v=spf1 ip4:192.0.2.25 include:${SPF_INCLUDE} ~all`] };
      res = await keyA.get(`/mail-servers/${id}/sending-domain-check`);
      assert.deepEqual([res.body.verdict, res.body.warning], ['allowed', null]);
      assert.equal((await adminB.get(`/mail-servers/${id}/sending-domain-check`)).status, 404);
      assert.equal((await memberA.get(`/mail-servers/${id}/sending-domain-check`)).status, 403);
      publish();
    });

    it('keeps other companies out (404) and members away (403)', async () => {
      const scenarios: [string, ApiClient, string, string, unknown, number][] = [
        ['other company reads', adminB, 'GET', `/domains/${domainId}`, undefined, 404],
        ['other company checks', adminB, 'POST', `/domains/${domainId}/check`, {}, 404],
        ['other company rotates', adminB, 'POST', `/domains/${domainId}/rotate-dkim`, {}, 404],
        ['other company changes', adminB, 'PATCH', `/domains/${domainId}`, { dmarcPolicy: 'none' }, 404],
        ['other company deletes', adminB, 'DELETE', `/domains/${domainId}`, undefined, 404],
        ['member lists', memberA, 'GET', '/domains', undefined, 403],
        ['member adds', memberA, 'POST', '/domains', { domain: 'member.example' }, 403],
        ['member checks', memberA, 'POST', `/domains/${domainId}/check`, {}, 403],
        ['member deletes', memberA, 'DELETE', `/domains/${domainId}`, undefined, 403],
        ['API key reads', keyA, 'GET', `/domains/${domainId}`, undefined, 200],
        ['company admin lists', adminA, 'GET', '/domains', undefined, 200],
      ];
      for (const [title, client, method, path, body, status] of scenarios) {
        const res = await client.request(method, path, body);
        assert.equal(res.status, status, `${title}: ${res.text}`);
      }
      assert.deepEqual((await adminB.get('/domains')).body.items, [], 'another company lists none of them');
      root.company = companyA;
      assert.equal((await root.get(`/domains/${domainId}`)).status, 200, 'the system admin above the company may act for it');
      root.company = null;
    });

    it('removes a domain', async () => {
      const res = await adminA.delete(`/domains/${domainId}`);
      assert.equal(res.status, 204, res.text);
      assert.equal((await adminA.get(`/domains/${domainId}`)).status, 404);
      assert.equal(await t.app.services.domains.signingKeyFor(companyA, 'shop.example'), null);
      const audit = await adminA.get('/audit-log?targetType=sending_domain');
      assert.equal(audit.body.items[0].action, 'domain.deleted');
    });

    it('never lets a DKIM private key out in an answer or a log line', () => {
      assert.ok(secrets.length >= 4, 'the keys of both rotations were collected');
      const answers = [root, adminA, memberA, keyA, adminB].flatMap((c) => c.transcript).join('\n');
      const logs = t.logs();
      assert.ok(answers.includes('v=DKIM1'), 'the transcripts hold the answers searched');
      for (const secret of secrets) {
        assert.ok(!answers.includes(secret), 'a private key (or its sealed form) is in an API answer');
        assert.ok(!logs.includes(secret), 'a private key (or its sealed form) is in the logs');
      }
    });
  });
}
