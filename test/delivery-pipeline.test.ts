/**
 * Issue created in Jira -> signed request the AI Ops API accepts, end to end on the sandbox:
 * the unmodified @forge SDKs, the app's trigger and consumer, the reference AI Ops server.
 */
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { Harness, pythonAcceptsSignature, pythonAcceptsStandardWebhook } from './support/harness';

let h: Harness;

beforeEach(async () => {
  h = await new Harness().start();
});

afterEach(async () => {
  await h.stop();
});

const GLOBAL = 'settings:global';
const DEMO = 'settings:project:10000';

describe('a created issue', () => {
  it('gives exactly one POST that the AI Ops check accepts, with the contract fields and a plain-text description', async () => {
    const description = { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Open the cart and press ' }, { type: 'text', text: 'Pay', marks: [{ type: 'strong' }] }] }] };
    const { key } = await h.createIssue({ description, priority: { name: 'High' }, labels: ['checkout'] });
    await h.settle();

    const requests = h.webhookRequests();
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.agentId).toBe(EMBEDDED_AGENT_ID);
    expect(request.status).toBe(202);
    expect(pythonAcceptsSignature(request.rawBody, request.headers['x-hub-signature-256'], EMBEDDED_AGENT_SECRET)).toBe(true);
    expect(pythonAcceptsStandardWebhook(request.rawBody, request.headers, EMBEDDED_AGENT_SECRET)).toBe(true);
    expect(request.headers['content-type']).toBe('application/json');

    const payload = JSON.parse(request.rawBody);
    expect(payload).toMatchObject({
      issue_key: key,
      event_type: 'jira:issue_created',
      tenant_id: 'sandbox-tenant',
      issue: { key, fields: { summary: 'Checkout page crashes on submit', description: 'Open the cart and press Pay', priority: { name: 'High', id: '2' }, issuetype: { name: 'Bug', id: '10004' }, status: { name: 'To Do' }, reporter: { displayName: 'Alex Agent' } } },
      labels: ['checkout'],
    });
    expect(payload.issue.fields.reporter.emailAddress).toBeUndefined();
    expect(payload.callback_url).toMatch(/\/x1\/.+\/aiops-callback\?issue=\d+&delivery=dlv_[^&]+&secret=global&encoding=base64$/);
    expect(request.headers['webhook-id']).toBe(payload.delivery_id);

    const [run] = h.runs();
    expect(run).toMatchObject({ issueKey: key, status: 'completed', httpStatus: 202, executionId: JSON.parse(JSON.stringify(request.answer)).execution_id });
    expect(run.attempts).toHaveLength(1);
    expect(run.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('is delivered once even when Jira delivers the event twice', async () => {
    h.sandbox.jira.duplicateEvents = true;
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(1);
    expect(h.runs()).toHaveLength(1);
    // Both deliveries ran the trigger; only one claimed the run.
    expect(h.sandbox.runtime.invocations.filter((i) => i.functionKey === 'on-issue-event')).toHaveLength(2);
  });

  it('makes no POST when the issue does not qualify', async () => {
    await h.updateSettings(DEMO, { issueTypeIds: ['10001'] });
    await h.createIssue({ issuetype: { name: 'Bug' } });
    await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' } });
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(0);
    expect(h.runs()).toHaveLength(0);
  });

  it('ignores updates unless the project opted in and the summary or description changed', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    const edit = (fields: Record<string, unknown>) =>
      fetch(`${h.sandbox.url}/rest/api/3/issue/${key}`, { method: 'PUT', headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' }, body: JSON.stringify({ fields }) });
    await edit({ summary: 'Not opted in yet' });
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(1);
    await h.updateSettings(DEMO, { events: { created: true, updated: true } });
    await edit({ labels: ['only-labels'] });
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(1);
    await edit({ description: 'Now with steps to reproduce' });
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(2);
    expect(JSON.parse(h.webhookRequests()[1].rawBody)).toMatchObject({ event_type: 'jira:issue_updated', issue: { fields: { description: 'Now with steps to reproduce' } } });
  });
});

describe('when AI Ops does not accept at once', () => {
  it('retries a 503 and ends with one accepted delivery that kept its webhook-id', async () => {
    h.aiops.scriptFaults({ status: 503, body: { detail: 'Service unavailable' } });
    await h.createIssue();
    await h.settle();
    const requests = h.webhookRequests();
    expect(requests.map((r) => r.status)).toEqual([503, 202]);
    expect(requests[0].headers['webhook-id']).toBe(requests[1].headers['webhook-id']);
    const [run] = h.runs();
    expect(run.status).toBe('completed');
    expect(run.attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([503, 202]);
  });

  it('honours Retry-After on a 429', async () => {
    h.aiops.scriptFaults({ status: 429, body: { detail: 'Too many requests' }, retryAfter: '600' });
    h.sandbox.runtime.timeScale = 100_000;
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run.attempts[0]).toMatchObject({ httpStatus: 429, outcome: 'retry', retryInSeconds: 600 });
    expect(run.attempts[1]).toMatchObject({ httpStatus: 202, outcome: 'accepted' });
    expect(run.status).toBe('completed');
  });

  it('fails at once on a 401 and says the secret does not match', async () => {
    await h.setSecret(Buffer.alloc(32, 9).toString('base64'));
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(1);
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'failed', httpStatus: 401 });
    expect(run.reason).toMatch(/401 from AI Ops: the HMAC secret does not match.*Invalid HMAC signature/);
  });

  it.each([
    [{ status: 'INACTIVE' }, 403, /not active/],
    [{ id: 'unknown' }, 404, /no agent with this id/],
  ])('fails at once when the agent is %o', async (change, status, reason) => {
    if ('status' in change) h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, status: 'INACTIVE' });
    else await h.updateSettings(GLOBAL, { agentId: '00000000-0000-4000-8000-000000000000' });
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'failed', httpStatus: status });
    expect(run.reason).toMatch(reason);
  });

  it('after the attempt limit waits for AI Ops, and fails with the detail when AI Ops answers but still refuses', async () => {
    await h.updateSettings(GLOBAL, { attemptLimit: 4 });
    h.aiops.scriptFaults(...Array.from({ length: 5 }, () => ({ status: 500, body: { detail: 'Failed to enqueue task' } })));
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(4);
    let [run] = h.runs();
    expect(run.status).toBe('waiting');
    expect(run.attempts).toHaveLength(4);
    expect(run.reason).toMatch(/^AI Ops is not answering \(500 from AI Ops: Failed to enqueue task\); the delivery waits/);
    // The scheduled check sees AI Ops healthy and resumes the run once, under the same delivery id.
    await h.sweep();
    [run] = h.runs();
    expect(h.webhookRequests()).toHaveLength(5);
    expect(run.status).toBe('failed');
    expect(run.reason).toBe('gave up after 5 attempts: 500 from AI Ops: Failed to enqueue task');
    expect(new Set(h.webhookRequests().map((r) => r.headers['webhook-id'])).size).toBe(1);
  });

  it('treats a request slower than the timeout as a retryable timeout', async () => {
    await h.updateSettings(GLOBAL, { requestTimeoutSeconds: 1 });
    h.aiops.scriptFaults({ delayMs: 1500, status: 202, body: { status: 'queued', execution_id: 'late' } });
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run.attempts[0]).toMatchObject({ outcome: 'retry', reason: 'AI Ops did not answer within 1 s' });
    expect(run.status).toBe('completed');
  });

  it('waits while AI Ops is unreachable, and sends once it answers again', async () => {
    await h.updateSettings(GLOBAL, { attemptLimit: 2 });
    h.aiops.outage = 'refuse';
    await h.createIssue();
    await h.settle();
    let [run] = h.runs();
    expect(run.status).toBe('waiting');
    expect(run.attempts).toHaveLength(2);
    expect(run.reason).toMatch(/AI Ops could not be reached/);
    // Still down: the check leaves it waiting.
    await h.sweep();
    expect(h.runs()[0].status).toBe('waiting');
    h.aiops.outage = undefined;
    await h.sweep();
    [run] = h.runs();
    expect(run.status).toBe('completed');
    expect(run.attemptCount).toBe(3);
  });
});

describe('bad configuration and vanished issues', () => {
  it('records a secret that is not valid base64 as a configuration error naming the field, and sends nothing', async () => {
    await h.setSecret('not*valid*base64');
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(0);
    const [run] = h.runs();
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/configuration error in the HMAC secret \(base64 key encoding\)/);
  });

  it('sends nothing to a host whose egress is not approved, and says so', async () => {
    h.sandbox.runtime.revokeAllEgress();
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(0);
    const [run] = h.runs();
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/^egress to 127\.0\.0\.1:\d+ is not approved/);
  });

  it('records an issue deleted before delivery as skipped', async () => {
    h.sandbox.runtime.paused = true;
    const { key } = await h.createIssue();
    await h.sandbox.jira.settled();
    const deleted = await fetch(`${h.sandbox.url}/rest/api/3/issue/${key}`, { method: 'DELETE', headers: { 'X-Sandbox-Account': 'admin' } });
    expect(deleted.status).toBe(204);
    h.sandbox.runtime.resume();
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(0);
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/deleted/) });
  });

  it('records a missing connection so admins see why an enabled project sends nothing', async () => {
    await h.sandbox.kvs.handle('/api/v1/delete', { key: GLOBAL });
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/not configured/);
  });
});
