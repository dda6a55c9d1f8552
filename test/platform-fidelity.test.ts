/**
 * The app on a platform that behaves as documented: egress approvals the runtime permissions do not
 * show, queue pushes that can be refused, platform retries that come without our retryData, crashes
 * and timeouts, thousands of runs whose keys do not sort by time.
 */
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { Harness } from './support/harness';

let h: Harness;

afterEach(async () => {
  await h?.stop();
});

const GLOBAL = 'settings:global';
const ADMIN = 'ticket-enhancer-admin';

describe('egress as customer-managed egress works', () => {
  beforeEach(async () => {
    h = await new Harness().start();
  });

  it('sends to an approved host although permissions.canFetchFrom does not list it', async () => {
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests().map((r) => r.status)).toEqual([202]);
  });

  it('classifies the proxy refusal as not approved, does not retry, and says what to do', async () => {
    h.sandbox.runtime.revokeAllEgress();
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'failed', failureCause: 'configuration', attemptCount: 1 });
    expect(run.reason).toBe(`egress to ${new URL(h.aiops.url).host} is not approved: a Jira admin must approve it on the app's admin page; nothing was sent`);
    expect(h.sandbox.runtime.platformLog.filter((line) => line.startsWith('egress refused'))).toHaveLength(1);
  });
});

describe('retries and crashes', () => {
  beforeEach(async () => {
    h = await new Harness().start();
  });

  it('keeps retryData well under 4 KB at the largest attempt limit', async () => {
    await h.updateSettings(GLOBAL, { attemptLimit: 10 });
    h.aiops.scriptFaults(...Array.from({ length: 9 }, () => ({ status: 503, body: { detail: `Service unavailable ${'x'.repeat(5000)}` } })));
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run.status).toBe('completed');
    expect(run.attemptCount).toBe(10);
    expect(h.sandbox.runtime.platformLog.filter((line) => line.includes('over the 4 KB limit'))).toEqual([]);
  });

  it('counts attempts that died before recording anything, and stops at the limit without posting', async () => {
    await h.updateSettings(GLOBAL, { attemptLimit: 2 });
    h.sandbox.runtime.injectFault({ functionKey: 'deliver-issue', nth: 1, kind: 'crash' });
    h.sandbox.runtime.injectFault({ functionKey: 'deliver-issue', nth: 2, kind: 'timeout' });
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(h.webhookRequests()).toHaveLength(0);
    expect(run).toMatchObject({ status: 'failed', failureCause: 'outage' });
    expect(run.reason).toMatch(/^gave up after 2 attempts: the delivery function stopped before it could record an answer \(FUNCTION_TIME_OUT\)/);
  });

  it('resumes after a crash in the middle of an attempt and delivers once', async () => {
    h.sandbox.runtime.injectFault({ functionKey: 'deliver-issue', nth: 1, kind: 'crash' });
    await h.createIssue();
    await h.settle();
    expect(h.webhookRequests().map((r) => r.status)).toEqual([202]);
    expect(h.runs()[0]).toMatchObject({ status: 'completed', attemptCount: 2 });
  });

  it('never posts an accepted issue again when the queue delivers its event a second time', async () => {
    const { id } = await h.createIssue();
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(1);
    // At-least-once delivery: the same job arrives again, with and without a retry context.
    const job = { kind: 'deliver', deliveryId: `dlv_${id}_created`, issueId: id, baseAttempts: 0 };
    await h.sandbox.runtime.invoke('deliver-issue', 'delivery-consumer', 'consumer', [{ body: job }]);
    await h.sandbox.runtime.invoke('deliver-issue', 'delivery-consumer', 'consumer', [{ body: job, retryContext: { retryCount: 3, retryReason: 'FUNCTION_TIME_OUT' } }]);
    await h.settle();
    expect(h.webhookRequests()).toHaveLength(1);
  });

  it('uses the settings as they are now on every retry, so a fix reaches runs in flight', async () => {
    const moved = 'a1b2c3d4-0000-4000-8000-00000000000b';
    h.aiops.setAgent({ id: moved, secret: EMBEDDED_AGENT_SECRET });
    // The first attempt meets a 503 while the site still names the old agent...
    h.aiops.scriptFaults({ status: 503, body: { detail: 'Service unavailable' } });
    h.sandbox.runtime.paused = true;
    await h.createIssue();
    await h.sandbox.jira.settled();
    h.sandbox.runtime.resume();
    await new Promise((resolve) => setTimeout(resolve, 5));
    // ...then corrects it while the run waits for its next attempt.
    await h.updateSettings(GLOBAL, { agentId: moved, version: 42 });
    await h.settle();
    expect(h.webhookRequests().map((r) => [r.agentId, r.status])).toEqual([
      [EMBEDDED_AGENT_ID, 503],
      [moved, 202],
    ]);
    expect(h.runs()[0].status).toBe('completed');
  });
});

