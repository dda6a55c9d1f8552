/**
 * Results as the AI Ops platform returns them today: its agent posts the analysis as a Jira comment
 * with its own Jira account. Here the embedded AI Ops accepts but stays silent, and the test posts
 * the comments itself, as that account or as anyone else, through Jira's REST API.
 */
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { filterDelivers } from '../sandbox/runtime/jira-expression';
import { signRequest } from '../src/core/signing';
import { adfParagraphs, Harness } from './support/harness';

let h: Harness;

beforeEach(async () => {
  h = await new Harness().start();
  // Accepts and never answers: the test decides what comes back, and when.
  h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
});

afterEach(() => h.stop());


const comment = (issueKey: string, as: string, ...paragraphs: string[]) => h.comment(issueKey, as, ...paragraphs);

async function editComment(issueKey: string, id: string, as: string, text: string) {
  const response = await fetch(`${h.sandbox.url}/rest/api/3/issue/${issueKey}/comment/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': as }, body: JSON.stringify({ body: adfParagraphs(text) }) });
  expect(response.status).toBe(200);
  await h.settle();
}

async function deleteComment(issueKey: string, id: string, as: string) {
  const response = await fetch(`${h.sandbox.url}/rest/api/3/issue/${issueKey}/comment/${id}`, { method: 'DELETE', headers: { 'X-Sandbox-Account': as } });
  expect(response.status).toBe(204);
  await h.settle();
}

const panel = async (issueKey: string, as = 'agent') => ((await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'load', accountId: as, issueKey })) as { body: any }).body;
const property = (issueKey: string) => h.sandbox.jira.issue(issueKey)!.properties['ticket-enhancer'] as Record<string, unknown>;
const commentInvocations = () => h.sandbox.runtime.invocations.filter((i) => i.functionKey === 'on-comment-event');

async function acceptedIssue() {
  const issue = await h.createIssue({ description: 'Steps: open the cart, press Pay.' });
  await h.settle();
  expect(h.runs().at(-1)!.status).toBe('accepted');
  return issue;
}

it('completes the run with the AI Ops account\'s comment, and the panel shows it rendered with who and when', async () => {
  const { key } = await acceptedIssue();
  const id = await comment(key, 'aiops', '## Summary', '- The cart crashes on Pay\n- Steps are missing');
  const [run] = h.runs();
  expect(run).toMatchObject({ status: 'completed', result: { kind: 'comment', commentId: id, authorAccountId: '712020:5e1f-aiops-bot', authorName: 'AI Ops Bot' } });
  expect(property(key)).toMatchObject({ status: 'completed', resultCommentId: id });
  const view = await panel(key);
  expect(view.status.label).toBe('Completed');
  expect(view.current.result).toMatchObject({ source: 'Posted as a comment by AI Ops Bot', postedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  expect(view.current.result.link).toBe(`${h.sandbox.url}/browse/${key}?focusedCommentId=${id}`);
  expect(JSON.stringify(view.current.result.sections)).toContain('"type":"heading"');
});

it('ignores comments by anyone else; comments on issues with no open run never invoke the app', async () => {
  const { key } = await acceptedIssue();
  const before = commentInvocations().length;
  await comment(key, 'agent', 'I can reproduce this too.');
  expect(h.runs()[0].status).toBe('accepted');
  // A run is open there: the trigger reads the issue's runs, and writes nothing.
  const whileOpen = commentInvocations().slice(before);
  expect(whileOpen).toHaveLength(1);
  expect(whileOpen[0].kvs).toMatchObject({ reads: 1, writes: 0 });

  // The manifest's filter reads the issue property: no property, or a settled run, and the app is not invoked.
  const quiet = await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' } });
  await h.settle();
  await comment(quiet.key, 'aiops', 'A bot comment on an issue that was never sent.');
  const resultId = await comment(key, 'aiops', 'The analysis.');
  expect(h.runs()[0]).toMatchObject({ status: 'completed', result: { commentId: resultId } });
  const invoked = commentInvocations().length;
  await comment(key, 'agent', 'Thanks, that was it.');
  expect(commentInvocations()).toHaveLength(invoked);
  expect(invoked - before).toBe(2);
  // Only the account that wrote the result still reaches the app once it is settled: AI Ops may comment twice.
  const second = await comment(key, 'aiops', 'A second bot comment after the result.');
  expect(commentInvocations()).toHaveLength(invoked + 1);
  expect(h.runs()[0].result.commentId).toBe(resultId);
  expect(h.runs()[0].extraComments).toEqual([{ commentId: second, created: expect.any(String), why: 'duplicate' }]);
});

it('a result comment that comes faster than the filter sees the issue property is found at the run\'s deadline', async () => {
  // The filter's property values may be "a few seconds" old: here older than the agent took.
  h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'comment', workMs: 0 });
  h.sandbox.runtime.propertyFilterLagMs = 10 * 60_000;
  const { key } = await h.createIssue({ description: 'Steps: open the cart, press Pay.' });
  await h.settle();
  expect(h.sandbox.jira.issue(key)!.comments).toHaveLength(1);
  expect(commentInvocations()).toHaveLength(0);
  expect(h.runs()[0].status).toBe('accepted');
  h.sandbox.runtime.advanceClock(31 * 60_000);
  await h.sweep();
  expect(h.runs()[0]).toMatchObject({ status: 'completed', result: { kind: 'comment', authorName: 'AI Ops Bot' } });
  expect(property(key)).toMatchObject({ status: 'completed' });
});

it('when the platform cannot evaluate the comment filter, comments still reach the trigger, which checks for itself', async () => {
  const { key } = await acceptedIssue();
  // As if entity property values stopped being offered to filters: reading event.runtime fails.
  h.sandbox.runtime.filterEvaluator = (expression, event) => filterDelivers(expression, { ...event, runtime: undefined });
  const id = await comment(key, 'aiops', 'The analysis.');
  expect(h.runs()[0]).toMatchObject({ status: 'completed', result: { commentId: id } });
  expect(h.sandbox.runtime.platformLog.some((line) => line.includes('filter of trigger comment-event-trigger failed'))).toBe(true);
});

it('updates the result when the comment is edited, and says so when it is deleted', async () => {
  const { key } = await acceptedIssue();
  const id = await comment(key, 'aiops', 'First take.');
  await editComment(key, id, 'aiops', 'Second take, after a closer look.');
  let view = await panel(key);
  expect(JSON.stringify(view.current.result.sections)).toContain('Second take, after a closer look.');
  expect(view.current.result.edited).toBe(true);
  await deleteComment(key, id, 'aiops');
  view = await panel(key);
  expect(view.status.label).toBe('Completed');
  expect(view.current.result.notice).toBe('The AI Ops comment with this result was deleted.');
  expect(h.runs()[0].result.deleted).toBe(true);
});

it('with two runs waiting, the comment completes the newest accepted one and the older reads superseded', async () => {
  // Run again waits for an open run to end; an edit of the description (updates enabled) starts a second one.
  await h.updateSettings('settings:project:10000', { events: { created: true, updated: true } });
  const { key } = await acceptedIssue();
  const edited = await fetch(`${h.sandbox.url}/rest/api/3/issue/${key}`, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' }, body: JSON.stringify({ fields: { description: 'More detail.' } }) });
  expect(edited.status).toBe(204);
  await h.settle();
  await comment(key, 'aiops', 'The analysis.');
  const runs = h.runs();
  expect(runs.map((r) => [r.trigger, r.status])).toEqual([
    ['created', 'superseded'],
    ['updated', 'completed'],
  ]);
  expect(property(key)).toMatchObject({ status: 'completed', deliveryId: runs[1].deliveryId });
  const view = await panel(key);
  expect(view.history[0]).toMatchObject({ label: 'Superseded', reason: expect.stringContaining('later run') });
});

it('times a silent run out, naming the account it waited for, and a later comment still completes it', async () => {
  const { key } = await acceptedIssue();
  h.sandbox.runtime.advanceClock(31 * 60_000);
  await h.sweep();
  let [run] = h.runs();
  expect(run.status).toBe('timed-out');
  expect(run.reason).toBe(`no comment by AI Ops Bot (712020:5e1f-aiops-bot) arrived within 30 minutes of AI Ops accepting the ticket (execution ${run.executionId})`);
  expect(property(key)).toMatchObject({ status: 'timed-out' });
  expect((await panel(key, 'admin')).failure.text).toMatch(/^No comment by AI Ops Bot/);
  await comment(key, 'aiops', 'Sorry, I was slow.');
  [run] = h.runs();
  expect(run.status).toBe('completed');
  expect(property(key)).toMatchObject({ status: 'completed' });
});

it('asks for the comment event again when Jira rate-limits the property read, and the result still lands', async () => {
  const { key } = await acceptedIssue();
  h.sandbox.jira.rateLimit(1, /\/properties\/ticket-enhancer$/, 30);
  const id = await comment(key, 'aiops', '## Summary', 'The cart crashes on Pay.');
  const [first] = commentInvocations();
  expect(first.error).toBeUndefined();
  // The platform delivers the event again after Retry-After (30 s on the sandbox's clock).
  h.sandbox.runtime.advanceClock(31_000);
  await h.settle();
  expect(commentInvocations()).toHaveLength(2);
  expect(h.runs()[0]).toMatchObject({ status: 'completed', result: { commentId: id } });
  expect(property(key)).toMatchObject({ status: 'completed', resultCommentId: id });
});

it('at the deadline, finds the AI Ops account\'s comment whose event never reached the app, rather than timing the run out', async () => {
  const { key } = await acceptedIssue();
  // The comment trigger's invocation dies (a Jira 429, a platform fault): nothing delivers that event again.
  h.sandbox.runtime.injectFault({ functionKey: 'on-comment-event', nth: 1, kind: 'crash' });
  const id = await comment(key, 'aiops', '## Summary', 'The cart crashes on Pay.');
  expect(commentInvocations().at(-1)!.error).toBeDefined();
  expect(h.runs()[0].status).toBe('accepted');
  h.sandbox.runtime.advanceClock(31 * 60_000);
  await h.sweep();
  const [run] = h.runs();
  expect(run).toMatchObject({ status: 'completed', result: { kind: 'comment', commentId: id, authorName: 'AI Ops Bot' } });
  expect(property(key)).toMatchObject({ status: 'completed', resultCommentId: id });
  expect((await panel(key)).status.label).toBe('Completed');
});

it('also completes a run from a signed callback, whatever the result mode', async () => {
  const { key } = await acceptedIssue();
  const [request] = h.webhookRequests();
  const callbackUrl = JSON.parse(request.rawBody).callback_url as string;
  const body = JSON.stringify({ execution_id: (request.answer as { execution_id: string }).execution_id, status: 'completed', result: '## From the callback' });
  const response = await fetch(callbackUrl, { method: 'POST', headers: { ...signRequest(body, [Buffer.from(EMBEDDED_AGENT_SECRET, 'base64')], 'cb-1', Date.now()) }, body });
  expect(response.status).toBe(200);
  await h.settle();
  expect(h.runs()[0].status).toBe('completed');
  expect(JSON.stringify((await panel(key)).current.result.sections)).toContain('From the callback');
});

it('finds the JQL alias for each state', async () => {
  const { key } = await acceptedIssue();
  const search = async (jql: string) => {
    const response = await fetch(`${h.sandbox.url}/rest/api/3/search/jql?jql=${encodeURIComponent(jql)}`, { headers: { 'X-Sandbox-Account': 'agent' } });
    return ((await response.json()) as { issues: Array<{ key: string }> }).issues.map((i) => i.key);
  };
  expect(await search('ticketEnhancerStatus = accepted')).toEqual([key]);
  await comment(key, 'aiops', 'Done.');
  expect(await search('ticketEnhancerStatus = completed')).toEqual([key]);
  expect(await search('issue.property[ticket-enhancer].status = completed')).toEqual([key]);
});
