/**
 * The callback web trigger: every rejection answers the right status and changes nothing; good
 * messages move a run forward, never backwards, whatever order they arrive in.
 */
import { createHmac } from 'node:crypto';
import { signRequest } from '../src/core/signing';
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { Harness } from './support/harness';

let h: Harness;
let callbackUrl: string;
let executionId: string;
let issueKey: string;
const key = Buffer.from(EMBEDDED_AGENT_SECRET, 'base64');

beforeEach(async () => {
  h = await new Harness().start();
  // The agent answers only by status URL here, so the test is the only caller of the callback.
  h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
  issueKey = (await h.createIssue()).key;
  await h.settle();
  const [request] = h.webhookRequests();
  callbackUrl = JSON.parse(request.rawBody).callback_url;
  executionId = (request.answer as { execution_id: string }).execution_id;
});

afterEach(() => h.stop());

function state(): string {
  return JSON.stringify({ kvs: h.sandbox.kvs.snapshot().values, property: h.sandbox.jira.issue(issueKey)!.properties });
}

async function post(body: string, headers: Record<string, string>, url = callbackUrl) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  return { status: response.status, body: await response.text() };
}

function signed(message: unknown, opts: { key?: Buffer; atMs?: number; id?: string } = {}) {
  const body = typeof message === 'string' ? message : JSON.stringify(message);
  return { body, headers: { ...signRequest(body, [opts.key ?? key], opts.id ?? `cb-${Math.random()}`, opts.atMs ?? Date.now()) } as Record<string, string> };
}

const completed = () => ({ execution_id: executionId, status: 'completed', result: { Summary: 'Looks fine.' } });

async function expectRejected(status: number, send: () => Promise<{ status: number; body: string }>) {
  const before = state();
  const answer = await send();
  expect(answer.status).toBe(status);
  expect(state()).toBe(before);
  return answer;
}

