import { FAILURE_QUIET_MS, readHistory, readRecord, readTrace, runAfterLookup, verdict, type ExecutionRecord } from './aiops-lookup';
import type { DeliveryRun } from './enhancement';
import { secretStreak } from './secret-streak';

const NOW = Date.parse('2026-11-28T11:00:00.000Z');
const response = (status: number, body: unknown) => ({ kind: 'response' as const, status, body: JSON.stringify(body), retryAfterHeader: null });
const record = (status: ExecutionRecord['status'], minutesAgo: number, extra: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  id: `rec-${status}-${minutesAgo}`,
  taskId: 'task-1',
  status,
  at: new Date(NOW - minutesAgo * 60_000).toISOString(),
  steps: [],
  ...extra,
});

const run = (extra: Partial<DeliveryRun> = {}): DeliveryRun => ({
  deliveryId: 'dlv_1',
  issueId: '1',
  issueKey: 'DEMO-1',
  projectId: '10000',
  projectKey: 'DEMO',
  trigger: 'created',
  status: 'accepted',
  createdAt: '2026-11-28T10:00:00.000Z',
  updatedAt: '2026-11-28T10:00:01.000Z',
  acceptedAt: '2026-11-28T10:00:01.000Z',
  executionId: 'task-1',
  attemptLimit: 5,
  attempts: [],
  ...extra,
});

describe('reading AI Ops\' execution records', () => {
  it('takes 401, 403 and 404 as "not available", never as a failed run', () => {
    for (const status of [401, 403, 404]) expect(readHistory(response(status, { detail: 'Not authenticated' }))).toMatchObject({ ok: false, unavailable: true });
    expect(readHistory(response(500, { detail: 'boom' }))).toMatchObject({ ok: false, unavailable: false });
    expect(readHistory(response(200, { records: [{ execution_id: 'r1', timestamp: 't', status: 'failed' }, { status: 'x' }] }))).toEqual({ ok: true, value: [{ recordId: 'r1', at: 't', status: 'failed' }] });
    expect(readRecord(response(200, { id: 'r1', task_id: 'task-1', status: 'completed', output_data: null }))).toMatchObject({ ok: true, value: { id: 'r1', taskId: 'task-1', status: 'completed', steps: [] } });
  });

  it('reads from the trace whether the agent commented, and what it wrote', () => {
    const posted = readTrace(record('completed', 1, { steps: [{ step_type: 'tool_call', tool_name: 'jira_add_comment', tool_args: { comment: '## Summary' }, tool_result: '{"id":"10501"}' }] }));
    expect(posted).toEqual({ comment: 'posted', analysis: '## Summary' });
    const refused = readTrace(record('completed', 1, { steps: [{ step_type: 'tool_call', tool_name: 'add_comment', tool_args: { body: 'Long' }, tool_result: 'Error: Jira answered 400: too long' }] }));
    expect(refused).toMatchObject({ comment: 'refused', analysis: 'Long', commentError: 'Error: Jira answered 400: too long' });
    expect(readTrace(record('completed', 1, { steps: [{ step_type: 'llm_response', response: 'The analysis.' }] }))).toEqual({ comment: 'none', analysis: 'The analysis.' });
  });

  it('calls a failure final after four attempts, ten quiet minutes, or the run\'s deadline; before that the platform may retry', () => {
    expect(verdict([], NOW, false)).toEqual({ kind: 'none' });
    expect(verdict([record('failed', 2)], NOW, false).kind).toBe('retrying');
    expect(verdict([record('failed', FAILURE_QUIET_MS / 60_000)], NOW, false).kind).toBe('failed');
    expect(verdict([record('failed', 2)], NOW, true).kind).toBe('failed');
    expect(verdict([1, 2, 3, 4].map((m) => record('failed', m)), NOW, false)).toMatchObject({ kind: 'failed', attempts: 4, record: { id: 'rec-failed-1' } });
    // A completed attempt wins over the failed ones before it.
    expect(verdict([record('failed', 9), record('completed', 3)], NOW, false)).toMatchObject({ kind: 'completed', attempts: 2 });
  });

  it('changes a waiting run: failed at AI Ops, or completed from the record when no comment reached Jira; never a finished one', () => {
    const note = { at: new Date(NOW).toISOString(), found: 'failed' as const };
    const failed = runAfterLookup(run(), verdict([record('failed', 20, { errorMessage: 'Budget exhausted' })], NOW, false), note, NOW);
    expect(failed).toMatchObject({ status: 'failed', failureCause: 'agent', reason: 'failed at AI Ops: Budget exhausted (1 attempts recorded there)' });
    const silent = verdict([record('completed', 1, { steps: [{ step_type: 'llm_response', response: 'An analysis.' }] })], NOW, false);
    expect(runAfterLookup(run(), silent, { ...note, found: 'completed' }, NOW)).toMatchObject({ status: 'completed', result: 'An analysis.', resultFromRecord: { recordId: 'rec-completed-1', why: 'no-comment' } });
    const commented = verdict([record('completed', 1, { steps: [{ step_type: 'tool_call', tool_name: 'jira_add_comment', tool_args: { comment: 'x' }, tool_result: 'ok' }] })], NOW, false);
    expect(runAfterLookup(run(), commented, { ...note, found: 'completed' }, NOW)).toMatchObject({ status: 'accepted', lookup: { found: 'completed' } });
    expect(runAfterLookup(run({ status: 'completed' }), silent, note, NOW)).toBeUndefined();
  });
});

describe('a secret AI Ops stopped accepting', () => {
  const sent = (minutes: number, status: DeliveryRun['status'], httpStatus?: number): DeliveryRun =>
    run({
      deliveryId: `dlv_${minutes}`,
      status,
      httpStatus,
      createdAt: new Date(NOW - minutes * 60_000).toISOString(),
      acceptedAt: status === 'completed' ? new Date(NOW - minutes * 60_000).toISOString() : undefined,
      attempts: [{ attempt: 1, at: new Date(NOW - minutes * 60_000 + 1000).toISOString(), latencyMs: 5, outcome: status === 'completed' ? 'accepted' : 'rejected', httpStatus }],
    });

  it('is a 401 streak at the head after a run AI Ops accepted, or after the secret was proven', () => {
    const streak = secretStreak([sent(1, 'failed', 401), sent(2, 'failed', 401), sent(3, 'completed', 202)]);
    expect(streak).toMatchObject({ count: 2, firstCreated: new Date(NOW - 2 * 60_000).toISOString() });
    // Never worked: a wrong secret from the start is not "stopped accepting".
    expect(secretStreak([sent(1, 'failed', 401), sent(2, 'failed', 401)])).toBeUndefined();
    expect(secretStreak([sent(1, 'failed', 401)], new Date(NOW - 60 * 60_000).toISOString())).toMatchObject({ count: 1 });
    // The newest run went through again: no streak.
    expect(secretStreak([sent(1, 'completed', 202), sent(2, 'failed', 401), sent(3, 'completed', 202)])).toBeUndefined();
  });
});
