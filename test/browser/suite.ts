import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TEST_DATABASES } from '../support/databases';
import { PASSWORD } from '../support/org';
import { ADMIN, startTestPlatform, type StartOptions, type TestPlatform } from '../support/platform';
import { collectErrors, launchBrowser, logIn, newContext, type ContextOptions } from './browser';

// Browser tests run on the embedded database; the pages' server side is tested on both in test/render.
const db = TEST_DATABASES[0];

export interface PlatformSuiteOptions {
  env?: StartOptions['env'];
  /** Runs before the platform stops, also when `setup` failed part way (close a browser here). */
  teardown?: () => Promise<void>;
}

/**
 * For the describe block it is called in: a test platform on the embedded database, started and
 * prepared by `setup` before the first test, stopped after the last.
 */
export function platformSuite(setup: (t: TestPlatform) => Promise<void>, options: PlatformSuiteOptions = {}): { readonly t: TestPlatform } {
  let t: TestPlatform | undefined;
  beforeAll(async () => {
    t = await startTestPlatform(db, { env: options.env });
    await setup(t);
  }, 120_000);
  afterAll(async () => {
    await options.teardown?.();
    await t?.stop();
  });
  return {
    get t() {
      if (!t) throw new Error('the test platform is not started (used outside a test?)');
      return t;
    },
  };
}

/** A page in a context of its own, with the errors its scripts threw or logged. */
export interface OpenedPage {
  page: Page;
  errors: string[];
}

export interface BrowserSuiteOptions {
  env?: StartOptions['env'];
  /** The password `setup` gave its users (the org fixture's by default); the administrator has its own. */
  password?: string;
  /** Accept every confirmation the pages ask for (where they are part of the flows under test). */
  acceptDialogs?: boolean;
}

export interface BrowserSuite {
  /** A fresh context (closed after the test) and its page, collecting the page's errors. */
  open(options?: ContextOptions): Promise<OpenedPage>;
  /** `open`, then log in as `user` through the login page, landing on `path`. */
  openAs(user: string, path: string, options?: ContextOptions): Promise<OpenedPage>;
  asAdmin(path: string): Promise<OpenedPage>;
}

/** `platformSuite` with Chromium alongside: launched after `setup`, closed before the platform stops. */
export function browserSuite(setup: (t: TestPlatform) => Promise<void>, options: BrowserSuiteOptions = {}): BrowserSuite {
  let browser: Browser | undefined;
  const suite = platformSuite(
    async (t) => {
      await setup(t);
      browser = await launchBrowser();
    },
    { env: options.env, teardown: async () => browser?.close() },
  );
  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  const open = async (contextOptions: ContextOptions = {}): Promise<OpenedPage> => {
    if (!browser) throw new Error('the browser is not launched (used outside a test?)');
    const context = await newContext(browser, suite.t.platform.url, contextOptions);
    contexts.push(context);
    const page = await context.newPage();
    if (options.acceptDialogs) page.on('dialog', (d) => void d.accept());
    return { page, errors: collectErrors(page) };
  };
  const openAs = async (user: string, path: string, contextOptions?: ContextOptions): Promise<OpenedPage> => {
    const opened = await open(contextOptions);
    await logIn(opened.page, user, user === ADMIN.username ? ADMIN.password : (options.password ?? PASSWORD), path);
    return opened;
  };
  return { open, openAs, asAdmin: (path) => openAs(ADMIN.username, path) };
}
