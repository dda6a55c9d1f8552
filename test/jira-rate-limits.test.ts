/**
 * Jira's rate limits for apps, as the app meets them on the sandbox's Jira (sandbox/jira-limits.ts;
 * docs "Rate limiting", Jira Cloud platform): a limited read is waited out and tried again, never
 * read as "not there"; the hourly quota holds deliveries without spending their attempts; a
 * property write that had to wait still lands; and a person is told which limit stopped them.
 */
import { Harness, until } from './support/harness';

jest.setTimeout(60_000);

let h: Harness;
/** Set by a test that spends the hour's points: the app remembers a spent hour until it ends, so the next test starts in a later one. */
let spentAnHour = false;
afterEach(async () => {
  await h?.stop();
  if (spentAnHour) h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) + 1_000);
  spentAnHour = false;
});

function spendTheHour(): void {
  h.sandbox.jiraLimits.spend(h.sandbox.jiraLimits.remaining());
  spentAnHour = true;
}

const PANEL = 'ticket-enhancer-panel';
type Answer = { body?: any; error?: { status: number; message: string } };
const call = async (functionKey: string, issueKey: string, payload: Record<string, unknown> = {}, as = 'agent') =>
  (await h.sandbox.invokeResolver({ moduleKey: PANEL, functionKey, accountId: as, issueKey, payload })) as Answer;
const runOf = (key: string) => h.runs().find((r) => r.issueKey === key);
const property = (key: string) => h.sandbox.jira.issue(key)!.properties['ticket-enhancer'] as Record<string, unknown> | undefined;
const invocations = (functionKey: string) => h.sandbox.runtime.invocations.filter((i) => i.functionKey === functionKey);

/** Writes to an issue as the app, through the sandbox's limits, as another part of the app (or another app) would. */
async function writeAsApp(key: string, n: number): Promise<number> {
  const request = { method: 'PUT', path: `/rest/api/3/issue/${key}/properties/other-${n}`, headers: {}, as: { kind: 'app' as const }, body: JSON.stringify({ n }) };
  return (await h.sandbox.jiraLimits.admit(request, () => h.sandbox.jira.handle(request))).status;
}

it('a new issue whose project filters need Jira is sent once Jira answers, not dropped when the read is limited', async () => {
  h = await new Harness().start();
  await h.updateSettings('settings:project:10000', { labelsInclude: ['customer'] });
  // The trigger's read of the issue (the event carries no labels) meets a burst limit with a 30 s Retry-After.
  h.sandbox.jira.rateLimit(1, /^\/rest\/api\/3\/issue\/\d+$/, 30);
  const { key } = await h.createIssue({ labels: ['customer'] });
  await h.settle();
  const [first, retried] = invocations('on-issue-event');
  expect(first.error).toBeUndefined();
  expect(retried).toBeDefined();
  expect(runOf(key)).toMatchObject({ status: 'completed', attemptCount: 1 });
  expect(h.webhookRequests()).toHaveLength(1);
});

it('a property write that meets the per-issue write limit waits it out and lands: the property follows the run', async () => {
  h = await new Harness({ results: 'poll' }).start();
  const { key } = await h.createIssue();
  await h.settle();
  expect(runOf(key)!.status).toBe('completed');
  // Something else writes to the issue until Jira refuses the next write (20 within two seconds); the Run again that follows writes its property.
  h.sandbox.runtime.advanceClock(31_000);
  let writes = 0;
  while ((await writeAsApp(key, writes)) < 300) writes += 1;
  expect(writes).toBe(20);
  expect((await call('runAgain', key)).body).toMatchObject({ started: true });
  await h.settle();
  expect(h.sandbox.jiraLimits.refused['jira-per-issue-on-write']).toBeGreaterThanOrEqual(2);
  const rerun = h.runs().find((r) => r.trigger === 'rerun')!;
  expect(rerun.status).toBe('completed');
  expect(property(key)).toMatchObject({ status: 'completed', deliveryId: rerun.deliveryId });
});

it('a property write Jira refuses for longer than a call may wait is written again from the newest run once Jira takes writes', async () => {
  // Site time runs 50 times faster, so the half minute Jira asks for passes in under a second.
  h = await new Harness({ timeScale: 50, virtualClock: true, results: 'poll' }).start();
  await h.updateSettings('settings:global', { requestTimeoutSeconds: 60 });
  const { key } = await h.createIssue();
  await h.settle();
  // 100 writes to the issue within 30 s (20 every 2 s): Jira asks the next writer to wait most of half a minute.
  h.sandbox.runtime.advanceClock(31_000);
  const filled = Date.now();
  for (let n = 0; n < 100; n += 1) {
    if (n > 0 && n % 20 === 0) h.sandbox.runtime.advanceClock(2_000);
    expect(await writeAsApp(key, n)).toBeLessThan(300);
  }
  expect((await call('runAgain', key)).body).toMatchObject({ started: true });
  await h.settle();
  const rerun = h.runs().find((r) => r.trigger === 'rerun')!;
  expect(rerun.status).toBe('completed');
  expect(h.sandbox.jiraLimits.refused['jira-per-issue-on-write']).toBeGreaterThanOrEqual(1);
  // Written by the queued job after the window, not by a call that waited half a minute.
  expect(property(key)).toMatchObject({ status: 'completed', deliveryId: rerun.deliveryId });
  expect(Date.now() - filled).toBeGreaterThanOrEqual(30_000);
});

