// Browser tests of "Test connection" (issue 3) in Debian's Chromium driven by playwright-core,
// against the real app and real SMTP servers on loopback: an in-process `smtp-server` that speaks
// STARTTLS with a certificate from a test CA and checks the password.
//
// One admin walks through in order: live warnings while typing, a mismatch whose suggestion is
// applied with one click, a saved server tested and sent the test email, a wrong password named as
// such with its fix and transcript, the password asked for again after a port change, the test
// email on save, the list's last test and its "Test" dialog, "Recent tests" and the support bundle.
// Screenshots land in test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test 'test/e2e/*.test.ts'
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage } from '../support/browser.ts';
import { createTestCertificates, type TestCertificates } from '../diagnostics/support/test-certificates.ts';

const ADMIN = { company: 'Acme Trading', name: 'Ada Admin', email: 'ada@acme.test', password: 'correct horse battery staple' };
// Distinctive values: if either ever shows up in a page or an API answer, it leaked.
const SMTP_PASSWORD = 'Probe-leak-canary-8Zt42!';
const WRONG_PASSWORD = 'Wrong-leak-canary-5Kd17?';
const SMTP_USER = 'notify@acme.test';

interface SmtpSink {
  port: number;
  messages: string[];
  logins: string[];
  close(): Promise<void>;
}

