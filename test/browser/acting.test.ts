/**
 * From analysis to action, as an agent clicks it on the issue panel: sections, an issue the
 * analysis names linked once, suggestions applied (with the history), dismissed and edited then
 * applied, a reply to the reporter drafted and posted, "helpful" given and counted in the 30-day
 * chart; and a viewer who reads the analysis with no action offered.
 */
import { join } from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { Harness } from '../support/harness';
import { launchBrowser, moduleFrame, openAs, openIssuePanel } from '../support/browser';

jest.setTimeout(120_000);

const DOCS = join(__dirname, '..', '..', 'docs');
let h: Harness;
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
  h = await new Harness({ browser: true, timeScale: 20 }).start();
});

afterAll(async () => {
  await browser?.close();
  await h?.stop();
});

async function shot(page: Page, name: string) {
  if (process.env.SCREENSHOTS === 'update') await page.screenshot({ path: join(DOCS, name), fullPage: true });
}

async function issueWithAnalysis(): Promise<{ key: string; earlier: string }> {
  const earlier = await h.createIssue({ summary: 'Checkout total is wrong for discounts', description: 'Seen by customers in production.' });
  await h.settle();
  const { key } = await h.createIssue({ summary: 'Checkout page crashes on submit', description: 'Open the cart and press Pay. Expected: a receipt. Actual: error 500 in Firefox on production.' });
  await h.settle();
  return { key, earlier: earlier.key };
}

async function panelAs(user: string, key: string): Promise<{ page: Page; panel: FrameLocator }> {
  const page = await openAs(browser, h.sandbox.url, user, `/browse/${key}`);
  const panel = await openIssuePanel(page);
  await panel.getByText('Completed', { exact: true }).first().waitFor({ timeout: 30_000 });
  return { page, panel };
}

it('an agent reads the sections, links the issue the analysis names once, and works through its suggestions', async () => {
  const { key, earlier } = await issueWithAnalysis();
  const { page, panel } = await panelAs('agent', key);

  // Sections: Summary open, the others one click away; the comment itself a link away.
  await panel.getByRole('heading', { name: 'Summary', exact: true }).waitFor();
  const criterion = panel.getByText(/A regression test covers the failing case\./);
  expect(await criterion.count()).toBe(0);
  await panel.getByRole('button', { name: 'Show Suggested acceptance criteria' }).click();
  await criterion.first().waitFor();
  await panel.getByRole('link', { name: 'Open the comment' }).first().waitFor();

  // The issue the analysis names, as a card, linked once.
  await panel.getByText(new RegExp(`^${earlier}: Checkout total is wrong`)).waitFor();
  await panel.getByRole('button', { name: 'Link (Relates)' }).click();
  await panel.getByText(`Linked to ${earlier} (Relates).`).waitFor();
  await panel.getByText('Linked', { exact: true }).waitFor();
  const links = () => (h.sandbox.jira.issue(key)!.fields.issuelinks as unknown[]).length;
  expect(links()).toBe(1);
  const again = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'linkIssue', accountId: 'agent', issueKey: key, payload: { deliveryId: h.runs().find((r) => r.issueKey === key)!.deliveryId, key: earlier } })) as { body: { already?: boolean } };
  expect(again.body.already).toBe(true);
  expect(links()).toBe(1);

  // Labels: applied as suggested, never removing one; recorded with who and when.
  await panel.getByText('Labels: checkout, firefox, crash').waitFor();
  await panel.getByRole('button', { name: 'Apply' }).first().click();
  await panel.getByText('Applied', { exact: true }).first().waitFor();
  expect(h.sandbox.jira.issue(key)!.fields.labels).toEqual(['checkout', 'firefox', 'crash']);
  await panel.getByText(/applied Labels: checkout, firefox, crash/).waitFor();
  await panel.getByText('You', { exact: true }).first().waitFor();

  // Priority: dismissed, so nothing changes.
  const priority = panel.getByText('Priority: High').locator('xpath=ancestor::*[.//button][1]');
  await priority.getByRole('button', { name: 'Dismiss' }).click();
  await panel.getByText('Dismissed', { exact: true }).waitFor();
  expect((h.sandbox.jira.issue(key)!.fields.priority as { name: string }).name).toBe('Medium');

  // Components: edited (only Checkout), then applied.
  await panel.getByText('Components: Checkout, Payments').waitFor();
  const components = panel.getByText('Components: Checkout, Payments').locator('xpath=ancestor::*[.//button][1]');
  await components.getByRole('button', { name: 'Edit' }).click();
  await panel.locator('input[name="edit-components"]').fill('Checkout');
  await panel.getByRole('button', { name: 'Apply as edited' }).click();
  await panel.getByText(/applied Components: Checkout/).waitFor();
  expect(h.sandbox.jira.issue(key)!.fields.components).toEqual([{ id: '10300', name: 'Checkout' }]);
  await shot(page, 'panel-actions.png');
});

