// Browser test of the built-in mail service (PRODUCT.md capability 4), in Debian's Chromium driven by
// playwright-core, against the real app (API + web/dist), a scripted SMTP sink on loopback and a tiny
// HTTP server standing in for a sender's tracking pixel.
//
// In order: a fresh install is set up through the UI; Caught mail is empty and says why; the host
// application (an API key, no mail server configured) sends a message whose HTML asks for a remote
// image, a remote style sheet and a script; the admin finds it in Caught mail, searches, reads the
// HTML — and the pixel server gets no request — then the text, headers, raw source and attachment.
// A mail server is added through the API; "Release" in the UI queues the message on it and the sink
// receives it with the same Message-ID. Last, the Mail service panel: a test that fails switches
// nothing; a test that passes switches to the server; one click switches back. Screenshots land in
// test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test test/e2e/catcher-ui.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { ApiClient, serverInput } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage, createFirstAdministrator } from '../support/browser.ts';
import { closedLocalPort, startLocalHttpServer, type LocalHttpServer } from '../support/local-http-server.ts';
import { startScriptedSink, type ScriptedSink } from '../delivery/support/scripted-sink.ts';
import { messageIdHeader } from '../builtin/support/tenants.ts';

const ADMIN = { company: 'Acme Widgets', name: 'Ada Admin', email: 'ada@acme.example', password: 'first-admin-passphrase-7' };
const SINK_PASSWORD = 'Office-leak-canary-3Jd85!';
const BROKEN_PASSWORD = 'Broken-leak-canary-6Wn12?';
const SUBJECT = 'Welcome to Acme, Ann';

