// What every browser test needs: Debian's Chromium through playwright-core (browser downloads fail
// here), the built web UI, and screenshots kept under test-artifacts/screenshots/.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');
// Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
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