it('an agent asks the reporter, edits the draft and posts it; says the analysis helped, which the 30-day chart counts', async () => {
  const { key } = await issueWithAnalysis();
  const { panel } = await panelAs('agent', key);
  await panel.getByRole('button', { name: 'Ask the reporter for what is missing' }).click();
  const draft = panel.locator('textarea[name="ask-reporter"]');
  expect(await draft.inputValue()).toMatch(/^Hi Alex Agent, to move this forward we need a few more details:\n- Steps to reproduce\./);
  await draft.fill(`${await draft.inputValue()}\nA screenshot would help too.`);
  await panel.getByText('Posted as a comment mentioning Alex Agent.').waitFor();
  await panel.getByRole('button', { name: 'Post the comment' }).click();
  await panel.getByText('Your comment was posted and the reporter mentioned.').waitFor();
  const posted = h.sandbox.jira.issue(key)!.comments!.at(-1)!;
  expect(JSON.stringify(posted.body)).toContain('"type":"mention"');
  expect(JSON.stringify(posted.body)).toContain('A screenshot would help too.');

  await panel.getByRole('button', { name: 'Helpful', exact: true }).click();
  await panel.getByText('You found it helpful.').waitFor();
  await panel.getByText('1 found it helpful, 0 did not.').waitFor();
  // The admin page's 30 days count the vote.
  const admin = await openAs(browser, h.sandbox.url, 'admin', '/admin/apps');
  await admin.getByRole('tab', { name: 'Activity' }).click();
  await admin.getByText(/^Found helpful: 100% of 1 votes\./).waitFor();
});

it('a viewer reads the analysis and is offered no action', async () => {
  const { key } = await issueWithAnalysis();
  const page = await openAs(browser, h.sandbox.url, 'viewer', `/browse/${key}`);
  const panel = moduleFrame(page, 'ticket-enhancer-panel');
  // Jira keeps an added panel on the issue for everyone: a viewer may only read it.
  await (await openIssuePanel(page)).getByRole('heading', { name: 'Summary', exact: true }).waitFor({ timeout: 30_000 });
  await panel.getByText('Suggested by the analysis').waitFor();
  for (const name of ['Apply', 'Dismiss', 'Edit', 'Helpful', 'Ask the reporter for what is missing']) expect(await panel.getByRole('button', { name, exact: true }).count()).toBe(0);
  expect(await panel.getByRole('button', { name: /^Link/ }).count()).toBe(0);
  // And the resolvers refuse a viewer who calls them directly.
  const run = h.runs().find((r) => r.issueKey === key)!;
  const refused = await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'applySuggestion', accountId: 'viewer', issueKey: key, payload: { deliveryId: run.deliveryId, field: 'labels', values: ['x'] } });
  expect(refused).toMatchObject({ error: { status: 403 } });
  expect(h.sandbox.jira.issue(key)!.fields.labels).toEqual([]);
});
