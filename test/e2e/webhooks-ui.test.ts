// Browser test of the Webhooks page, in Debian's Chromium driven by playwright-core, against the real
// app (API + web/dist) and a webhook receiver on loopback that verifies each signature.
//
// In order: the first admin opens Webhooks, a bad URL is refused at its field, the webhook is created
// and its secret shown once in a copy box; a test event is delivered and listed; a failed one is
// redelivered from the history; rotating shows a new secret. The webhook worker is run by the test
// (runUntilIdle), then the page's Refresh shows the outcome. Screenshots land in test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test 'test/e2e/webhooks-ui.test.ts'
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage, errorUnder, createFirstAdministrator } from '../support/browser.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../webhooks/support/webhook-receiver.ts';

const ADMIN = { company: 'Initech', name: 'Peter Admin', email: 'peter@initech.test', password: 'first-admin-passphrase-9' };

describe('webhooks page', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let firstSecret = '';

  before(async () => {
    ensureWebBuilt();
    receiver = await startWebhookReceiver();
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
    ({ browser, context, page } = await openBrowserPage(t.url, pageErrors));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    await receiver?.close();
  });

  const history = () => page.locator('table[aria-label="Webhook deliveries"] tbody tr');
  const refreshHistory = async () => {
    await t.app.webhookWorker.runUntilIdle();
    await page.getByRole('button', { name: 'Refresh' }).click();
  };

  it('creates the webhook and shows the signing secret once', async () => {
    await createFirstAdministrator(page, ADMIN);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('heading', { name: 'Set up a webhook' }).waitFor();
    const url = page.getByLabel('Endpoint URL');
    await url.fill('ftp://files.initech.test/hooks');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    assert.match(await (await errorUnder(url)).innerText(), /https:\/\//);

    assert.equal(await page.getByLabel('Message sent').isChecked(), true);
    assert.equal(await page.getByLabel('Message retrying').isChecked(), false);
    await url.fill(`${receiver.url}/hooks/mailroom`);
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const secretBox = page.getByRole('textbox', { name: 'Signing secret', exact: true });
    await secretBox.waitFor();
    firstSecret = await secretBox.inputValue();
    assert.match(firstSecret, /^whsec_/);
    receiver.secret = firstSecret;
    await screenshot(page, 'webhooks-created');

    await page.getByRole('button', { name: /hide the secret/ }).click();
    await page.reload();
    await page.getByRole('heading', { name: 'Endpoint' }).waitFor();
    assert.ok(!(await page.content()).includes(firstSecret.slice(6)), 'the secret is not shown again');
  });

  it('sends a test event and lists it as delivered', async () => {
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event queued').waitFor();
    await refreshHistory();
    await history().filter({ hasText: 'Delivered' }).first().waitFor();
    const row = history().first();
    assert.match(await row.innerText(), /Test event[\s\S]*Delivered[\s\S]*200/);
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]!.verified, true);
  });

  it('shows a failed attempt and redelivers it', async () => {
    receiver.respond = () => ({ status: 500, body: 'receiver broke' });
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event queued').waitFor();
    await refreshHistory();
    const failing = history().filter({ hasText: 'Retrying' }).first();
    await failing.waitFor();
    assert.match(await failing.innerText(), /500[\s\S]*HTTP 500 Internal Server Error: receiver broke/);
    await screenshot(page, 'webhooks-history');

    receiver.respond = () => 200;
    await failing.getByRole('button', { name: /^Redeliver/ }).click();
    await page.getByText('will be tried again now').waitFor();
    await refreshHistory();
    await page.waitForFunction(() => [...document.querySelectorAll('table[aria-label="Webhook deliveries"] tbody tr')].every((r) => !r.textContent?.includes('Retrying')));
    assert.equal(await history().filter({ hasText: 'Delivered' }).count(), 2);
  });

  it('rotates the secret after confirmation and shows the new one once', async () => {
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const box = page.getByRole('textbox', { name: 'Signing secret', exact: true });
    await page.getByRole('heading', { name: 'New signing secret' }).waitFor();
    const rotated = await box.inputValue();
    assert.match(rotated, /^whsec_/);
    assert.notEqual(rotated, firstSecret);
    assert.deepEqual(pageErrors, []);
  });
});
