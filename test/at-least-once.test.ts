/**
 * Queue events are delivered at least once (docs "runtime-reference/async-events-api"): the
 * sandbox here delivers every queue event twice, at the same time. Whatever started the send
 * (a new issue, Run again, a retry after a 503, a bulk run, a redelivery, a resume after an
 * outage), AI Ops receives one request per attempt the run records.
 */
import { Harness } from './support/harness';

let h: Harness;
afterEach(() => h?.stop());

const invoke = (moduleKey: string, functionKey: string, accountId: string, payload: unknown = {}, extra: { issueKey?: string; projectKey?: string } = {}) =>
  h.sandbox.invokeResolver({ moduleKey, functionKey, accountId, payload, ...extra }) as Promise<{ body?: any; error?: { status: number; message: string } }>;

/** Requests AI Ops received for each run, against the attempts the run recorded. */
function requestsPerAttempt(): Array<{ issueKey: string; trigger: string; requests: number; attempts: number }> {
  return h.runs().map((run) => ({
    issueKey: run.issueKey,
    trigger: run.trigger,
    requests: h.webhookRequests().filter((r) => r.headers['webhook-id'] === run.deliveryId).length,
    attempts: (run.attempts ?? []).length,
  }));
}

it('sends each attempt once when every queue event arrives twice', async () => {
  h = await new Harness().start();
  h.sandbox.runtime.duplicateQueueShare = 1;
  // Tickets from before the app, for a bulk run.
  await h.updateSettings('settings:project:10000', { enabled: false });
  for (let i = 0; i < 4; i += 1) await h.createIssue({ summary: `Old ticket ${i}` });
  await h.settle();
  await h.updateSettings('settings:project:10000', { enabled: true });

  const created = await h.createIssue({ summary: 'New ticket' });
  await h.settle();
  expect((await invoke('ticket-enhancer-panel', 'runAgain', 'agent', {}, { issueKey: created.key })).body).toMatchObject({ started: true });
  await h.settle();
  // A retry after AI Ops answered 503.
  h.aiops.scriptFaults({ status: 503 });
  const retried = await h.createIssue({ summary: 'Retried ticket' });
  await h.settle();
  await h.sweep();
  expect(await invoke('ticket-enhancer-project', 'bulkStart', 'lead', { kind: 'enhance', filter: { jql: 'ticketEnhancerStatus IS EMPTY', cap: '50' } }, { projectKey: 'DEMO' })).toMatchObject({ body: { ok: true } });
  await h.settle();
  // A run that failed (AI Ops refused the secret), redelivered from the project page.
  h.aiops.scriptFaults({ status: 401, body: { detail: 'Invalid signature' } });
  const refused = await h.createIssue({ summary: 'Refused ticket' });
  await h.settle();
  const failed = h.runs().find((r) => r.issueKey === refused.key)!;
  expect(failed.status).toBe('failed');
  expect((await invoke('ticket-enhancer-project', 'redeliver', 'lead', { issueId: failed.issueId, deliveryId: failed.deliveryId }, { projectKey: 'DEMO' })).error).toBeUndefined();
  await h.settle();
  // A run that waited out an outage and is resumed by the scheduled check.
  h.aiops.outage = 'unavailable';
  await h.updateSettings('settings:global', { attemptLimit: 1 });
  const waited = await h.createIssue({ summary: 'Ticket during an outage' });
  await h.settle();
  h.aiops.outage = undefined;
  h.sandbox.runtime.advanceClock(10 * 60_000);
  await h.sweep();
  await h.sweep();

  expect(h.sandbox.runtime.duplicatedQueueEvents).toBeGreaterThan(10);
  const rows = requestsPerAttempt();
  expect(rows.map((r) => r.trigger)).toEqual(expect.arrayContaining(['created', 'rerun', 'bulk', 'redeliver']));
  expect(rows.filter((r) => r.issueKey === retried.key)[0]).toMatchObject({ attempts: 2 });
  // The outage answered before AI Ops' handler saw the request: the resumed attempt is the one it received.
  expect(rows.find((r) => r.issueKey === waited.key)).toMatchObject({ attempts: 2, requests: 1 });
  expect(rows.filter((r) => r.issueKey !== waited.key && r.requests !== r.attempts)).toEqual([]);
  // Every run was accepted once.
  const accepted = h.webhookRequests().filter((r) => r.status === 202).map((r) => r.headers['webhook-id']);
  expect(accepted).toHaveLength(new Set(accepted).size);
});
