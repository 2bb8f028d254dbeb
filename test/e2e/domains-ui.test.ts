// Browser test of the Domains page, in Debian's Chromium driven by playwright-core, against the real
// app (API + web/dist) whose DNS lookups go to the DNS stand-in (MAILROOM_DNS_SERVERS).
//
// In order: the first admin opens Domains from the navigation, a bad name is refused at its field,
// the domain is added and its records shown with copy buttons; "Check now" says each record is
// missing; the values copied from the page are published in the stand-in's zone; "Check now" then
// shows every record found and the domain verified. Last, a mail server whose From domain's SPF
// record does not allow it shows the warning box on its edit page. Screenshots land in
// test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test 'test/e2e/domains-ui.test.ts'
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ApiClient, serverInput } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage, createFirstAdministrator } from '../support/browser.ts';
import { startDnsStandIn, type DnsStandIn } from '../support/dns-stand-in.ts';

const ADMIN = { company: 'Initech', name: 'Peter Admin', email: 'peter@initech.test', password: 'first-admin-passphrase-9' };
const SPF_INCLUDE = '_spf.mailroom.test';

describe('domains page', () => {
  let t: TestApp;
  let dns: DnsStandIn;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    ensureWebBuilt();
    dns = await startDnsStandIn({ 'initech.example': { A: ['192.0.2.1'] }, [SPF_INCLUDE]: { TXT: ['v=spf1 ip4:198.51.100.0/24 -all'] } });
    t = await startTestApp({ env: { MAILROOM_DNS_SERVERS: dns.server, MAILROOM_SPF_INCLUDE: SPF_INCLUDE, MAILROOM_RETURN_PATH_HOST: 'bounces.mailroom.test' } });
    ({ browser, context, page } = await openBrowserPage(t.url, pageErrors, { width: 1400 }));
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.url });
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    await dns?.close();
  });

  const table = () => page.getByRole('table', { name: 'DNS records for initech.example' });
  const row = (label: string): Locator => table().getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${label}`) }) });
  const valueOf = async (kind: string, part: 'name' | 'value') => (await page.locator(`[id="record-${kind}-${part}"]`).innerText()).trim();

  it('adds a domain and shows the records to publish', async () => {
    await createFirstAdministrator(page, ADMIN);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Domains', exact: true }).click();
    await page.getByRole('heading', { name: 'Domains', exact: true }).waitFor();
    const input = page.getByLabel('Domain', { exact: true });
    await input.fill('not a domain');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const id = await input.getAttribute('id');
    assert.match(await page.locator(`[id="${id}-error"]`).innerText(), /valid host name|must not contain spaces/);

    await input.fill('Initech.example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('heading', { name: 'initech.example', exact: true }).waitFor();
    await table().waitFor();
    assert.equal(await valueOf('spf', 'value'), `v=spf1 include:${SPF_INCLUDE} ~all`);
    assert.match(await valueOf('dkim', 'name'), /^mr\d{6}[a-z2-9]{3}\._domainkey\.initech\.example$/);
    assert.match(await valueOf('dkim', 'value'), /^v=DKIM1; k=rsa; p=MII[A-Za-z0-9+/=]{300,}$/);
    for (const label of ['SPF', 'DKIM', 'DMARC', 'Return path']) assert.match(await row(label).innerText(), /Not checked/);

    await row('DKIM').getByRole('button', { name: 'Copy DKIM value' }).click();
    await row('DKIM').getByRole('button', { name: 'Copied DKIM value' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await valueOf('dkim', 'value'), 'the copy button copies the whole value');
  });

  it('says each record is missing, then found once the zone is filled', async () => {
    await page.getByRole('button', { name: 'Check now' }).click();
    await row('SPF').getByText('No SPF record at initech.example: publish the TXT record below.').waitFor();
    assert.match(await row('SPF').innerText(), /Missing/);
    assert.match(await row('DKIM').innerText(), /Missing[\s\S]*No DKIM record at mr\d{6}/);
    assert.match(await row('DMARC').innerText(), /Missing[\s\S]*Not required to send/);
    assert.match(await page.getByRole('region', { name: /Status/ }).innerText(), /Not verified yet[\s\S]*publish the required records \(SPF and DKIM\)/);
    await screenshot(page, 'domains-missing');

    // Publish exactly what the page shows.
    dns.zone['initech.example'] = { A: ['192.0.2.1'], TXT: [await valueOf('spf', 'value')] };
    dns.zone[await valueOf('dkim', 'name')] = { TXT: [await valueOf('dkim', 'value')] };
    dns.zone[await valueOf('dmarc', 'name')] = { TXT: [await valueOf('dmarc', 'value')] };
    dns.zone[await valueOf('return-path', 'name')] = { CNAME: await valueOf('return-path', 'value') };

    await page.getByRole('button', { name: 'Check now' }).click();
    await page.getByRole('region', { name: /Status/ }).getByText('initech.example is verified').waitFor();
    for (const label of ['SPF', 'DKIM', 'DMARC', 'Return path']) {
      const text = await row(label).innerText();
      assert.match(text, /Found/, `${label}: ${text}`);
      assert.doesNotMatch(text, /Missing|Wrong/, label);
    }
    assert.match(await row('SPF').innerText(), new RegExp(`includes ${SPF_INCLUDE.replace(/\./g, '\\.')}`));
    await screenshot(page, 'domains-verified');

    await page.getByRole('link', { name: '← Domains' }).click();
    const listRow = page.getByRole('table', { name: 'Sending domains' }).getByRole('row', { name: /initech\.example/ });
    assert.match(await listRow.innerText(), /Verified/);
  });

  it('warns on a mail server\'s page when the From domain\'s SPF does not allow the server', async () => {
    dns.zone['smtp.initech.example'] = { A: ['192.0.2.25'] };
    const api = new ApiClient(t.url);
    assert.equal((await api.signIn(ADMIN.email, ADMIN.password)).status, 200);
    const created = await api.post('/mail-servers', serverInput({ name: 'Initech relay', host: 'smtp.initech.example', fromAddress: 'noreply@initech.example' }));
    assert.equal(created.status, 201, created.text);
    await page.goto(`/#/mail-servers/${created.body.id}/edit`);
    const warning = page.getByRole('status').filter({ hasText: 'SPF of initech.example may not allow this server' });
    await warning.waitFor();
    assert.match(await warning.innerText(), /does not allow smtp\.initech\.example \(192\.0\.2\.25\)[\s\S]*Add ip4:192\.0\.2\.25/);
    await screenshot(warning, 'domains-mail-server-spf-warning');
    assert.deepEqual(pageErrors, []);
  });
});
