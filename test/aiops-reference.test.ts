/**
 * The reference AI Ops' own habits, checked against the platform's: its instructions filled by
 * Python's `str.format(**payload)` (run here in Python itself), its masking, and its lookup routes'
 * answers (AIOPS-CONTRACT "What the platform does in practice", "Looking a run up"), and its
 * feedback route ("Feedback").
 */
import { execFileSync } from 'node:child_process';
import { EMBEDDED_AGENT_ID, EMBEDDED_TENANT_ID } from '../sandbox/sandbox';
import { formatInstructions, masked } from '../sandbox/aiops-records';
import { Harness } from './support/harness';

/** The worker's step: `instructions.format(**payload)`, KeyError leaving them as they are, any other error failing. */
function pythonFormat(instructions: string, payload: Record<string, string>): { ok: true; text: string } | { ok: false; type: string } {
  const script = [
    'import json, sys',
    'instructions, payload = sys.argv[1], json.loads(sys.argv[2])',
    'try:',
    '    print(json.dumps({"ok": True, "text": instructions.format(**payload)}))',
    'except KeyError:',
    '    print(json.dumps({"ok": True, "text": instructions}))',
    'except Exception as e:',
    '    print(json.dumps({"ok": False, "type": type(e).__name__}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, instructions, JSON.stringify(payload)]).toString());
}

describe('the instructions, filled as the platform\'s worker fills them', () => {
  const payload = { delivery_id: 'dlv_1_created_abc', timestamp: '2026-11-28T10:15:00.000Z', issue_key: 'DEMO-1' };
  it.each([
    'End your comment with the line `Ticket Enhancer run {delivery_id}`',
    'End your comment with the line `Ticket Enhancer run {timestamp}`',
    'Answer for {issue_key}; literal braces {{like this}} stay.',
    'Answer in {language}. Ticket Enhancer run {delivery_id}',
    'Post the analysis {} as a comment.',
    'Post the analysis {0} as a comment.',
    'No placeholders at all.',
  ])('%j', (instructions) => {
    const ours = formatInstructions(instructions, payload);
    const python = pythonFormat(instructions, payload);
    expect(ours.ok).toBe(python.ok);
    if (ours.ok && python.ok) expect(ours.text).toBe(python.text);
    if (!ours.ok && !python.ok) expect(ours.type).toBe(python.type);
  });

  it('masks every key holding auth, token, secret or password, "author" included', () => {
    expect(masked({ issue: { fields: { reporter: { displayName: 'Alex' }, author: 'Sam' } }, access_token: 'x', nested: [{ password: 'p', ok: 1 }] })).toEqual({
      issue: { fields: { reporter: { displayName: 'Alex' }, author: '***' } },
      access_token: '***',
      nested: [{ password: '***', ok: 1 }],
    });
  });
});

describe('the lookup routes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await new Harness().start();
    await h.createIssue();
    await h.settle();
  });
  afterAll(() => h.stop());

  const get = (path: string, tenant?: string) => fetch(`${h.aiops.url}${path}`, { headers: tenant ? { 'X-Tenant-ID': tenant } : {} });

  it('list the agent\'s finished attempts newest first, and serve each record masked, by record id only', async () => {
    const [run] = h.runs();
    const history = (await (await get(`/api/agents/${EMBEDDED_AGENT_ID}/history?limit=5`, EMBEDDED_TENANT_ID)).json()) as { records: Array<Record<string, unknown>>; pagination: Record<string, unknown> };
    expect(history.records).toHaveLength(1);
    expect(history.records[0]).not.toHaveProperty('task_id');
    const record = (await (await get(`/api/executions/${String(history.records[0].execution_id)}`, EMBEDDED_TENANT_ID)).json()) as Record<string, any>;
    expect(record).toMatchObject({ task_id: run.executionId, status: 'completed', updated_at: null, agent_id: EMBEDDED_AGENT_ID, tenant_id: EMBEDDED_TENANT_ID });
    expect(record.output_data.steps[0]).toMatchObject({ step_type: 'tool_call', tool_name: 'jira_add_comment' });
    expect(record.output_data.steps[0].tool_result.length).toBeLessThanOrEqual(500);
    // The 202's execution id is the task id, not a record id.
    expect((await get(`/api/executions/${String(run.executionId)}`, EMBEDDED_TENANT_ID)).status).toBe(404);
  });

  it('need the X-Tenant-ID header (422 without), and refuse another tenant\'s record (403)', async () => {
    expect((await get(`/api/agents/${EMBEDDED_AGENT_ID}/history`)).status).toBe(422);
    const history = (await (await get(`/api/agents/${EMBEDDED_AGENT_ID}/history`, EMBEDDED_TENANT_ID)).json()) as { records: Array<{ execution_id: string }> };
    expect((await get(`/api/executions/${history.records[0].execution_id}`, 'another-tenant')).status).toBe(403);
    expect(((await (await get(`/api/agents/${EMBEDDED_AGENT_ID}/history`, 'another-tenant')).json()) as { records: unknown[] }).records).toEqual([]);
    expect((await get(`/api/agents/${EMBEDDED_AGENT_ID}/history?limit=501`, EMBEDDED_TENANT_ID)).status).toBe(422);
  });
});

describe('the feedback route', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await new Harness().start();
  });
  afterAll(() => h.stop());

  const post = (path: string, body: unknown) => fetch(`${h.aiops.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('takes a vote on the path with its trailing slash (307 to it without), and refuses a vote missing its fields or of an unknown type (422)', async () => {
    const vote = { tenant_id: EMBEDDED_TENANT_ID, ticket_id: 'DEMO-1', feedback_type: 'thumbs_up' };
    const redirected = await post('/api/v1/feedback', vote);
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get('location')).toBe('/api/v1/feedback/');
    expect(h.aiops.feedback).toEqual([]);
    expect((await post('/api/v1/feedback/', vote)).status).toBe(201);
    expect((await post('/api/v1/feedback/', { tenant_id: EMBEDDED_TENANT_ID, feedback_type: 'thumbs_up' })).status).toBe(422);
    expect((await post('/api/v1/feedback/', { ...vote, feedback_type: 'meh' })).status).toBe(422);
    expect(h.aiops.feedback).toEqual([expect.objectContaining(vote)]);
  });
});