/** A submission server: STARTTLS with the test CA's "localhost" certificate, AUTH only inside TLS. */
async function startSubmissionServer(certs: TestCertificates): Promise<SmtpSink> {
  const sink: SmtpSink = { port: 0, messages: [], logins: [], close: async () => {} };
  const server = new SMTPServer({
    logger: false, disableReverseLookup: true, name: 'mail.acme.test', banner: 'Acme submission',
    key: certs.valid.key, cert: certs.valid.cert, authMethods: ['PLAIN', 'LOGIN'], size: 10 * 1024 * 1024,
    onAuth(auth, _session, cb) {
      sink.logins.push(auth.username ?? '');
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, _session, cb) {
      let text = '';
      stream.on('data', (d) => { text += d; });
      stream.on('end', () => { sink.messages.push(text); cb(); });
    },
  });
  server.on('error', () => {}); // a client that hangs up mid-handshake is part of the mismatch test
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.port = (server.server.address() as AddressInfo).port;
  sink.close = () => new Promise((resolve) => server.close(() => resolve()));
  return sink;
}

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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The mail servers table row whose Name cell reads exactly `name`. */
function row(page: Page, name: string): Locator {
  return page
    .locator('table[aria-label="Mail servers"] tbody tr')
    .filter({ has: page.locator('th[scope="row"] > :first-child', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
}

/** The live warnings shown under a control, found through the control's own id. */
async function warningsOf(control: Locator): Promise<Locator> {
  const id = await control.getAttribute('id');
  return control.page().locator(`[id="${id}-warning"]`);
}

describe('connection test UI', () => {
  let app: TestApp;
  let certs: TestCertificates;
  let smtp: SmtpSink;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const apiAnswers: string[] = [];
  const pageErrors: string[] = [];

  const panel = () => page.getByRole('group', { name: 'Test connection' });
  const result = () => panel().getByRole('region', { name: 'Test result' });
  const testButton = () => panel().getByRole('button', { name: 'Test connection' });

  /**
   * No password in the page or in any API answer. A password the admin is typing lives in its
   * password box (React mirrors it into the value attribute); `whileTyped` leaves out just that.
   */
  async function assertNoLeak(options: { whileTyped?: boolean } = {}): Promise<void> {
    const html = options.whileTyped
      ? await page.evaluate(() => {
          const copy = document.documentElement.cloneNode(true) as HTMLElement;
          for (const input of copy.querySelectorAll('input[type="password"]')) input.removeAttribute('value');
          return copy.outerHTML;
        })
      : await page.content();
    for (const secret of [SMTP_PASSWORD, WRONG_PASSWORD]) {
      assert.ok(!html.includes(secret), `a password appears in the page HTML (${page.url()})`);
      assert.equal(apiAnswers.find((a) => a.includes(secret)), undefined, 'a password appears in an API answer');
    }
  }

  async function openServer(name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mail servers', exact: true }).click();
    await page.getByRole('button', { name: `Edit ${name}`, exact: true }).click();
    await page.getByRole('heading', { name: `Edit mail server: ${name}` }).waitFor();
  }

  /** Fills the connection part of the new-server form for the test server (port typed, so it stays). */
  async function fillConnection(security: 'none' | 'starttls' | 'tls', password: string): Promise<void> {
    await page.getByLabel('SMTP host').fill('localhost');
    await page.getByLabel('Port', { exact: true }).fill(String(smtp.port));
    await page.getByLabel('Security', { exact: true }).selectOption(security);
    await page.getByLabel('Username').fill(SMTP_USER);
    await page.getByLabel('Password', { exact: true }).fill(password);
  }

  before(async () => {
    ensureWebBuilt();
    certs = createTestCertificates();
    // The app runs in this process: let its TLS clients trust the test CA the way
    // NODE_EXTRA_CA_CERTS would for an operator's private CA, so certificates are really checked.
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), certs.caPem]);
    smtp = await startSubmissionServer(certs);
    app = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
    ({ browser, context, page } = await openBrowserPage(app.url, pageErrors, { timeoutMs: 15_000, acceptDownloads: true }));
    page.on('response', async (res) => {
      if (!res.url().includes('/api/')) return;
      try {
        apiAnswers.push(await res.text());
      } catch {
        // Redirects and aborted requests have no body.
      }
    });

    await page.goto('/');
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await page.getByLabel('Company name').fill(ADMIN.company);
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
    await smtp?.close();
    certs?.remove();
  });

  it('warns while typing, next to the field, about settings that cannot work', async () => {
    await page.getByRole('link', { name: '+ New mail server' }).first().click();
    await page.getByRole('heading', { name: 'New mail server' }).waitFor();

    const host = page.getByLabel('SMTP host');
    await host.fill('smtp.google.com');
    await (await warningsOf(host)).getByText('smtp.google.com is not a mail submission server; you probably mean smtp.gmail.com.').waitFor();
    // Password login at Google or Microsoft: the advice sits by the mechanism.
    const mechanism = page.getByLabel('Authentication mechanism');
    await host.fill('smtp.gmail.com');
    await (await warningsOf(mechanism)).getByText(/Google accepts only an app password/).waitFor();
    await host.fill('smtp.office365.com');
    await (await warningsOf(mechanism)).getByText(/Microsoft is switching off password login \(basic authentication\) for SMTP: use OAuth2/).waitFor();
    await mechanism.selectOption('xoauth2');
    await (await warningsOf(mechanism)).waitFor({ state: 'detached' });
    await mechanism.selectOption('plain');

    await host.fill('localhost');
    // SSL/TLS fills in 465; the admin then types 587.
    const security = page.getByLabel('Security', { exact: true });
    await security.selectOption('tls');
    await expectValue(page.getByLabel('Port', { exact: true }), '465');
    await page.getByLabel('Port', { exact: true }).fill('587');
    const securityWarnings = await warningsOf(security);
    await securityWarnings.getByText('Port 587 normally uses STARTTLS, not SSL/TLS: choose STARTTLS, or port 465 for SSL/TLS.').waitFor();
    assert.match((await security.getAttribute('aria-describedby')) ?? '', /-warning/, 'the warning is tied to the control');
    // Moving on from the host clears its warnings.
    assert.equal(await (await warningsOf(host)).count(), 0);
    await screenshot(page.getByRole('group', { name: 'Server' }), 'connection-test-warning');

    await security.selectOption('starttls');
    await securityWarnings.waitFor({ state: 'detached' });
  });

  it('offers the working settings after a mismatch, applies them with one click, and turns green', async () => {
    // SSL/TLS against a port that speaks plain SMTP and offers STARTTLS.
    await fillConnection('tls', SMTP_PASSWORD);
    await testButton().click();
    await result().waitFor();
    const red = await result().innerText();
    assert.match(red, /Connection test failed/);
    assert.match(red, new RegExp(`Port ${smtp.port} speaks plain SMTP, not SSL/TLS from the first byte\\.`));
    assert.match(red, /How to fix it: Switch Security to STARTTLS/);
    assert.equal(await result().locator('.probe-facts__stage').innerText(), 'tls');

    const apply = result().getByRole('button', { name: `Apply: STARTTLS on port ${smtp.port}` });
    await screenshot(result(), 'connection-test-suggestion');
    await apply.click();
    await expectValue(page.getByLabel('Security', { exact: true }), 'starttls');
    await expectValue(page.getByLabel('Port', { exact: true }), String(smtp.port));
    await result().getByText(/Applied: Security STARTTLS, port \d+\. Test again to check, then save\./).waitFor();
    assert.equal(await result().getByRole('button', { name: /^Apply:/ }).count(), 0, 'applied once');

    await testButton().click();
    await result().getByText('Connection works').waitFor();
    const stages = result().getByRole('list', { name: 'Steps' }).getByRole('listitem');
    assert.deepEqual(await stages.evaluateAll((els) => els.map((el) => el.getAttribute('data-stage'))), ['dns', 'connect', 'greeting', 'ehlo', 'tls', 'auth', 'mail', 'rcpt']);
    assert.equal(await result().locator('.probe-stage--failed').count(), 0);
    const offered = await result().locator('.probe-offered').innerText();
    assert.match(offered, /Login methods\s+PLAIN, LOGIN/);
    assert.match(offered, /Largest message\s+10 MB/);
    assert.match(offered, /TLSv1\.[23]/);
    assert.match(offered, /CN=localhost/);
    await screenshot(panel(), 'connection-test-green');
    assert.equal(smtp.messages.length, 0, 'a test without "send test email" sends nothing');

    await page.getByLabel('Name', { exact: true }).fill('Office relay');
    await page.getByLabel('Default From address').fill(SMTP_USER);
    await page.getByRole('button', { name: 'Create mail server' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    assert.match(await row(page, 'Office relay').innerText(), /Not tested yet/);
    await assertNoLeak();
  });

  it('tests a saved server and sends the test email to the admin only', async () => {
    await openServer('Office relay');
    assert.match(await panel().innerText(), /Tests the saved settings/);
    // Hold the request while the page shows its progress (the probe may take up to 20 s).
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      void page.route('**/api/v1/mail-servers/*/test', async (route) => {
        release = () => void route.continue();
        resolve();
      }, { times: 1 });
    });
    await testButton().click();
    await held;
    await panel().getByText(/Testing the connection to localhost:\d+…/).waitFor();
    assert.equal(await panel().getByRole('button', { name: 'Testing…' }).isDisabled(), true);
    await screenshot(panel(), 'connection-test-progress');
    release();
    await result().getByText('Connection works').waitFor();
    await page.unroute('**/api/v1/mail-servers/*/test');
    assert.equal(await result().getByRole('list', { name: 'Steps' }).getByRole('listitem').count(), 8);

    await panel().getByLabel('Also send a test email').check();
    const to = panel().getByLabel('Send the test email to');
    await expectValue(to, ADMIN.email);
    await to.fill('stranger@elsewhere.test');
    await testButton().click();
    await panel().getByText('A test email can go only to your own address, a person of this company or one of its verified sender addresses.').waitFor();
    assert.equal(await to.getAttribute('aria-invalid'), 'true');

    await to.fill(ADMIN.email);
    await testButton().click();
    await result().getByText(`Test email sent to ${ADMIN.email}`).waitFor();
    assert.equal(smtp.messages.length, 1);
    assert.match(smtp.messages[0], /^Subject: Mailroom test message/m);
    assert.match(smtp.messages[0], new RegExp(`^To: .*${escapeRegExp(ADMIN.email)}`, 'm'));
    await assertNoLeak();
  });

  it('names a wrong password, says how to fix it, and shows the transcript without the password', async () => {
    await page.getByLabel('New password').fill(WRONG_PASSWORD);
    await panel().getByLabel('Also send a test email').uncheck();
    await testButton().click();
    await result().getByText('Connection test failed').waitFor();
    const text = await result().innerText();
    assert.match(text, /The server refused the user name or password\./);
    assert.match(text, /How to fix it: Check the user name \(often the full email address\) and type the password again\./);
    assert.match(text, /AUTH_FAILED/);
    assert.equal(await result().locator('.probe-facts__stage').innerText(), 'auth');
    assert.equal(await result().locator('.probe-facts__reply-code').innerText(), '535');
    assert.equal(await result().locator('.probe-stage--failed').getAttribute('data-stage'), 'auth');

    const transcript = result().locator('.probe-transcript__text');
    assert.equal(await transcript.isVisible(), false, 'the transcript starts collapsed');
    await result().getByText(/Conversation with the server \(transcript/).click();
    await transcript.waitFor({ state: 'visible' });
    const lines = await transcript.innerText();
    assert.match(lines, /\[credentials hidden\]/);
    assert.match(lines, /<~ {2}535/);
    assert.ok(!lines.includes(WRONG_PASSWORD) && !lines.includes(Buffer.from(WRONG_PASSWORD).toString('base64')), 'the transcript holds no password');
    await screenshot(panel(), 'connection-test-red');
    await assertNoLeak({ whileTyped: true });

    // The typed value lives in the password box only: clear it, then nothing in the page holds it.
    await page.getByLabel('New password').fill('');
    await assertNoLeak();
  });

  it('asks for the password again when the test would send it to another port', async () => {
    const port = page.getByLabel('Port', { exact: true });
    await port.fill(String(smtp.port + 1));
    assert.match(await panel().innerText(), /Tests the values in this form, before you save them/);
    await testButton().click();
    const prompt = panel().getByRole('status').filter({ hasText: 'Type the password to test these settings' });
    await prompt.waitFor();
    await prompt.getByRole('button', { name: 'Go to the password field' }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('type')), 'password');
    await port.fill(String(smtp.port));
  });

  it('sends the test email on save (seed 002) and reports it', async () => {
    await page.getByLabel('Send a test email to this address when I save').fill(ADMIN.email);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    await page.getByText(`Test email sent to ${ADMIN.email}: check that it arrived`, { exact: false }).waitFor();
    assert.equal(smtp.messages.length, 2);
  });

  it('shows the last test in the list and tests a row from there', async () => {
    assert.match(await row(page, 'Office relay').innerText(), /Tested ✓ just now/);

    // A second server whose saved password is wrong.
    await page.getByRole('link', { name: '+ New mail server' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Old relay');
    await fillConnection('starttls', WRONG_PASSWORD);
    await page.getByLabel('Default From address').fill(SMTP_USER);
    await page.getByRole('button', { name: 'Create mail server' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Test Old relay', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Test “Old relay”' }).waitFor();
    await dialog.getByText('Connection test failed').waitFor();
    assert.match(await dialog.innerText(), /The server refused the user name or password\./);
    await screenshot(dialog, 'connection-test-dialog');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await row(page, 'Old relay').getByText(/Test failed:\s*AUTH_FAILED/).waitFor();
    assert.match(await row(page, 'Office relay').innerText(), /Tested ✓/);
    await screenshot(page, 'connection-test-list');
    await assertNoLeak();
  });

  it('keeps the admin on the form with the result when the test on save fails', async () => {
    await openServer('Old relay');
    await page.getByLabel('Send a test email to this address when I save').fill(ADMIN.email);
    await page.getByRole('button', { name: 'Save changes' }).click();
    const outcome = page.getByRole('region', { name: 'Test after saving' });
    await outcome.getByText('Saved, but the test email was not sent').waitFor();
    assert.match(await outcome.innerText(), /The server refused the user name or password\./);
    assert.match(await outcome.innerText(), /AUTH_FAILED/);
    await page.getByRole('heading', { name: 'Edit mail server: Old relay' }).waitFor();
    // The dialog's test and this one are kept.
    await page.getByRole('table', { name: 'Recent tests' }).locator('tbody > tr.recent-tests__row').nth(1).waitFor();
    assert.equal(smtp.messages.length, 2, 'nothing was sent through the server with the wrong password');
  });

  it('lists recent tests on the edit page and downloads a support bundle without the password', async () => {
    await openServer('Office relay');
    const table = page.getByRole('table', { name: 'Recent tests' });
    await table.waitFor();
    const rows = table.locator('tbody > tr.recent-tests__row');
    // The saved test, the test email, and the test on save; the refused recipient ran nothing.
    assert.equal(await rows.count(), 3);
    assert.match(await rows.first().innerText(), new RegExp(`test email to ${escapeRegExp(ADMIN.email)}`));
    assert.match(await rows.first().innerText(), /Ada Admin/);
    await rows.first().click();
    await table.getByRole('region', { name: 'Test result' }).getByText(`Test email sent to ${ADMIN.email}`).waitFor();
    await screenshot(page.getByRole('region', { name: 'Recent tests' }), 'connection-test-recent');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download support bundle' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^mailroom-support-Office-relay-\d{4}-\d{2}-\d{2}\.json$/);
    const file = await download.path();
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of [SMTP_PASSWORD, WRONG_PASSWORD]) assert.ok(!text.includes(secret), 'the support bundle holds a password');
    const bundle = JSON.parse(text);
    assert.equal(bundle.settings.host, 'localhost');
    assert.equal(bundle.settings.hasPassword, true);
    assert.equal(bundle.testAddress, ADMIN.email);
    assert.equal(bundle.lastTests.length, 3);
    await screenshot(page, 'connection-test-edit-page');
    await assertNoLeak();
  });

  it('raised no uncaught errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });

  it('never wrote a password to the logs', () => {
    const logs = app.logs();
    assert.ok(logs.length > 0, 'the harness captured logs');
    assert.ok(!logs.includes(SMTP_PASSWORD) && !logs.includes(WRONG_PASSWORD), 'an SMTP password appears in the logs');
  });
});
