// Browser tests of the web admin UI (issue 2), in Debian's Chromium driven by playwright-core,
// against the real app (API + web/dist) on a loopback port with a fresh data folder.
//
// One admin walks through the product in order, so each step builds on the one before: first run,
// sign out and in, create a server from a preset, edit, history and restore, deactivate, secrets,
// companies and sharing, API keys, audit log, delete. Screenshots land in test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test test/e2e/
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage } from '../support/browser.ts';

const ADMIN = { company: 'Acme Reseller', name: 'Ada Admin', email: 'ada@acme.test', password: 'correct horse battery staple' };
// Distinctive values: if either ever shows up in a page or an API answer, it leaked.
const SMTP_PASSWORD = 'Smtp-leak-canary-7Qx91!';
const SECRET_VALUE = 'Secret-leak-canary-3Lm20?';

/** Waits (on animation frames, no sleeps) until an input or select holds `expected`. */
async function expectValue(locator: Locator, expected: string): Promise<void> {
  const handle = await locator.elementHandle();
  assert.ok(handle, 'element not found');
  try {
    await locator.page().waitForFunction(
      ({ el, v }) => (el as HTMLInputElement | HTMLSelectElement).value === v,
      { el: handle, v: expected },
      { timeout: 5000 },
    );
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

/** A link in the sidebar. */
async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

/** The error message under an input, found through the input's own id. */
function errorFor(page: Page, id: string): Locator {
  return page.locator(`[id="${id}-error"]`);
}

async function assertNoLeak(page: Page, answers: string[]): Promise<void> {
  const html = await page.content();
  for (const secret of [SMTP_PASSWORD, SECRET_VALUE]) {
    assert.ok(!html.includes(secret), `a secret value appears in the page HTML (${page.url()})`);
    const leaking = answers.find((a) => a.includes(secret));
    assert.equal(leaking, undefined, 'a secret value appears in an API answer');
  }
}

describe('web admin UI', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const apiAnswers: string[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    ensureWebBuilt();
    app = await startTestApp();
    ({ browser, context, page } = await openBrowserPage(app.url, pageErrors));
    // Every API answer the UI receives, kept for the leak check.
    page.on('response', async (res) => {
      if (!res.url().includes('/api/')) return;
      try {
        apiAnswers.push(await res.text());
      } catch {
        // Redirects and aborted requests have no body.
      }
    });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
  });

  it('first run asks for the first administrator', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await screenshot(page, 'first-run');
    // The form says what is wrong, next to the field, when the server refuses it.
    await page.getByLabel('Company name').fill(ADMIN.company);
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.locator('input[aria-invalid="true"]').first().waitFor();
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    await page.getByText('No mail servers yet').waitFor();
    await screenshot(page, 'mail-servers-empty');
  });

  it('signs out and signs in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    await screenshot(page, 'sign-in-refused');
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'a refused password is cleared');

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    // A reload keeps the session (HttpOnly cookie) and asks the API who is signed in.
    await page.reload();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
  });

  it('creates a server from a preset; the port follows security unless typed', async () => {
    await page.getByRole('link', { name: '+ New mail server' }).first().click();
    await page.getByRole('heading', { name: 'New mail server' }).waitFor();

    const preset = page.getByLabel('Provider preset');
    const host = page.getByLabel('SMTP host');
    const port = page.getByLabel('Port', { exact: true });
    const security = page.getByLabel('Security', { exact: true });

    await preset.selectOption('microsoft365');
    await expectValue(host, 'smtp.office365.com');
    await expectValue(port, '587');
    await expectValue(security, 'starttls');
    await expectValue(page.getByLabel('Authentication mechanism'), 'login');
    assert.ok(await page.getByLabel('Use SMTP authentication').isChecked());

    // Security changes fill in the usual port…
    await security.selectOption('tls');
    await expectValue(port, '465');
    await security.selectOption('none');
    await expectValue(port, '25');
    await security.selectOption('starttls');
    await expectValue(port, '587');
    // …unless the admin typed a port themselves.
    await port.fill('2525');
    await security.selectOption('tls');
    await expectValue(port, '2525');
    await security.selectOption('starttls');
    await expectValue(port, '2525');
    // Emptying the box hands the port back to the security mode.
    await port.fill('');
    await security.selectOption('tls');
    await expectValue(port, '465');
    await security.selectOption('starttls');
    await expectValue(port, '587');

    // Authentication fields show only while authentication is on.
    await page.getByLabel('Use SMTP authentication').uncheck();
    assert.equal(await page.getByLabel('Username').count(), 0);
    await page.getByLabel('Use SMTP authentication').check();

    await page.getByLabel('Name', { exact: true }).fill('Office 365');
    await page.getByLabel('Username').fill('notify@acme.test');
    await page.getByLabel('Password', { exact: true }).fill(SMTP_PASSWORD);
    await page.getByLabel('Default From address').fill('not-an-address');
    await page.getByLabel('From name').fill('Acme Notifications');
    await page.getByLabel('CC', { exact: true }).fill('audit@acme.test, ops@acme.test');
    await page.getByRole('button', { name: '+ Add header' }).click();
    await page.getByLabel('Header name 1').fill('X-App');
    await page.getByLabel('Header value 1').fill('crm');

    // The server's field error lands under the field it names.
    await page.getByRole('button', { name: 'Create mail server' }).click();
    const from = page.getByLabel('Default From address');
    await errorFor(page, (await from.getAttribute('id'))!).waitFor();
    assert.equal(await from.getAttribute('aria-invalid'), 'true');

    await from.fill('notify@acme.test');
    assert.equal(await from.getAttribute('aria-invalid'), null, 'editing a field clears its error');
    await screenshot(page, 'mail-server-form');
    await page.getByRole('button', { name: 'Create mail server' }).click();

    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    const r = row(page, 'Office 365');
    await r.waitFor();
    const text = await r.innerText();
    assert.match(text, /smtp\.office365\.com:587/);
    assert.match(text, /Ada Admin/);
    assert.match(text, /Active/);
    assert.match(text, /Default/, 'the first server becomes the default');
    await screenshot(page, 'mail-servers-list');
    await assertNoLeak(page, apiAnswers);
  });

  it('edits a server without ever showing the saved password', async () => {
    await page.getByRole('button', { name: 'Edit Office 365', exact: true }).click();
    await page.getByRole('heading', { name: /Edit mail server/ }).waitFor();
    await page.getByText('A password is saved — leave empty to keep it.').waitFor();
    assert.equal(await page.getByLabel('New password').inputValue(), '');
    await expectValue(page.getByLabel('CC', { exact: true }), 'audit@acme.test, ops@acme.test');
    await expectValue(page.getByLabel('Header name 1'), 'X-App');
    await screenshot(page, 'mail-server-edit');
    await assertNoLeak(page, apiAnswers);

    await page.getByLabel('Name', { exact: true }).fill('Office 365 notifications');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    await row(page, 'Office 365 notifications').waitFor();
    await page.getByText('Mail server “Office 365 notifications” saved.').waitFor();

    // Changing where the password would go drops it: the form says so and asks for it again.
    await page.getByRole('button', { name: 'Edit Office 365 notifications', exact: true }).click();
    await page.getByLabel('Port', { exact: true }).fill('2587');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/The saved password was removed/).first().waitFor();
    await screenshot(page, 'mail-server-password-cleared');
    await page.getByLabel('Password', { exact: true }).fill(SMTP_PASSWORD);
    await page.getByLabel('Port', { exact: true }).fill('587');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    assert.match(await row(page, 'Office 365 notifications').innerText(), /smtp\.office365\.com:587/);
    await assertNoLeak(page, apiAnswers);
  });

  it('shows the history and restores an earlier version', async () => {
    await page.getByRole('button', { name: 'History: Office 365 notifications' }).click();
    await page.getByRole('heading', { name: 'History: Office 365 notifications' }).waitFor();
    const versions = page.locator('ol[aria-label="Versions"] > li');
    await versions.first().waitFor();
    assert.ok((await versions.count()) >= 4, 'create + rename + port change + port back');
    assert.match(await versions.first().innerText(), /Current/);
    assert.match(await page.getByRole('listitem', { name: 'Version 2' }).innerText(), /Office 365 notifications/);
    await screenshot(page, 'mail-server-history');

    await page.getByRole('button', { name: 'Restore this version (version 1)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore this version' }).click();
    await page.getByText(/Version 1 restored as version/).waitFor();
    await page.getByRole('heading', { name: 'History: Office 365', exact: true }).waitFor();
    await assertNoLeak(page, apiAnswers);

    await page.getByRole('link', { name: '← Mail servers' }).click();
    await row(page, 'Office 365').waitFor();
  });

  it('deactivates and activates a server', async () => {
    await page.getByRole('button', { name: 'Deactivate Office 365', exact: true }).click();
    await row(page, 'Office 365').getByText('Inactive').waitFor();
    // It is the default: the list says that mail will not go through it.
    await page.getByText(/is now inactive/).waitFor();
    await page.getByRole('button', { name: 'Activate Office 365', exact: true }).click();
    await page.getByText(/is now active/).waitFor();
    assert.match(await row(page, 'Office 365').innerText(), /Active/);
  });

  it('keeps secrets write-only and lets a server use one by reference', async () => {
    await go(page, 'Secrets');
    await page.getByRole('heading', { name: 'Secrets', exact: true }).waitFor();
    await page.getByLabel('Secret name').fill('relay-password');
    await page.getByLabel('Secret value').fill(SECRET_VALUE);
    await page.getByLabel('Description').fill('Postfix relay');
    await page.getByRole('button', { name: 'Save secret' }).click();
    await page.getByText('Secret “relay-password” saved.', { exact: false }).waitFor();
    await page.locator('table[aria-label="Secrets"]').getByText('relay-password').waitFor();
    assert.equal(await page.getByLabel('Secret value').inputValue(), '');
    await screenshot(page, 'secrets');
    await assertNoLeak(page, apiAnswers);

    await go(page, 'Mail servers');
    await page.getByRole('link', { name: '+ New mail server' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Internal relay');
    await page.getByLabel('SMTP host').fill('relay.acme.internal');
    await page.getByLabel('Username').fill('mailroom');
    await page.getByLabel('Use a secret reference').check();
    await page.getByLabel('Internal secret').selectOption('relay-password');
    await expectValue(page.getByLabel('Secret reference', { exact: true }), 'secret:relay-password');
    await page.getByLabel('Default From address').fill('relay@acme.test');
    await page.getByRole('button', { name: 'Create mail server' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    await row(page, 'Internal relay').waitFor();

    await go(page, 'Secrets');
    const used = page.locator('table[aria-label="Secrets"] tr', { hasText: 'relay-password' });
    await used.getByText('1 mail server').waitFor();
    // In use: deleting is refused with a reason.
    await page.getByRole('button', { name: 'Delete relay-password' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete secret' }).click();
    await page.getByRole('dialog').getByRole('alert').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await assertNoLeak(page, apiAnswers);
  });

  it('creates a child company and makes a server available to it', async () => {
    await go(page, 'Companies');
    await page.getByRole('heading', { name: 'Companies', exact: true }).waitFor();
    await page.getByLabel('Company name').fill('Acme EMEA');
    await expectValue(page.getByLabel('Slug'), 'acme-emea');
    await page.getByRole('button', { name: 'Create company' }).click();
    await page.getByText('Company “Acme EMEA” created.', { exact: false }).waitFor();
    // The header now offers the company switcher.
    await page.getByLabel('Acting for').waitFor();
    await screenshot(page, 'companies');

    await go(page, 'Mail servers');
    await page.getByRole('button', { name: 'Edit Office 365', exact: true }).click();
    await page.getByRole('group', { name: 'Make available for', exact: true }).getByLabel('Acme EMEA').check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();

    // Acting for the child company: the shared server is listed, read-only.
    const acmeEmeaId = await page.getByLabel('Acting for').locator('option', { hasText: 'Acme EMEA' }).getAttribute('value');
    await page.getByLabel('Acting for').selectOption(acmeEmeaId!);
    await page.getByRole('navigation', { name: 'Main' }).getByText('Acme EMEA').waitFor();
    const shared = row(page, 'Office 365');
    await shared.getByText('Shared by parent company').waitFor();
    await screenshot(page, 'mail-servers-shared-with-child');
    assert.equal(await shared.getByRole('button', { name: /^Edit/ }).count(), 0);
    assert.equal(await row(page, 'Internal relay').count(), 0, 'the parent\'s other servers stay private');

    const acmeId = await page.getByLabel('Acting for').locator('option', { hasText: 'Acme Reseller' }).getAttribute('value');
    await page.getByLabel('Acting for').selectOption(acmeId!);
    await row(page, 'Internal relay').waitFor();
  });

  it('shows a new API key once, then only its prefix', async () => {
    await go(page, 'API keys');
    await page.getByLabel('Key name').fill('CRM production');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('you will not see it again', { exact: false }).waitFor();
    const key = await page.getByLabel('New API key', { exact: true }).inputValue();
    assert.match(key, /^mr_/);
    await screenshot(page, 'api-keys');

    await page.reload();
    await page.locator('table[aria-label="API keys"]').getByText('CRM production').waitFor();
    assert.ok(!(await page.content()).includes(key), 'the key is shown only once');

    await page.getByRole('button', { name: 'Revoke CRM production' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.locator('table[aria-label="API keys"]').getByText(/Revoked/).waitFor();
  });

  it('records changes in the audit log', async () => {
    await go(page, 'Audit log');
    const table = page.locator('table[aria-label="Audit log"]');
    await table.waitFor();
    const text = await table.innerText();
    assert.match(text, /mail_server\.created/);
    assert.match(text, /Ada Admin/);
    await screenshot(page, 'audit-log');
    await assertNoLeak(page, apiAnswers);
  });

  it('deletes servers; deleting the default asks for the new default', async () => {
    await go(page, 'Mail servers');
    await row(page, 'Internal relay').waitFor();

    // A server that is not the default goes after a plain confirmation.
    await page.getByRole('button', { name: 'Delete Internal relay' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Delete “Internal relay”?' }).waitFor();
    assert.equal(await dialog.getByLabel('New default mail server').count(), 0);
    await dialog.getByRole('button', { name: 'Delete mail server' }).click();
    await page.getByText('Mail server “Internal relay” deleted.').waitFor();
    assert.equal(await row(page, 'Internal relay').count(), 0);

    // Duplicate the default, activate the copy, then delete the default: the copy takes over.
    await page.getByRole('button', { name: 'Duplicate Office 365', exact: true }).click();
    await row(page, 'Copy of Office 365').waitFor();
    await page.getByRole('button', { name: 'Activate Copy of Office 365', exact: true }).click();
    await page.getByText('“Copy of Office 365” is now active.').waitFor();

    await page.getByRole('button', { name: 'Delete Office 365', exact: true }).click();
    await dialog.getByLabel('New default mail server').waitFor();
    await dialog.getByRole('button', { name: 'Delete mail server' }).click();
    await dialog.getByText('Choose the new default.').waitFor();
    const copyId = await dialog.getByLabel('New default mail server').locator('option', { hasText: 'Copy of Office 365' }).getAttribute('value');
    await dialog.getByLabel('New default mail server').selectOption(copyId!);
    await screenshot(page, 'delete-default-dialog');
    await dialog.getByRole('button', { name: 'Delete mail server' }).click();
    await page.getByText('Mail server “Office 365” deleted.').waitFor();
    assert.match(await row(page, 'Copy of Office 365').innerText(), /Default/);

    // The last server can go too: the built-in mail service takes over.
    await page.getByRole('button', { name: 'Delete Copy of Office 365' }).click();
    await dialog.getByLabel('New default mail server').selectOption('none');
    await dialog.getByRole('button', { name: 'Delete mail server' }).click();
    await page.getByText('No mail servers yet').waitFor();
    await assertNoLeak(page, apiAnswers);
  });

  it('raised no uncaught errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });

  it('never wrote a typed secret to the logs', () => {
    const logs = app.logs();
    assert.ok(logs.length > 0, 'the harness captured logs');
    assert.ok(!logs.includes(SMTP_PASSWORD), 'the SMTP password appears in the logs');
    assert.ok(!logs.includes(SECRET_VALUE), 'the secret value appears in the logs');
  });
});
