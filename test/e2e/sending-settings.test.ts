// Browser tests of the fallback server on the mail servers list and of the form's sending limits, in
// Debian's Chromium driven by playwright-core, against the real app and two scripted SMTP servers on
// loopback (test/delivery/support/scripted-sink.ts).
//
// The admin makes "Backup relay" the fallback from the list; the office server's password is then
// changed at the provider, so the next message holds it and goes out through the fallback, and the
// list says so in plain words. Then the admin sets sending limits in the form, which survive a
// reload, and a bad value brings the API's message under its field. The worker runs step by step
// (runUntilIdle). Screenshots land in test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test 'test/e2e/sending-settings.test.ts'
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ADMIN_PASSWORD, ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage, errorUnder } from '../support/browser.ts';
import { startScriptedSink, type ScriptedSink } from '../delivery/support/scripted-sink.ts';

const ADMIN_EMAIL = 'root@acme.example';
const OFFICE_PASSWORD = 'Office-leak-canary-2Kd71!';
const BACKUP_PASSWORD = 'Backup-leak-canary-6Tz04?';

/** Waits (on animation frames, no sleeps) until an input or select holds `expected`. */
async function expectValue(locator: Locator, expected: string): Promise<void> {
  const handle = await locator.elementHandle();
  assert.ok(handle, 'element not found');
  try {
    await locator.page().waitForFunction(({ el, v }) => (el as HTMLInputElement | HTMLSelectElement).value === v, { el: handle, v: expected }, { timeout: 5000 });
  } catch {
    assert.equal(await locator.inputValue(), expected);
  }
}

/** The mail servers table row whose Name cell reads exactly `name`. */
function serverRow(page: Page, name: string): Locator {
  return page.locator('table[aria-label="Mail servers"] tbody tr').filter({ has: page.locator('th[scope="row"] > :first-child', { hasText: new RegExp(`^${name}$`) }) });
}

/** The error message under an input, found through the input's own id. */

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

