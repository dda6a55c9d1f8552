import type { DeliveryRun, RunStatus } from './enhancement';
import { panelView } from './panel-view';

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

const view = (runs: DeliveryRun[], canRunAgain = true) =>
  panelView({ issueKey: 'DEMO-1', runs, eligibility: { eligible: true, needsJqlCheck: false }, canRunAgain, canConfigure: false, channel: 'c' });

describe('the panel status', () => {
  it.each([
    ['queued', 'Queued', 'new', false],
    ['accepted', 'Queued at AI Ops', 'new', false],
    ['running', 'Running', 'inprogress', false],
    ['completed', 'Completed', 'success', true],
    ['failed', 'Failed', 'removed', true],
    ['timed-out', 'Timed out', 'removed', true],
    ['skipped', 'Skipped', 'default', true],
  ] as const)('%s reads "%s" in a %s lozenge', (status, label, appearance, finished) => {
    const v = view([run(status)]);
    expect(v.status).toMatchObject({ label, appearance });
    expect(v.finished).toBe(finished);
  });

  it('counts the attempt under way while retrying', () => {
    const retrying = run('retrying', { attempts: [{ attempt: 1, at: '', latencyMs: 5, outcome: 'retry' }], nextAttemptAt: '2026-11-28T10:00:16.000Z' });
    expect(view([retrying]).status.label).toBe('Retrying (2 of 5)');
    expect(view([retrying]).current?.nextAttemptAt).toBe('2026-11-28T10:00:16.000Z');
  });

  it('renders a markdown result and named sections as ADF, and keeps older runs as history', () => {
    const md = view([run('completed', { result: '## Findings\n\n- one\n- two' })]);
    expect(md.current?.result).toEqual([{ title: 'Analysis', document: expect.objectContaining({ type: 'doc', content: expect.arrayContaining([expect.objectContaining({ type: 'bulletList' })]) }) }]);
    const sections = view([run('completed', { result: { 'Clearer summary': 'Fix checkout', 'Priority hint': 'High' } }), run('failed', { deliveryId: 'older' })]);
    expect(sections.current?.result?.map((s) => s.title)).toEqual(['Clearer summary', 'Priority hint']);
    expect(sections.history.map((h) => h.deliveryId)).toEqual(['older']);
  });

  it('says why nothing was sent, and offers no re-run to an ineligible issue', () => {
    const v = panelView({ issueKey: 'DEMO-1', runs: [], eligibility: { eligible: false, reason: 'issue type Task is filtered out' }, canRunAgain: true, canConfigure: true, channel: 'c' });
    expect(v.status).toEqual({ label: 'Not sent', appearance: 'default', detail: 'issue type Task is filtered out' });
    expect(v.canRunAgain).toBe(false);
    expect(v.settingsHint).toContain('project settings page');
  });
});
