/**
 * `--time-scale N` runs the site N times faster: the platform's waits and the clock the app reads,
 * so the app's own deadlines keep pace (a lost queue event is resumed after the 20-minute grace, a
 * 24-hour outage ends its runs), all within a minute of real time.
 */
import { Harness, realNow as real, until } from './support/harness';

jest.setTimeout(90_000);

let h: Harness;

afterEach(() => h?.stop());


it('resumes a run whose queue event was lost after the 20-minute grace, in well under a minute at 3,000 times', async () => {
  h = await new Harness({ timeScale: 3000, virtualClock: true, schedules: true }).start();
  const { key } = await h.createIssue();
  await h.settle();
  const startedReal = real();
  const startedClock = Date.now();
  // Run again records the run, then its queue event is lost: only the scheduled check brings it back.
  h.sandbox.runtime.paused = true;
  expect(((await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'runAgain', accountId: 'agent', issueKey: key })) as { body: any }).body.started).toBe(true);
  expect(h.sandbox.runtime.dropPendingEvents()).toBe(1);
  h.sandbox.runtime.resume();
  const rerun = () => h.runs().find((r) => r.trigger === 'rerun');
  await until(() => rerun()?.status === 'completed', 'the lost run completing');
  expect(rerun()!.sweepResumes).toBe(1);
  // More than 20 minutes passed on the app's clock, less than a minute in reality.
  expect(Date.now() - startedClock).toBeGreaterThan(20 * 60_000);
  expect(real() - startedReal).toBeLessThan(60_000);
});

it('ends runs that waited through a 24-hour outage within a minute at 6,000 times', async () => {
  h = await new Harness({ timeScale: 6000, virtualClock: true, schedules: true }).start();
  const startedReal = real();
  h.aiops.outage = 'refuse';
  await h.createIssue();
  await until(() => h.runs()[0]?.status === 'waiting', 'the run waiting for AI Ops');
  await until(() => h.runs()[0]?.status === 'failed', 'the run failing at the outage horizon');
  expect(h.runs()[0].reason).toMatch(/24 h/);
  expect(real() - startedReal).toBeLessThan(60_000);
});