describe('fallback server and sending limits UI', () => {
  let t: TestApp;
  let api: ApiClient;
  let office: ScriptedSink;
  let backup: ScriptedSink;
  let officeId: string;
  let backupId: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    ensureWebBuilt();
    office = await startScriptedSink({ password: OFFICE_PASSWORD });
    backup = await startScriptedSink({ password: BACKUP_PASSWORD });
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
    const admin = await setupRoot(t.url);
    api = ApiClient.withApiKey(t.url, (await admin.post('/api-keys', { name: 'CRM' })).body.key);
    const a = await api.post('/mail-servers', serverInput({ name: 'Office relay', host: '127.0.0.1', port: office.port, security: 'none', password: OFFICE_PASSWORD, fromAddress: 'noreply@acme.example' }));
    assert.equal(a.status, 201, a.text);
    officeId = a.body.id;
    await useCustomServer(t, officeId);
    const b = await api.post('/mail-servers', serverInput({ name: 'Backup relay', host: '127.0.0.1', port: backup.port, security: 'none', password: BACKUP_PASSWORD, fromAddress: 'noreply@acme.example', hasRelay: true }));
    assert.equal(b.status, 201, b.text);
    backupId = b.body.id;

    ({ browser, context, page } = await openBrowserPage(t.url, pageErrors));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    await office?.close();
    await backup?.close();
  });

  it('makes a server the fallback from the list: the badge shows, and what a fallback does is explained', async () => {
    await page.goto('/');
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    await page.getByText('The fallback carries your mail while your own server is paused by a configuration error', { exact: false }).first().waitFor();

    const officeRow = serverRow(page, 'Office relay');
    const backupRow = serverRow(page, 'Backup relay');
    await backupRow.waitFor();
    assert.equal(await page.locator('.badge', { hasText: /^Fallback$/ }).count(), 0, 'no fallback yet');

    await page.getByRole('button', { name: 'Use as fallback: Backup relay' }).click();
    await page.getByText('“Backup relay” is now the fallback', { exact: false }).waitFor();
    await backupRow.locator('.badge', { hasText: /^Fallback$/ }).waitFor();
    assert.equal(await officeRow.locator('.badge', { hasText: /^Fallback$/ }).count(), 0);
    assert.equal(await officeRow.locator('.badge', { hasText: /^Default$/ }).count(), 1);
    // The fallback offers to stop, not to start again.
    assert.equal(await backupRow.getByRole('button', { name: 'Use as fallback: Backup relay' }).count(), 0);
    await backupRow.getByRole('button', { name: 'Stop using as fallback: Backup relay' }).waitFor();
    assert.equal((await api.get(`/mail-servers/${backupId}`)).body.isFallback, true);
    await screenshot(page, 'mail-servers-fallback');
  });

  it('a paused server says in plain words that the fallback carries its mail', async () => {
    // The provider changed the office account's password: 535, so the server is held and the
    // message goes out through the fallback.
    office.script.password = 'Changed-by-the-it-dept-5';
    const sent = await api.post('/messages', { to: ['ann@customer.example'], subject: 'Welcome', text: 'Hello', mailServerId: officeId });
    assert.equal(sent.status, 202, sent.text);
    await t.app.worker.runUntilIdle();
    assert.equal((await api.get(`/messages/${sent.body.id}`)).body.status, 'sent');
    assert.equal(backup.received.length, 1);

    await page.reload();
    const officeRow = serverRow(page, 'Office relay');
    await officeRow.getByText('Sending paused').waitFor();
    const text = await officeRow.innerText();
    // The reason with its code, then what happens to the mail: once, in the UI's words.
    assert.match(text, /The server refused the user name or password\. \(AUTH_FAILED\)/);
    assert.match(text, /Meanwhile, mail goes through the fallback server “Backup relay”\./);
    assert.doesNotMatch(text, /until this is fixed/);
    await screenshot(page, 'mail-servers-paused-with-fallback');

    await officeRow.getByRole('button', { name: 'Edit Office relay' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'Sending paused' });
    await notice.getByText('Meanwhile, mail for this server goes through the fallback server “Backup relay”.', { exact: false }).waitFor();
    assert.doesNotMatch(await notice.innerText(), /nothing is lost/, 'the mail does not wait');

    // Without a fallback, the list no longer promises one.
    await go(page, 'Mail servers');
    await page.getByRole('button', { name: 'Stop using as fallback: Backup relay' }).click();
    await page.getByText('“Backup relay” is no longer the fallback', { exact: false }).waitFor();
    assert.equal(await page.locator('.badge', { hasText: /^Fallback$/ }).count(), 0);
    assert.doesNotMatch(await serverRow(page, 'Office relay').innerText(), /fallback server/);
    await serverRow(page, 'Backup relay').getByRole('button', { name: 'Use as fallback: Backup relay' }).waitFor();
    assert.equal((await api.get(`/mail-servers/${backupId}`)).body.isFallback, false);
  });

  it('sets sending limits in the form; they are kept after saving and reloading', async () => {
    await serverRow(page, 'Backup relay').getByRole('button', { name: 'Edit Backup relay' }).click();
    await page.getByRole('heading', { name: 'Edit mail server: Backup relay' }).waitFor();
    const limits = page.getByRole('group', { name: 'Sending limits' });
    const connections = limits.getByLabel('Connections at most');
    const limited = limits.getByLabel('Limit how fast mail is sent');
    await expectValue(connections, '5');
    assert.equal(await limited.isChecked(), false);
    assert.equal(await limits.getByLabel('Number of messages').count(), 0, 'the rate appears only once asked for');

    await connections.fill('3');
    await limited.check();
    await limits.getByLabel('Number of messages').fill('500');
    await limits.getByLabel('Messages per').selectOption('hour');
    await limits.getByText('Some providers limit sending, e.g. Amazon SES 14 per second', { exact: false }).waitFor();
    await screenshot(limits, 'mail-server-sending-limits');

    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Mail server “Backup relay” saved.').waitFor();
    const saved = (await api.get(`/mail-servers/${backupId}`)).body;
    assert.deepEqual([saved.maxConnections, saved.rateLimitCount, saved.rateLimitPeriod], [3, 500, 'hour']);

    await serverRow(page, 'Backup relay').getByRole('button', { name: 'Edit Backup relay' }).click();
    await page.getByRole('heading', { name: 'Edit mail server: Backup relay' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Edit mail server: Backup relay' }).waitFor();
    await expectValue(limits.getByLabel('Connections at most'), '3');
    assert.equal(await limits.getByLabel('Limit how fast mail is sent').isChecked(), true);
    await expectValue(limits.getByLabel('Number of messages'), '500');
    await expectValue(limits.getByLabel('Messages per'), 'hour');
  });

  it('shows the API\'s message under a sending limit it refuses; turning the rate limit off clears it', async () => {
    const limits = page.getByRole('group', { name: 'Sending limits' });
    const connections = limits.getByLabel('Connections at most');
    const count = limits.getByLabel('Number of messages');
    await connections.fill('0');
    await count.fill('0');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const connectionsError = await errorUnder(connections);
    await connectionsError.waitFor();
    assert.match(await connectionsError.innerText(), /must be between 1 and 50/);
    assert.equal(await connections.getAttribute('aria-invalid'), 'true');
    const countError = await errorUnder(count);
    assert.match(await countError.innerText(), /must be between 1 and 1,000,000/);
    assert.equal(await count.getAttribute('aria-invalid'), 'true');
    await screenshot(limits, 'mail-server-sending-limits-error');
    // Nothing was saved.
    assert.equal((await api.get(`/mail-servers/${backupId}`)).body.maxConnections, 3);

    // Editing a field clears its message; a value that is not a number is caught before asking.
    await connections.fill('many');
    assert.equal(await connections.getAttribute('aria-invalid'), null);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await connectionsError.waitFor();
    assert.match(await connectionsError.innerText(), /whole number/);

    await connections.fill('5');
    await limits.getByLabel('Limit how fast mail is sent').uncheck();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Mail server “Backup relay” saved.').waitFor();
    const saved = (await api.get(`/mail-servers/${backupId}`)).body;
    assert.deepEqual([saved.maxConnections, saved.rateLimitCount, saved.rateLimitPeriod], [5, null, null]);
  });

  it('raised no uncaught errors and showed no SMTP password', async () => {
    const html = await page.content();
    for (const secret of [OFFICE_PASSWORD, BACKUP_PASSWORD]) assert.ok(!html.includes(secret), 'an SMTP password appears in the page');
    assert.deepEqual(pageErrors, []);
  });
});
