import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../support/platform';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Screenshots of the main pages, kept as test artefacts. */
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

export interface ContextOptions {
  width?: number;
  height?: number;
  locale?: string;
}

export async function newContext(browser: Browser, base: string, options: ContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: options.width ?? 1280, height: options.height ?? 800 }, locale: options.locale ?? 'zh-CN', acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Log in through the login page; resolves on the page the login leads to. */
export async function logIn(page: Page, username: string, password: string, next = '/'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('#login-form button[type=submit]')]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Errors the page's scripts threw or logged (a CSP violation shows here too). */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    // Refused requests (401, 409, 422 …) are part of the flows under test; script errors and CSP violations are not.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  return errors;
}

/** Wait until the element shows `text` (fails with what it shows instead). */
export async function showsText(page: Page, selector: string, text: string): Promise<void> {
  try {
    await page.locator(selector).filter({ hasText: text }).waitFor({ state: 'visible' });
  } catch {
    throw new Error(`${selector} should show "${text}"; it shows "${(await page.locator(selector).first().textContent().catch(() => null)) ?? '(nothing)'}"`);
  }
}

/** Wait until the input matching `selector` holds `value` (a function, not a string: the pages' CSP forbids eval). */
export async function holdsValue(page: Page, selector: string, value: string): Promise<void> {
  try {
    await page.waitForFunction(([s, v]) => (globalThis as unknown as { document: { querySelector(q: string): { value: string } | null } }).document.querySelector(s)?.value === v, [selector, value] as const);
  } catch {
    throw new Error(`${selector} should hold ${value}; it holds "${await page.inputValue(selector).catch(() => '?')}"`);
  }
}
