import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

/**
 * Chromium as the browser tests run it: Debian's binary, headless, no sandbox (tests run as root),
 * and no background traffic (updates, sync, QUIC) that could reach the test servers or stall a
 * loaded machine.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page in a context of its own (its own cookies), opened at `url`. */
export async function openPage(
  browser: Browser,
  url: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

/**
 * Opens `spaOrigin/`, follows its `#login` link to the sandbox IdP, signs in as `userId` on the
 * IdP's dev login form and waits to be back on the SPA.
 */
export async function signInOnSpa(
  browser: Browser,
  spaOrigin: string,
  userId: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await openPage(browser, `${spaOrigin}/`);
  const { page } = opened;
  await page.click('#login');
  await page.waitForSelector('input#login');
  await page.fill('input#login', userId);
  await page.click('#sign-in');
  await page.waitForURL(`${spaOrigin}/`);
  return opened;
}

/** Calls the `window.callBff(...args)` that the test's page script defines, in the page. */
export function callBffIn<Result>(page: Page, ...args: unknown[]): Promise<Result> {
  return page.evaluate(
    (a) =>
      (globalThis as unknown as { callBff: (...b: unknown[]) => Promise<Result> }).callBff(...a),
    args,
  );
}

/** The page's script cannot see cookies marked httpOnly: what `document.cookie` shows it. */
export function scriptCookies(page: Page): Promise<string> {
  return page.evaluate(
    () => (globalThis as unknown as { document: { cookie: string } }).document.cookie,
  );
}

/**
 * From a page on an origin the BFF does not list, a credentialed `GET url` with X-CSRF:
 * `'blocked'` when CORS keeps the response from the script, else `status <n>`.
 */
export async function credentialedFetchFrom(
  browser: Browser,
  pageUrl: string,
  url: string,
): Promise<string> {
  const { context, page } = await openPage(browser, pageUrl);
  try {
    return await page.evaluate(async (target) => {
      try {
        const res = await fetch(target, { credentials: 'include', headers: { 'X-CSRF': '1' } });
        return `status ${res.status}`;
      } catch {
        return 'blocked';
      }
    }, url);
  } finally {
    await context.close();
  }
}
