/**
 * Acting on the Ticket Enhancer's analysis, through the panel's resolvers on the sandbox: a value a
 * person set is replaced only when confirmed, values the project lacks are refused by name, labels
 * are only ever added, a reply to the reporter goes where the project type says, votes are one per
 * person and reach AI Ops' feedback endpoint when the admin turns forwarding on (an AI Ops outage
 * changes nothing for the panel), and a project's auto-apply reports before it writes.
 */
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { invocationTotals } from '../sandbox/runtime/forge-runtime';
import { Harness } from './support/harness';

let h: Harness;
afterEach(() => h?.stop());

const PANEL = 'ticket-enhancer-panel';
type Answer = { body?: any; error?: { status: number; message: string } };
const call = async (functionKey: string, issueKey: string, payload: Record<string, unknown> = {}, as = 'agent') => (await h.sandbox.invokeResolver({ moduleKey: PANEL, functionKey, accountId: as, issueKey, payload })) as Answer;
const runOf = (key: string) => h.runs().find((r) => r.issueKey === key)!;
const fields = (key: string) => h.sandbox.jira.issue(key)!.fields as Record<string, any>;

async function analysed(extra: Record<string, unknown> = {}): Promise<{ key: string; deliveryId: string }> {
  const { key } = await h.createIssue({ summary: 'Checkout page crashes on submit', description: 'Open the cart and press Pay. Error 500 in Firefox on production.', ...extra });
  await h.settle();
  const run = runOf(key);
  expect(run.status).toBe('completed');
  return { key, deliveryId: run.deliveryId };
}

describe('suggestions, applied only as the agent approves', () => {
  it('replaces a priority a person set only when confirmed, refuses values the project lacks by name, and only ever adds labels', async () => {
    h = await new Harness().start();
    const { key, deliveryId } = await analysed({ labels: ['customer'] });

    const asked = await call('applySuggestion', key, { deliveryId, field: 'priority', values: ['High'] });
    expect(asked.body).toMatchObject({ applied: false, needsConfirm: true, current: 'Medium' });
    expect(asked.body.text).toMatch(/Medium/);
    expect(fields(key).priority.name).toBe('Medium');
    expect((await call('applySuggestion', key, { deliveryId, field: 'priority', values: ['High'], replace: true })).body).toEqual({ applied: true });
    expect(fields(key).priority.name).toBe('High');

    const unknown = await call('applySuggestion', key, { deliveryId, field: 'components', values: ['Checkout', 'Billing'] });
    expect(unknown.body).toMatchObject({ applied: false, notApplicable: ['Billing'] });
    expect(unknown.body.text).toContain('Billing');
    expect(fields(key).components).toEqual([]);
    const noType = await call('applySuggestion', key, { deliveryId, field: 'issuetype', values: ['Epic saga'] });
    expect(noType.body).toMatchObject({ applied: false, notApplicable: ['Epic saga'] });

    await call('applySuggestion', key, { deliveryId, field: 'labels', values: ['checkout', 'crash'] });
    expect(fields(key).labels).toEqual(['customer', 'checkout', 'crash']);
    expect((await call('applySuggestion', key, { deliveryId, field: 'labels', values: ['CHECKOUT'] })).body).toMatchObject({ applied: true, already: true });

    // The history says who replaced what.
    const done = (await call('load', key)).body.current.result.extras.done.map((d: { text: string }) => d.text);
    expect(done).toEqual(expect.arrayContaining([expect.stringMatching(/applied Priority: High \(was Medium\)/), expect.stringMatching(/applied Labels: checkout, crash/)]));
  });

  it('refuses what the browser cannot be trusted with: another issue\'s run, a run without a result, a malformed field', async () => {
    h = await new Harness().start();
    const first = await analysed();
    const second = await analysed();
    expect((await call('applySuggestion', second.key, { deliveryId: first.deliveryId, field: 'labels', values: ['x'] })).error).toMatchObject({ status: 404 });
    expect((await call('applySuggestion', first.key, { deliveryId: first.deliveryId, field: 'assignee', values: ['me'] })).error).toMatchObject({ status: 400, message: expect.stringContaining('field must be one of') });
    expect((await call('applySuggestion', first.key, { deliveryId: first.deliveryId, field: 'priority', values: ['High', 'Low'] })).error).toMatchObject({ status: 400 });
    expect((await call('linkIssue', first.key, { deliveryId: first.deliveryId, key: first.key })).error).toMatchObject({ status: 400 });
    // FIN is a project only the admin may browse: its issue is neither shown nor linked.
    const fin = await h.createIssue({ project: { key: 'FIN' }, summary: 'Quarter close' }, 'admin');
    const cards = (await call('resultExtras', first.key, { deliveryId: first.deliveryId, similar: [fin.key, second.key] })).body.cards.map((c: { key: string }) => c.key);
    expect(cards).toEqual([second.key]);
    expect((await call('linkIssue', first.key, { deliveryId: first.deliveryId, key: fin.key })).error).toMatchObject({ status: 404 });
    expect(fields(first.key).labels).toEqual([]);
  });

  it('without a suggestions block the analysis still shows as sections with the issues it names, and offers no field', async () => {
    h = await new Harness({ embedded: { suggestionsBlock: false } }).start();
    const earlier = await analysed();
    const { key } = await analysed();
    const result = (await call('load', key)).body.current.result;
    expect(result.structured).toBe(true);
    expect(result.sections[0].title).toBe('Summary');
    expect(result.extras.similar).toEqual([earlier.key]);
    expect(result.extras.suggestions).toEqual([]);
    // Missing information is read from the analysis's own section.
    expect(result.extras.missing.length).toBeGreaterThan(0);
  });
});

