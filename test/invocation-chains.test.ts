/**
 * The cyclic invocation limit (docs "limits-async-events"): the push requests of one chain of
 * invocations, a first invocation and every consumer down from it, are limited. Status polls push
 * the next poll, so a bulk run in poll mode grows one long chain. A chain that reaches the limit
 * must not stop anything: the scheduled check, a chain of its own, takes over. A push the queue
 * takes in part (PartialSuccessError) queues what it took; only what it refused waits.
 */
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { Harness } from './support/harness';

let h: Harness;
afterEach(() => h?.stop());

it('a bulk run in poll mode whose chain reaches the limit still brings every result home', async () => {
  h = await new Harness({ results: 'poll' }).start();
  await slowEnoughForLoad();
  // The agent takes a minute: each run needs several polls.
  h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll', workMs: 60_000 });
  await h.updateSettings('settings:global', { resultMode: 'poll' });
  await h.updateSettings('settings:project:10000', { enabled: false });
  for (let i = 0; i < 8; i += 1) await h.createIssue({ summary: `Old ticket ${i}` });
  await h.settle();
  await h.updateSettings('settings:project:10000', { enabled: true });
  // A low limit, so the bulk run's chain reaches it within a few polls (the platform's is 1,000).
  h.sandbox.runtime.chainPushLimit = 12;
  const started = await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-project', functionKey: 'bulkStart', accountId: 'lead', projectKey: 'DEMO', payload: { kind: 'enhance', filter: { jql: 'ticketEnhancerStatus IS EMPTY', cap: '50' } } });
  expect(started).toMatchObject({ body: { ok: true } });
  await h.settle();
  expect(h.sandbox.runtime.chainLimitRefusals).toBeGreaterThan(0);
  // The scheduled check runs every five minutes and takes over what the chain could not push.
  for (let i = 0; i < 4; i += 1) {
    h.sandbox.runtime.advanceClock(5 * 60_000);
    await h.sweep();
  }
  const statuses = h.runs().map((r) => r.status);
  expect(statuses).toHaveLength(8);
  expect(statuses.filter((s) => s !== 'completed')).toEqual([]);
});

/**
 * Time runs a thousand times faster here, so AI Ops' answers on a machine busy with other suites
 * must not time out at a thousandth of the default 10 s, and spend the attempts.
 */
async function slowEnoughForLoad(): Promise<void> {
  await h.updateSettings('settings:global', { requestTimeoutSeconds: 60, attemptLimit: 10 });
}

/** `count` tickets created while DEMO was not enabled (none sent), then DEMO enabled: what a bulk run enhances. */
async function oldTickets(count: number): Promise<void> {
  await h.updateSettings('settings:project:10000', { enabled: false });
  for (let i = 0; i < count; i += 1) await h.createIssue({ summary: `Old ticket ${i}` });
  await h.settle();
  await h.updateSettings('settings:project:10000', { enabled: true });
}

it('a bulk run whose chain reaches the limit is taken over by the scheduled check and sends every issue once', async () => {
  h = await new Harness().start();
  // Half a minute before an hour: the checks below are quiet ones (no run open when each starts)
  // until the next hourly check, an hour later; the handed-over bulk run must not wait for it.
  h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) - 30_000);
  await slowEnoughForLoad();
  await oldTickets(120);
  // Each chunk pushes its deliveries and the next chunk: a limit of 3 stops the chain in the second chunk.
  h.sandbox.runtime.chainPushLimit = 3;
  const started = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-project', functionKey: 'bulkStart', accountId: 'lead', projectKey: 'DEMO', payload: { kind: 'enhance', filter: { jql: 'ticketEnhancerStatus IS EMPTY', cap: '500' } } })) as { body: any };
  expect(started.body.ok).toBe(true);
  await h.settle();
  expect(h.sandbox.runtime.chainLimitRefusals).toBeGreaterThan(0);
  // Each check pushes what its own chain may (three pushes here); within the hour every issue is sent.
  for (let i = 0; i < 12 && h.webhookRequests().filter((r) => r.status === 202).length < 120; i += 1) {
    h.sandbox.runtime.advanceClock(5 * 60_000);
    await h.sweep();
  }
  const sent = h.webhookRequests().filter((r) => r.status === 202).map((r) => JSON.parse(r.rawBody).issue_key as string);
  expect(sent).toHaveLength(120);
  expect(new Set(sent).size).toBe(120);
  const list = (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-project', functionKey: 'bulkList', accountId: 'lead', projectKey: 'DEMO', payload: {} })) as { body: any };
  expect(list.body.bulks[0]).toMatchObject({ state: 'done', queued: 120 });
});

it('a push the queue takes in part sends what it took and leaves only the refused runs for later, each issue once', async () => {
  h = await new Harness().start();
  await slowEnoughForLoad();
  await oldTickets(30);
  h.sandbox.runtime.partialPushes = 1;
  await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-project', functionKey: 'bulkStart', accountId: 'lead', projectKey: 'DEMO', payload: { kind: 'enhance', filter: { jql: 'ticketEnhancerStatus IS EMPTY', cap: '50' } } });
  await h.settle();
  // 29 went at once; the refused one was pushed by the push chain a minute later: one delivery job each.
  const sent = h.webhookRequests().filter((r) => r.status === 202).map((r) => r.headers['webhook-id']);
  expect(sent).toHaveLength(30);
  expect(new Set(sent).size).toBe(30);
  expect(h.runs().filter((r) => r.awaitingPush)).toEqual([]);
  expect(h.sandbox.runtime.consumedBodies.filter((body) => body.kind === 'deliver')).toHaveLength(30);
});
