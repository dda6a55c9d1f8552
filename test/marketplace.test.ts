/**
 * What a Marketplace reviewer and a careful customer check: the licence gates every piece of work,
 * uninstalling leaves nothing behind, old runs go after the retention period, and the account ids
 * the app keeps are reported to Atlassian and erased when the account is closed.
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

const GLOBAL = 'settings:global';
const PANEL = 'ticket-enhancer-panel';
const ADMIN = 'ticket-enhancer-admin';
const PROJECT = 'ticket-enhancer-project';
const DAY = 86_400_000;
const RUN_ENTITY = 'delivery-run';

const invoke = (moduleKey: string, functionKey: string, accountId: string, extra: { payload?: unknown; issueKey?: string; projectKey?: string } = {}) =>
  h.sandbox.invokeResolver({ moduleKey, functionKey, accountId, ...extra }) as Promise<{ body: any } | { error: { status: number; message: string } }>;

describe('licensing', () => {
  beforeEach(async () => {
    h = await new Harness().start();
  });

  it('an unlicensed site is not invoked for events or the scheduled check, and every screen says what to do', async () => {
    const { key } = await h.createIssue({ summary: 'sent while licensed' });
    await h.settle();
    h.sandbox.runtime.licence = 'inactive';
    const before = h.sandbox.runtime.invocations.length;
    await h.createIssue({ summary: 'created while unlicensed' });
    await h.settle();
    await h.sweep();
    expect(h.sandbox.runtime.invocations.slice(before)).toEqual([]);
    expect(h.runs()).toHaveLength(1);

    for (const [moduleKey, user, extra] of [
      [ADMIN, 'admin', {}],
      [PROJECT, 'lead', { projectKey: 'DEMO' }],
    ] as const) {
      const answer = (await invoke(moduleKey, 'load', user, extra)) as { body: any };
      expect(answer.body).toEqual({ unlicensed: true, message: expect.stringContaining('no active licence on this site') });
      expect(answer.body.message).toContain('Manage apps');
    }
    // Work is refused too, and nothing is written.
    const stored = JSON.stringify(h.sandbox.kvs.snapshot());
    expect((await invoke(PANEL, 'runAgain', 'agent', { issueKey: key })) as { body: any }).toMatchObject({ body: { unlicensed: true } });
    expect((await invoke(PROJECT, 'save', 'lead', { projectKey: 'DEMO', payload: { settings: { enabled: false } } })) as { body: any }).toMatchObject({ body: { unlicensed: true } });
    expect(JSON.stringify(h.sandbox.kvs.snapshot())).toBe(stored);

    // The panel keeps past results readable, and offers nothing to start.
    const panel = ((await invoke(PANEL, 'load', 'agent', { issueKey: key })) as { body: any }).body;
    expect(panel).toMatchObject({ status: { label: 'Completed' }, canRunAgain: false, canCancel: false, readOnly: expect.stringContaining('past results stay readable') });
    expect(panel.current.result.sections.length).toBeGreaterThan(0);
    host = new UiHost(h.sandbox, { moduleKey: PANEL, user: 'agent', issueKey: key }).mount(join(__dirname, '..', 'src', 'ui', 'panel.tsx'));
    await host.waitForText('nothing new is sent to AI Ops');
    expect(host.text()).toContain('Missing information');
    expect(host.button('Run again')).toBeUndefined();
    host.unmount();
    host = new UiHost(h.sandbox, { moduleKey: ADMIN, user: 'admin' }).mount(join(__dirname, '..', 'src', 'ui', 'admin.tsx'));
    await host.waitForText('No active licence');
    expect(host.byType('Textfield')).toHaveLength(0);
  });

  it('an evaluation licence works as an active one', async () => {
    h.sandbox.runtime.licence = 'evaluation';
    const { key } = await h.createIssue();
    await h.settle();
    expect(h.runs().map((r) => r.status)).toEqual(['completed']);
    const panel = (await invoke(PANEL, 'load', 'agent', { issueKey: key })) as { body: any };
    expect(panel.body.unlicensed).toBeUndefined();
    expect(panel.body.status.label).toBe('Completed');
  });

  it('a delivery waiting in the queue when the licence lapses is not sent, and says why', async () => {
    h.sandbox.runtime.paused = true;
    await h.createIssue();
    await h.sandbox.jira.settled();
    h.sandbox.runtime.licence = 'inactive';
    h.sandbox.runtime.resume();
    await h.settle();
    expect(h.webhookRequests()).toEqual([]);
    expect(h.runs()).toEqual([expect.objectContaining({ status: 'failed', reason: expect.stringContaining('no active licence') })]);
  });
});

/** Fills the store as months of use would: runs on many issues, with their issue properties. */
async function fillStore(count: number): Promise<void> {
  const issues: string[] = [];
  for (let i = 0; i < 20; i += 1) issues.push((await h.createIssue({ summary: `Issue ${i}` })).id);
  await h.settle();
  const start = Date.now() - 400 * DAY;
  for (let i = 0; i < count; i += 1) {
    const issueId = issues[i % issues.length];
    const createdAt = new Date(start + i * 60_000).toISOString();
    const record = { deliveryId: `dlv_fill_${i}`, issueId, issueKey: `DEMO-${i}`, projectId: '10000', projectKey: 'DEMO', trigger: 'created', status: 'completed', createdAt, updatedAt: createdAt, attemptLimit: 5, attempts: [], requestedBy: '557058:0c3f-agent' };
    await h.sandbox.kvs.handle('/api/v1/entity/set', { entityName: RUN_ENTITY, key: record.deliveryId, value: { issueId, projectId: '10000', createdAt, status: 'completed', phase: 'done', version: 1, record } });
  }
  await h.sandbox.kvs.handle('/api/v1/secret/set', { key: 'secret:project:10000:current', value: 'cHJvamVjdC1vd24tc2VjcmV0LWtleQ==' });
  await h.sandbox.kvs.handle('/api/v1/set', { key: 'bulk:20261129-abc', value: { id: '20261129-abc', requestedBy: '557058:0c3f-agent' } });
}