it('an issue noted as behind (the queue refused its repair job) gets its property from the scheduled check', async () => {
  h = await new Harness({ results: 'poll' }).start();
  const { key, id } = await h.createIssue();
  await h.settle();
  const run = runOf(key)!;
  // Someone who can edit the issue wrote the property meanwhile; the app had noted it behind.
  h.sandbox.jira.issue(key)!.properties['ticket-enhancer'] = { status: 'queued', updatedAt: new Date(0).toISOString() };
  await h.sandbox.kvs.handle('/api/v1/set', { key: `property-behind:${id}`, value: { at: new Date().toISOString() } });
  // The check that runs while nothing is open does this once an hour.
  h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) + 1_000);
  await h.sweep();
  expect(property(key)).toMatchObject({ status: 'completed', deliveryId: run.deliveryId });
  expect(h.sandbox.kvs.peek(`property-behind:${id}`)).toBeUndefined();
});

it('a reply to the reporter that Jira limits is not repeated: the agent is told to try again in their language, and nothing is posted', async () => {
  h = await new Harness().start();
  const { key } = await h.createIssue();
  await h.settle();
  const { deliveryId } = runOf(key)!;
  const before = h.sandbox.jira.issue(key)!.comments?.length ?? 0;
  h.sandbox.jira.rateLimit(1, /\/comment$/, 1);
  const answer = await h.sandbox.invokeResolver({ moduleKey: PANEL, functionKey: 'askReporter', accountId: 'agent', issueKey: key, payload: { deliveryId, text: 'Which browser?', locale: 'de-DE' } }) as Answer;
  expect(answer.error).toEqual({ status: 429, message: 'Jira begrenzt gerade die Anfragen der App: Versuchen Sie es in 1 s erneut. Es wurde nichts geändert.' });
  expect(h.sandbox.jira.issue(key)!.comments?.length ?? 0).toBe(before);
  // A second try goes through.
  expect((await call('askReporter', key, { deliveryId, text: 'Which browser?' })).body).toMatchObject({ posted: true });
});

it('with the hourly points spent, deliveries wait for the next hour without spending an attempt; screens say until when; the property catches up', async () => {
  h = await new Harness({ timeScale: 1000, virtualClock: true, schedules: true }).start();
  await h.updateSettings('settings:global', { requestTimeoutSeconds: 60 });
  // A minute into an hour, every point of it spent (by this site, or by the app's other sites in the global pool).
  h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) + 60_000);
  spendTheHour();
  const hourEnds = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
  const { key } = await h.createIssue();
  await until(() => invocations('deliver-issue').some((i) => i.durationMs > 0), 'the first delivery attempt', 40_000, 10);
  expect(Date.now()).toBeLessThan(hourEnds);
  // Refused once: later calls in the same process wait without asking Jira.
  expect(h.sandbox.jiraLimits.refused['jira-quota-global-based']).toBe(1);
  expect(runOf(key)).toMatchObject({ status: 'queued' });
  expect(runOf(key)!.attemptCount ?? 0).toBe(0);
  expect(h.webhookRequests()).toHaveLength(0);
  const panel = await call('load', key);
  expect(panel.error).toEqual({ status: 429, message: expect.stringMatching(/^The app has used its hourly allowance of Jira requests\. Jira takes them again at \d\d:00 UTC;/) });
  expect(panel.error!.message).toContain(`${new Date(hourEnds).toISOString().slice(11, 16)} UTC`);

  await until(() => runOf(key)?.status === 'completed', 'the delivery after the hour', 40_000);
  expect(Date.now()).toBeGreaterThanOrEqual(hourEnds);
  expect(runOf(key)!.attemptCount).toBe(1);
  // The scheduled check left it to its wait (it says until when), rather than restarting a run it took for lost.
  expect(runOf(key)!.sweepResumes ?? 0).toBe(0);
  expect(h.webhookRequests()).toHaveLength(1);
  await until(() => property(key)?.status === 'completed', 'the issue property catching up', 40_000);
  // The note that the property was behind goes at the next scheduled check, which writes it from the newest run.
  await until(() => h.sandbox.kvs.peek(`property-behind:${h.sandbox.jira.issue(key)!.id}`) === undefined, 'the scheduled check clearing the note', 40_000);
});

it('Diagnose names the quota pool Jira reports and warns once less than a fifth of the hour is left', async () => {
  h = await new Harness().start();
  const run = async () => (await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-admin', functionKey: 'diagnose', accountId: 'admin', payload: {} })) as { body?: { steps: Array<{ key: string; status: string; detail: string }> }; error?: { status: number; message: string } };
  const diagnose = async () => (await run()).body!.steps.find((s) => s.key === 'jira-quota');
  expect(await diagnose()).toMatchObject({ status: 'passed', detail: expect.stringMatching(/^Tier 1: 65000 points an hour, shared by every site the app is installed on\. Well within it/) });
  h.sandbox.jiraLimits.spend(60_000);
  expect(await diagnose()).toMatchObject({ status: 'failed', detail: expect.stringMatching(/Only \d{4} points are left until the hour resets in \d+ min\./) });
  // Spent: not even the admin's permission can be checked, and the page says until when.
  spendTheHour();
  expect((await run()).error).toEqual({ status: 429, message: expect.stringMatching(/^The app has used its hourly allowance of Jira requests\. Jira takes them again at \d\d:00 UTC/) });
});

it('a per-site quota (Tier 2) spent reads the same to a person: which limit, and until when', async () => {
  h = await new Harness({ jiraLimits: { pool: 'tenant', pointsPerHour: 120_000 } }).start();
  const { key } = await h.createIssue();
  await h.settle();
  spendTheHour();
  const answer = await call('load', key);
  expect(answer.error).toEqual({ status: 429, message: expect.stringMatching(/^The app has used its hourly allowance of Jira requests\. Jira takes them again at \d\d:00 UTC/) });
  expect(h.sandbox.jiraLimits.refused['jira-quota-tenant-based']).toBe(1);
});