describe('what acting costs', () => {
  it('applying a suggestion is one resolver invocation and a handful of Jira calls; loading the actions one more', async () => {
    h = await new Harness().start();
    const earlier = await analysed();
    const { key, deliveryId } = await analysed();
    const measure = async (step: () => Promise<unknown>) => {
      const from = h.sandbox.runtime.invocations.length;
      await step();
      await h.settle();
      return invocationTotals(h.sandbox.runtime.invocations.slice(from));
    };
    const extras = await measure(() => call('resultExtras', key, { deliveryId, similar: [earlier.key] }));
    const apply = await measure(() => call('applySuggestion', key, { deliveryId, field: 'components', values: ['Checkout'] }));
    expect(apply).toMatchObject({ invocations: 1, queuePushes: 0, egressRequests: 0 });
    expect(apply.jiraRequests).toBeLessThanOrEqual(7);
    expect(extras.invocations).toBe(1);
    expect(extras.jiraRequests).toBeLessThanOrEqual(8);
  });
});

describe('asking the reporter', () => {
  it('on a service request, posts an internal note or a reply the customer sees, as chosen; the history says which', async () => {
    h = await new Harness().start();
    await h.updateSettings('settings:project:10010', { enabled: true, events: { created: true, updated: false }, issueTypeIds: [], priorityIds: [], labelsInclude: [], labelsExclude: [] });
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'comment', behaviour: { commentVisibility: 'internal' } });
    const request = await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'VPN drops every hour', description: 'Since Monday.' });
    await h.settle();
    const { deliveryId } = runOf(request.key);
    expect((await call('askReporter', request.key, { deliveryId, text: 'Which VPN client version?', internal: true })).body).toEqual({ posted: true, kind: 'internalNote' });
    expect((await call('askReporter', request.key, { deliveryId, text: 'Could you send the client log?' })).body).toEqual({ posted: true, kind: 'customerReply' });
    const [note, reply] = h.sandbox.jira.issue(request.key)!.comments!.slice(-2);
    expect(note.internal).toBe(true);
    expect(reply.internal).toBeUndefined();
    // No mention on a service request: the customer is the reporter and reads the reply by portal and e-mail.
    expect(JSON.stringify(reply.body)).not.toContain('"mention"');
    expect((await call('askReporter', request.key, { deliveryId, text: '   ' })).error).toMatchObject({ status: 400, message: 'the reply is empty' });
  });
});

