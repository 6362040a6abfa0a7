/**
 * Real headless Chromium for the console tests and bench (playwright-core driving Debian's
 * /usr/bin/chromium; never a downloaded browser). Each launch gets a fresh user-data dir.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Why browser tests cannot run here, or false when they can. */
export function browserSkipReason(): string | false {
  return existsSync(CHROMIUM_PATH) ? false : `no Chromium at ${CHROMIUM_PATH}: browser tests skipped (Debian: apt-get install -y chromium; .ci/run installs it)`;
}

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Messages of uncaught page errors and console errors, for assertions. */
  errors: string[];
  close(): Promise<void>;
}

/** A browser with one page, at a fixed window size (layouts are compared at it). */
export async function launchBrowser(opts: { locale?: string; width?: number; height?: number; extraArgs?: string[] } = {}): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'bodylens-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    args: [...ARGS, ...(opts.extraArgs ?? [])],
    locale: opts.locale ?? 'en-US',
    viewport: { width: opts.width ?? 1400, height: opts.height ?? 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface ElementBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The page-coordinate boxes of the first element of each selector (null when absent or hidden). */
export async function layoutOf(page: Page, selectors: readonly string[]): Promise<Record<string, ElementBox | null>> {
  const out: Record<string, ElementBox | null> = {};
  for (const s of selectors) {
    const b = await page.locator(s).first().boundingBox();
    out[s] = b && b.width > 0 && b.height > 0 ? { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) } : null;
  }
  return out;
}

/** Chooses a photo in the console's Try view and waits until the page has read it. */
export async function choosePhoto(page: Page, file: string): Promise<void> {
  const before = Number((await page.getAttribute('body', 'data-photos')) ?? 0);
  // Cleared first: choosing the same file again would fire no change event.
  await page.setInputFiles('#file', []);
  await page.setInputFiles('#file', file);
  await page.waitForFunction((n) => Number(document.body.dataset.photos ?? 0) > n, before);
}
