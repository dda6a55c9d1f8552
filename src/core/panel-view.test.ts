import type { DeliveryRun, RunStatus } from './enhancement';
import { panelView, type PanelInput } from './panel-view';

const NOW = Date.parse('2026-11-28T10:05:00.000Z');

const run = (status: RunStatus, extra: Partial<DeliveryRun> = {}): DeliveryRun => ({
  deliveryId: `dlv_1_${status}`,
  issueId: '1',
  issueKey: 'DEMO-1',
  projectId: '10000',
  projectKey: 'DEMO',
  trigger: 'created',
  status,
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:00:01.000Z',
  attemptLimit: 5,
  attempts: [],
  ...extra,
});

const view = (runs: DeliveryRun[], extra: Partial<PanelInput> = {}) =>
  panelView({ issueKey: 'DEMO-1', runs, eligibility: { eligible: true, needsJqlCheck: false }, canRunAgain: true, canConfigure: false, audience: 'member', channel: 'c', nowMs: NOW, ...extra });

describe('the panel status', () => {
  it.each([
    ['queued', 'Queued', 'new', false],
    ['accepted', 'Queued at AI Ops', 'new', false],
    ['running', 'Running', 'inprogress', false],
    ['waiting', 'Waiting for AI Ops', 'moved', false],
    ['completed', 'Completed', 'success', true],
    ['failed', 'Failed', 'removed', true],
    ['timed-out', 'Timed out', 'removed', true],
    ['superseded', 'Superseded', 'default', true],
    ['cancelled', 'Cancelled', 'default', true],
    ['skipped', 'Skipped', 'default', true],
  ] as const)('%s reads "%s" in a %s lozenge', (status, label, appearance, finished) => {
    const v = view([run(status, { resultDeadline: '2026-11-28T10:30:00.000Z' })]);
    expect(v.status).toMatchObject({ label, appearance });
    expect(v.finished).toBe(finished);
  });

  it('counts the attempt under way while retrying, and never shows "1 of 5" for a finished run', () => {
    const retrying = run('retrying', { attempts: [{ attempt: 1, at: '', latencyMs: 5, outcome: 'retry' }], nextAttemptAt: '2026-11-28T10:05:16.000Z' });
    expect(view([retrying]).status.label).toBe('Retrying (attempt 2 of 5)');
    expect(view([retrying]).current?.nextAttemptAt).toBe('2026-11-28T10:05:16.000Z');
    const done = run('completed', { attempts: [{ attempt: 1, at: '', latencyMs: 5, outcome: 'accepted' }] });
    expect(view([done]).current?.attemptsLabel).toBe('1 attempt');
  });

  it('renders a markdown result and named sections as ADF, and keeps older runs as history', () => {
    const md = view([run('completed', { result: '## Findings\n\n- one\n- two' })]);
    expect(md.current?.result?.sections).toEqual([{ title: 'Analysis', primary: true, document: expect.objectContaining({ type: 'doc', content: expect.arrayContaining([expect.objectContaining({ type: 'bulletList' })]) }) }]);
    const sections = view([run('completed', { result: { 'Clearer summary': 'Fix checkout', 'Priority hint': 'High' } }), run('failed', { deliveryId: 'older' })]);
    expect(sections.current?.result?.sections.map((s) => s.title)).toEqual(['Clearer summary', 'Priority hint']);
    expect(sections.history.map((h) => h.deliveryId)).toEqual(['older']);
  });

  it('shows text that looks like HTML verbatim, never as markup', () => {
    const v = view([run('completed', { result: 'the <Checkout> component throws on List<String> input\n\n<script>alert(1)</script>' })]);
    const text = JSON.stringify(v.current?.result?.sections);
    expect(text).toContain('the <Checkout> component throws on List<String> input');
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('says why nothing was sent, and offers no re-run to an ineligible issue', () => {
    const v = view([], { eligibility: { eligible: false, why: { key: 'eligibility.issueType', params: { type: 'Task' } } }, canConfigure: true });
    expect(v.status).toEqual({ label: 'Not sent', appearance: 'default', detail: 'issue type Task is filtered out' });
    expect(v.canRunAgain).toBe(false);
    expect(v.settingsHint).toContain('project settings page');
  });
});

describe('a failure, worded for its reader', () => {
  const failed = run('failed', { reason: '401 from AI Ops: the HMAC secret does not match the agent\'s secret (check the secret and its key encoding): Invalid HMAC signature', failureCause: 'configuration', httpStatus: 401 });

  it('tells agents and viewers what happened and whom to ask, without the diagnostics', () => {
    const v = view([failed, { ...failed, deliveryId: 'older' }]);
    expect(v.failure?.text).toBe("The AI Ops connection needs attention. Ask your Jira admin to check the AI Ops connection on the app's admin page.");
    // Nothing technical leaves the resolver for this reader: not in the failure, the runs, or the history.
    expect(JSON.stringify(v)).not.toMatch(/HMAC|401|key encoding/);
    expect(v.runAgainIsPrimary).toBe(false);
  });

  it('gives a Jira admin the technical reason as a sentence and where to fix it', () => {
    const v = view([failed], { audience: 'jira-admin' });
    expect(v.failure).toMatchObject({ text: expect.stringMatching(/^401 from AI Ops: the HMAC secret does not match.*Invalid HMAC signature\.$/), fixWhere: 'admin-page' });
  });

  it('tells a project admin that a Jira admin fixes a site-level problem', () => {
    expect(view([failed], { audience: 'project-admin' }).failure?.text).toMatch(/A Jira admin can fix this on the app's admin page\.$/);
  });

  it('keeps "Run again" primary when running again can help', () => {
    expect(view([run('timed-out', { failureCause: 'agent', reason: 'no comment' })]).runAgainIsPrimary).toBe(true);
  });
});

describe('results by Jira comment', () => {
  const comment = { kind: 'comment' as const, commentId: '10501', authorAccountId: 'bot', authorName: 'AI Ops Bot', created: '2026-11-28T10:02:00.000+0000' };

  it('renders the comment, says who posted it and when, and links to it', () => {
    const body = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '## Summary' }] }, { type: 'paragraph', content: [{ type: 'text', text: '- first finding' }, { type: 'hardBreak' }, { type: 'text', text: '- second finding' }] }] };
    const v = view([run('completed', { result: comment })], { siteUrl: 'https://site.example', comments: { '10501': { visible: true, body, authorName: 'AI Ops Bot', created: comment.created } } });
    expect(v.current?.result).toMatchObject({ source: 'Posted as a comment by AI Ops Bot', postedAt: '2026-11-28T10:02:00.000Z', edited: false });
    expect(v.current?.result?.link).toBe('https://site.example/browse/DEMO-1?focusedCommentId=10501');
    // Markdown posted as plain paragraphs renders as Markdown: a heading and a list.
    const types = JSON.stringify(v.current?.result?.sections[0].document);
    expect(types).toContain('"type":"heading"');
    expect(types).toContain('"type":"bulletList"');
    // The one-line excerpt the issue context shows reads as text: the heading leads, no list markers.
    expect(v.current?.result?.shortText).toBe('Summary: first finding; second finding');
  });

  it('keeps a rich comment as Jira stored it', () => {
    const body = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Bold claim', marks: [{ type: 'strong' }] }] }] };
    const v = view([run('completed', { result: comment })], { comments: { '10501': { visible: true, body } } });
    expect(v.current?.result?.sections[0].document).toEqual(body);
  });

  it('says so when the comment was deleted or is hidden from the reader', () => {
    expect(view([run('completed', { result: { ...comment, deleted: true } })]).current?.result?.notice).toBe('The AI Ops comment with this result was deleted.');
    expect(view([run('completed', { result: comment })], { comments: { '10501': { visible: false } } }).current?.result?.notice).toBe('The AI Ops comment is not visible to you.');
  });

  it('keeps the last result readable while a new run is under way', () => {
    const v = view([run('accepted', { deliveryId: 'new', resultDeadline: '2026-11-28T10:30:00.000Z' }), run('completed', { result: 'Earlier analysis' })]);
    expect(v.previousResult?.sections[0].document).toMatchObject({ type: 'doc' });
    expect(v.finished).toBe(false);
  });
});

describe('overdue runs', () => {
  it('stops polling a run whose deadline has passed', () => {
    expect(view([run('accepted', { resultDeadline: '2026-11-28T10:04:00.000Z' })]).overdue).toBe(true);
    expect(view([run('accepted', { resultDeadline: '2026-11-28T10:30:00.000Z' })]).overdue).toBe(false);
    expect(view([run('queued', { updatedAt: '2026-11-28T09:00:00.000Z' })]).overdue).toBe(true);
  });
});
