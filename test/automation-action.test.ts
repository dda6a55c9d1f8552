/**
 * The Automation action "Send to AI Ops Ticket Enhancer", run as a rule runs it: the sandbox checks
 * the inputs against the manifest, then invokes the function with the documented payload as the
 * rule's user. Smart values such as {{issue.key}} are resolved by Automation before the call, so
 * the tests pass the values a rule would have.
 */
import { join } from 'node:path';
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { Harness } from './support/harness';
import { UiHost } from './support/ui-host';

let h: Harness;
let host: UiHost | undefined;

afterEach(async () => {
  host?.unmount();
  host = undefined;
  await h?.stop();
});

const ACTION = 'send-to-ticket-enhancer';
const AGENT = '557058:0c3f-agent';
const TRIAGE_AGENT = '0b5e3c7a-1d2f-4e6a-9c8b-7a6f5e4d3c2b';
const GLOBAL = 'settings:global';

const run = (inputs: Record<string, unknown>, as = AGENT) => h.sandbox.runtime.runAutomationAction(ACTION, inputs, as) as Promise<any>;

describe('the action in a rule', () => {
  beforeEach(async () => {
    h = await new Harness({ agents: [{ id: TRIAGE_AGENT, secret: EMBEDDED_AGENT_SECRET, results: 'comment' }] }).start();
  });

  it('sends the rule\'s issue through the pipeline, marked with the rule, and the panel says so', async () => {
    await h.updateSettings('settings:project:10000', { events: { created: false, updated: false } });
    const { key } = await h.createIssue({ summary: 'Checkout crashes when paying by card' });
    await h.settle();
    expect(h.runs()).toEqual([]);
    const answer = await run({ issueKey: key, ruleName: 'Triage on transition to In Progress' });
    expect(answer).toMatchObject({ status: 'queued', result: null, issueKey: key, deliveryId: expect.stringMatching(/^dlv_/) });
    await h.settle();
    const [stored] = h.runs();
    expect(stored).toMatchObject({ trigger: 'automation', automationRule: 'Triage on transition to In Progress', status: 'completed', requestedBy: AGENT });
    // Same payload and signing as any delivery.
    const [request] = h.webhookRequests();
    expect(request.headers['webhook-id']).toBe(stored.deliveryId);
    expect(JSON.parse(request.rawBody)).toMatchObject({ issue_key: key, event_type: 'jira:issue_created' });
    const panel = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'load', accountId: 'agent', issueKey: key })) as { body: any };
    expect(panel.body.current.trigger).toBe('Automation: Triage on transition to In Progress');
  });

  it('waits for the result when asked, and hands status and text to later steps', async () => {
    const { key } = await h.createIssue({ summary: 'Login page times out' });
    await h.settle();
    const answer = await run({ issueKey: key, waitForResult: true, ruleName: 'Enhance on comment' });
    expect(answer.status).toBe('completed');
    // The agent's comment, as text: its Markdown headings survive.
    expect(answer.result).toMatch(/^## \w/);
    expect(answer.result.length).toBeGreaterThan(50);
  }, 30_000);

  it('sends to another agent when the rule names one', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    await run({ issueKey: key, agentId: TRIAGE_AGENT });
    await h.settle();
    expect(h.webhookRequests().map((r) => r.agentId)).toEqual([EMBEDDED_AGENT_ID, TRIAGE_AGENT]);
  });

  it('names the cause and the fix when the rule\'s actor never allowed the app, or Jira is busy; nothing is sent', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    const sent = h.webhookRequests().length;
    // asUser() for an actor without consent: @forge/api throws NeedsAuthenticationError.
    h.sandbox.runtime.usersWithoutConsent.add(AGENT);
    expect((await run({ issueKey: key })).errors[0].message).toMatch(/^The rule's actor has not allowed AI Ops Ticket Enhancer to act for them.*Connected apps/);
    h.sandbox.runtime.usersWithoutConsent.delete(AGENT);
    // Jira's rate limit and a 5xx are not "the issue does not exist".
    h.sandbox.jira.rateLimit(1, /^\/rest\/api\/3\/issue\/[A-Z]+-\d+$/, 30);
    expect(await run({ issueKey: key })).toEqual({ errors: [{ message: `Jira is limiting the app's requests just now (429, asked to wait for 30 s): ${key} was not sent. Run the rule again later; nothing was changed.` }] });
    expect(h.webhookRequests()).toHaveLength(sent);
    expect(h.runs().filter((r) => r.trigger === 'automation')).toEqual([]);
    // The actor allowed the app: the same rule works.
    expect(await run({ issueKey: key })).toMatchObject({ status: 'queued', issueKey: key });
  });

  it('stops the rule with a message for its audit log when the configuration cannot work', async () => {
    const { key } = await h.createIssue();
    const { key: elsewhere } = await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'Printer on fire' });
    await h.settle();
    const sent = h.webhookRequests().length;
    expect(await run({ issueKey: key, agentId: 'triage' })).toEqual({ errors: [{ message: 'Agent id override "triage" is not a UUID such as 3f1c2a4e-8b7d-4c21-9e0f-5a6b7c8d9e0f.' }] });
    expect(await run({ issueKey: 'DEMO-999' })).toEqual({ errors: [{ message: "Issue DEMO-999 does not exist or the rule's actor cannot see it." }] });
    expect((await run({ issueKey: elsewhere })).errors[0].message).toMatch(/^Project SUP is not enabled for the Ticket Enhancer\. A project admin enables it/);
    // A Jira admin can let Automation send issues of any project.
    await h.updateSettings(GLOBAL, { automationRequiresEnabledProject: false });
    expect(await run({ issueKey: elsewhere })).toMatchObject({ status: 'queued', issueKey: elsewhere });
    await h.sandbox.kvs.handle('/api/v1/delete', { key: GLOBAL });
    await h.updateSettings('settings:project:10000', {});
    expect((await run({ issueKey: key })).errors[0].message).toBe("The AI Ops connection is not set up: a Jira admin sets it on the app's admin page (Apps, AI Ops Ticket Enhancer).");
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(sent + 1);
  });

  it('cannot be saved with inputs the manifest does not declare, or of the wrong type', async () => {
    await expect(run({ issueKey: 'DEMO-1', comment: 'hello' })).rejects.toThrow('"comment" is not an input of send-to-ticket-enhancer');
    await expect(run({ issueKey: 'DEMO-1', waitForResult: 'yes' })).rejects.toThrow('waitForResult must be a boolean');
    await expect(run({ agentId: TRIAGE_AGENT })).rejects.toThrow('issueKey is required');
  });
});

