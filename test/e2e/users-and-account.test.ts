// Browser tests of the Users page and My account (issue 2: "member (only their own personal
// settings)"), in Debian's Chromium driven by playwright-core, against the real app (API + web/dist)
// on a loopback port with a fresh data folder of its own.
//
// In order, each step building on the one before: the first-run admin adds a company admin and a
// member; the member signs in, lands on My account, sees no admin pages (and a plain explanation at an
// admin address), changes their name and password; the company admin is offered no system admin role.
// Screenshots land in test-artifacts/screenshots/.
//
// Run: node_modules/.bin/vite build --config web/vite.config.ts && node_modules/.bin/node --test 'test/e2e/users-and-account.test.ts'
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestApp } from '../support/app-harness.ts';
import { ensureWebBuilt, screenshot, openBrowserPage, errorUnder } from '../support/browser.ts';

const ADMIN = { company: 'Globex Holdings', name: 'Sam Sysadmin', email: 'sam@globex.test', password: 'first-admin-passphrase-1' };
const COMPANY_ADMIN = { name: 'Carla Admin', email: 'carla@globex.test', password: 'carla-initial-pass-2' };
const MEMBER = { name: 'Mo Member', email: 'mo@globex.test', password: 'mo-initial-pass-3', newName: 'Maureen Member', newPassword: 'mo-changed-passphrase-4' };

function nav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' });
}

async function go(page: Page, name: string): Promise<void> {
  await nav(page).getByRole('link', { name, exact: true }).click();
}

/** The error message under an input, found through the input's own id (see web/src/ui/field.tsx). */

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

/** The Users table row of the person with this email. */
function userRow(page: Page, email: string): Locator {
  return page.locator('table[aria-label="Users"] tbody tr').filter({ has: page.getByRole('cell', { name: email, exact: true }) });
}