describe('lists on a site with thousands of runs', () => {
  beforeEach(async () => {
    h = await new Harness().start();
  });

  it('shows the newest first and pages through the rest, whatever the key order', async () => {
    // 3,000 runs whose delivery ids sort against time: the newest has the smallest key.
    const base = Date.parse('2026-11-01T00:00:00Z');
    for (let i = 0; i < 3000; i += 1) {
      const createdAt = new Date(base + i * 60_000).toISOString();
      const deliveryId = `dlv_${String(99999 - i)}_created`;
      const record = { deliveryId, issueId: String(20000 + (i % 50)), issueKey: `DEMO-${i}`, projectId: i % 3 === 0 ? '10010' : '10000', projectKey: i % 3 === 0 ? 'SUP' : 'DEMO', trigger: 'created', status: 'failed', createdAt, updatedAt: createdAt, attemptLimit: 5, attempts: [], reason: `run ${i}` };
      await h.sandbox.kvs.handle('/api/v1/entity/set', { entityName: 'delivery-run', key: deliveryId, value: { issueId: record.issueId, projectId: record.projectId, createdAt, status: 'failed', phase: 'done', version: 1, record } });
    }
    const first = (await h.sandbox.invokeResolver({ moduleKey: ADMIN, functionKey: 'load', accountId: 'admin' })) as { body: any };
    expect(first.body.deliveries).toHaveLength(25);
    expect(first.body.deliveries[0].reason).toBe('Run 2999.');
    expect(first.body.deliveries.map((d: { createdAt: string }) => d.createdAt)).toEqual([...first.body.deliveries.map((d: { createdAt: string }) => d.createdAt)].sort().reverse());
    const second = (await h.sandbox.invokeResolver({ moduleKey: ADMIN, functionKey: 'deliveries', accountId: 'admin', payload: { cursor: first.body.deliveriesCursor } })) as { body: any };
    expect(second.body.deliveries[0].reason).toBe('Run 2974.');
    const project = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-project', functionKey: 'load', accountId: 'lead', projectKey: 'DEMO' })) as { body: any };
    expect(project.body.deliveries[0].reason).toBe('Run 2999.');
    expect(project.body.deliveries[1].reason).toBe('Run 2998.');
    expect(project.body.deliveries[2].reason).toBe('Run 2996.');
    expect(project.body.deliveries.every((d: { projectKey: string }) => d.projectKey === 'DEMO')).toBe(true);
  });
});

