// What every browser test needs: Debian's Chromium through playwright-core (browser downloads fail
// here), the built web UI, and screenshots kept under test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');
// Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface BrowserPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

/**
 * Chromium, one context on the app at `baseURL` and its first page. Uncaught page errors are pushed
 * to `pageErrors`, which each suite checks at its end.
 */
export async function openBrowserPage(baseURL: string, pageErrors: string[], options: { width?: number; timeoutMs?: number; acceptDownloads?: boolean } = {}): Promise<BrowserPage> {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 }, baseURL, acceptDownloads: options.acceptDownloads ?? false });
  context.setDefaultTimeout(options.timeoutMs ?? 10_000);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return { browser, context, page };
}

/** A fresh install's first page: creates the first administrator and waits for the Mail servers page. */
export async function createFirstAdministrator(page: Page, admin: { company: string; name: string; email: string; password: string }): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Company name').fill(admin.company);
  await page.getByLabel('Your name').fill(admin.name);
  await page.getByLabel('Email').fill(admin.email);
  await page.getByLabel('Password').fill(admin.password);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await page.getByRole('heading', { name: 'Mail servers', exact: true }).waitFor();
}

/** The error message shown under a form field (its id + "-error"). */
export async function errorUnder(input: Locator): Promise<Locator> {
  const id = await input.getAttribute('id');
  assert.ok(id, 'the input has an id');
  return input.page().locator(`[id="${id}-error"]`);
}

/** web/dist is what the app serves; build it once if a fresh checkout has none. */
export function ensureWebBuilt(): void {
  if (fs.existsSync(path.join(REPO_ROOT, 'web', 'dist', 'index.html'))) return;
  execFileSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/** A full-page screenshot, or of one element (with a small margin). */
export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  const page = 'goto' in target ? target : target.page();
  // From the top, so the sticky header is drawn where it belongs and never over a part.
  await page.evaluate(() => window.scrollTo(0, 0));
  if ('goto' in target) {
    await target.screenshot({ path: file, fullPage: true });
    return;
  }
  const box = await target.boundingBox();
  assert.ok(box, `nothing to photograph for ${name}`);
  const margin = 8;
  await page.screenshot({ path: file, fullPage: true, clip: { x: Math.max(0, box.x - margin), y: Math.max(0, box.y - margin), width: box.width + 2 * margin, height: box.height + 2 * margin } });
}
