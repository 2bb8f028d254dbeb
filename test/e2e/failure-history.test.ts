// Browser tests of the failure history, the message page and the servers page's delivery chart
// (issue 4), in Debian's Chromium driven by playwright-core, against the real app and two scripted
// SMTP servers on loopback (test/delivery/support/scripted-sink.ts).
//
// The host application (an API key) sends four messages: one goes out, one is refused with 550, one
// loses its connection after the data ("possibly delivered", retrying), and one meets a 535 on a
// second server, which holds that server. The admin then reads the failure history, filters it,
// opens messages, sees the paused server and the chart on the servers page, and after the password
// is fixed at the provider presses "Retry now": the held message goes out. The worker runs step by
// step (runUntilIdle): the harness starts no background worker. Screenshots land in
// test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test 'test/e2e/failure-history.test.ts'
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { ADMIN_PASSWORD, ApiClient, serverInput, setupRoot } from '../support/api-client.ts';
import { startTestApp, useCustomServer, type TestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage } from '../support/browser.ts';
import { startScriptedSink, type ScriptedSink } from '../delivery/support/scripted-sink.ts';

const ADMIN_EMAIL = 'root@acme.example';
// Distinctive values: if either ever shows up in a page, it leaked.
const OFFICE_PASSWORD = 'Office-leak-canary-4Rw83!';
const BACKUP_PASSWORD = 'Backup-leak-canary-9Hs26?';
const ROTATED_PASSWORD = 'Rotated-by-it-dept-1';

function historyRows(page: Page): Locator {
  return page.locator('table[aria-label="Failure history"] tbody tr');
}

/** The failure history row of the message sent to `address` (the list answer carries the recipients). */
function historyRow(page: Page, address: string): Locator {
  return historyRows(page).filter({ hasText: address });
}

/** Waits (on animation frames, no sleeps) until the failure history shows exactly `n` rows. */
async function expectRowCount(page: Page, n: number): Promise<void> {
  try {
    await page.waitForFunction((count) => document.querySelectorAll('table[aria-label="Failure history"] tbody tr').length === count && !document.querySelector('[aria-busy="true"]'), n, { timeout: 5000 });
  } catch {
    assert.equal(await historyRows(page).count(), n);
  }
}

/** The mail servers table row whose Name cell reads exactly `name`. */
function serverRow(page: Page, name: string): Locator {
  return page.locator('table[aria-label="Mail servers"] tbody tr').filter({ has: page.locator('th[scope="row"] > :first-child', { hasText: new RegExp(`^${name}$`) }) });
}

async function go(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
}