describe('caught mail and the mail service in the browser', () => {
  let t: TestApp;
  let sink: ScriptedSink;
  let pixel: LocalHttpServer;
  const pixelRequests: string[] = [];
  let api: ApiClient;
  let hostApp: ApiClient;
  let sent: { id: string; messageId: string };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  const caughtRows = () => page.locator('table[aria-label="Caught mail"] tbody tr');
  const panel = () => page.getByRole('region', { name: 'Mail service' });

  before(async () => {
    ensureWebBuilt();
    sink = await startScriptedSink({ password: SINK_PASSWORD });
    pixel = await startLocalHttpServer((req, _body, res) => {
      pixelRequests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'image/gif', 'access-control-allow-origin': '*' });
      res.end(Buffer.from('R0lGODlhAQABAAAAACwAAAAAAQABAAA=', 'base64'));
    });
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
    ({ browser, context, page } = await openBrowserPage(t.url, pageErrors));
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    await sink?.close();
    await pixel?.close();
  });

  it('a fresh install catches mail: Caught mail is empty and says why', async () => {
    await createFirstAdministrator(page, ADMIN);
    await panel().getByText('Now using the built-in mail service').waitFor();
    assert.match(await panel().innerText(), /Mail is kept in the Caught mail page and not delivered — for trying things out\./);

    await nav('Caught mail');
    await page.getByRole('heading', { name: 'Caught mail', exact: true }).waitFor();
    const empty = page.getByText('No caught mail yet');
    await empty.waitFor();
    assert.match(await page.locator('.empty-state').innerText(), /lands here instead of reaching its recipients/);
    assert.equal(await page.getByRole('link', { name: 'choose the mail service' }).getAttribute('href'), '#/mail-servers');
    await screenshot(page, 'caught-mail-empty');

    // The host application: an API key of the new company, and no mail server at all.
    api = new ApiClient(t.url);
    assert.equal((await api.signIn(ADMIN.email, ADMIN.password)).status, 200);
    hostApp = ApiClient.withApiKey(t.url, (await api.post('/api-keys', { name: 'CRM' })).body.key);
    const res = await hostApp.post('/messages', {
      from: 'noreply@acme.example', fromName: 'Acme Widgets', to: ['ann@customer.example'], subject: SUBJECT,
      text: 'Hello Ann, welcome aboard.',
      html: [
        `<link rel="stylesheet" href="${pixel.url}/style.css">`,
        '<h1>Hello Ann</h1>',
        `<p style="background-image:url(${pixel.url}/background)">Welcome aboard.</p>`,
        `<img src="${pixel.url}/pixel" alt="tracking pixel" width="1" height="1">`,
        `<script>fetch('${pixel.url}/script')</script>`,
      ].join(''),
      attachments: [{ filename: 'terms.txt', contentType: 'text/plain', contentBase64: Buffer.from('The terms.').toString('base64') }],
    });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.status, 'caught');
    sent = { id: res.body.id, messageId: res.body.messageId };
  });

  it('lists the caught message and finds it by search', async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = caughtRows().filter({ hasText: SUBJECT });
    await row.waitFor();
    assert.match(await row.innerText(), /to ann@customer\.example[\s\S]*noreply@acme\.example[\s\S]*Caught/);

    await page.getByRole('searchbox', { name: 'Search' }).fill('ANN@customer');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('1 message matching “ANN@customer”').waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('no such message');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('No caught mail matches “no such message”').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await row.waitFor();
    await screenshot(page, 'caught-mail-list');
  });

  it('shows the HTML in a sandbox that loads nothing remote', async () => {
    await caughtRows().filter({ hasText: SUBJECT }).getByRole('link', { name: SUBJECT }).click();
    await page.getByRole('heading', { name: SUBJECT }).waitFor();
    assert.equal(await page.getByRole('tab', { name: 'HTML' }).getAttribute('aria-selected'), 'true');
    await page.getByText('Remote images are blocked').waitFor();

    const frameElement = page.locator('iframe.catcher-frame');
    assert.equal(await frameElement.getAttribute('sandbox'), '', 'no allow-scripts, no allow-same-origin');
    const srcdoc = (await frameElement.getAttribute('srcdoc')) ?? '';
    assert.ok(srcdoc.startsWith(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`), srcdoc.slice(0, 200));

    // The frame has drawn the message and fired "load" (after every image and style sheet it
    // would fetch had been tried): only now is "no request" a finding.
    await page.frameLocator('iframe.catcher-frame').getByRole('heading', { name: 'Hello Ann' }).waitFor();
    const frame = page.frames().find((f: Frame) => f.url() === 'about:srcdoc');
    assert.ok(frame, 'the message frame');
    await frame.waitForLoadState('load');
    assert.equal(pixelRequests.length, 0, `the message's remote image, style sheet or script fetched ${pixelRequests.join(', ')}`);
    // The control: the same server is reachable from this browser (a tab of its own: Mailroom's
    // own Content-Security-Policy keeps its pages from fetching other origins).
    const control = await context.newPage();
    await control.goto(`${pixel.url}/control`);
    await control.close();
    assert.ok(pixelRequests.includes('/control'), 'the pixel server sees this browser\'s requests');
    await screenshot(page, 'caught-mail-html');
  });

  it('shows the text part, the headers, the raw source and the attachment', async () => {
    await page.getByRole('tab', { name: 'Text' }).click();
    await page.getByText('Hello Ann, welcome aboard.').waitFor();

    await page.getByRole('tab', { name: 'Headers' }).click();
    const headers = page.getByRole('table', { name: 'Headers' });
    assert.match(await headers.getByRole('row').filter({ hasText: /^Subject/ }).innerText(), new RegExp(SUBJECT));
    assert.match(await headers.getByRole('row').filter({ hasText: /^Message-ID/ }).innerText(), new RegExp(sent.messageId.replace(/[<>.]/g, '\\$&')));

    await page.getByRole('tab', { name: 'Raw source' }).click();
    const raw = page.getByRole('tabpanel', { name: 'Raw source' }).locator('pre');
    await raw.waitFor();
    const stored = await t.app.services.store.messages.get(sent.id);
    assert.equal((await raw.innerText()).replace(/\r\n/g, '\n').trim(), stored!.raw.replace(/\r\n/g, '\n').trim());

    await page.getByRole('tab', { name: 'Attachments (1)' }).click();
    const item = page.getByRole('list', { name: 'Attachments' }).getByRole('listitem');
    assert.match(await item.innerText(), /terms\.txt[\s\S]*text\/plain/);
    const [download] = await Promise.all([page.waitForEvent('download'), item.getByRole('button', { name: 'Download terms.txt' }).click()]);
    assert.equal(download.suggestedFilename(), 'terms.txt');
    await screenshot(page, 'caught-mail-attachments');
    await page.getByRole('tab', { name: 'HTML' }).click();
  });

  it('releases the message through a server added through the API: the server receives it', async () => {
    const created = await api.post('/mail-servers', serverInput({
      name: 'Office relay', host: '127.0.0.1', port: sink.port, security: 'none', username: 'mailer', password: SINK_PASSWORD, fromAddress: 'noreply@acme.example',
    }));
    assert.equal(created.status, 201, created.text);

    await page.reload();
    await page.getByRole('heading', { name: SUBJECT }).waitFor();
    await page.getByRole('button', { name: 'Release', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Release this message' });
    await dialog.waitFor();
    await dialog.getByLabel('Mail server').selectOption({ label: 'Office relay (default)' });
    await screenshot(dialog, 'caught-mail-release-dialog');
    await dialog.getByRole('button', { name: 'Release through Office relay' }).click();
    const confirmation = page.getByRole('status').filter({ hasText: 'Queued on Office relay — follow it in the Failure history' });
    await confirmation.waitFor();
    assert.equal(await confirmation.getByRole('link', { name: 'Failure history' }).getAttribute('href'), `#/failure-history/${sent.id}`);
    await page.getByText(/^Released to Office relay at /).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Release', exact: true }).count(), 0, 'released once');

    await t.app.worker.runUntilIdle();
    assert.equal(sink.received.length, 1);
    assert.equal(messageIdHeader(sink.received[0]!.raw), sent.messageId, 'the same Message-ID');
    assert.deepEqual(sink.received[0]!.rcpt, ['ann@customer.example']);
    await screenshot(page, 'caught-mail-released');

    await confirmation.getByRole('link', { name: 'Failure history' }).click();
    await page.getByRole('heading', { name: SUBJECT }).waitFor();
    await page.getByRole('region', { name: 'Status' }).getByText('Sent', { exact: true }).waitFor();
    await page.getByRole('link', { name: 'Open it in Caught mail' }).waitFor();

    await nav('Caught mail');
    const row = caughtRows().filter({ hasText: SUBJECT });
    await row.waitFor();
    assert.match(await row.innerText(), /Released[\s\S]*to Office relay/);
  });

  it('the mail service panel: a failing test switches nothing; a passing one switches; one click goes back', async () => {
    const broken = await api.post('/mail-servers', serverInput({
      name: 'Broken relay', host: '127.0.0.1', port: await closedLocalPort(), security: 'none', password: BROKEN_PASSWORD, fromAddress: 'noreply@acme.example',
    }));
    assert.equal(broken.status, 201, broken.text);
    await nav('Mail servers');
    await panel().getByText('Now using the built-in mail service').waitFor();
    // A system administrator also chooses what the built-in service does for the company.
    await panel().getByLabel('Built-in delivery for this company').waitFor();
    await screenshot(panel(), 'mail-service-panel-builtin');

    await panel().getByLabel('Custom mail server').check();
    await panel().getByLabel('Mail server', { exact: true }).selectOption({ label: 'Broken relay' });
    await panel().getByRole('button', { name: 'Test and switch to Broken relay' }).click();
    const refused = panel().getByRole('alert').filter({ hasText: 'Nothing was switched' });
    await refused.waitFor();
    assert.match(await refused.innerText(), /Broken relay did not pass its connection test/);
    assert.match(await refused.innerText(), /Mailroom still uses the built-in mail service/);
    const result = await panel().getByRole('region', { name: 'Test result' }).innerText();
    assert.match(result, /CONNECTION_REFUSED/);
    assert.match(result, /Nothing listens on port \d+ of this host/);
    assert.match(result, /How to fix it: Check host, port and firewall/);
    assert.equal((await api.get('/mail-service')).body.service, 'builtin');
    await screenshot(panel(), 'mail-service-panel-test-failed');

    // While the test runs the panel says so: the answer is held back until that has been seen.
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => { letGo = resolve; });
    await page.route('**/api/v1/mail-service', async (route) => {
      if (route.request().method() === 'PUT') await held;
      await route.continue();
    });
    await panel().getByLabel('Mail server', { exact: true }).selectOption({ label: 'Office relay' });
    await panel().getByRole('button', { name: 'Test and switch to Office relay' }).click();
    await panel().getByText('Testing Office relay…').waitFor();
    letGo();
    await panel().getByText('Now sending through Office relay').first().waitFor();
    await page.unroute('**/api/v1/mail-service');
    assert.equal((await api.get('/mail-service')).body.service, 'custom');
    await screenshot(panel(), 'mail-service-panel-custom');

    // Mail now goes to the server, not the catcher.
    const next = await hostApp.post('/messages', { from: 'noreply@acme.example', to: ['bob@customer.example'], subject: 'Through the relay', text: 'Hi' });
    assert.equal(next.body.status, 'queued');
    await t.app.worker.runUntilIdle();
    assert.equal(messageIdHeader(sink.received.at(-1)!.raw), next.body.messageId);

    await panel().getByRole('button', { name: 'Switch back to the built-in service' }).click();
    await panel().getByText('Now using the built-in mail service').first().waitFor();
    assert.equal((await api.get('/mail-service')).body.service, 'builtin');
    const caught = await hostApp.post('/messages', { from: 'noreply@acme.example', to: ['bob@customer.example'], subject: 'Caught again', text: 'Hi' });
    assert.equal(caught.body.status, 'caught');
  });

  it('raised no uncaught errors and showed no SMTP password', async () => {
    const html = await page.content();
    for (const secret of [SINK_PASSWORD, BROKEN_PASSWORD]) assert.ok(!html.includes(secret), 'a password appears in the page');
    assert.deepEqual(pageErrors, []);
  });
});