describe('was it helpful', () => {
  it('keeps one vote per person, changeable and withdrawable; forwards it when the admin says so, and an AI Ops outage changes nothing for the panel', async () => {
    h = await new Harness().start();
    const { key, deliveryId } = await analysed();
    await call('feedback', key, { deliveryId, helpful: true });
    await call('feedback', key, { deliveryId, helpful: false, reason: 'Root cause is wrong' });
    await call('feedback', key, { deliveryId, helpful: true }, 'lead');
    let extras = (await call('load', key)).body.current.result.extras;
    expect(extras.feedback).toEqual({ helpful: 1, notHelpful: 1, mine: false, myReason: 'Root cause is wrong' });
    await h.settle();
    expect(h.aiops.feedback).toEqual([]); // forwarding is off by default

    await h.updateSettings('settings:global', { forwardFeedback: true });
    await call('feedback', key, { deliveryId, helpful: false, reason: 'Root cause is wrong' });
    await h.settle();
    expect(h.aiops.feedback).toHaveLength(1);
    expect(h.aiops.feedback[0]).toMatchObject({ tenant_id: expect.any(String), ticket_id: key, feedback_type: 'thumbs_down', feedback_comment: 'Root cause is wrong' });
    expect(JSON.stringify(h.aiops.feedback[0])).not.toMatch(/agent|technician_email/);

    h.aiops.outage = 'unavailable';
    expect((await call('feedback', key, { deliveryId, helpful: null })).body).toEqual({ saved: true });
    expect((await call('feedback', key, { deliveryId, helpful: true }, 'viewer')).error).toMatchObject({ status: 403 });
    await call('feedback', key, { deliveryId, helpful: false }, 'lead');
    await h.settle();
    extras = (await call('load', key)).body.current.result.extras;
    expect(extras.feedback).toEqual({ helpful: 0, notHelpful: 1 });
    expect(runOf(key).feedbackForwarded).toMatchObject({ ok: false, detail: 'AI Ops answered 503' });
    expect(h.aiops.feedback).toHaveLength(1);
    expect((await call('feedback', key, { deliveryId, helpful: 'yes' })).error).toMatchObject({ status: 400 });
  });
});

describe('a project\'s auto-apply', () => {
  it('reports what it would add in dry-run, adds labels above the threshold when on, and never below it', async () => {
    h = await new Harness().start();
    await h.updateSettings('settings:project:10000', { autoApplyLabels: 'dry-run', autoApplyThreshold: 0.8 });
    const dry = await analysed({ labels: ['customer'] });
    await h.settle();
    expect(fields(dry.key).labels).toEqual(['customer']);
    expect(runOf(dry.key).actions).toEqual([expect.objectContaining({ kind: 'would-apply', target: 'labels', value: 'checkout, firefox, crash' })]);

    await h.updateSettings('settings:project:10000', { autoApplyLabels: 'on' });
    const on = await analysed({ labels: ['customer'] });
    await h.settle();
    expect(fields(on.key).labels).toEqual(['customer', 'checkout', 'firefox', 'crash']);
    expect(runOf(on.key).actions).toEqual([expect.objectContaining({ kind: 'auto-applied', value: 'checkout, firefox, crash' })]);
    // The earlier run keeps the choice it was made under.
    expect(fields(dry.key).labels).toEqual(['customer']);

    // The embedded agent rates its suggestions 0.85: a 0.9 threshold applies nothing.
    await h.updateSettings('settings:project:10000', { autoApplyThreshold: 0.9 });
    const below = await analysed();
    await h.settle();
    expect(fields(below.key).labels).toEqual([]);
    expect(runOf(below.key).actions ?? []).toEqual([]);
  });
});