describe('failure history UI', () => {
  let t: TestApp;
  let api: ApiClient;
  let office: ScriptedSink;
  let backup: ScriptedSink;
  let officeId: string;
  let backupId: string;
  const ids: Record<'sent' | 'failed' | 'dropped' | 'held', string> = { sent: '', failed: '', dropped: '', held: '' };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const runWorker = () => t.app.worker.runUntilIdle();
  const send = async (subject: string, to: string, mailServerId: string) => {
    const res = await api.post('/messages', { to: [to], subject, text: 'Hello from the CRM', mailServerId });
    assert.equal(res.status, 202, res.text);
    return res.body.id as string;
  };
  const status = async (id: string) => (await api.get(`/messages/${id}`)).body.status as string;

  before(async () => {
    ensureWebBuilt();
    office = await startScriptedSink({
      password: OFFICE_PASSWORD,
      rcpt: (address) => (address === 'ghost@customer.example' ? { code: 550, message: '5.1.1 No such user here' } : null),
    });
    backup = await startScriptedSink({ password: BACKUP_PASSWORD });
    t = await startTestApp({ env: { MAILROOM_ALLOWED_SMTP_NETWORKS: '127.0.0.0/8' } });
    const admin = await setupRoot(t.url);
    api = ApiClient.withApiKey(t.url, (await admin.post('/api-keys', { name: 'CRM' })).body.key);
    const a = await api.post('/mail-servers', serverInput({ name: 'Office relay', host: '127.0.0.1', port: office.port, security: 'none', password: OFFICE_PASSWORD, fromAddress: 'noreply@acme.example' }));
    assert.equal(a.status, 201, a.text);
    officeId = a.body.id;
    await useCustomServer(t, officeId);
    const b = await api.post('/mail-servers', serverInput({ name: 'Backup relay', host: '127.0.0.1', port: backup.port, security: 'none', password: BACKUP_PASSWORD, fromAddress: 'noreply@acme.example' }));
    assert.equal(b.status, 201, b.text);
    backupId = b.body.id;

    // One by one, so each meets the script meant for it.
    ids.sent = await send('Welcome aboard', 'ann@customer.example', officeId);
    await runWorker();
    ids.failed = await send('Invoice 1042', 'ghost@customer.example', officeId);
    await runWorker();
    office.script.data = () => 'drop';
    ids.dropped = await send('Password reset', 'bob@customer.example', officeId);
    await runWorker();
    office.script.data = undefined;
    // The provider changed the password of the backup account: 535.
    backup.script.password = ROTATED_PASSWORD;
    ids.held = await send('Weekly report', 'carol@customer.example', backupId);
    await runWorker();
    assert.deepEqual(
      [await status(ids.sent), await status(ids.failed), await status(ids.dropped), await status(ids.held)],
      ['sent', 'failed', 'retrying', 'held'],
    );

    ({ browser, context, page } = await openBrowserPage(t.url, pageErrors));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await t?.close();
    await office?.close();
    await backup?.close();
  });

  it('lists the failed, held and retrying messages with their codes and messages in plain words', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();

    // The list answer names each message's recipients: no message is fetched one by one.
    const detailRequests: string[] = [];
    const onRequest = (req: { url(): string }) => {
      if (/\/api\/v1\/messages\/[^/?]+$/.test(new URL(req.url()).pathname)) detailRequests.push(req.url());
    };
    page.on('request', onRequest);
    await go(page, 'Failure history');
    await page.getByRole('heading', { name: 'Failure history', exact: true }).waitFor();
    await expectRowCount(page, 3);
    // Each row names its recipient and what went wrong.
    const failed = historyRow(page, 'ghost@customer.example');
    const held = historyRow(page, 'carol@customer.example');
    const dropped = historyRow(page, 'bob@customer.example');
    await Promise.all([failed.waitFor(), held.waitFor(), dropped.waitFor()]);

    const failedText = await failed.innerText();
    assert.match(failedText, /Invoice 1042/);
    assert.match(failedText, /Office relay/);
    assert.match(failedText, /Failed/);
    assert.match(failedText, /RECIPIENT_REJECTED/);
    assert.match(failedText, /The server refused the recipient address\./);

    const heldText = await held.innerText();
    assert.match(heldText, /Weekly report/);
    assert.match(heldText, /Backup relay/);
    assert.match(heldText, /Held/);
    assert.match(heldText, /AUTH_FAILED/);
    assert.match(heldText, /The server refused the user name or password\./);

    const droppedText = await dropped.innerText();
    assert.match(droppedText, /Retrying/);
    assert.match(droppedText, /Possibly delivered/);
    assert.match(droppedText, /it may have been delivered/);
    // A retrying message says when Mailroom tries again (the first retry waits about a minute).
    assert.match(droppedText, /Next try (in \d+ min|in less than a minute|any moment now)/);
    assert.doesNotMatch(failedText, /Next try/);

    // The newest change comes first; the message that went out is not here.
    assert.match(await historyRows(page).first().innerText(), /carol@customer\.example/);
    assert.equal(await historyRow(page, 'ann@customer.example').count(), 0);
    // "Retry now" for held and failed ones; a retrying one retries by itself.
    assert.equal(await failed.getByRole('button', { name: /^Retry now/ }).count(), 1);
    assert.equal(await held.getByRole('button', { name: /^Retry now/ }).count(), 1);
    assert.equal(await dropped.getByRole('button', { name: /^Retry now/ }).count(), 0);
    assert.match(await page.locator('.history-more').innerText(), /That is everything/);
    page.off('request', onRequest);
    assert.deepEqual(detailRequests, []);
    await screenshot(page, 'failure-history');
  });

  it('filters by server, recipient, code and time', async () => {
    const server = page.getByLabel('Mail server');
    await server.selectOption({ label: 'Backup relay' });
    await expectRowCount(page, 1);
    await historyRow(page, 'carol@customer.example').waitFor();
    assert.match(page.url(), new RegExp(`serverId=${backupId}`), 'the filter is in the address');
    await server.selectOption({ label: 'Office relay' });
    await expectRowCount(page, 2);
    await historyRow(page, 'ghost@customer.example').waitFor();
    await server.selectOption({ label: 'All servers' });
    await expectRowCount(page, 3);

    await page.getByLabel('Recipient').fill('ghost@customer.example');
    await page.getByLabel('Recipient').press('Enter');
    await expectRowCount(page, 1);
    await historyRow(page, 'ghost@customer.example').waitFor();
    await page.getByLabel('Recipient').fill('nobody@customer.example');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No messages match these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectRowCount(page, 3);

    await page.getByLabel('Code').fill('auth_failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectRowCount(page, 1);
    await historyRow(page, 'carol@customer.example').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectRowCount(page, 3);

    await page.getByLabel('Last change').selectOption('1h');
    await expectRowCount(page, 3);
    await page.getByLabel('Last change').selectOption('custom');
    const inAnHour = new Date(Date.now() + 3_600_000);
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('From', { exact: true }).fill(local(inAnHour));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No messages match these filters').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expectRowCount(page, 3);
  });

  it('opens a failed message: each recipient with the server reply, each attempt with its fix', async () => {
    await historyRow(page, 'ghost@customer.example').getByRole('link', { name: 'Invoice 1042', exact: true }).click();
    await page.getByRole('heading', { name: 'Invoice 1042' }).waitFor();
    const statusCard = page.getByRole('region', { name: 'Status' });
    assert.match(await statusCard.innerText(), /Failed/);
    assert.match(await statusCard.innerText(), /Mailroom stopped trying/);
    assert.match(await statusCard.innerText(), /How to fix it: Check the recipient address/);

    const recipient = page.getByRole('table', { name: 'Recipients' }).getByRole('row').filter({ hasText: 'ghost@customer.example' });
    const recipientText = await recipient.innerText();
    assert.match(recipientText, /Refused/);
    assert.match(recipientText, /550 5\.1\.1 No such user here/);

    const attempt = page.getByRole('listitem', { name: 'Attempt 1 of 1' });
    const attemptText = await attempt.innerText();
    assert.match(attemptText, /Office relay/);
    assert.match(attemptText, /Refused/);
    assert.match(attemptText, /RECIPIENT_REJECTED/);
    assert.match(attemptText, /How to fix it\s+Check the recipient address/);
    assert.match(attemptText, /550 5\.1\.1 No such user here/);
    assert.match(attemptText, /reply code 550 · enhanced status 5\.1\.1/);
    assert.match(attemptText, /TLS used\s+No/);
    assert.ok(await page.getByRole('button', { name: 'Retry now' }).isVisible());
    await screenshot(page, 'message-detail');

    // Back to the list, as it was.
    await page.getByRole('link', { name: '← Failure history' }).click();
    await expectRowCount(page, 3);
  });

  it('explains "possibly delivered" in plain words', async () => {
    await historyRow(page, 'bob@customer.example').getByRole('link', { name: 'Password reset', exact: true }).click();
    await page.getByRole('heading', { name: 'Password reset' }).waitFor();
    const note = page.getByRole('status').filter({ hasText: 'Possibly delivered' });
    assert.match(await note.innerText(), /The connection to the mail server broke right after the whole message had been handed over/);
    assert.match(await note.innerText(), /the recipient may receive it twice/);
    assert.match(await page.getByRole('region', { name: 'Status' }).innerText(), /Mailroom tries again by itself/);
    await screenshot(page, 'message-detail-possibly-delivered');
  });

  it('shows the paused server and the delivery chart on the servers page', async () => {
    await go(page, 'Mail servers');
    const paused = serverRow(page, 'Backup relay');
    await paused.getByText('Sending paused').waitFor();
    const pausedText = await paused.innerText();
    assert.match(pausedText, /The server refused the user name or password\./);
    assert.match(pausedText, /AUTH_FAILED/);
    assert.doesNotMatch(await serverRow(page, 'Office relay').innerText(), /Sending paused/);

    const chart = page.getByRole('region', { name: 'Delivery' });
    await chart.getByText('Last 48 hours: 1 sent, 1 failed, 1 retrying, 1 held').waitFor();
    const svg = chart.getByRole('img');
    assert.match((await svg.getAttribute('aria-label')) ?? '', /Last 48 hours: 1 sent, 1 failed, 1 retrying, 1 held/);
    const heights = await svg.locator('rect[data-series]').evaluateAll((els) => els.map((el) => `${el.getAttribute('data-series')}:${Number(el.getAttribute('height')) > 0}`));
    assert.deepEqual(heights.sort(), ['failed:true', 'held:true', 'retrying:true', 'sent:true']);
    assert.match(await chart.getByRole('list', { name: 'Legend' }).innerText(), /Sent\s*1[\s\S]*Retrying\s*1[\s\S]*Held\s*1[\s\S]*Failed\s*1/);
    await screenshot(page, 'mail-servers-chart-paused');

    await chart.getByRole('button', { name: '14 days' }).click();
    await chart.getByText('Last 14 days: 1 sent, 1 failed, 1 retrying, 1 held').waitFor();
    assert.equal(await chart.getByRole('button', { name: '14 days' }).getAttribute('aria-pressed'), 'true');
    assert.ok((await svg.locator('rect[data-series]').count()) >= 1, 'daily bars drawn');
    await screenshot(page, 'mail-servers-chart-14-days');
    await chart.getByRole('button', { name: '48 hours' }).click();
    await chart.getByText('Last 48 hours: 1 sent, 1 failed, 1 retrying, 1 held').waitFor();
  });

  it('the paused server\'s edit page says so at the top; "See held messages" filters the history', async () => {
    await serverRow(page, 'Backup relay').getByRole('button', { name: 'Edit Backup relay' }).click();
    await page.getByRole('heading', { name: 'Edit mail server: Backup relay' }).waitFor();
    const notice = page.getByRole('alert').filter({ hasText: 'Sending paused' });
    const text = await notice.innerText();
    assert.match(text, /The server refused the user name or password\./);
    assert.match(text, /Save the fixed settings or retry a held message to resume\./);
    await screenshot(page, 'mail-server-paused-edit');

    await notice.getByRole('link', { name: 'See held messages' }).click();
    await page.getByRole('heading', { name: 'Failure history', exact: true }).waitFor();
    assert.match(page.url(), new RegExp(`serverId=${backupId}`));
    assert.match(page.url(), /status=held/);
    assert.equal(await page.getByLabel('Mail server').inputValue(), backupId);
    await expectRowCount(page, 1);
    await historyRow(page, 'carol@customer.example').waitFor();

    // The held message says why it waits and where to fix it.
    await historyRow(page, 'carol@customer.example').getByRole('link', { name: 'Weekly report', exact: true }).click();
    await page.getByRole('heading', { name: 'Weekly report' }).waitFor();
    const statusText = await page.getByRole('region', { name: 'Status' }).innerText();
    assert.match(statusText, /Sending through Backup relay is paused/);
    assert.match(statusText, /nothing is lost/);
    assert.match(statusText, /How to fix it: Check the user name \(often the full email address\) and type the password again\./);
    await page.getByRole('link', { name: 'Fix the settings of Backup relay' }).waitFor();
    assert.match(await page.getByRole('listitem', { name: 'Attempt 1 of 1' }).innerText(), /535 5\.7\.8 Authentication credentials invalid/);
    await screenshot(page, 'message-detail-held');
    // Back to the same filtered list.
    await page.getByRole('link', { name: '← Failure history' }).click();
    await expectRowCount(page, 1);
    assert.match(page.url(), /status=held/);
  });

  it('after the password is fixed, "Retry now" resumes the server and the held message goes out', async () => {
    // The IT department puts the account's password back.
    backup.script.password = BACKUP_PASSWORD;
    const held = historyRow(page, 'carol@customer.example');
    await held.getByRole('button', { name: /^Retry now/ }).click();
    await page.getByRole('status').filter({ hasText: 'is queued to be sent again, and sending through Backup relay resumes' }).waitFor();
    assert.match(await held.innerText(), /Queued to send again/);
    assert.equal(await status(ids.held), 'queued');

    await runWorker();
    assert.equal(await status(ids.held), 'sent');
    assert.equal(backup.received.length, 1);
    await held.getByRole('link', { name: 'Weekly report', exact: true }).click();
    await page.getByRole('heading', { name: 'Weekly report' }).waitFor();
    const statusCard = page.getByRole('region', { name: 'Status' });
    await statusCard.getByText('Sent', { exact: true }).waitFor();
    assert.match(await page.getByRole('table', { name: 'Recipients' }).innerText(), /carol@customer\.example\s+To\s+Accepted\s+250/);
    // Both attempts: the 535 with its fix, then the one that went out.
    const first = await page.getByRole('listitem', { name: 'Attempt 1 of 2' }).innerText();
    assert.match(first, /Settings problem/);
    assert.match(first, /535 5\.7\.8 Authentication credentials invalid/);
    assert.match(first, /How to fix it\s+Check the user name/);
    assert.match(await page.getByRole('listitem', { name: 'Attempt 2 of 2' }).innerText(), /Sent/);
    await screenshot(page, 'message-detail-sent-after-retry');

    await go(page, 'Mail servers');
    await serverRow(page, 'Backup relay').waitFor();
    assert.doesNotMatch(await serverRow(page, 'Backup relay').innerText(), /Sending paused/);
    await page.getByRole('region', { name: 'Delivery' }).getByText('Last 48 hours: 2 sent, 1 failed, 1 retrying').waitFor();
  });

  it('"Retry now" on the message page tries again and shows the outcome by itself', async () => {
    await go(page, 'Failure history');
    await expectRowCount(page, 2);
    await historyRow(page, 'ghost@customer.example').getByRole('link', { name: 'Invoice 1042', exact: true }).click();
    await page.getByRole('heading', { name: 'Invoice 1042' }).waitFor();
    await page.getByRole('button', { name: 'Retry now' }).click();
    const statusCard = page.getByRole('region', { name: 'Status' });
    await statusCard.getByText('Queued', { exact: true }).waitFor();
    // The address still does not exist: the second attempt is refused too, and the page follows.
    await runWorker();
    await statusCard.getByText('Failed', { exact: true }).waitFor({ timeout: 8000 });
    await page.getByRole('listitem', { name: 'Attempt 2 of 2' }).waitFor();
  });

  it('"Load more" brings the next page through the API\'s cursor, without gaps or repeats', async () => {
    // A mailing to a list full of dead addresses: 55 more refusals, 57 in the history.
    const batch = await api.post('/messages/batch', {
      messages: Array.from({ length: 55 }, (_, i) => ({ to: ['ghost@customer.example'], subject: `Newsletter ${i + 1}`, text: 'News', mailServerId: officeId })),
    });
    assert.equal(batch.status, 202, batch.text);
    await runWorker();
    await go(page, 'Failure history');
    await expectRowCount(page, 50);
    assert.match(await page.locator('.history-count').innerText(), /50 messages so far/);
    const nextPage = page.waitForRequest((req) => new URL(req.url()).pathname === '/api/v1/messages' && new URL(req.url()).searchParams.has('cursor'));
    await page.getByRole('button', { name: 'Load more' }).click();
    assert.equal(new URL((await nextPage).url()).searchParams.has('before'), false);
    await expectRowCount(page, 57);
    await page.getByText('That is everything.').waitFor();
    const subjects = await historyRows(page).locator('th[scope="row"] a').allInnerTexts();
    assert.equal(new Set(subjects).size, 57, 'no message twice');
    for (const s of ['Invoice 1042', 'Password reset', 'Newsletter 1', 'Newsletter 55']) assert.ok(subjects.includes(s), `${s} is listed`);
  });

  it('raised no uncaught errors and showed no SMTP password', async () => {
    const html = await page.content();
    for (const secret of [OFFICE_PASSWORD, BACKUP_PASSWORD, ROTATED_PASSWORD]) assert.ok(!html.includes(secret), 'an SMTP password appears in the page');
    assert.deepEqual(pageErrors, []);
  });
});