describe('queue pushes the platform refuses', () => {
  it('delivers a bulk import of 5,000 issues created within a minute, each once, never more than 5 at a time', async () => {
    // A minute lasts two seconds here; the queue takes at most 500 events in it.
    h = await new Harness({ timeScale: 30, results: 'callback', agents: [] }).start();
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
    // Time runs 30 times faster, so the default 10 s answer limit would be a third of a second of
    // wall clock on a machine busy with 5,000 events: a request that timed out after AI Ops had
    // accepted it would be sent again (the known limit of any sender). 60 s keeps it realistic.
    await h.updateSettings(GLOBAL, { resultMode: 'callback', requestTimeoutSeconds: 60 });
    const started = Date.now();
    const created: string[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const response = await h.sandbox.jira.handle({ method: 'POST', path: '/rest/api/3/issue', headers: {}, as: { kind: 'user', accountId: '557058:0c3f-agent' }, body: JSON.stringify({ fields: { project: { key: 'DEMO' }, summary: `Imported ${i}`, issuetype: { name: 'Task' } } }) });
      created.push(((await response.json()) as { key: string }).key);
    }
    const createdInMs = Date.now() - started;
    await h.sandbox.jira.settled();
    await h.sandbox.runtime.idle(600_000);
    await h.sweep();
    await h.sandbox.runtime.idle(600_000);
    const refusals = h.sandbox.runtime.platformLog.filter((line) => line.includes('events a minute per installation')).length;
    const posted = h.webhookRequests().filter((r) => r.status === 202).map((r) => JSON.parse(r.rawBody).issue_key);
    expect(refusals).toBeGreaterThan(0);
    expect(posted).toHaveLength(5000);
    expect(new Set(posted)).toEqual(new Set(created));
    // The admin setting (default 5) caps deliveries in flight.
    expect(h.aiops.maxInFlight).toBeLessThanOrEqual(5);
    expect(h.runs().filter((r) => r.status !== 'accepted')).toEqual([]);
    process.stdout.write(
      `5,000 issues created in ${createdInMs} ms; ${refusals} pushes refused and retried; ${h.aiops.ingressRefusals} requests turned away by the AI Ops ingress; all delivered once in ${Date.now() - started} ms; at most ${h.aiops.maxInFlight} in flight\n`,
    );
  }, 900_000);
});

describe('realtime over its limit', () => {
  it('delivers and completes runs, and the panel loads, while every realtime operation is refused', async () => {
    h = await new Harness().start();
    // A site whose open panels use up the 50 realtime operations a second.
    h.sandbox.runtime.realtimeOpsPerSecond = 0;
    const { key } = await h.createIssue();
    await h.settle();
    expect(h.runs()[0]).toMatchObject({ status: 'completed' });
    const view = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'load', accountId: 'agent', issueKey: key })) as { body: any };
    expect(view.body.current.status).toBe('completed');
    // No token: the panel keeps polling, which is what it does when realtime is not there.
    expect(view.body.realtimeToken).toBeUndefined();
    expect(h.sandbox.runtime.realtimeRefusals).toBeGreaterThan(0);
  });
});

describe('the scheduled check', () => {
  it('answers with statusCode 204, so the platform records success rather than 424 Failed dependency', async () => {
    h = await new Harness().start();
    await h.createIssue();
    await h.settle();
    await h.sweep();
    await h.sweep();
    expect(h.sandbox.runtime.scheduledStatuses).toEqual([
      { key: 'run-sweep', statusCode: 204 },
      { key: 'run-sweep', statusCode: 204 },
    ]);
  });
});

describe('resolver time', () => {
  beforeEach(async () => {
    h = await new Harness().start();
  });

  it('caps the connection check at 20 s whatever the delivery timeout, inside the resolver\'s 25 s', async () => {
    await h.updateSettings(GLOBAL, { requestTimeoutSeconds: 60 });
    h.aiops.outage = 'hang';
    const started = Date.now();
    const check = (await h.sandbox.invokeResolver({ moduleKey: ADMIN, functionKey: 'checkConnection', accountId: 'admin' })) as { body: any };
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(check.body.steps.map((step: { title: string }) => step.title)).toEqual(['No answer', 'No answer']);
    expect(check.body.steps[0].detail).toMatch(/did not answer within 20 s/);
    h.aiops.outage = undefined;
  }, 40_000);
});
