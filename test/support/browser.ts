/** Debian's Chromium driven by playwright-core, against the sandbox's browser host. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install chromium" (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Opens `path` signed in as `user`, like the user switcher does. */
export async function openAs(browser: Browser, baseUrl: string, user: string, path: string, options: { timezoneId?: string } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, ...options });
  await context.addInitScript((name) => window.localStorage.setItem('sandbox-user', name), user);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(`${baseUrl}${path}`);
  return page;
}

/** A module drawn in its own frame on the issue view (the issue panel, the issue context). */
export function moduleFrame(page: Page, moduleKey: string): FrameLocator {
  return page.frameLocator(`iframe[data-module="${moduleKey}"]`);
}

/**
 * The issue panel, as an agent opens it on a real site: with its button in the issue's Apps bar
 * the first time (Jira then keeps it on the issue for everyone).
 */
export async function openIssuePanel(page: Page): Promise<FrameLocator> {
  const add = page.getByTestId('quick-add').getByRole('button', { name: 'Ticket Enhancer' });
  await Promise.race([add.waitFor(), page.locator('iframe[data-module="ticket-enhancer-panel"]').waitFor()]);
  if (await add.isVisible()) await add.click();
  return moduleFrame(page, 'ticket-enhancer-panel');
}