describe('uninstalling', () => {
  it('deletes the secrets, every run and the issue properties they left, and every other key, within its 55 s', async () => {
    h = await new Harness({ timeScale: 1 }).start();
    await fillStore(3000);
    expect(h.sandbox.kvs.entityEntries(RUN_ENTITY).length).toBe(3020);
    expect(h.sandbox.jira.state.issues.filter((issue) => issue.properties['ticket-enhancer']).length).toBe(20);
    const started = Date.now();
    await h.sandbox.runtime.uninstall();
    const tookMs = Date.now() - started;
    expect(h.sandbox.kvs.secretKeys()).toEqual([]);
    expect(h.sandbox.kvs.entityEntries(RUN_ENTITY)).toEqual([]);
    expect(h.sandbox.kvs.keys()).toEqual([]);
    expect(h.sandbox.jira.state.issues.filter((issue) => issue.properties['ticket-enhancer'])).toEqual([]);
    const [cleanup] = h.sandbox.runtime.invocations.filter((i) => i.functionKey === 'uninstall-cleanup');
    expect(cleanup.error).toBeUndefined();
    process.stdout.write(`uninstall: 3,020 runs on 20 issues, secrets and settings deleted in ${tookMs} ms (limit 55 s); ${cleanup.kvs.writes} deletes\n`);
  }, 120_000);

  it('goes on where it stopped when cut short ("Delete all stored data" on the admin page)', async () => {
    // Time runs 1,000 times faster: each invocation has a fraction of a second and does one page.
    h = await new Harness().start();
    await fillStore(1500);
    expect((await invoke(ADMIN, 'purgeData', 'admin', { payload: { confirm: 'delete' } })) as { body: any }).toMatchObject({ body: { started: false, reason: 'type DELETE to confirm' } });
    expect((await invoke(ADMIN, 'purgeData', 'lead', { payload: { confirm: 'DELETE' } })) as { error: any }).toMatchObject({ error: { status: 403 } });
    expect((await invoke(ADMIN, 'purgeData', 'admin', { payload: { confirm: 'DELETE' } })) as { body: any }).toMatchObject({ body: { started: true } });
    await h.settle();
    const purges = h.sandbox.runtime.invocations.filter((i) => i.functionKey === 'deliver-issue');
    expect(purges.length).toBeGreaterThan(5);
    expect(h.sandbox.kvs.secretKeys()).toEqual([]);
    expect(h.sandbox.kvs.entityEntries(RUN_ENTITY)).toEqual([]);
    expect(h.sandbox.kvs.keys()).toEqual([]);
  }, 60_000);
});

