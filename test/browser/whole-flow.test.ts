/**
 * The whole app in a browser, by clicking: an admin configures the connection, a lead enables DEMO,
 * an agent creates an issue and watches the panel complete, a wrong secret shows its failure, and a
 * viewer finds no way into the settings. Screenshots of each screen go to docs/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Harness } from '../support/harness';
import { launchBrowser, moduleFrame, openAs, openIssuePanel } from '../support/browser';

jest.setTimeout(120_000);

const DOCS = join(__dirname, '..', '..', 'docs');
let h: Harness;
let browser: Browser;
let url: string;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  // Nothing configured: the admin and the lead do it through the pages.
  h = await new Harness({ browser: true, seed: false, timeScale: 20 }).start();
  url = h.sandbox.url;
});

afterEach(() => h.stop());

/** README screenshots are refreshed with `SCREENSHOTS=update npm test`; plain runs leave docs/ alone. */
async function shot(page: Page, name: string) {
  if (process.env.SCREENSHOTS === 'update') await page.screenshot({ path: join(DOCS, name), fullPage: true });
}

async function configureAsAdmin(secret: string) {
  const connection = h.sandbox.connection();
  const page = await openAs(browser, url, 'admin', '/admin/apps');
  await page.getByText('1. Connect to AI Ops', { exact: true }).waitFor();
  await page.fill('input[name="aiopsBaseUrl"]', connection.url);
  await page.fill('input[name="agentId"]', connection.agentId);
  await page.fill('input[name="tenantId"]', connection.tenantId);
  await page.fill('input[name="secret"]', secret);
  await page.getByRole('button', { name: 'Save' }).first().click();
  // Saved, but egress is not approved yet: the page says so next to the button.
  await page.getByText(/is not approved yet: deliveries fail until it is/).waitFor();
  await page.getByRole('button', { name: 'Approve egress' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.getByText('Approved', { exact: true }).waitFor();
  await page.getByTestId('egress-consent').waitFor({ state: 'detached' });
  // Once approved, the warning that it was not is gone: the page says what is true now.
  expect(await page.getByText(/is not approved yet/).count()).toBe(0);
  // The AI Ops Jira account, in the results section with its own Save: the user picker searches Jira's users.
  await page.locator('#resultAccount').fill('AI Ops');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Save' }).nth(1).click();
  await page.getByText('The settings are saved.').first().waitFor();
  await page.getByRole('button', { name: 'Check connection' }).click();
  return page;
}

async function enableDemoAsLead() {
  const page = await openAs(browser, url, 'lead', '/projects/DEMO/settings/apps');
  await page.getByText('Which issues').waitFor();
  await page.locator('input[id$="-enabled"]').check({ force: true });
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('The project settings are saved.').waitFor();
  return page;
}

async function createIssueAsAgent(summary: string): Promise<Page> {
  const page = await openAs(browser, url, 'agent', '/projects/DEMO/create');
  await page.fill('#summary', summary);
  await page.fill('#description', 'Open the cart and press Pay. Expected: a receipt. Actual: error 500 in Firefox on production.');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/browse\/DEMO-\d+$/);
  return page;
}

it('admin configures, lead enables DEMO, agent sees the AI Ops comment complete the panel without reloading', async () => {
  const admin = await configureAsAdmin(h.sandbox.connection().secret);
  await admin.getByRole('heading', { name: 'Connected' }).waitFor();
  const lead = await enableDemoAsLead();
  const agent = await createIssueAsAgent('Checkout page crashes on submit');
  // On every ticket, without a click: the issue context on the right, its status beside its label.
  const context = agent.locator('[data-context="ticket-enhancer-context"]');
  await context.waitFor();
  expect(await agent.locator('iframe[data-module="ticket-enhancer-panel"]').count()).toBe(0);
  // Expanded (Jira remembers that per user), it follows the run live; the issue panel is added with its Apps button.
  await context.getByRole('button', { name: /Ticket Enhancer/ }).click();
  await moduleFrame(agent, 'ticket-enhancer-context').getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
  await moduleFrame(agent, 'ticket-enhancer-context').getByText(/The description|Missing information|Steps to reproduce/).first().waitFor();
  await shot(agent, 'issue-context.png');
  // Collapsed, the panel's status (its dynamic properties) stands beside its label.
  await context.getByRole('button', { name: /Ticket Enhancer/ }).click();
  await context.getByText('Completed', { exact: true }).waitFor();
  const panel = await openIssuePanel(agent);
  await panel.getByText('Completed', { exact: true }).waitFor({ timeout: 30_000 });
  // The analysis in sections: Summary open, the others a click away.
  await panel.getByText(/^Bug "Checkout page crashes on submit"\./).waitFor();
  for (const section of ['Missing information', 'Suggested acceptance criteria', 'Clearer summary', 'Priority hint']) await panel.getByRole('button', { name: `Show ${section}` }).waitFor();
  await panel.getByRole('button', { name: 'Show Clearer summary' }).click();
  await panel.getByText('Fix: Checkout page crashes on submit').waitFor();
  await panel.getByText(/Posted as a comment by AI Ops Bot/).waitFor();
  // The comment itself is on the issue, by the AI Ops platform's account.
  await agent.locator('.sbx-comment').getByText(/AI Ops Bot/).waitFor();
  expect(await agent.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
  expect((agent as Page & { problems?: string[] }).problems).toEqual([]);
  await shot(agent, 'panel-completed.png');

  await lead.reload();
  await lead.getByText('Completed', { exact: true }).first().waitFor();
  await admin.reload();
  await admin.getByRole('tab', { name: 'Activity' }).click();
  await admin.getByText('Recent deliveries (all projects)').waitFor();
});

it('a wrong secret shows the failure and its reason in the panel and in the delivery list', async () => {
  const admin = await configureAsAdmin(Buffer.alloc(32, 7).toString('base64'));
  await admin.getByRole('heading', { name: 'Secret does not match' }).waitFor();
  const lead = await enableDemoAsLead();
  const agent = await createIssueAsAgent('Login button does nothing');
  const panel = await openIssuePanel(agent);
  await panel.getByText('Failed', { exact: true }).first().waitFor({ timeout: 30_000 });
  // The agent is told whom to ask, not the diagnostics.
  await panel.getByText('The AI Ops connection needs attention. Ask your Jira admin to check the AI Ops connection on the app\'s admin page.').waitFor();
  await lead.reload();
  await lead.getByText(/401 from AI Ops: the HMAC secret does not match/).first().waitFor();
});

it('a viewer finds no way into the settings', async () => {
  const page = await openAs(browser, url, 'viewer', '/projects/DEMO');
  await page.getByText('DEMO issues', { exact: true }).first().waitFor();
  expect(await page.getByRole('link', { name: 'DEMO settings' }).count()).toBe(0);
  expect(await page.getByRole('link', { name: 'Apps admin' }).count()).toBe(0);
  for (const path of ['/projects/DEMO/settings/apps', '/admin/apps']) {
    await page.goto(`${url}${path}`);
    await page.getByText("You don't have access to this page").waitFor();
  }
  // Even the resolvers behind those pages refuse a viewer.
  const answer = await page.evaluate(async () => {
    const response = await fetch('/__sandbox/invoke', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ moduleKey: 'ticket-enhancer-project', functionKey: 'load', accountId: 'viewer', projectKey: 'DEMO' }) });
    return response.status;
  });
  expect(answer).toBe(403);
});
