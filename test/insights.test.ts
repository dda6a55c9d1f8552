/**
 * How it is going: the day counters the scheduled check keeps from finished runs, the admin and
 * project pages' picture of the last 30 days, and a failure reason opening the deliveries it names.
 */
import { join } from 'node:path';
import { Harness } from './support/harness';
import { UiHost } from './support/ui-host';

let h: Harness;
let host: UiHost | undefined;

afterEach(async () => {
  host?.unmount();
  host = undefined;
  await h?.stop();
});

const ADMIN = 'ticket-enhancer-admin';
const PROJECT = 'ticket-enhancer-project';
const invoke = (moduleKey: string, functionKey: string, accountId: string, payload: unknown = {}, projectKey?: string) =>
  h.sandbox.invokeResolver({ moduleKey, functionKey, accountId, payload, ...(projectKey ? { projectKey } : {}) }) as Promise<{ body: any }>;

/** The hourly check (the counters also move on every check while runs are under way). */
async function hourlyCheck() {
  h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) + 1_000);
  await h.sweep();
}

beforeEach(async () => {
  h = await new Harness().start();
  for (let i = 0; i < 3; i += 1) await h.createIssue({ summary: `Completes ${i}` });
  await h.settle();
  h.aiops.scriptFaults({ status: 401, body: { detail: 'Invalid signature' } }, { status: 401, body: { detail: 'Invalid signature' } });
  await h.createIssue({ summary: 'Refused 1' });
  await h.createIssue({ summary: 'Refused 2' });
  await h.settle();
  await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'Not enabled' });
  await h.settle();
});

it('counts finished runs by day and outcome without a write in the delivery path, and each run once', async () => {
  const before = h.sandbox.runtime.invocations.length;
  await hourlyCheck();
  const check = h.sandbox.runtime.invocations.slice(before).find((i) => i.functionKey === 'sweep-runs')!;
  const admin = await invoke(ADMIN, 'load', 'admin');
  const { insights } = admin.body;
  expect(insights.totals).toEqual({ completed: 3, failed: 2, timedOut: 0 });
  expect(insights.days.at(-1)).toMatchObject({ completed: 3, failed: 2 });
  expect(insights.medianMs).toBeGreaterThan(0);
  expect(insights.topReasons).toEqual([{ key: 'configuration-401', label: expect.stringContaining('401'), count: 2 }]);
  // Counted once: another check adds nothing.
  await hourlyCheck();
  expect((await invoke(ADMIN, 'load', 'admin')).body.insights.totals).toEqual({ completed: 3, failed: 2, timedOut: 0 });
  // The project's own picture.
  expect((await invoke(PROJECT, 'load', 'lead', {}, 'DEMO')).body.insights.totals).toEqual({ completed: 3, failed: 2, timedOut: 0 });
  expect((await invoke(PROJECT, 'load', 'admin', {}, 'SUP')).body.insights.totals).toEqual({ completed: 0, failed: 0, timedOut: 0 });
  process.stdout.write(`day counters: 5 finished runs counted by one check in ${check.kvs.reads} reads and ${check.kvs.writes} writes (${(check.kvs.writeBytes / 1024).toFixed(1)} KiB)\n`);
});

it('opens the deliveries that failed for a reason, on the page', async () => {
  await hourlyCheck();
  const filtered = await invoke(ADMIN, 'deliveries', 'admin', { reason: 'configuration-401' });
  expect(filtered.body.deliveries.map((d: { issueKey: string }) => d.issueKey).sort()).toEqual(['DEMO-4', 'DEMO-5']);
  expect((await invoke(ADMIN, 'deliveries', 'admin', { reason: '<script>' })).body.deliveries).toHaveLength(5);

  host = new UiHost(h.sandbox, { moduleKey: ADMIN, user: 'admin' }).mount(join(__dirname, '..', 'src', 'ui', 'admin.tsx'));
  await host.waitForText('The last 30 days');
  expect(host.text()).toContain('3 runs completed, 2 failed, 0 timed out.');
  const [chart] = host.byType('StackBarChart');
  expect(chart.props).toMatchObject({ xAccessor: 'day', yAccessor: 'runs', colorAccessor: 'outcome' });
  expect(chart.props.data).toHaveLength(90);
  expect(chart.props.data.filter((row: { runs: number }) => row.runs > 0)).toEqual([
    expect.objectContaining({ outcome: 'Completed', runs: 3 }),
    expect.objectContaining({ outcome: 'Failed', runs: 2 }),
  ]);
  await host.click('Show these deliveries');
  await host.waitForText('Deliveries that failed for this reason');
  expect(host.text()).toContain('DEMO-4');
  expect(host.text()).not.toContain('DEMO-1 ');
});

it('says that runs which just finished are not counted yet, rather than that none finished', async () => {
  host = new UiHost(h.sandbox, { moduleKey: PROJECT, user: 'lead', projectKey: 'DEMO' }).mount(join(__dirname, '..', 'src', 'ui', 'project-settings.tsx'));
  await host.waitForText('The last 30 days');
  // The deliveries table already lists the finished runs; the counters catch up at the next check.
  expect(host.text()).toContain('No finished run counted in the last 30 days yet');
  expect(host.text()).toContain('within five minutes');
  expect(host.text()).toContain('DEMO-1');
});

it('pages the project\'s deliveries: older ones are added below the newest 25, then the control goes', async () => {
  for (let i = 0; i < 21; i += 1) await h.createIssue({ summary: `More ${i}` });
  await h.settle();
  host = new UiHost(h.sandbox, { moduleKey: PROJECT, user: 'lead', projectKey: 'DEMO' }).mount(join(__dirname, '..', 'src', 'ui', 'project-settings.tsx'));
  await host.waitForText('Show older deliveries');
  // 26 runs in DEMO: the first page shows the newest 25, so the first issue is not there yet.
  expect(host.text()).toContain('DEMO-26');
  expect(host.text()).not.toMatch(/DEMO-1(?!\d)/);
  await host.click('Show older deliveries');
  await host.waitForText(/DEMO-1(?!\d)/);
  expect(host.text()).toContain('DEMO-26');
  expect(host.button('Show older deliveries')).toBeUndefined();
});