describe('the action\'s configuration form', () => {
  beforeEach(async () => {
    h = await new Harness().start();
  });

  const open = (extension: Record<string, unknown>) => {
    host = new UiHost(h.sandbox, { moduleKey: ACTION, user: 'admin', extension }).mount(join(__dirname, '..', 'src', 'ui', 'automation-action.tsx'));
    return host;
  };

  it('starts from {{issue.key}}, hands every change to the rule editor, and says what it costs', async () => {
    const ui = open({});
    await ui.waitForText('Send to AI Ops Ticket Enhancer');
    expect(ui.text()).toContain('about three function invocations');
    await ui.waitFor(() => ui.submitted.length > 0, 'the defaults handed over');
    expect(ui.submitted[0]).toEqual({ issueKey: '{{issue.key}}', agentId: '', waitForResult: false, ruleName: '{{rule.name}}' });
    const agent = ui.all((n) => n.type === 'Textfield' && n.props.name === 'agentId')[0];
    agent.props.onChange({ target: { value: 'not-a-uuid' } });
    await ui.waitForText('Agent id must be a UUID');
    expect(ui.submitted.at(-1)).toMatchObject({ agentId: 'not-a-uuid' });
  });

  it('shows the fields Automation reported invalid when it opens a saved action', async () => {
    const ui = open({ data: { inputs: { issueKey: '', agentId: '', waitForResult: true, ruleName: 'Old rule' } }, errors: { invalidInputs: { issueKey: { message: 'issueKey is required' } } } });
    await ui.waitForText('issueKey is required');
    expect(ui.submitted).toEqual([]);
  });
});