describe('rejected callbacks change nothing', () => {
  it('401 for a signature made with another secret', async () => {
    const { body, headers } = signed(completed(), { key: Buffer.alloc(32, 1) });
    await expectRejected(401, () => post(body, headers));
  });

  it('401 without a signature', async () => {
    await expectRejected(401, () => post(JSON.stringify(completed()), {}));
  });

  it('401 for a truncated body', async () => {
    const { body, headers } = signed(completed());
    await expectRejected(401, () => post(body.slice(0, -10), headers));
  });

  it('401 for a stale webhook-timestamp, even with valid signatures', async () => {
    const { body, headers } = signed(completed(), { atMs: Date.now() - 10 * 60_000 });
    const answer = await expectRejected(401, () => post(body, headers));
    expect(answer.body).toContain('five-minute tolerance');
  });

  it('404 for an unknown execution or delivery', async () => {
    const other = signed({ ...completed(), execution_id: '11111111-1111-4111-8111-111111111111' });
    await expectRejected(404, () => post(other.body, other.headers));
    const good = signed(completed());
    await expectRejected(404, () => post(good.body, good.headers, callbackUrl.replace(/delivery=[^&]+/, 'delivery=dlv_nope')));
  });

  it('401 before the run is looked up: a forged callback learns nothing about which deliveries exist', async () => {
    const forged = signed(completed(), { key: Buffer.alloc(32, 1) });
    const answer = await expectRejected(401, () => post(forged.body, forged.headers, callbackUrl.replace(/delivery=[^&]+/, 'delivery=dlv_nope')));
    expect(answer.body).toContain('X-Hub-Signature-256');
  });

  it("404 for a callback signed with another connection's secret, even one the app holds", async () => {
    // A project with its own secret: whoever knows it must not move a run sent with the site's.
    const projectSecret = Buffer.alloc(32, 7).toString('base64');
    await h.sandbox.kvs.handle('/api/v1/secret/set', { key: 'secret:project:10000:current', value: projectSecret });
    expect(callbackUrl).toContain('secret=global&encoding=base64');
    const other = signed(completed(), { key: Buffer.from(projectSecret, 'base64') });
    await expectRejected(404, () => post(other.body, other.headers, callbackUrl.replace('secret=global', 'secret=project-10000')));
    await expectRejected(401, () => post(other.body, other.headers));
  });

  it('413 for a body over the limit', async () => {
    const { body, headers } = signed({ ...completed(), result: 'x'.repeat(4.5 * 1024 * 1024) });
    await expectRejected(413, () => post(body, headers));
  });

  it('400 for malformed JSON or an unknown status, correctly signed', async () => {
    const broken = signed('{"execution_id": "' + executionId + '", "status": ');
    await expectRejected(400, () => post(broken.body, broken.headers));
    const weird = signed({ execution_id: executionId, status: 'exploded' });
    const answer = await expectRejected(400, () => post(weird.body, weird.headers));
    expect(answer.body).toContain('status must be running, completed or failed');
  });

  it('completes a run from a callback URL sent by an earlier version, which names no secret', async () => {
    const earlier = callbackUrl.replace(/&secret=[^&]+&encoding=[^&]+/, '');
    expect(earlier).not.toContain('secret=');
    const good = signed(completed());
    expect((await post(good.body, good.headers, earlier)).status).toBe(200);
    expect(h.runs()[0].status).toBe('completed');
  });

  it('accepts the AI Ops header alone (no Standard Webhooks headers), as the platform sends it', async () => {
    const body = JSON.stringify(completed());
    const hub = `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
    expect((await post(body, { 'X-Hub-Signature-256': hub })).status).toBe(200);
    expect(h.sandbox.jira.issue(issueKey)!.properties['ticket-enhancer']).toMatchObject({ status: 'completed', executionId });
  });
});

describe('accepted callbacks', () => {
  const view = async (accountId = 'agent') => {
    const result = await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'load', accountId, issueKey });
    return (result as { body: any }).body;
  };

  it('a repeated message is harmless', async () => {
    const { body, headers } = signed(completed());
    expect(await post(body, headers)).toMatchObject({ status: 200, body: expect.stringContaining('recorded') });
    const after = state();
    expect(await post(body, headers)).toMatchObject({ status: 200, body: expect.stringContaining('already recorded') });
    expect(state()).toBe(after);
  });

  it('never moves a run backwards, and two racing messages end on the furthest state', async () => {
    const done = signed(completed());
    const running = signed({ execution_id: executionId, status: 'running' });
    const answers = await Promise.all([post(done.body, done.headers), post(running.body, running.headers)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const late = signed({ execution_id: executionId, status: 'running' });
    await post(late.body, late.headers);
    expect((await view()).status.label).toBe('Completed');
    expect(h.sandbox.jira.issue(issueKey)!.properties['ticket-enhancer']).toMatchObject({ status: 'completed' });
  });

  it('keeps a 200 kB result readable', async () => {
    const long = Array.from({ length: 4000 }, (_, i) => `- finding ${i}: ${'detail '.repeat(6)}`).join('\n');
    expect(long.length).toBeGreaterThan(200_000);
    const { body, headers } = signed({ execution_id: executionId, status: 'completed', result: long });
    expect((await post(body, headers)).status).toBe(200);
    const panel = await view();
    expect(panel.status.label).toBe('Completed');
    const text = JSON.stringify(panel.current.result);
    expect(text).toContain('finding 0:');
    expect(text).toContain('result truncated');
  });

  it('records a failure with the agent\'s reason', async () => {
    const { body, headers } = signed({ execution_id: executionId, status: 'failed', error: 'LLM quota exceeded' });
    expect((await post(body, headers)).status).toBe(200);
    expect((await view('admin')).status).toMatchObject({ label: 'Failed', detail: 'The Ticket Enhancer failed: LLM quota exceeded.' });
    // An agent reads what happened in their terms, without the platform's wording.
    expect((await view('agent')).status).toMatchObject({ label: 'Failed', detail: 'The Ticket Enhancer did not finish its analysis. You can run it again.' });
  });
});
