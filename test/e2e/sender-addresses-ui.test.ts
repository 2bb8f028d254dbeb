// Browser test of Sender addresses, in Debian's Chromium driven by playwright-core, against the real
// app (API + web/dist). Verification emails are captured instead of sent; the test opens their links
// the way the address's owner would.
//
// In order: the first admin opens Sender addresses, a bad address is refused at its field, a group
// address is added and listed as Pending; its link, opened in a browser that is not signed in, says
// it is verified and drops the token from the address bar; opened again it is refused in plain
// words; the admin's list then shows Verified. A link opened by the signed-in admin works too.
// Screenshots land in test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test test/e2e/sender-addresses-ui.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage, errorUnder, createFirstAdministrator } from '../support/browser.ts';
import { capturingMailer, type CapturingMailer } from '../senders/support/capturing-mailer.ts';

const ADMIN = { company: 'Initech', name: 'Peter Admin', email: 'peter@initech.test', password: 'first-admin-passphrase-9' };

describe('sender addresses page', () => {
  let t: TestApp;
  let mailer: CapturingMailer;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    ensureWebBuilt();
    mailer = capturingMailer();
    t = await startTestApp({ verificationMailer: mailer });
    ({ browser, context: admin, page } = await openBrowserPage(t.url, pageErrors));
  });
  after(async () => {
    await admin?.close();
    await browser?.close();
    await t?.close();
  });

  const row = (address: string) => page.locator('table[aria-label="Sender addresses"] tbody tr').filter({ hasText: address });

  it('adds a group address, listed as Pending, and emails it a link', async () => {
    await createFirstAdministrator(page, ADMIN);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sender addresses', exact: true }).click();
    await page.getByRole('heading', { name: 'Sender addresses', exact: true }).waitFor();
    await page.getByText('No sender addresses yet').waitFor();

    const address = page.getByLabel('Email address');
    await address.fill('support.initech.test');
    await page.getByRole('button', { name: 'Add and send link' }).click();
    assert.match(await (await errorUnder(address)).innerText(), /must contain "@"/);
    assert.equal(mailer.sent.length, 0);

    await address.fill('Support@Initech.test');
    await page.getByLabel('Display name').fill('Initech Support');
    await page.getByLabel('Group (shared mailbox or list)').check();
    await page.getByRole('button', { name: 'Add and send link' }).click();
    await page.getByText('A verification link was sent to support@initech.test').waitFor();
    const listed = row('support@initech.test');
    await listed.waitFor();
    assert.match(await listed.innerText(), /Initech Support[\s\S]*Group[\s\S]*Anyone who reads it may verify[\s\S]*Pending[\s\S]*Link sent; works until/);
    assert.equal(await listed.getByRole('button', { name: 'Resend link to support@initech.test' }).count(), 1);
    assert.equal(mailer.sent.length, 1);
    assert.equal(mailer.last('support@initech.test').kind, 'group');
    await screenshot(page, 'sender-addresses-pending');
  });

  it('verifies from the emailed link in a browser that is not signed in', async () => {
    const { token } = mailer.last('support@initech.test');
    const visitor = await browser.newContext({ viewport: { width: 1000, height: 700 }, baseURL: t.url });
    try {
      const tab = await visitor.newPage();
      tab.on('pageerror', (err) => pageErrors.push(err.message));
      await tab.goto(`/verify-sender?token=${token}`);
      await tab.getByText('support@initech.test is verified; you can close this page').waitFor();
      assert.equal(await tab.getByRole('heading', { name: 'Sign in' }).count(), 0, 'no sign-in asked');
      assert.ok(!tab.url().includes(token), 'the token is gone from the address bar');
      await screenshot(tab, 'verify-sender-success');

      await tab.goto(`/verify-sender?token=${token}`);
      await tab.getByText('This link was already used or is not valid.').waitFor();
      await screenshot(tab, 'verify-sender-used');

      await tab.goto('/verify-sender');
      await tab.getByText('This link is incomplete.', { exact: false }).waitFor();
    } finally {
      await visitor.close();
    }
  });

  it('shows the address as Verified in the list', async () => {
    await page.reload();
    const listed = row('support@initech.test');
    await listed.getByText('Verified').waitFor();
    assert.equal(await listed.getByRole('button', { name: /Resend link/ }).count(), 0, 'nothing to resend');
    assert.equal(await t.app.services.senders.isVerified((await t.app.services.store.companies.list())[0]!.id, 'support@initech.test'), true);
    await screenshot(page, 'sender-addresses-verified');
  });

  it('resends a link, and a link opened by the signed-in admin works too', async () => {
    await page.getByLabel('Email address').fill('billing@initech.test');
    await page.getByRole('button', { name: 'Add and send link' }).click();
    const listed = row('billing@initech.test');
    await listed.getByText('Pending').waitFor();
    assert.match(await listed.innerText(), /Person/);
    const first = mailer.last('billing@initech.test').token;
    await listed.getByRole('button', { name: 'Resend link to billing@initech.test' }).click();
    await page.getByText('A new link was sent to billing@initech.test. The previous link no longer works.').waitFor();
    const second = mailer.last('billing@initech.test').token;
    assert.notEqual(second, first);

    // Same browser, signed in: the page confirms without the session (no CSRF header needed).
    const tab = await admin.newPage();
    try {
      await tab.goto(`/verify-sender?token=${first}`);
      await tab.getByText('This link was already used or is not valid.').waitFor();
      await tab.goto(`/verify-sender?token=${second}`);
      await tab.getByText('billing@initech.test is verified; you can close this page').waitFor();
    } finally {
      await tab.close();
    }
    await page.reload();
    await row('billing@initech.test').getByText('Verified').waitFor();
  });

  it('deletes an address after confirmation', async () => {
    await row('billing@initech.test').getByRole('button', { name: 'Delete billing@initech.test' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete address' }).click();
    await page.getByText('billing@initech.test was removed.').waitFor();
    assert.equal(await row('billing@initech.test').count(), 0);
    assert.deepEqual(pageErrors, []);
  });
});