describe('retention', () => {
  it('deletes runs older than the period once a day, and the admin page shows the period and the stored volume', async () => {
    h = await new Harness().start();
    await fillStore(400);
    await h.updateSettings(GLOBAL, { retentionDays: 90 });
    const nextMidnight = DAY - (Date.now() % DAY) + 60_000;
    h.sandbox.runtime.advanceClock(nextMidnight);
    await h.sweep();
    const left = h.sandbox.kvs.entityEntries(RUN_ENTITY).map((e) => (e.value as { createdAt: string }).createdAt);
    const cutoff = new Date(Date.now() - 90 * DAY).toISOString();
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((createdAt) => createdAt >= cutoff)).toBe(true);
    expect(left.length).toBeLessThan(420);
    const admin = (await invoke(ADMIN, 'load', 'admin')) as { body: any };
    expect(admin.body.storage).toMatchObject({ retentionDays: 90, runs: left.length, oldest: left.sort()[0] });
    expect(admin.body.storage.bytes).toBeGreaterThan(0);
    expect(admin.body.storage.retentionRanAt).not.toBeNull();
    // A period outside 7 days to 10 years is refused with the field named.
    const saved = (await invoke(ADMIN, 'save', 'admin', { payload: { settings: { ...admin.body.settings, retentionDays: 3 } } })) as { body: any };
    expect(saved.body.errors).toContainEqual({ field: 'retentionDays', message: 'Retention must be at least 7 days' });
  });
});

