import type { DeliveryRun } from './enhancement';
import { bucketOf, countRun, emptyDay, reasonKeyOf, summarise } from './outcome-stats';

const run = (over: Partial<DeliveryRun>): DeliveryRun => ({
  deliveryId: 'dlv_1_created',
  issueId: '1',
  issueKey: 'DEMO-1',
  projectId: '10000',
  projectKey: 'DEMO',
  trigger: 'created',
  status: 'completed',
  createdAt: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
  attemptLimit: 5,
  attempts: [],
  ...over,
});

const finishedAfter = (seconds: number) => run({ finishedAt: new Date(Date.parse('2026-11-29T10:00:00.000Z') + seconds * 1000).toISOString() });

it('counts outcomes per day and reads median and 95th percentile from the histogram within its precision', () => {
  let day = emptyDay('2026-11-29');
  // 100 results: 90 after 60 s, 10 after 20 minutes.
  for (let i = 0; i < 90; i += 1) day = countRun(day, finishedAfter(60), 'completed');
  for (let i = 0; i < 10; i += 1) day = countRun(day, finishedAfter(1200), 'completed');
  const insights = summarise([day], '2026-11-29');
  expect(insights.totals).toEqual({ completed: 100, failed: 0, timedOut: 0 });
  expect(insights.days).toHaveLength(30);
  expect(insights.days[29]).toEqual({ day: '2026-11-29', completed: 100, failed: 0, timedOut: 0 });
  // √2-wide buckets: the middle is within 19% of any time in the bucket.
  expect(Math.abs(insights.medianMs! - 60_000) / 60_000).toBeLessThan(0.19);
  expect(Math.abs(insights.p95Ms! - 1_200_000) / 1_200_000).toBeLessThan(0.19);
  expect(bucketOf(500)).toBe(0);
  expect(bucketOf(3 * 86_400_000 * 10)).toBe(35);
});

it('groups failures by cause and HTTP status, keeps the top reasons, and takes back a count', () => {
  const unauthorized = run({ status: 'failed', failureCause: 'configuration', httpStatus: 401, reason: 'AI Ops answered 401: the signature does not match' });
  const outage = run({ status: 'failed', failureCause: 'outage', reason: 'AI Ops could not be reached' });
  expect(reasonKeyOf(unauthorized)).toEqual({ key: 'configuration-401', label: 'AI Ops answered 401: the signature does not match' });
  let day = emptyDay('2026-11-28');
  day = countRun(day, unauthorized, 'failed');
  day = countRun(day, unauthorized, 'failed');
  day = countRun(day, outage, 'failed');
  day = countRun(day, run({ status: 'timed-out', failureCause: 'agent', reason: 'no comment by AI Ops Bot within 30 minutes' }), 'timedOut');
  let insights = summarise([day], '2026-11-29');
  expect(insights.topReasons.map((r) => [r.key, r.count])).toEqual([
    ['configuration-401', 2],
    ['outage', 1],
    ['timed-out', 1],
  ]);
  // A late result: the timed-out count is taken back, and its reason with it.
  day = countRun(day, run({ status: 'timed-out', failureCause: 'agent', reason: 'no comment by AI Ops Bot within 30 minutes' }), 'timedOut', -1);
  insights = summarise([day], '2026-11-29');
  expect(insights.totals.timedOut).toBe(0);
  expect(insights.topReasons.map((r) => r.key)).toEqual(['configuration-401', 'outage']);
});