describe('users and my account', () => {
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  /** Every API answer the browser got: method, path and status. */
  const answers: { method: string; path: string; status: number }[] = [];

  before(async () => {
    ensureWebBuilt();
    app = await startTestApp();
    ({ browser, context, page } = await openBrowserPage(app.url, pageErrors));
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith('/api/')) answers.push({ method: res.request().method(), path: url.pathname, status: res.status() });
    });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
  });

  it('first run: the administrator lands on the mail servers', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await page.getByLabel('Company name').fill(ADMIN.company);
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
  });

  it('lists the users and adds a company admin (a too-short password is refused at the field)', async () => {
    await go(page, 'Users');
    await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
    const me = userRow(page, ADMIN.email);
    await me.waitFor();
    assert.match(await me.innerText(), /Sam Sysadmin[\s\S]*You[\s\S]*System admin/);

    // A system admin may create every role.
    const role = page.getByLabel('Role', { exact: true });
    assert.deepEqual(await role.locator('option').allTextContents(), ['Member', 'Company admin', 'System admin']);

    await page.getByLabel('Email', { exact: true }).fill(COMPANY_ADMIN.email);
    await page.getByLabel('Name', { exact: true }).fill(COMPANY_ADMIN.name);
    await role.selectOption('company_admin');
    const password = page.getByLabel('Initial password');
    await password.fill('short');
    await page.getByRole('button', { name: 'Add user' }).click();

    const error = await errorUnder(password);
    await error.waitFor();
    assert.match(await error.innerText(), /at least 10 characters/);
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    assert.equal(await userRow(page, COMPANY_ADMIN.email).count(), 0, 'nobody was added');
    // The other fields keep what was typed.
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), COMPANY_ADMIN.email);

    await password.fill(COMPANY_ADMIN.password);
    // Editing the field takes its error away.
    assert.equal(await error.count(), 0);
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('status').filter({ hasText: `${COMPANY_ADMIN.name} (${COMPANY_ADMIN.email}) is added as Company admin` }).waitFor();
    assert.match(await userRow(page, COMPANY_ADMIN.email).innerText(), /Carla Admin[\s\S]*Company admin/);
    // The form is ready for the next person; the password is gone from it.
    assert.equal(await password.inputValue(), '');
    assert.equal(await role.inputValue(), 'member');
  });

  it('adds a member, and the same email cannot be added twice', async () => {
    await page.getByLabel('Email', { exact: true }).fill(MEMBER.email);
    await page.getByLabel('Name', { exact: true }).fill(MEMBER.name);
    await page.getByLabel('Initial password').fill(MEMBER.password);
    await page.getByRole('button', { name: 'Add user' }).click();
    await userRow(page, MEMBER.email).waitFor();
    assert.match(await userRow(page, MEMBER.email).innerText(), /Mo Member[\s\S]*Member/);

    await page.getByLabel('Email', { exact: true }).fill(MEMBER.email);
    await page.getByLabel('Name', { exact: true }).fill('Someone Else');
    await page.getByLabel('Initial password').fill('another-password-5');
    await page.getByRole('button', { name: 'Add user' }).click();
    const error = await errorUnder(page.getByLabel('Email', { exact: true }));
    await error.waitFor();
    assert.match(await error.innerText(), /already has an account/);
    await page.getByLabel('Email', { exact: true }).fill('');
    await page.getByLabel('Name', { exact: true }).fill('');
    await page.getByLabel('Initial password').fill('');

    assert.equal(await page.locator('table[aria-label="Users"] tbody tr').count(), 3);
    await screenshot(page, 'users');
  });

  it('a member who signs in lands on My account and sees only what they may use', async () => {
    await signOut(page);
    // Even from an admin address, a member starts on their personal settings.
    await page.goto('/#/mail-servers');
    await signIn(page, MEMBER.email, MEMBER.password);
    await page.getByRole('heading', { name: 'My account', exact: true }).waitFor();
    assert.match(page.url(), /#\/account$/);

    assert.deepEqual(await nav(page).getByRole('link').allTextContents(), ['My account']);
    assert.equal(await page.getByRole('link', { name: 'Mail servers' }).count(), 0);
    const profile = page.locator('.facts');
    assert.match(await profile.innerText(), /mo@globex\.test[\s\S]*Member[\s\S]*Globex Holdings/);
    await page.getByRole('banner').getByRole('link', { name: `${MEMBER.name}, Member: My account` }).waitFor();
  });

  it('an admin address shows a plain explanation to a member, not 403 errors', async () => {
    const before = answers.length;
    for (const address of ['/mail-servers', '/mail-servers/new', '/users', '/secrets', '/api-keys', '/audit']) {
      await page.evaluate((a) => { window.location.hash = a; }, address);
      await page.getByRole('heading', { name: 'Only administrators can change mail settings' }).waitFor();
      assert.equal(await page.getByRole('alert').count(), 0, `no error alert at ${address}`);
    }
    await screenshot(page, 'admin-only-member');
    const refused = answers.slice(before).filter((a) => a.status === 403);
    assert.deepEqual(refused, [], 'the UI asked the API for nothing a member may not have');

    await page.getByRole('link', { name: 'Go to My account' }).click();
    await page.getByRole('heading', { name: 'My account', exact: true }).waitFor();
  });

  it('the member changes their name; the header follows', async () => {
    const name = page.getByLabel('Name', { exact: true });
    assert.equal(await name.inputValue(), MEMBER.name);
    await name.fill(MEMBER.newName);
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByRole('status').filter({ hasText: 'Your name is saved.' }).waitFor();
    await page.getByRole('banner').getByRole('link', { name: `${MEMBER.newName}, Member: My account` }).waitFor();
    assert.ok(await page.getByRole('button', { name: 'Save name' }).isDisabled(), 'nothing left to save');
  });

  it('changes the password: confirmation and current password are checked, other sessions end', async () => {
    // A second browser, signed in as the member too: changing the password signs it out.
    const laptop = await browser.newContext({ baseURL: app.url });
    try {
      const signedIn = await laptop.request.post('/api/v1/session', { data: { email: MEMBER.email, password: MEMBER.password } });
      assert.equal(signedIn.status(), 200);
      assert.equal((await laptop.request.get('/api/v1/session')).status(), 200);

      await page.getByText('Changing your password signs you out everywhere else').waitFor();
      const current = page.getByLabel('Current password');
      const next = page.getByLabel('New password', { exact: true });
      const confirm = page.getByLabel('Confirm new password');

      // A typo in the confirmation is caught in the page; nothing goes to the API.
      const patchesBefore = answers.filter((a) => a.method === 'PATCH').length;
      await current.fill(MEMBER.password);
      await next.fill(MEMBER.newPassword);
      await confirm.fill(`${MEMBER.newPassword}x`);
      await page.getByRole('button', { name: 'Change password' }).click();
      const confirmError = await errorUnder(confirm);
      await confirmError.waitFor();
      assert.match(await confirmError.innerText(), /does not match/);
      assert.equal(answers.filter((a) => a.method === 'PATCH').length, patchesBefore);

      // A wrong current password: the message sits under that field.
      await current.fill('not-my-password');
      await confirm.fill(MEMBER.newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      const currentError = await errorUnder(current);
      await currentError.waitFor();
      assert.match(await currentError.innerText(), /not your current password/);
      assert.equal(await current.getAttribute('aria-invalid'), 'true');
      assert.equal((await laptop.request.get('/api/v1/session')).status(), 200, 'a refused change ends no session');

      await current.fill(MEMBER.password);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('status').filter({ hasText: 'Your password is changed.' }).waitFor();
      assert.equal(await current.inputValue(), '');
      assert.equal(await next.inputValue(), '');
      assert.equal(await confirm.inputValue(), '');

      assert.equal((await laptop.request.get('/api/v1/session')).status(), 401, 'the other session was signed out');
      // This one was not.
      await page.reload();
      await page.getByRole('heading', { name: 'My account', exact: true }).waitFor();
      await screenshot(page, 'my-account-member');
    } finally {
      await laptop.close();
    }
  });

  it('signs out, and only the new password signs in again', async () => {
    await signOut(page);
    await signIn(page, MEMBER.email, MEMBER.password);
    await page.getByRole('alert').filter({ hasText: /./ }).waitFor();
    await signIn(page, MEMBER.email, MEMBER.newPassword);
    await page.getByRole('heading', { name: 'My account', exact: true }).waitFor();
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), MEMBER.newName);
  });

  it('a company admin lands on the mail servers and cannot create system admins', async () => {
    await signOut(page);
    await signIn(page, COMPANY_ADMIN.email, COMPANY_ADMIN.password);
    await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
    const links = await nav(page).getByRole('link').allTextContents();
    assert.ok(links.includes('Users') && links.includes('My account') && !links.includes('Companies'), links.join(', '));

    await go(page, 'Users');
    await userRow(page, MEMBER.email).waitFor();
    assert.match(await userRow(page, MEMBER.email).innerText(), /Maureen Member/);
    const role = page.getByLabel('Role', { exact: true });
    assert.deepEqual(await role.locator('option').allTextContents(), ['Member', 'Company admin']);

    // The header's name leads to My account for admins too.
    await page.getByRole('banner').getByRole('link', { name: `${COMPANY_ADMIN.name}, Company admin: My account` }).click();
    await page.getByRole('heading', { name: 'My account', exact: true }).waitFor();
  });

  it('raised no uncaught errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });

  it('never wrote a sign-in password to the logs', () => {
    const logs = app.logs();
    for (const secret of [ADMIN.password, COMPANY_ADMIN.password, MEMBER.password, MEMBER.newPassword]) {
      assert.ok(!logs.includes(secret), 'a password appears in the logs');
    }
  });
});