describe('personal data', () => {
  it('reports the account ids it keeps once a cycle, and erases a closed account from every run', async () => {
    h = await new Harness().start();
    const { key } = await h.createIssue();
    await h.settle();
    // An agent re-runs the issue: the run keeps their account id.
    expect(await invoke(PANEL, 'runAgain', 'agent', { issueKey: key })).toMatchObject({ body: { started: true } });
    await h.settle();
    const { requestedBy: agentId, deliveryId } = h.runs().find((r) => r.trigger === 'rerun')!;
    expect(agentId).toBe('557058:0c3f-agent');
    // They act on its result: a vote and a dismissed suggestion name them too.
    expect(await invoke(PANEL, 'feedback', 'agent', { issueKey: key, payload: { deliveryId, helpful: true } })).toMatchObject({ body: { saved: true } });
    expect(await invoke(PANEL, 'dismissSuggestion', 'agent', { issueKey: key, payload: { deliveryId, field: 'labels' } })).toMatchObject({ body: { dismissed: true } });

    const hourly = async () => {
      h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) + 1_000);
      await h.sweep();
    };
    await hourly();
    expect(h.sandbox.runtime.personalDataReports.flat().map((a) => a.accountId)).toEqual([agentId]);
    // Not again within the 7-day cycle.
    await hourly();
    expect(h.sandbox.runtime.personalDataReports).toHaveLength(1);

    h.sandbox.runtime.closedAccounts.add(agentId);
    h.sandbox.runtime.advanceClock(7 * DAY);
    await hourly();
    expect(h.sandbox.runtime.personalDataReports).toHaveLength(2);
    const rerun = h.runs().find((r) => r.trigger === 'rerun')!;
    expect(rerun.requestedBy).toBe('erased-account');
    expect(rerun.actions).toEqual([expect.objectContaining({ kind: 'dismissed', by: 'erased-account' })]);
    expect(Object.values(rerun.feedback)).toEqual([expect.objectContaining({ helpful: true })]);
    expect(JSON.stringify(h.sandbox.kvs.snapshot())).not.toContain(agentId);
  });

  it('takes over the single account index of earlier versions, one key per account', async () => {
    h = await new Harness().start();
    const seenAt = new Date(Date.now() - DAY).toISOString();
    await h.sandbox.kvs.handle('/api/v1/set', { key: 'privacy:accounts', value: { '557058:old-one': { seenAt }, '557058:old-two': { seenAt, reportedAt: seenAt } } });
    h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) + 1_000);
    await h.sweep();
    expect(h.sandbox.runtime.personalDataReports.flat().map((a) => a.accountId)).toEqual(['557058:old-one']);
    expect(h.sandbox.kvs.peek('privacy:accounts')).toBeUndefined();
    expect(h.sandbox.kvs.peek('privacy:account:557058:old-two')).toEqual({ seenAt, reportedAt: seenAt });
  });

  it('with 5,000 accounts known, every action still works, each account is reported once a cycle, and the cycle the API names is followed', async () => {
    h = await new Harness().start();
    const { key } = await h.createIssue();
    await h.settle();
    const seenAt = new Date(Date.now() - DAY).toISOString();
    for (let i = 0; i < 5000; i += 1) await h.sandbox.kvs.handle('/api/v1/set', { key: `privacy:account:557058:user-${String(i).padStart(4, '0')}`, value: { seenAt } });
    // People act as usual: the bookkeeping of a new account is one small key of its own.
    expect(await invoke(PANEL, 'runAgain', 'agent', { issueKey: key })).toMatchObject({ body: { started: true } });
    await h.settle();
    expect(await invoke('ticket-enhancer-admin', 'sendTestIssue', 'admin', { payload: { issueKey: key } })).not.toHaveProperty('error');

    const hourly = async () => {
      h.sandbox.runtime.advanceClock(3_600_000 - (Date.now() % 3_600_000) + 1_000);
      await h.sweep();
    };
    const reported = () => h.sandbox.runtime.personalDataReports.flat().map((a) => a.accountId!);
    // At most 20 requests of 90 a check: 5,002 accounts take three hourly checks, each reported once.
    for (let i = 0; i < 4; i += 1) await hourly();
    expect(reported()).toHaveLength(5002);
    expect(new Set(reported()).size).toBe(5002);
    expect(reported()).toEqual(expect.arrayContaining(['557058:0c3f-agent', '557058:0a1d-admin']));
    expect(reported().filter((id) => id === 'unknown' || id.startsWith('erased-account'))).toEqual([]);
    expect(Math.max(...h.sandbox.runtime.personalDataReports.map((r) => r.length))).toBeLessThanOrEqual(90);
    // Nothing more within the cycle; a quiet hour costs one read.
    await hourly();
    expect(reported()).toHaveLength(5002);

    // The API names a two-day cycle: everyone is due again two days after their report, not seven.
    h.sandbox.runtime.personalDataCycleSeconds = 2 * 86_400;
    h.sandbox.runtime.personalDataReports.length = 0;
    h.sandbox.runtime.advanceClock(7 * DAY);
    for (let i = 0; i < 4; i += 1) await hourly();
    expect(new Set(reported()).size).toBe(5002);
    h.sandbox.runtime.personalDataReports.length = 0;
    h.sandbox.runtime.advanceClock(DAY);
    await hourly();
    expect(reported()).toEqual([]);
    h.sandbox.runtime.advanceClock(DAY);
    for (let i = 0; i < 4; i += 1) await hourly();
    expect(reported()).toHaveLength(5002);

    // A 429 waits for its Retry-After: nothing is lost, nothing is sent twice.
    h.sandbox.runtime.personalDataReports.length = 0;
    h.sandbox.runtime.personalDataRefusals = 1;
    h.sandbox.runtime.advanceClock(2 * DAY);
    await hourly();
    expect(reported()).toEqual([]);
    for (let i = 0; i < 5; i += 1) await hourly();
    expect(reported()).toHaveLength(5002);
    expect(new Set(reported()).size).toBe(5002);
  });
});
