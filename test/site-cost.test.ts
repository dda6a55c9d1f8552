/**
 * What the app costs a site, measured on the sandbox runtime (which counts invocations and KVS
 * operations per invocation): events the app ignores cost little or nothing, and one enhanced
 * issue stays within its budget in every result mode.
 */
import { invocationTotals, type InvocationRecord } from '../sandbox/runtime/forge-runtime';
import { EMBEDDED_AGENT_ID } from '../sandbox/sandbox';
import { Harness } from './support/harness';

let h: Harness;

afterEach(async () => {
  await h?.stop();
});

const GLOBAL = 'settings:global';
const DEMO = 'settings:project:10000';
const PROJECT = 'ticket-enhancer-project';

function cost(records: InvocationRecord[]) {
  const t = invocationTotals(records);
  return { invocations: t.invocations, functions: records.map((r) => r.functionKey), reads: t.kvsReads, writes: t.kvsWrites, writeBytes: t.writeBytes };
}

/** Runs `action` and returns what the app's functions cost while the platform settled. */
async function measured(action: () => Promise<unknown>): Promise<ReturnType<typeof cost>> {
  const before = h.sandbox.runtime.invocations.length;
  await action();
  await h.settle();
  return cost(h.sandbox.runtime.invocations.slice(before));
}

async function editIssue(key: string, fields: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${h.sandbox.url}/rest/api/3/issue/${key}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' },
    body: JSON.stringify({ fields }),
  });
  expect(response.status).toBe(204);
}

describe('events the app ignores', () => {
  beforeEach(async () => {
    h = await new Harness().start();
    await h.updateSettings(DEMO, { events: { created: true, updated: true } });
    // Warm the site snapshot, as any earlier event would have.
    await h.createIssue({ summary: 'warm-up' });
    await h.settle();
  });

  it('never invokes the app for an update that changes neither summary nor description', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    const labels = await measured(() => editIssue(key, { labels: ['triaged'] }));
    const priority = await measured(() => editIssue(key, { priority: { name: 'High' } }));
    expect(labels.invocations).toBe(0);
    expect(priority.invocations).toBe(0);
    const summary = await measured(() => editIssue(key, { summary: 'Checkout crashes when the cart holds 100 items' }));
    expect(summary.functions).toContain('on-issue-event');
    expect(h.runs().filter((r) => r.issueKey === key).map((r) => r.trigger).sort()).toEqual(['created', 'updated']);
  });

  it('costs one read and no write for an issue created in a project that is not enabled', async () => {
    const created = await measured(() => h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'Printer on fire' }));
    expect(created).toMatchObject({ invocations: 1, functions: ['on-issue-event'], reads: 1, writes: 0 });
    expect(h.runs().filter((r) => r.projectKey === 'SUP')).toEqual([]);
  });

  it('costs one read for a summary edit in a project that is not enabled', async () => {
    const { key } = await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'Printer on fire' });
    await h.settle();
    expect(await measured(() => editIssue(key, { summary: 'Printer still on fire' }))).toMatchObject({ invocations: 1, reads: 1, writes: 0 });
  });
});

describe('the settings snapshot every issue event reads', () => {
  beforeEach(async () => {
    h = await new Harness().start();
  });

  it('follows saves on the project page: enabled projects send, disabled ones stop at once', async () => {
    const save = (settings: Record<string, unknown>) =>
      h.sandbox.invokeResolver({ moduleKey: PROJECT, functionKey: 'save', accountId: 'lead', projectKey: 'DEMO', payload: { settings } });
    expect(await save({ enabled: false })).toMatchObject({ body: { ok: true } });
    await h.createIssue({ summary: 'while disabled' });
    await h.settle();
    expect(h.runs()).toEqual([]);
    expect(await save({ enabled: true })).toMatchObject({ body: { ok: true } });
    await h.createIssue({ summary: 'after enabling' });
    await h.settle();
    expect(h.runs().map((r) => [r.issueKey, r.status])).toEqual([['DEMO-2', 'completed']]);
  });

  it('is repaired by the hourly check when it fell out of step with the stored settings', async () => {
    await h.createIssue({ summary: 'builds the snapshot' });
    await h.settle();
    // A save whose snapshot write lost a race: the project is disabled, the snapshot still lists it.
    const stored = h.sandbox.kvs.peek(DEMO) as Record<string, unknown>;
    await h.sandbox.kvs.handle('/api/v1/set', { key: DEMO, value: { ...stored, enabled: false } });
    await h.createIssue({ summary: 'sent by the stale snapshot' });
    await h.settle();
    expect(h.runs()).toHaveLength(2);
    const now = Date.now();
    h.sandbox.runtime.advanceClock(3_600_000 - (now % 3_600_000) + 1_000);
    await h.sweep();
    await h.createIssue({ summary: 'not sent after the repair' });
    await h.settle();
    expect(h.runs()).toHaveLength(2);
  });
});

describe('one enhanced issue, delivery and result', () => {
  // The budget is 3 invocations, 6 KVS operations and 8 KiB written. A callback must be verified
  // with the secret before anything else is read, which costs one read more; a "running" callback
  // before the result costs an invocation and three operations more.
  const cases = [
    { name: 'a Jira comment', mode: 'comment', running: false, invocations: 3, ops: 6 },
    { name: 'polling', mode: 'poll', running: false, invocations: 3, ops: 6 },
    { name: 'a callback', mode: 'callback', running: false, invocations: 3, ops: 7 },
    { name: 'a running callback, then the result', mode: 'callback', running: true, invocations: 4, ops: 10 },
  ] as const;
  for (const c of cases) {
    it(`costs at most ${c.invocations} invocations and ${c.ops} KVS operations with results by ${c.name}`, async () => {
      h = await new Harness({ results: c.mode }).start();
      await h.updateSettings(GLOBAL, { resultMode: c.mode });
      if (c.running) h.aiops.agent(EMBEDDED_AGENT_ID)!.sendRunning = true;
      // Polling: the result is ready by the first poll (5 s), however slowly this machine runs the 1.5 s of work.
      if (c.mode === 'poll') h.aiops.agent(EMBEDDED_AGENT_ID)!.workMs = 0;
      await h.createIssue({ summary: 'warm-up' });
      await h.settle();
      const life = await measured(() => h.createIssue({ summary: 'Checkout crashes', description: 'Steps: open the cart, press Pay.' }));
      expect(h.runs().filter((r) => r.status === 'completed')).toHaveLength(2);
      expect(life.invocations).toBeLessThanOrEqual(c.invocations);
      expect(life.reads + life.writes).toBeLessThanOrEqual(c.ops);
      expect(life.writeBytes).toBeLessThanOrEqual(8 * 1024);
    });
  }
});
