/**
 * The AI Ops platform as it really runs (AIOPS-CONTRACT "What the platform does in practice"):
 * a run marker ties the comment to its run, a person's account comments by hand too, the agent
 * comments twice or not at all, its execution records say why, comments on service requests reach
 * customers, and a secret it stops accepting is noticed. Each scenario uses the embedded AI Ops'
 * own behaviour where it has one, and comments through Jira's REST API where the test must decide.
 */
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { markerInstruction } from '../src/core/run-marker';
import { adfParagraphs, Harness } from './support/harness';

const MARKER_INSTRUCTIONS = `Analyse the ticket. Post your analysis as a comment with jira_add_comment. ${markerInstruction(false)}`;

let h: Harness;
afterEach(() => h?.stop());


const comment = (issueKey: string, as: string, ...paragraphs: string[]) => h.comment(issueKey, as, ...paragraphs);

async function editDescription(issueKey: string, text: string) {
  const response = await fetch(`${h.sandbox.url}/rest/api/3/issue/${issueKey}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' },
    body: JSON.stringify({ fields: { description: adfParagraphs(text) } }),
  });
  expect(response.status).toBe(204);
  await h.settle();
}

const panel = async (issueKey: string, as = 'agent') => ((await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'load', accountId: as, issueKey })) as { body: any }).body;
const runAgain = (issueKey: string, as = 'agent') => h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'runAgain', accountId: as, issueKey });
const byId = (deliveryId: string) => h.runs().find((run) => run.deliveryId === deliveryId)!;

describe('a run marker ties the comment to its run', () => {
  it('with a person\'s account and two runs waiting, each marked comment completes the run it names; the person\'s own comments do not count', async () => {
    h = await new Harness({ embedded: { account: 'person', appSettings: { runMarker: true } } }).start();
    // The agent works, the test comments: it decides which run each comment names, and when.
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
    // Edits of the description send the issue again (the project sends updates): two runs wait.
    await h.updateSettings('settings:project:10000', { events: { created: true, updated: true } });
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    await editDescription(key, 'Open the cart and press Pay. It fails in Firefox only.');
    const [second, first] = h.runs().filter((run) => run.issueKey === key).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    expect([first.status, second.status]).toEqual(['accepted', 'accepted']);
    expect(first.markerExpected).toBe(true);

    // Sam, whose account AI Ops signs in with, answers a colleague while both runs wait.
    const own = await comment(key, 'sam', 'I will look at the logs after lunch.');
    expect([byId(first.deliveryId).status, byId(second.deliveryId).status]).toEqual(['accepted', 'accepted']);
    expect(byId(second.deliveryId).extraComments).toEqual([{ commentId: own, created: expect.any(String), why: 'unmarked' }]);

    // The older run's analysis arrives first: by time alone the newer run would have taken it.
    const firstResult = await comment(key, 'sam', '## Summary', 'The cart crashes on Pay.', `Ticket Enhancer run ${first.deliveryId}`);
    expect(byId(first.deliveryId)).toMatchObject({ status: 'completed', matchedBy: 'marker', result: { commentId: firstResult } });
    expect(byId(second.deliveryId).status).toBe('accepted');
    const secondResult = await comment(key, 'sam', '## Summary', 'Still the cart.', `**Ticket Enhancer run ${second.deliveryId}**`);
    expect(byId(second.deliveryId)).toMatchObject({ status: 'completed', matchedBy: 'marker', result: { commentId: secondResult } });

    // The panel shows the analysis without the marker line, and says which rule matched.
    const view = await panel(key);
    expect(JSON.stringify(view.current.result.sections)).toContain('Still the cart.');
    expect(JSON.stringify(view.current.result.sections)).not.toContain('Ticket Enhancer run');
    expect(view.current.notes).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'match', text: 'Matched to this run by its run marker.' })]));
    const older = view.history.find((run: { deliveryId: string }) => run.deliveryId === first.deliveryId);
    expect(older.notes.map((n: { text: string }) => n.text)).toContain('Matched to this run by its run marker.');
  });

  it('the embedded AI Ops fills the marker from its instructions, as the platform\'s worker does, and the strict payload marks by timestamp', async () => {
    h = await new Harness({ embedded: { account: 'person', instructions: MARKER_INSTRUCTIONS, appSettings: { runMarker: true } } }).start();
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'completed', matchedBy: 'marker', result: { authorName: 'Sam Support' } });
    const posted = h.sandbox.jira.issue(key)!.comments!.at(-1)!;
    expect(JSON.stringify(posted.body)).toContain(`Ticket Enhancer run ${run.deliveryId}`);

    // The strict payload has no delivery_id: the line uses {timestamp}, the accepted payload's own.
    await h.updateSettings('settings:global', { strictPayload: true });
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'comment', instructions: `Analyse the ticket. ${markerInstruction(true)}` });
    const strict = await h.createIssue({ description: 'Export to CSV drops the last row.' });
    await h.settle();
    const strictRun = h.runs().find((r) => r.issueKey === strict.key)!;
    const sent = JSON.parse(h.webhookRequests().at(-1)!.rawBody) as { timestamp: string; delivery_id?: string };
    expect(sent.delivery_id).toBeUndefined();
    expect(strictRun).toMatchObject({ status: 'completed', matchedBy: 'marker', markerTimestamp: sent.timestamp });
  });

  it('instructions with a stray {word} are used unfilled, and empty braces fail every run: the lookup says so', async () => {
    h = await new Harness({ embedded: { instructions: `Answer in {language}. ${markerInstruction(false)}`, appSettings: { runMarker: true, aiopsLookup: true } } }).start();
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    // Not filled: the comment carries the literal placeholder, which names no run, and counts for nothing.
    const comments = h.sandbox.jira.issue(key)!.comments!;
    expect(JSON.stringify(comments.at(-1)!.body)).toContain('Ticket Enhancer run {delivery_id}');
    expect(h.runs()[0].status).toBe('accepted');

    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'comment', instructions: 'Post the analysis {} as a comment.' });
    const broken = await h.createIssue({ description: 'Export to CSV drops the last row.' });
    await h.settle();
    const run = h.runs().find((r) => r.issueKey === broken.key)!;
    h.sandbox.runtime.advanceClock(31 * 60_000);
    await h.sweep();
    expect(byId(run.deliveryId)).toMatchObject({ status: 'failed', failureCause: 'agent' });
    expect(byId(run.deliveryId).reason).toBe('failed at AI Ops: Replacement index 0 out of range for positional args tuple (1 attempts recorded there)');
  });
});

describe('duplicate and missing comments', () => {
  it('AI Ops comments twice after a retry: the first comment is the result, the second is listed and not taken by the next run', async () => {
    h = await new Harness({ embedded: { behaviour: { duplicateComment: true } } }).start();
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    const [run] = h.runs();
    const comments = h.sandbox.jira.issue(key)!.comments!;
    expect(comments).toHaveLength(2);
    expect(run).toMatchObject({ status: 'completed', matchedBy: 'author-time', result: { commentId: comments[0].id } });
    expect(run.extraComments).toEqual([{ commentId: comments[1].id, created: comments[1].created, why: 'duplicate' }]);
    const view = await panel(key);
    const note = view.current.notes.find((n: { kind: string }) => n.kind === 'extra');
    expect(note).toMatchObject({ text: 'AI Ops commented twice: a later comment by its account was not taken as a result', link: `${h.sandbox.url}/browse/${key}?focusedCommentId=${comments[1].id}` });

    // The next run takes only what comes after AI Ops accepted it: the duplicate is older.
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
    await runAgain(key);
    await h.settle();
    h.sandbox.runtime.advanceClock(31 * 60_000);
    await h.sweep();
    expect(h.runs().find((r) => r.deliveryId !== run.deliveryId && r.issueKey === key)!.status).toBe('timed-out');
  });

  it('a silent failure reads "failed at AI Ops" with the platform\'s error once the lookup finds it, within two checks of the failure', async () => {
    h = await new Harness({ embedded: { behaviour: { silentFailure: 'budget' }, appSettings: { aiopsLookup: true } } }).start();
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    const [run] = h.runs();
    expect(run.status).toBe('accepted');
    expect(h.sandbox.jira.issue(key)!.comments ?? []).toHaveLength(0);
    const requestsBefore = lookupRequests().length;
    // Five minutes on: the first check looks it up; the failure is recent, so the platform may retry.
    h.sandbox.runtime.advanceClock(5 * 60_000);
    await h.sweep();
    expect(byId(run.deliveryId)).toMatchObject({ status: 'accepted', lookup: { found: 'failed', attempts: 1 } });
    const perLookup = lookupRequests().length - requestsBefore;
    expect(perLookup).toBe(2);
    // Ten quiet minutes after the failure: no retry came, so the run ends failed at AI Ops.
    h.sandbox.runtime.advanceClock(5 * 60_000);
    await h.sweep();
    const failed = byId(run.deliveryId);
    expect(failed).toMatchObject({ status: 'failed', failureCause: 'agent' });
    expect(failed.reason).toBe('failed at AI Ops: Budget exhausted: the tenant has used its token budget for this period (1 attempts recorded there)');
    const admin = await panel(key, 'admin');
    expect(admin.failure.text).toBe('Failed at AI Ops: Budget exhausted: the tenant has used its token budget for this period (1 attempts recorded there)');
    // An agent reads whom to ask, not the platform's words.
    expect((await panel(key)).failure.text).not.toContain('Budget');
  });

  it('a model that claims a comment it never posted: the analysis shows from AI Ops\' record, marked as not posted to Jira', async () => {
    h = await new Harness({ embedded: { behaviour: { silentFailure: 'claimed' }, appSettings: { aiopsLookup: true } } }).start();
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    h.sandbox.runtime.advanceClock(5 * 60_000);
    await h.sweep();
    const [run] = h.runs();
    // The claim is not a comment: no comment tool call in the trace; the model's last answer holds the analysis.
    expect(run).toMatchObject({ status: 'completed', resultFromRecord: { why: 'no-comment' } });
    expect(h.sandbox.jira.issue(key)!.comments ?? []).toHaveLength(0);
    const view = await panel(key);
    expect(view.current.result.source).toBe("From AI Ops' record of the run: not posted to Jira");
    expect(view.current.result.notice).toMatch(/^AI Ops finished the analysis but posted no comment on the issue/);
    expect(JSON.stringify(view.current.result.sections)).toContain('Missing information');
  });

  it('a long analysis Jira refuses: the run says why, with the analysis from the record', async () => {
    h = await new Harness({ embedded: { behaviour: { extraAnalysisChars: 40_000 }, appSettings: { aiopsLookup: true } } }).start();
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    expect(h.aiops.comments.at(-1)).toMatchObject({ issueKey: key, status: 400 });
    h.sandbox.runtime.advanceClock(5 * 60_000);
    await h.sweep();
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'completed', resultFromRecord: { why: 'comment-refused' } });
    expect(run.resultFromRecord.detail).toMatch(/^the analysis is \d+ characters long; Jira takes at most 32767 in a comment$/);
    const view = await panel(key);
    expect(view.current.result.notice).toMatch(/could not post it as a comment \(the analysis is \d+ characters long/);
  });

  it('treats 401 from the lookup routes as "not available": the run times out as before, and Diagnose says so', async () => {
    h = await new Harness({ embedded: { behaviour: { silentFailure: 'budget' }, lookupRequiresLogin: true, appSettings: { aiopsLookup: true } } }).start();
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    h.sandbox.runtime.advanceClock(31 * 60_000);
    await h.sweep();
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'timed-out', lookup: { found: 'unavailable', detail: 'the history route answered 401' } });
    const admin = await panel(key, 'admin');
    expect(admin.current.notes.map((n: { text: string }) => n.text)).toContain('Could not check at AI Ops: its execution records are not available to the app. The history route answered 401.');
    const diagnose = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-admin', functionKey: 'diagnose', accountId: 'admin', payload: {} })) as { body: { steps: Array<{ key: string; status: string; detail: string }> } };
    expect(diagnose.body.steps.find((s) => s.key === 'aiops-lookup')).toMatchObject({ status: 'failed', detail: expect.stringContaining('looking runs up is not available') });
  });

  it('"Check at AI Ops" is a Jira admin\'s, on the issue\'s newest run only', async () => {
    h = await new Harness({ embedded: { behaviour: { silentFailure: 'no-tools' }, appSettings: { aiopsLookup: true } } }).start();
    const { key } = await h.createIssue({ description: 'Open the cart and press Pay.' });
    await h.settle();
    expect((await panel(key, 'admin')).canCheckAtAiops).toBe(true);
    expect((await panel(key, 'agent')).canCheckAtAiops).toBeUndefined();
    const refused = await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'checkAtAiops', accountId: 'lead', issueKey: key, payload: {} });
    expect(refused).toMatchObject({ error: { status: 403 } });
    const checked = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'checkAtAiops', accountId: 'admin', issueKey: key, payload: {} })) as { body: { found: string; text: string } };
    expect(checked.body).toMatchObject({ found: 'failed', text: 'Checked at AI Ops: the last of 1 recorded attempts failed. No tools were loaded from the MCP servers.' });
  });
});

describe('comments customers can see', () => {
  it('flags a public result comment on a service request for agents and admins, and Diagnose counts it; an internal one is not flagged', async () => {
    h = await new Harness().start();
    await h.updateSettings('settings:project:10010', { enabled: true, events: { created: true, updated: false }, issueTypeIds: [], priorityIds: [], labelsInclude: [], labelsExclude: [] });
    const request = await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'VPN drops every hour', description: 'Since Monday.' });
    await h.settle();
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'completed', serviceDesk: true, result: { customerVisible: true } });
    const view = await panel(request.key);
    expect(view.current.result.warning).toMatch(/^Customers can see this comment/);
    const diagnose = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-admin', functionKey: 'diagnose', accountId: 'admin', payload: {} })) as { body: { steps: Array<{ key: string; status: string; detail: string }> } };
    expect(diagnose.body.steps.find((s) => s.key === 'public-comments')).toMatchObject({ status: 'failed', detail: expect.stringContaining(request.key) });

    // The agent's tool made internal (mcp-atlassian add_comment public=False): nothing to flag.
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'comment', behaviour: { commentVisibility: 'internal' } });
    const quiet = await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'Printer offline', description: 'Floor 3.' });
    await h.settle();
    const internal = h.runs().find((r) => r.issueKey === quiet.key)!;
    expect(internal).toMatchObject({ status: 'completed', serviceDesk: true });
    expect(internal.result.customerVisible).toBeUndefined();
    expect((await panel(quiet.key)).current.result.warning).toBeUndefined();
  });
});

describe('secrets as the platform issues them', () => {
  it('refuses a secret that is not ASCII in base64 mode, naming why AI Ops could never accept it', async () => {
    h = await new Harness().start();
    const view = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-admin', functionKey: 'load', accountId: 'admin', payload: {} })) as { body: { settings: Record<string, unknown> } };
    const saved = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-admin', functionKey: 'save', accountId: 'admin', payload: { settings: view.body.settings, secret: 'Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyé=' } })) as { body: { ok: boolean; errors: Array<{ field: string; message: string }> } };
    expect(saved.body.ok).toBe(false);
    expect(saved.body.errors).toContainEqual({ field: 'secret', message: expect.stringMatching(/^HMAC secret contains "é", which are not ASCII: AI Ops cannot decode such a secret and answers 401 to every request/) });
    // The reference server, given such a secret, refuses everything with 401, as Python's b64decode raises.
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: 'Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyé=' });
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests().at(-1)!.status).toBe(401);
  });

  it('after the secret worked, a 401 streak says since when, for how many runs, and redelivers them in one click once the secret is updated', async () => {
    h = await new Harness().start();
    await h.createIssue({ summary: 'Worked before' });
    await h.settle();
    expect(h.runs()[0].status).toBe('completed');
    // AI Ops regenerated the agent's secret: it checks only its current one.
    const regenerated = Buffer.alloc(32, 7).toString('base64');
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: regenerated });
    await h.createIssue({ summary: 'Refused one' });
    await h.createIssue({ summary: 'Refused two' });
    await h.settle();
    const refused = h.runs().filter((run) => run.httpStatus === 401);
    expect(refused).toHaveLength(2);

    const load = async () => ((await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-admin', functionKey: 'load', accountId: 'admin', payload: {} })) as { body: any }).body;
    let admin = await load();
    expect(admin.health.secretStreak).toMatchObject({ count: 2, since: expect.any(String) });
    expect(admin.health.streakSecretUnchanged).toBe(true);
    const issuePanel = await panel(refused[0].issueKey, 'admin');
    expect(issuePanel.secretStopped).toEqual({ since: admin.health.secretStreak.since, count: 2 });
    expect((await panel(refused[0].issueKey, 'agent')).secretStopped).toBeUndefined();

    // The admin pastes the regenerated secret; the streak now offers the redelivery.
    const saved = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-admin', functionKey: 'save', accountId: 'admin', payload: { settings: admin.settings, secret: regenerated } })) as { body: { ok: boolean } };
    expect(saved.body.ok).toBe(true);
    admin = await load();
    expect(admin.health.streakSecretUnchanged).toBe(false);
    const started = (await h.sandbox.invokeResolver({
      moduleKey: 'ticket-enhancer-admin',
      functionKey: 'bulkStart',
      accountId: 'admin',
      payload: { kind: 'redeliver', filter: { since: admin.health.secretStreak.firstCreated, statuses: ['failed'], httpStatus: 401 } },
    })) as { body: { ok: boolean } };
    expect(started.body.ok).toBe(true);
    await h.settle();
    await h.sweep();
    const redelivered = h.runs().filter((run) => run.trigger === 'redeliver');
    expect(redelivered.map((run) => run.status).sort()).toEqual(['completed', 'completed']);
    expect((await load()).health.secretStreak).toBeUndefined();
  });
});

function lookupRequests() {
  return h.aiops.lookupRequests;
}
