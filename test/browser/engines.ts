import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import puppeteer, { type Browser as FirefoxBrowser, type Page as FirefoxPage } from 'puppeteer-core';
import { Builder, By, type WebDriver } from 'selenium-webdriver';
import { ARTIFACTS } from './browser';

/**
 * The pages in the other two browser engines: Gecko (Debian's firefox-esr, driven over
 * WebDriver BiDi by puppeteer-core) and WebKit, Safari's engine (Debian's WebKitGTK
 * MiniBrowser behind its WebKitWebDriver, in an Xvfb display, driven by selenium-webdriver).
 * Playwright cannot drive either: it needs its own patched builds, which are downloaded from
 * a host this project cannot reach. `.ci/run` installs the packages when they are missing.
 *
 * Both sit behind the same small interface, so one scenario runs in each.
 */
export interface EnginePage {
  readonly engine: Engine;
  goto(pathAndQuery: string): Promise<void>;
  /** The current URL's path and query. */
  location(): Promise<string>;
  fill(selector: string, value: string): Promise<void>;
  select(selector: string, value: string): Promise<void>;
  click(selector: string): Promise<void>;
  text(selector: string): Promise<string | null>;
  attribute(selector: string, name: string): Promise<string | null>;
  visible(selector: string): Promise<boolean>;
  count(selector: string): Promise<number>;
  resize(width: number, height: number): Promise<void>;
  screenshot(name: string): Promise<void>;
  /** Script errors the page reported (Firefox only: classic WebDriver has no console). */
  readonly errors: string[];
}

export type Engine = 'firefox' | 'webkit';

export interface EngineBrowser {
  open(base: string): Promise<EnginePage>;
  close(): Promise<void>;
}

const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
const TIMEOUT = 15_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns something other than undefined; fail with `what` and its last answer. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeout = TIMEOUT): Promise<T> {
  const end = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last !== undefined ? ` (${String(last)})` : ''}`);
    await sleep(100);
  }
}

/** Wait until the element shows `text`; fails with what it shows instead. */
export async function waitForText(page: EnginePage, selector: string, text: string): Promise<void> {
  let shown: string | null = null;
  await until(`${selector} to show "${text}" (${page.engine}; it shows "${shown ?? '(nothing)'}")`, async () => {
    shown = await page.text(selector);
    return shown?.includes(text) ? true : undefined;
  });
}

export async function waitForLocation(page: EnginePage, pattern: RegExp): Promise<string> {
  return until(`a URL matching ${pattern} (${page.engine})`, async () => {
    const at = await page.location();
    return pattern.test(at) ? at : undefined;
  });
}

function savePng(engine: Engine, name: string, png: Buffer): void {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(path.join(ARTIFACTS, `${engine}-${name}.png`), png);
}

export async function launchEngine(engine: Engine): Promise<EngineBrowser> {
  return engine === 'firefox' ? launchFirefox() : launchWebKit();
}

async function launchFirefox(): Promise<EngineBrowser> {
  const browser: FirefoxBrowser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, args: ['--no-remote'], extraPrefsFirefox: { 'intl.accept_languages': 'zh-CN' } });
  return {
    async open(base) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport({ width: 1280, height: 800 });
      page.setDefaultTimeout(TIMEOUT);
      return firefoxPage(page, base);
    },
    close: () => browser.close(),
  };
}

function firefoxPage(page: FirefoxPage, base: string): EnginePage {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err instanceof Error ? err.message : String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource|status of 4\d\d/.test(msg.text())) errors.push(msg.text());
  });
  return {
    engine: 'firefox',
    errors,
    goto: async (p) => void (await page.goto(base + p)),
    location: async () => { const u = new URL(page.url()); return u.pathname + u.search; },
    fill: (s, v) => page.locator(s).fill(v),
    select: async (s, v) => void (await page.select(s, v)),
    click: (s) => page.locator(s).click(),
    text: (s) => page.$eval(s, (el) => el.textContent).catch(() => null),
    attribute: (s, n) => page.$eval(s, (el, name) => el.getAttribute(name), n).catch(() => null),
    visible: async (s) => (await page.$(s))?.isVisible() ?? false,
    count: async (s) => (await page.$$(s)).length,
    resize: (width, height) => page.setViewport({ width, height }),
    screenshot: async (name) => savePng('firefox', name, Buffer.from(await page.screenshot({ fullPage: true }))),
  };
}

const freePort = () => new Promise<number>((resolve, reject) => {
  const srv = net.createServer();
  srv.once('error', reject);
  srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as net.AddressInfo; srv.close(() => resolve(port)); });
});

function miniBrowser(): string {
  const lib = '/usr/lib';
  for (const arch of fs.readdirSync(lib)) {
    const dir = path.join(lib, arch);
    if (!arch.endsWith('-linux-gnu') || !fs.statSync(dir).isDirectory()) continue;
    for (const webkit of fs.readdirSync(dir).filter((d) => d.startsWith('webkit2gtk-')).sort().reverse()) {
      const bin = path.join(dir, webkit, 'MiniBrowser');
      if (fs.existsSync(bin)) return bin;
    }
  }
  throw new Error('WebKitGTK MiniBrowser not found (Debian package webkit2gtk-driver; .ci/run installs it)');
}

/** An X display for WebKitGTK (it has no headless mode): Xvfb picks a free display number and tells it on fd 3. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x900x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    xvfb.once('error', reject);
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
  });
  return { display, process: xvfb };
}

async function launchWebKit(): Promise<EngineBrowser> {
  const x = await startXvfb();
  const port = await freePort();
  const driverProcess = spawn(WEBKIT_DRIVER, [`--port=${port}`], { env: { ...process.env, DISPLAY: x.display }, stdio: 'ignore' });
  const server = `http://127.0.0.1:${port}`;
  await until('WebKitWebDriver to answer', async () => ((await fetch(`${server}/status`)).ok ? true : undefined));
  const binary = miniBrowser();
  const drivers: WebDriver[] = [];
  return {
    async open(base) {
      const driver = await new Builder().usingServer(server).withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary, args: ['--automation'] } }).build();
      drivers.push(driver);
      await driver.manage().window().setRect({ width: 1280, height: 800 });
      return webkitPage(driver, base);
    },
    async close() {
      for (const d of drivers) await d.quit().catch(() => undefined);
      driverProcess.kill();
      x.process.kill();
    },
  };
}

function webkitPage(driver: WebDriver, base: string): EnginePage {
  const find = (s: string) => until(`${s} (webkit)`, async () => (await driver.findElements(By.css(s)))[0]);
  return {
    engine: 'webkit',
    errors: [],
    goto: (p) => driver.get(base + p),
    location: async () => { const u = new URL(await driver.getCurrentUrl()); return u.pathname + u.search; },
    fill: async (s, v) => { const el = await find(s); await el.clear(); await el.sendKeys(v); },
    select: async (s, v) => (await find(`${s} option[value="${v}"]`)).click(),
    click: async (s) => (await find(s)).click(),
    text: async (s) => { const [el] = await driver.findElements(By.css(s)); return el ? el.getAttribute('textContent') : null; },
    attribute: async (s, n) => { const [el] = await driver.findElements(By.css(s)); return el ? el.getAttribute(n) : null; },
    visible: async (s) => { const [el] = await driver.findElements(By.css(s)); return el ? el.isDisplayed() : false; },
    count: async (s) => (await driver.findElements(By.css(s))).length,
    resize: async (width, height) => void (await driver.manage().window().setRect({ width, height })),
    screenshot: async (name) => savePng('webkit', name, Buffer.from(await driver.takeScreenshot(), 'base64')),
  };
}
