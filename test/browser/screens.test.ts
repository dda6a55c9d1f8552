/**
 * The screens as a first-time Jira admin, a project admin, an agent and a viewer meet them, in
 * Debian's Chromium: feedback next to the control that caused it, a connection check that proves
 * the secret without sending a ticket, failures worded for their reader, the last result kept
 * while a new run works, guidance under each field, and no serious accessibility violation (axe).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { EMBEDDED_AGENT_ID } from '../../sandbox/sandbox';
import { launchBrowser, moduleFrame, openAs, openIssuePanel } from '../support/browser';
import { Harness } from '../support/harness';

jest.setTimeout(120_000);

const DOCS = join(__dirname, '..', '..', 'docs');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
let h: Harness;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  h = await new Harness({ browser: true, timeScale: 20 }).start();
});

afterEach(() => h.stop());

async function shot(page: Page, name: string) {
  if (process.env.SCREENSHOTS === 'update') await page.screenshot({ path: join(DOCS, name), fullPage: true });
}

/**
 * The vertical distance between two elements, in pixels, measured in one pass over the page once
 * the pressed button is ready again (the check that follows a save can still change the layout, and
 * two separate measurements could straddle it).
 */
async function distance(a: Locator, b: Locator): Promise<number> {
  for (let waited = 0; waited < 10_000 && !(await b.isEnabled()); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const [elementA, elementB] = await Promise.all([a.elementHandle(), b.elementHandle()]);
  return elementA!.evaluate((first, second) => Math.abs(first.getBoundingClientRect().y - (second as Element).getBoundingClientRect().y), elementB!);
}

/** axe-core on the app's module only (in its frame, for modules on the issue view); serious and critical findings fail the test. */
async function axeViolations(page: Page, selector: string, frameOf?: string): Promise<string[]> {
  const target = frameOf ? page.frames().find((f) => f.url().includes(`moduleKey=${frameOf}`))! : page;
  await target.addScriptTag({ content: AXE });
  const found = (await target.evaluate(async (scope) => {
    const result = await (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run(
      { include: [scope] },
      { resultTypes: ['violations'] },
    );
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  }, selector)) as Array<{ id: string; impact: string; targets: string[] }>;
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.targets.join(', ')}`);
}

async function createIssue(summary: string, as = 'agent'): Promise<string> {
  return (await h.createIssue({ summary, description: 'Open the cart and press Pay. Expected: a receipt. Actual: error 500 in Firefox on production.' }, as)).key;
}

it('admin page: answers next to the button pressed, checks without sending a ticket, guides each field, passes axe', async () => {
  const page = await openAs(browser, h.sandbox.url, 'admin', '/admin/apps');
  await page.getByText('1. Connect to AI Ops', { exact: true }).waitFor();
  // Guidance under the fields a first-time admin needs.
  await page.getByText(/Agent Management > your Ticket Enhancer agent > Webhook/).waitFor();
  await page.getByText(/shows the secret once, when it is generated|It is never shown again/).first().waitFor();
  await page.getByText(/Keep base64 for AI Ops/).waitFor();
  // Results by comment: the run marker line to add to the agent's instructions, ready to select and copy.
  expect(await page.locator('input[name="marker-line"]').inputValue()).toBe('End your comment with the line `Ticket Enhancer run {delivery_id}`');
  await page.getByText(/one other word in braces and nothing is replaced/).waitFor();
  await page.getByRole('heading', { name: 'If AI Ops Bot is a person\'s account' }).waitFor();
  // The projects table names projects, not bare ids.
  await page.getByRole('link', { name: 'DEMO · Demo' }).waitFor();

  // A status line sums the state up first; a passing check confirms the connection.
  await page.getByText('Set up, not yet confirmed by AI Ops', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Check connection' }).click();
  await page.getByText('Connected', { exact: true }).first().waitFor();
  await shot(page, 'admin-page.png');
  // The Save of the delivery section answers beside itself, further down the page.
  const saveDelivery = page.getByRole('button', { name: 'Save' }).nth(2);
  await saveDelivery.scrollIntoViewIfNeeded();
  await saveDelivery.click();
  const saved = page.getByText('The settings are saved.');
  await saved.waitFor();
  expect(await distance(saved, saveDelivery)).toBeLessThan(250);

  // Re-entering the secret already saved starts no rotation.
  await page.fill('input[name="secret"]', h.sandbox.connection().secret);
  await page.getByRole('button', { name: 'Save' }).first().click();
  await page.getByText('The secret you entered is the one already saved: nothing changed.').waitFor();

  // A wrong secret: the check says so, and AI Ops queued nothing.
  h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: Buffer.alloc(32, 2).toString('base64') });
  const check = page.getByRole('button', { name: 'Check connection' });
  await check.click();
  const verdict = page.getByRole('heading', { name: 'Secret does not match' });
  await verdict.waitFor();
  expect(await distance(verdict, check)).toBeLessThan(400);
  await page.getByText(/no ticket is sent/).waitFor();
  expect(h.aiops.executions.size).toBe(0);
  expect(await axeViolations(page, '[data-module="ticket-enhancer-admin"]')).toEqual([]);
  // The check can fail: a button without a name inside the module is reported.
  await page.evaluate(() => document.querySelector('[data-module="ticket-enhancer-admin"]')!.appendChild(document.createElement('button')));
  expect(await axeViolations(page, '[data-module="ticket-enhancer-admin"]')).toEqual([expect.stringMatching(/^critical button-name/)]);
});

it('panel: an agent reads a configuration failure in their terms, an admin the reason and the way to fix it', async () => {
  await h.setSecret(Buffer.alloc(32, 7).toString('base64'));
  const key = await createIssue('Login button does nothing');
  await h.settle();
  const agent = await openAs(browser, h.sandbox.url, 'agent', `/browse/${key}`);
  const panel = await openIssuePanel(agent);
  await panel.getByText('The AI Ops connection needs attention. Ask your Jira admin to check the AI Ops connection on the app\'s admin page.').waitFor();
  expect(await panel.getByText(/HMAC|401/).count()).toBe(0);
  // Status changes are announced: the status line is a live region.
  expect(await panel.locator('[role="status"]').count()).toBe(1);
  await shot(agent, 'panel-failed.png');
  expect(await axeViolations(agent, '[data-module="ticket-enhancer-panel"]', 'ticket-enhancer-panel')).toEqual([]);

  const admin = await openAs(browser, h.sandbox.url, 'admin', `/browse/${key}`);
  const adminPanel = moduleFrame(admin, 'ticket-enhancer-panel');
  await adminPanel.getByText(/^401 from AI Ops: the HMAC secret does not match.*\.$/).waitFor();
  // The link leads out of the panel's frame to the admin page.
  const href = await adminPanel.getByRole('link', { name: "Open the app's admin page" }).getAttribute('href');
  await admin.goto(href!);
  await admin.getByText('1. Connect to AI Ops', { exact: true }).waitFor();
});

it('panel: keeps the last result readable while a new run works, and history rows open to their result', async () => {
  const key = await createIssue('Checkout page crashes on submit');
  await h.settle();
  const page = await openAs(browser, h.sandbox.url, 'agent', `/browse/${key}`);
  const panel = await openIssuePanel(page);
  await panel.getByText('Completed', { exact: true }).waitFor();
  // AI Ops now takes its time: the new run stays queued at AI Ops for a while.
  h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: h.sandbox.connection().secret, results: 'poll' });
  await panel.getByRole('button', { name: 'Run again' }).click();
  await panel.getByRole('button', { name: 'Yes, run again' }).click();
  await panel.getByText('Queued at AI Ops', { exact: true }).first().waitFor();
  await panel.getByText('Previous result', { exact: true }).waitFor();
  await panel.getByText(/^Bug "Checkout page crashes on submit"\./).waitFor();
  await panel.getByRole('button', { name: 'Show', exact: true }).first().click();
  await panel.getByText(/^Result: Comment by AI Ops Bot/).waitFor();
  await shot(page, 'panel-history.png');
});

it('panel: offers to try again when it could not load', async () => {
  const key = await createIssue('Printer on fire');
  await h.settle();
  const context = await browser.newContext();
  await context.addInitScript(() => window.localStorage.setItem('sandbox-user', 'agent'));
  const page = await context.newPage();
  let fail = true;
  await page.route('**/__sandbox/invoke', async (route) => {
    if (fail) {
      fail = false;
      await route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: { status: 500, message: 'Jira did not answer' } }) });
    } else await route.continue();
  });
  await page.goto(`${h.sandbox.url}/browse/${key}`);
  const panel = await openIssuePanel(page);
  await panel.getByText('The Ticket Enhancer panel could not load').waitFor();
  await panel.getByRole('button', { name: 'Try again' }).click();
  await panel.getByText('Completed', { exact: true }).waitFor();
});

it('project page: every field error on one save, the JQL check included; empty overrides name the site value; deliveries link their issues', async () => {
  await createIssue('First');
  await h.settle();
  const page = await openAs(browser, h.sandbox.url, 'lead', '/projects/DEMO/settings/apps');
  await page.getByText('Which issues', { exact: true }).waitFor();
  await page.getByText(`Empty: uses the site setting (${EMBEDDED_AGENT_ID}).`).waitFor();
  await page.getByText('Empty: uses the site setting (sandbox-tenant).').waitFor();
  await page.fill('input[name="agentId"]', 'not-a-uuid');
  await page.fill('textarea[name="jql"]', 'labels IN (customer');
  await page.getByRole('button', { name: 'Save' }).first().click();
  await page.getByText('Correct the 2 fields marked in red.').waitFor();
  await page.getByText(/Agent id must be a UUID/).waitFor();
  await page.getByText(/JQL condition is invalid/).waitFor();
  // Deliveries: the issue key links to the issue; a finished run reads "1 attempt", not "1 of 5".
  const table = page.locator('table').first();
  await table.getByRole('link', { name: 'DEMO-1' }).waitFor();
  await table.getByText('1 attempt', { exact: true }).waitFor();
  await shot(page, 'project-settings.png');
  expect(await axeViolations(page, '[data-module="ticket-enhancer-project"]')).toEqual([]);
});

it('admin page: the last 30 days drawn as a chart, failure reasons opening their deliveries, passes axe', async () => {
  for (let i = 0; i < 4; i += 1) await createIssue(`Checkout issue ${i}`);
  h.aiops.scriptFaults({ status: 401, body: { detail: 'Invalid signature' } });
  await createIssue('Refused by AI Ops');
  for (let i = 0; i < 200 && h.runs().filter((r) => r.status === 'completed' || r.status === 'failed').length < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  // The hourly check counts what finished.
  h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) + 1_000);
  await h.sweep();
  const page = await openAs(browser, h.sandbox.url, 'admin', '/admin/apps');
  await page.getByRole('tab', { name: 'Activity' }).click();
  const section = page.getByRole('heading', { name: 'The last 30 days' });
  await section.waitFor();
  await page.getByText('4 runs completed, 1 failed, 0 timed out.', { exact: false }).waitFor();
  // Drawn by the host's chart library: one stacked bar for today.
  const chart = page.locator('figure.sbx-chart .recharts-wrapper');
  await chart.waitFor();
  expect(await page.locator('figure.sbx-chart .recharts-bar-rectangle').count()).toBeGreaterThan(0);
  await section.scrollIntoViewIfNeeded();
  if (process.env.SCREENSHOTS === 'update') {
    await page.evaluate(() => window.scrollBy(0, -40));
    await section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    const top = (await section.boundingBox())!;
    const bottom = (await page.getByRole('button', { name: 'Show these deliveries' }).boundingBox())!;
    const module = (await page.locator('[data-module="ticket-enhancer-admin"]').boundingBox())!;
    await page.screenshot({ path: join(DOCS, 'insights.png'), clip: { x: module.x, y: Math.max(0, top.y - 12), width: module.width, height: bottom.y + bottom.height + 16 - Math.max(0, top.y - 12) } });
  }
  await page.getByRole('button', { name: 'Show these deliveries' }).click();
  await page.getByText('Deliveries that failed for this reason').waitFor();
  expect(await axeViolations(page, '[data-module="ticket-enhancer-admin"]')).toEqual([]);
});

it('host: the signed-in user\'s language switches every screen, the resolver\'s words included', async () => {
  const key = await createIssue('Checkout crashes in Safari');
  for (let i = 0; i < 200 && h.runs()[0]?.status !== 'completed'; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  const page = await openAs(browser, h.sandbox.url, 'admin', `/browse/${key}`);
  await (await openIssuePanel(page)).getByText('Completed', { exact: true }).first().waitFor();
  await page.evaluate(() => window.localStorage.setItem('sandbox-locale', 'ja-JP'));
  await page.reload();
  await moduleFrame(page, 'ticket-enhancer-panel').getByText('完了', { exact: true }).first().waitFor();
  await moduleFrame(page, 'ticket-enhancer-panel').getByRole('button', { name: '再実行' }).waitFor();
  await page.goto(`${h.sandbox.url}/admin/apps`);
  await page.getByText('1. AI Ops に接続', { exact: true }).waitFor();
  expect(await axeViolations(page, '[data-module="ticket-enhancer-admin"]')).toEqual([]);
});

it('project page: the redelivery window is read in the reader\'s time zone, which the labels name', async () => {
  const page = await openAs(browser, h.sandbox.url, 'lead', '/projects/DEMO/settings/apps', { timezoneId: 'Europe/Berlin' });
  await page.getByText('From (your time, Europe/Berlin)').waitFor();
  await page.fill('input[name="bulk-since"]', '2026-12-05 10:00');
  const sent = page.waitForRequest((request) => request.url().endsWith('/__sandbox/invoke') && (request.postData() ?? '').includes('"bulkPreview"'));
  await page.getByRole('button', { name: 'Count' }).first().click();
  // 10:00 in Berlin in December is 09:00 UTC.
  expect(JSON.parse((await sent).postData()!).payload.filter.since).toBe('2026-12-05T09:00:00.000Z');
});

it('issue list: a column with each issue\'s Ticket Enhancer status, and a search a lead uses to find failed and unsent tickets', async () => {
  await createIssue('Answered');
  await h.settle();
  h.aiops.scriptFaults({ status: 401, body: { detail: 'Invalid HMAC signature' } });
  await createIssue('Refused');
  await h.updateSettings('settings:project:10000', { labelsExclude: ['no-ai'] });
  await h.createIssue({ summary: 'Kept out', labels: ['no-ai'] });
  for (let i = 0; i < 200 && h.runs().filter((r) => ['completed', 'failed'].includes(String(r.status))).length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  const page = await openAs(browser, h.sandbox.url, 'lead', '/projects/DEMO');
  const row = (key: string) => page.locator('tr', { has: page.getByRole('link', { name: key, exact: true }) });
  await row('DEMO-1').getByText('completed').waitFor();
  await row('DEMO-2').getByText('failed').waitFor();
  await row('DEMO-3').getByText('not-sent').waitFor();
  await page.getByRole('button', { name: 'Ticket Enhancer failed' }).click();
  await page.getByRole('link', { name: 'DEMO-2', exact: true }).waitFor();
  expect(await page.getByRole('link', { name: 'DEMO-1', exact: true }).count()).toBe(0);
  await page.getByRole('button', { name: 'Not sent' }).click();
  await page.getByRole('link', { name: 'DEMO-3', exact: true }).waitFor();
  expect(await page.getByRole('link', { name: 'DEMO-2', exact: true }).count()).toBe(0);
});

it('host: the Automation action\'s configuration form opens as the rule editor shows it, and the rule runs with what it saved', async () => {
  const key = await createIssue('Sent by a rule');
  await h.settle();
  const page = await openAs(browser, h.sandbox.url, 'lead', '/automation');
  await page.getByText('Wait for the result (up to about 45 seconds)').waitFor();
  await page.getByText(/Saved with the rule: \{"issueKey":"\{\{issue.key\}\}"/).waitFor();
  await page.fill('#rule-issue', key);
  await page.getByRole('button', { name: 'Run rule' }).click();
  await page.getByText(new RegExp(`"issueKey": "${key}"`)).waitFor();
  expect(h.runs().some((run) => run.trigger === 'automation' && run.issueKey === key)).toBe(true);
});
