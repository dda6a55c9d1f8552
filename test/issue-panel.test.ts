/**
 * The issue panel, rendered by the real @forge/react reconciler against the real resolvers on the
 * sandbox, with results arriving through the callback web trigger or by polling.
 */
import { join } from 'node:path';
import { Harness } from './support/harness';
import { UiHost } from './support/ui-host';

const PANEL = join(__dirname, '..', 'src', 'ui', 'panel.tsx');
const MODULE = 'ticket-enhancer-panel';

let h: Harness;
let host: UiHost | undefined;

afterEach(async () => {
  host?.unmount();
  host = undefined;
  await h.stop();
});

function openPanel(issueKey: string, user: string): UiHost {
  host = new UiHost(h.sandbox, { moduleKey: MODULE, user, issueKey }).mount(PANEL);
  return host;
}

const lozenges = (ui: UiHost) => ui.byType('Lozenge').map((node) => ({ text: ui.text(node), appearance: node.props.appearance }));

describe('the panel shows the run as it happens', () => {
  beforeEach(async () => {
    h = await new Harness({ timeScale: 20 }).start();
  });

  it('goes to completed without a reload and shows the analysis the AI Ops account commented', async () => {
    const { key } = await h.createIssue({ description: 'Steps: open the cart, press Pay.' });
    const ui = openPanel(key, 'agent');
    await ui.waitForText('Completed');
    expect(lozenges(ui)[0]).toEqual({ text: 'Completed', appearance: 'success' });
    const text = ui.text();
    // The agent posted Markdown as plain paragraphs; the panel reads its headings as sections: Summary open, the others a click away.
    expect(text).toMatch(/Summary Bug "Checkout page crashes on submit"\./);
    for (const section of ['Missing information', 'Suggested acceptance criteria', 'Clearer summary', 'Priority hint']) expect(text).toContain(`Show ${section}`);
    expect(text).not.toContain('Expected behaviour');
    await ui.click('Show Missing information');
    await ui.waitForText('Expected behaviour');
    await ui.click('Show Clearer summary');
    await ui.waitForText('Fix: Checkout page crashes on submit');
    expect(text).toMatch(/Posted as a comment by AI Ops Bot on \S+/);
    const documents = ui.byType('AdfRenderer').map((node) => JSON.stringify(node.props.document)).join('');
    expect(documents).toContain('"type":"bulletList"');
    expect(documents).not.toContain('"type":"heading"');
    expect(ui.all((node) => node.type === 'Link' && /focusedCommentId=\d+/.test(String(node.props.href)))).toHaveLength(1);
    // The execution id is there for whoever needs it, behind Details.
    expect(text).not.toMatch(/AI Ops execution/);
    await ui.click('Details');
    await ui.waitForText(/AI Ops execution [0-9a-f-]{36} · 1 attempt/);
    expect(ui.button('Run again')).toBeDefined();
    // The issue property follows for JQL.
    const issue = h.sandbox.jira.issue(key)!;
    expect(issue.properties['ticket-enhancer']).toMatchObject({ status: 'completed', deliveryId: expect.stringMatching(new RegExp(`^dlv_${issue.id}_created_[0-9a-f]{20}$`)) });
  });

  it('shows a wrong secret to an agent in their terms, and to a Jira admin with the reason and the way to the fix', async () => {
    await h.setSecret(Buffer.alloc(32, 3).toString('base64'));
    const { key } = await h.createIssue();
    const ui = openPanel(key, 'agent');
    await ui.waitForText('Failed');
    expect(lozenges(ui)[0]).toEqual({ text: 'Failed', appearance: 'removed' });
    expect(ui.byType('SectionMessage')[0].props.appearance).toBe('error');
    expect(ui.text()).toContain('The AI Ops connection needs attention. Ask your Jira admin to check the AI Ops connection');
    expect(ui.text()).not.toMatch(/HMAC|401/);
    // Running again would fail the same way: an agent is told why it is off, and not offered it.
    expect(ui.button('Run again')).toBeUndefined();
    expect(ui.text()).toContain('Run again is off until the AI Ops connection works again');
    ui.unmount();
    const admin = openPanel(key, 'admin');
    await admin.waitForText('401 from AI Ops: the HMAC secret does not match');
    // An admin, who can fix it, still has it, as a secondary action.
    expect(admin.button('Run again')!.props.appearance).toBe('default');
    expect(admin.all((node) => node.type === 'Link' && /\/jira\/settings\/apps\/configure\//.test(String(node.props.href)))).toHaveLength(1);
  });

  it('shows retrying n of N with the next attempt time while AI Ops is down', async () => {
    h.sandbox.runtime.timeScale = 1;
    h.aiops.scriptFaults({ status: 503, body: { detail: 'Service unavailable' } });
    const { key } = await h.createIssue();
    const ui = openPanel(key, 'agent');
    await ui.waitForText('Retrying (attempt 2 of 5)');
    expect(lozenges(ui)[0].appearance).toBe('moved');
    // An agent reads what happens next; AI Ops' own words are for admins.
    expect(ui.text()).toMatch(/AI Ops is not answering yet; the app tries again on its own\. Next attempt at/);
    expect(ui.text()).not.toContain('503');
    // Run again waits until the run has finished.
    expect(ui.button('Run again')!.props.isDisabled).toBe(true);
    ui.unmount();
    const admin = openPanel(key, 'admin');
    await admin.waitForText('503 from AI Ops: Service unavailable. Next attempt at');
    admin.unmount();
  });

  it('explains why nothing was sent, and tells a project admin where to change it', async () => {
    await h.updateSettings('settings:project:10000', { issueTypeIds: ['10001'] });
    const { key } = await h.createIssue({ issuetype: { name: 'Bug' } });
    await h.settle();
    const asAgent = openPanel(key, 'agent');
    await asAgent.waitForText('Not sent');
    expect(asAgent.text()).toContain('Why: issue type Bug is filtered out.');
    expect(asAgent.text()).not.toContain('project settings page');
    expect(asAgent.button('Run again')).toBeUndefined();
    asAgent.unmount();
    const asLead = openPanel(key, 'lead');
    await asLead.waitForText('Not sent');
    expect(asLead.all((node) => node.type === 'Link' && /\/settings\/apps\//.test(String(node.props.href)) && asLead.text(node) === "Open the project's Ticket Enhancer settings")).toHaveLength(1);
    // A project admin may send it anyway, after saying so.
    await asLead.click('Send anyway…');
    await asLead.waitForText('Send although the project\'s filters leave it out?');
    await asLead.click('Yes, send it');
    await h.settle();
    expect(h.runs()).toHaveLength(1);
  });

  it('says the project is not enabled', async () => {
    const response = await fetch(`${h.sandbox.url}/rest/api/3/issue`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' },
      body: JSON.stringify({ fields: { project: { key: 'SUP' }, summary: 'Printer on fire', issuetype: { name: 'Incident' } } }),
    });
    const { key } = (await response.json()) as { key: string };
    const ui = openPanel(key, 'agent');
    await ui.waitForText('Not sent');
    expect(ui.text()).toContain('the Ticket Enhancer is not enabled for this project');
  });

  it('offers Run again to users who can edit, and starts a new run that reaches the panel', async () => {
    const { key } = await h.createIssue();
    const ui = openPanel(key, 'agent');
    await ui.waitForText('Completed');
    await ui.click('Run again');
    // Another comment will be posted: the panel says so before it starts.
    await ui.waitForText('AI Ops analyses the issue again and posts its analysis as a new comment');
    await ui.click('Yes, run again');
    await ui.waitFor(() => ui.byType('DynamicTable').length === 1 && lozenges(ui)[0].text === 'Completed', 'a second completed run with history');
    expect(h.webhookRequests()).toHaveLength(2);
    expect(h.runs().map((r) => r.trigger).sort()).toEqual(['created', 'rerun']);
  });

  it('hides Run again from a viewer and refuses a hand-made invoke', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    const ui = openPanel(key, 'viewer');
    await ui.waitFor(() => lozenges(ui).length > 0, 'the status');
    expect(ui.button('Run again')).toBeUndefined();
    const forged = await h.sandbox.invokeResolver({ moduleKey: MODULE, functionKey: 'runAgain', payload: { issueId: '1' }, accountId: 'viewer', issueKey: key });
    expect(forged).toEqual({ error: { status: 403, message: 'only users who can edit this issue can run the Ticket Enhancer again' } });
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(1);
  });
});

describe('results by polling', () => {
  beforeEach(async () => {
    h = await new Harness({ timeScale: 50, results: 'poll' }).start();
  });

  it('reaches completed with the analysis through the status URL', async () => {
    const { key } = await h.createIssue();
    const ui = openPanel(key, 'agent');
    await ui.waitForText('Completed', 20_000);
    expect(ui.text()).toContain('Suggested acceptance criteria');
    expect(ui.text()).toContain('Fetched from the AI Ops status URL');
    // The payload still offers the callback URL; this AI Ops deployment just does not use it.
    expect(JSON.parse(h.webhookRequests()[0].rawBody).callback_url).toMatch(/aiops-callback/);
    expect(h.aiops.executions.values().next().value!.callbacks).toHaveLength(0);
  });

  it('ends timed out when the status URL never finishes, with the last status it saw', async () => {
    await h.updateSettings('settings:global', { statusUrlTemplate: '{base}/api/v1/executions/does-not-exist-{execution_id}/status', resultTimeLimitMinutes: 0.05 });
    const { key } = await h.createIssue();
    const ui = openPanel(key, 'admin');
    await ui.waitForText('Timed out', 25_000);
    expect(ui.text()).toContain('No result after 0.05 minutes of polling; the status URL answered 404: check the status URL template.');
  });
});


describe('results by callback', () => {
  beforeEach(async () => {
    h = await new Harness({ timeScale: 20, results: 'callback' }).start();
  });

  it('shows the named sections AI Ops posted to the callback URL', async () => {
    const { key } = await h.createIssue({ description: 'Steps: open the cart, press Pay.' });
    const ui = openPanel(key, 'agent');
    await ui.waitForText('Completed');
    // The first section is open; each other one opens on its own.
    expect(ui.byType('AdfRenderer')).toHaveLength(1);
    expect(ui.text()).toContain('Summary');
    for (const section of ['Missing information', 'Suggested acceptance criteria', 'Clearer summary', 'Priority hint']) expect(ui.text()).toContain(`Show ${section}`);
    expect(ui.text()).toContain('Sent back by AI Ops');
    // The suggestions came beside the result, and show as actions.
    expect(ui.text()).toContain('Suggested by the analysis');
  });
});
