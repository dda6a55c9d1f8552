/**
 * No ticket left behind: every run reaches an end, outages recover by themselves, many runs can be
 * redelivered at once, and nothing is too big to store.
 */
import { join } from 'node:path';
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { signRequest } from '../src/core/signing';
import { Harness } from './support/harness';
import { UiHost } from './support/ui-host';

let h: Harness;

beforeEach(async () => {
  h = await new Harness().start();
});

afterEach(() => h.stop());

const GLOBAL = 'settings:global';
const MINUTE = 60_000;
const panel = async (issueKey: string, as = 'agent') => ((await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'load', accountId: as, issueKey })) as { body: any }).body;
const invoke = (moduleKey: string, functionKey: string, accountId: string, payload: unknown = {}, projectKey?: string) =>
  h.sandbox.invokeResolver({ moduleKey, functionKey, accountId, payload, ...(projectKey ? { projectKey } : {}) }) as Promise<{ body: any } | { error: { status: number; message: string } }>;

/** A run recorded as queued before its push (as "Run again" does), whose queue event is then lost. */
async function runAgainAndLoseTheEvent(): Promise<string> {
  const { key } = await h.createIssue();
  await h.settle();
  h.sandbox.runtime.paused = true;
  expect(await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'runAgain', accountId: 'agent', issueKey: key })).toMatchObject({ body: { started: true } });
  expect(h.sandbox.runtime.dropPendingEvents()).toBe(1);
  h.sandbox.runtime.resume();
  return key;
}

describe('runs that would never end', () => {
  it('resumes a run whose queue event was lost, once it is overdue', async () => {
    const key = await runAgainAndLoseTheEvent();
    const rerun = () => h.runs().find((r) => r.trigger === 'rerun')!;
    await h.sweep();
    expect(rerun().status).toBe('queued');
    expect((await panel(key)).overdue).toBe(false);
    h.sandbox.runtime.advanceClock(21 * MINUTE);
    // Overdue: the panel stops polling and says the check will move it on.
    expect((await panel(key)).overdue).toBe(true);
    await h.sweep();
    expect(rerun()).toMatchObject({ status: 'completed', sweepResumes: 1 });
    expect(h.webhookRequests()).toHaveLength(2);
  });

  it('resumes a retrying run whose retry never came, under the same delivery id', async () => {
    h.aiops.scriptFaults({ status: 503, body: { detail: 'Service unavailable' } });
    h.sandbox.runtime.timeScale = 1;
    await h.createIssue();
    await h.sandbox.jira.settled();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.runs()[0].status).toBe('retrying');
    h.sandbox.runtime.dropPendingEvents();
    h.sandbox.runtime.timeScale = 1000;
    h.sandbox.runtime.advanceClock(40 * MINUTE);
    await h.sweep();
    expect(h.runs()[0].status).toBe('completed');
    expect(new Set(h.webhookRequests().map((r) => r.headers['webhook-id'])).size).toBe(1);
  });

  it('ends a run that cannot be resumed, with a reason', async () => {
    await runAgainAndLoseTheEvent();
    await h.updateSettings(GLOBAL, {});
    await h.sandbox.kvs.handle('/api/v1/delete', { key: GLOBAL });
    h.sandbox.runtime.advanceClock(21 * MINUTE);
    await h.sweep();
    expect(h.runs().find((r) => r.trigger === 'rerun')).toMatchObject({ status: 'failed', reason: 'the AI Ops connection is no longer configured, so the delivery cannot be resumed' });
  });
});

describe('outages longer than the retries', () => {
  it('keeps runs waiting, resumes them oldest first, spaced out, when AI Ops answers again', async () => {
    await h.updateSettings(GLOBAL, { attemptLimit: 1 });
    h.aiops.outage = 'unavailable';
    const keys: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      keys.push((await h.createIssue({ summary: `During the outage ${i}` })).key);
      await h.settle();
    }
    expect(h.runs().map((r) => r.status)).toEqual(Array(5).fill('waiting'));
    await h.sweep();
    expect(h.runs().map((r) => r.status)).toEqual(Array(5).fill('waiting'));
    h.aiops.outage = undefined;
    h.sandbox.runtime.paused = true;
    await h.sandbox.runtime.runScheduledTrigger('run-sweep');
    // Queued oldest first, each a little later than the one before, so AI Ops is not hit by a burst.
    const queued = [...h.sandbox.runtime.pendingEvents()].sort((a, b) => a.dueAt - b.dueAt);
    expect(queued.map((e) => e.body.deliveryId)).toEqual(h.runs().map((r) => r.deliveryId));
    expect(new Set(queued.map((e) => e.dueAt)).size).toBe(5);
    h.sandbox.runtime.resume();
    await h.settle();
    const accepted = h.webhookRequests().filter((r) => r.status === 202).map((r) => JSON.parse(r.rawBody).issue_key);
    expect(accepted.sort()).toEqual([...keys].sort());
    expect(h.runs().map((r) => r.status)).toEqual(Array(5).fill('completed'));
    // They kept their delivery ids and were not counted as new attempts beyond the limit.
    expect(h.runs().every((r) => r.attemptLimit === 1)).toBe(true);
  });

  it('fails runs older than the outage horizon, and says so', async () => {
    await h.updateSettings(GLOBAL, { attemptLimit: 1, outageHorizonHours: 2 });
    h.aiops.outage = 'refuse';
    await h.createIssue();
    await h.settle();
    h.sandbox.runtime.advanceClock(121 * MINUTE);
    await h.sweep();
    const [run] = h.runs();
    expect(run.status).toBe('failed');
    expect(run.reason).toMatch(/^AI Ops could not be reached for more than 2 hours \(1 attempts; last: AI Ops could not be reached/);
  });

  it('still fails a rejection at once', async () => {
    await h.updateSettings(GLOBAL, { attemptLimit: 1 });
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, status: 'PAUSED' });
    await h.createIssue();
    await h.settle();
    expect(h.runs()[0]).toMatchObject({ status: 'failed', httpStatus: 403 });
  });
});

describe('Retry-After longer than the platform waits', () => {
  it('waits the whole hour in hops of at most 900 s, then tries again', async () => {
    h.aiops.scriptFaults({ status: 429, body: { detail: 'Too Many Requests' }, retryAfter: '3600' });
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run.attempts[0]).toMatchObject({ httpStatus: 429, retryInSeconds: 3600 });
    expect(run.status).toBe('completed');
    // The first attempt, three empty hops, the second attempt.
    expect(h.sandbox.runtime.invocations.filter((i) => i.functionKey === 'deliver-issue')).toHaveLength(5);
  });
});

describe('recovering many runs at once', () => {
  async function threeFailures() {
    const wrong = Buffer.alloc(32, 8).toString('base64');
    await h.setSecret(wrong);
    const keys = [];
    for (let i = 0; i < 3; i += 1) keys.push((await h.createIssue({ summary: `Failed ${i}` })).key);
    await h.settle();
    expect(h.runs().map((r) => r.httpStatus)).toEqual([401, 401, 401]);
    await h.setSecret(EMBEDDED_AGENT_SECRET);
    return keys;
  }

  it('counts, then redelivers every 401 since a time, at the queue\'s pace, each once', async () => {
    await threeFailures();
    const since = new Date(Date.now() - 10 * MINUTE).toISOString();
    const preview = await invoke('ticket-enhancer-admin', 'bulkPreview', 'admin', { kind: 'redeliver', filter: { since, httpStatus: '401' } });
    expect(preview).toEqual({ body: { ok: true, count: 3, cap: 500 } });
    const started = await invoke('ticket-enhancer-admin', 'bulkStart', 'admin', { kind: 'redeliver', filter: { since, httpStatus: '401' } });
    expect(started).toMatchObject({ body: { ok: true, bulk: { state: 'running', expected: 3 } } });
    await h.settle();
    const list = (await invoke('ticket-enhancer-admin', 'bulkList', 'admin')) as { body: any };
    expect(list.body.bulks[0]).toMatchObject({ state: 'done', queued: 3, progress: { percent: 100, text: '3 of 3 redelivered' } });
    const redelivered = h.runs().filter((r) => r.trigger === 'redeliver');
    expect(redelivered.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    // Starting the same again sends nothing twice: every issue's delivery id names the bulk run.
    expect(new Set(redelivered.map((r) => r.deliveryId)).size).toBe(3);
  });

  it('keeps a project admin to their project, and names a bad filter', async () => {
    await threeFailures();
    const bad = await invoke('ticket-enhancer-project', 'bulkPreview', 'lead', { kind: 'redeliver', filter: { since: 'yesterday-ish', httpStatus: '99' } }, 'DEMO');
    expect(bad).toEqual({
      body: {
        ok: false,
        errors: [
          { field: 'since', message: 'From must be a date and time, such as 2026-11-28 09:00' },
          { field: 'httpStatus', message: 'HTTP status must be a number from 100 to 599' },
        ],
      },
    });
    const sup = await invoke('ticket-enhancer-project', 'bulkPreview', 'admin', { kind: 'redeliver', filter: {} }, 'SUP');
    expect(sup).toEqual({ body: { ok: true, count: 0, cap: 500 } });
    expect(await invoke('ticket-enhancer-project', 'bulkPreview', 'agent', { kind: 'redeliver', filter: {} }, 'DEMO')).toMatchObject({ error: { status: 403 } });
  });

  it('can be paused and cancelled, and goes on when nobody watches', async () => {
    await threeFailures();
    h.sandbox.runtime.paused = true;
    const started = (await invoke('ticket-enhancer-project', 'bulkStart', 'lead', { kind: 'redeliver', filter: {} }, 'DEMO')) as { body: any };
    const id = started.body.bulk.id;
    expect((await invoke('ticket-enhancer-project', 'bulkControl', 'lead', { id, action: 'pause' }, 'DEMO')) as { body: any }).toMatchObject({ body: { bulk: { state: 'paused' } } });
    h.sandbox.runtime.resume();
    await h.settle();
    expect(h.runs().filter((r) => r.trigger === 'redeliver')).toHaveLength(0);
    await invoke('ticket-enhancer-project', 'bulkControl', 'lead', { id, action: 'resume' }, 'DEMO');
    await h.settle();
    expect(h.runs().filter((r) => r.trigger === 'redeliver')).toHaveLength(3);
    expect(await invoke('ticket-enhancer-project', 'bulkControl', 'lead', { id, action: 'cancel' }, 'DEMO')).toMatchObject({ error: { status: 409 } });
  });

  it('lets an editor cancel a run that waits to be sent, and nobody else', async () => {
    await h.updateSettings(GLOBAL, { attemptLimit: 1 });
    h.aiops.outage = 'unavailable';
    const { key } = await h.createIssue();
    await h.settle();
    const [waiting] = h.runs();
    expect(waiting.status).toBe('waiting');
    expect(await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'cancel', accountId: 'viewer', issueKey: key, payload: { deliveryId: waiting.deliveryId } })).toMatchObject({ error: { status: 403 } });
    const cancelled = await h.sandbox.invokeResolver({ moduleKey: 'ticket-enhancer-panel', functionKey: 'cancel', accountId: 'agent', issueKey: key, payload: { deliveryId: waiting.deliveryId } });
    expect(cancelled).toEqual({ body: { cancelled: true } });
    h.aiops.outage = undefined;
    await h.sweep();
    expect(h.runs()[0]).toMatchObject({ status: 'cancelled', failureCause: 'user' });
    expect(h.webhookRequests().filter((r) => r.status === 202)).toHaveLength(0);
  });
});

describe('enhancing tickets created before the app', () => {
  it('runs bulk chunks and deliveries under keys of their own, each with one limit, also when the admin changes parallel deliveries mid-way', async () => {
    await h.updateSettings('settings:global', { deliveryConcurrency: 10 });
    await h.updateSettings('settings:project:10000', { enabled: false });
    for (let i = 0; i < 6; i += 1) await h.createIssue({ summary: `Old ticket ${i}` });
    await h.settle();
    await h.updateSettings('settings:project:10000', { enabled: true });
    // Everything waits in the queue together: a bulk chunk, a new ticket's delivery, then one pushed after the limit changed.
    h.sandbox.runtime.paused = true;
    expect(await invoke('ticket-enhancer-project', 'bulkStart', 'lead', { kind: 'enhance', filter: { jql: 'ticketEnhancerStatus IS EMPTY', cap: '50' } }, 'DEMO')).toMatchObject({ body: { ok: true } });
    await h.createIssue({ summary: 'New while the bulk run waits' });
    await h.sandbox.jira.settled();
    await h.updateSettings('settings:global', { deliveryConcurrency: 3 });
    await h.createIssue({ summary: 'New after the limit changed' });
    await h.sandbox.jira.settled();
    h.sandbox.runtime.resume();
    await h.settle();
    expect(h.sandbox.runtime.concurrencyConflicts).toEqual([]);
    expect(new Set(h.webhookRequests().filter((r) => r.status === 202).map((r) => JSON.parse(r.rawBody).issue_key)).size).toBe(8);
  });

  it('counts the open tickets not yet enhanced, sends up to the confirmed cap, each once, and a second run sends the rest', async () => {
    // 30 tickets created while the project was off, 2 of them already done.
    await h.updateSettings('settings:project:10000', { enabled: false });
    for (let i = 0; i < 30; i += 1) await h.createIssue({ summary: `Old ticket ${i}` });
    await h.settle();
    expect(h.runs()).toEqual([]);
    for (const key of ['DEMO-1', 'DEMO-2']) h.sandbox.jira.issue(key)!.fields.status = { id: '10002', name: 'Done', statusCategory: { key: 'done', name: 'Done' } };
    await h.updateSettings('settings:project:10000', { enabled: true });

    const jql = 'statusCategory != Done AND ticketEnhancerStatus IS EMPTY';
    expect(await invoke('ticket-enhancer-project', 'bulkPreview', 'lead', { kind: 'enhance', filter: { jql, cap: '20' } }, 'DEMO')).toEqual({ body: { ok: true, count: 28, cap: 20 } });
    expect(await invoke('ticket-enhancer-project', 'bulkStart', 'lead', { kind: 'enhance', filter: { jql, cap: '20' } }, 'DEMO')).toMatchObject({ body: { ok: true, bulk: { state: 'running', cap: 20 } } });
    await h.settle();
    const list = (await invoke('ticket-enhancer-project', 'bulkList', 'lead', {}, 'DEMO')) as { body: any };
    expect(list.body.bulks[0]).toMatchObject({ kind: 'enhance', state: 'done', queued: 20 });
    expect(h.runs().filter((r) => r.status === 'completed')).toHaveLength(20);

    // The enhanced ones now carry the issue property: the same JQL finds only the rest.
    expect(await invoke('ticket-enhancer-project', 'bulkPreview', 'lead', { kind: 'enhance', filter: { jql, cap: '500' } }, 'DEMO')).toEqual({ body: { ok: true, count: 8, cap: 500 } });
    await invoke('ticket-enhancer-project', 'bulkStart', 'lead', { kind: 'enhance', filter: { jql, cap: '500' } }, 'DEMO');
    await h.settle();
    const sent = h.webhookRequests().filter((r) => r.status === 202).map((r) => JSON.parse(r.rawBody).issue_key as string);
    expect(sent).toHaveLength(28);
    expect(new Set(sent).size).toBe(28);
    expect(sent).not.toContain('DEMO-1');
  });

  it('sends every match when they take several chunks, although each one sent leaves the query', async () => {
    await h.updateSettings('settings:project:10000', { enabled: false });
    for (let i = 0; i < 60; i += 1) await h.createIssue({ summary: `Old ticket ${i}` });
    await h.settle();
    await h.updateSettings('settings:project:10000', { enabled: true });
    await invoke('ticket-enhancer-project', 'bulkStart', 'lead', { kind: 'enhance', filter: { jql: 'statusCategory != Done AND ticketEnhancerStatus IS EMPTY ORDER BY created DESC' } }, 'DEMO');
    await h.settle();
    const sent = h.webhookRequests().filter((r) => r.status === 202).map((r) => JSON.parse(r.rawBody).issue_key as string);
    expect(sent).toHaveLength(60);
    expect(new Set(sent).size).toBe(60);
  });

  it('starts the project page with the JQL of the open tickets of its enabled types not yet enhanced', async () => {
    await h.updateSettings('settings:project:10000', { issueTypeIds: ['10004'] });
    const ui = new UiHost(h.sandbox, { moduleKey: 'ticket-enhancer-project', user: 'lead', projectKey: 'DEMO' }).mount(join(__dirname, '..', 'src', 'ui', 'project-settings.tsx'));
    try {
      await ui.waitForText('Enhance existing tickets');
      const jql = ui.all((n) => (n.type === 'Textfield' || n.type === 'TextArea') && n.props.name === 'bulk-jql')[0];
      expect(jql.props.value).toBe('statusCategory != Done AND ticketEnhancerStatus IS EMPTY AND issuetype in (Bug)');
      // The sandbox's Jira reads it as Jira does: it counts.
      expect(await invoke('ticket-enhancer-project', 'bulkPreview', 'lead', { kind: 'enhance', filter: { jql: jql.props.value } }, 'DEMO')).toEqual({ body: { ok: true, count: 0, cap: 500 } });
    } finally {
      ui.unmount();
    }
  });

  it('keeps a project admin to their project; a Jira admin can enhance any enabled project', async () => {
    await h.createIssue({ project: { key: 'SUP' }, issuetype: { name: 'Incident' }, summary: 'An old incident' });
    await h.settle();
    // A project admin's JQL is scoped to their project, whatever they type.
    expect(await invoke('ticket-enhancer-project', 'bulkPreview', 'lead', { kind: 'enhance', filter: { jql: 'project = SUP' } }, 'DEMO')).toEqual({ body: { ok: true, count: 0, cap: 500 } });
    // A Jira admin's site-wide run reaches the enabled projects only.
    expect(await invoke('ticket-enhancer-admin', 'bulkPreview', 'admin', { kind: 'enhance', filter: { jql: 'project = SUP' } })).toEqual({ body: { ok: true, count: 0, cap: 500 } });
    await h.updateSettings('settings:project:10010', { enabled: true, events: { created: true, updated: false }, issueTypeIds: [], priorityIds: [], labelsInclude: [], labelsExclude: [] });
    expect(await invoke('ticket-enhancer-admin', 'bulkPreview', 'admin', { kind: 'enhance', filter: { jql: 'project = SUP' } })).toEqual({ body: { ok: true, count: 1, cap: 500 } });
    expect(await invoke('ticket-enhancer-admin', 'bulkPreview', 'admin', { kind: 'enhance', filter: { jql: '' } })).toEqual({ body: { ok: false, errors: [{ field: 'jql', message: 'Enter the JQL of the issues to send' }] } });
  });
});

describe('nothing too big to store', () => {
  const megabyte = '😀'.repeat(256 * 1024);
  const key = Buffer.from(EMBEDDED_AGENT_SECRET, 'base64');

  async function acceptedRun() {
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
    const issue = await h.createIssue();
    await h.settle();
    const [request] = h.webhookRequests();
    return { issue, callbackUrl: JSON.parse(request.rawBody).callback_url as string, executionId: (request.answer as { execution_id: string }).execution_id };
  }

  const post = (url: string, message: unknown) => {
    const body = JSON.stringify(message);
    return fetch(url, { method: 'POST', headers: { ...signRequest(body, [key], `cb-${Math.random()}`, Date.now()) }, body });
  };

  it('keeps a 1 MB result of 4-byte characters, cut on a character boundary with a marker', async () => {
    const { issue, callbackUrl, executionId } = await acceptedRun();
    expect(Buffer.byteLength(megabyte)).toBe(1024 * 1024);
    expect((await post(callbackUrl, { execution_id: executionId, status: 'completed', result: megabyte })).status).toBe(200);
    await h.settle();
    const [run] = h.runs();
    expect(run.status).toBe('completed');
    expect(Buffer.byteLength(run.result)).toBeLessThanOrEqual(160 * 1024);
    expect(run.result).toMatch(/^(😀)+\n\n\[result truncated: 1048576 bytes received\]$/);
    expect((await panel(issue.key)).status.label).toBe('Completed');
  });

  it('keeps a 1 MB failure reason and 1 MB named sections', async () => {
    const { callbackUrl, executionId } = await acceptedRun();
    expect((await post(callbackUrl, { execution_id: executionId, status: 'failed', error: megabyte })).status).toBe(200);
    await h.settle();
    expect(Buffer.byteLength(h.runs()[0].reason)).toBeLessThanOrEqual(2048);
    const second = await h.createIssue();
    await h.settle();
    const request = h.webhookRequests().at(-1)!;
    const sections = { 'Part one': megabyte, 'Part two': megabyte };
    expect((await post(JSON.parse(request.rawBody).callback_url, { execution_id: (request.answer as { execution_id: string }).execution_id, status: 'completed', result: sections })).status).toBe(200);
    await h.settle();
    const run = h.runs().find((r) => r.issueKey === second.key)!;
    expect(Buffer.byteLength(JSON.stringify(run.result))).toBeLessThan(200 * 1024);
  });

  it('rejects a 400 with a 1 MB detail at once, with a short reason', async () => {
    h.aiops.scriptFaults({ status: 400, body: { detail: `Payload validation failed: ${megabyte}` } });
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'failed', attemptCount: 1, httpStatus: 400 });
    expect(Buffer.byteLength(run.reason)).toBeLessThanOrEqual(2048);
  });

  it('shows text that looks like HTML as text', async () => {
    const { issue, callbackUrl, executionId } = await acceptedRun();
    await post(callbackUrl, { execution_id: executionId, status: 'completed', result: 'the <Checkout> component throws on List<String> input\n\n<script>alert(1)</script>' });
    await h.settle();
    const shown = JSON.stringify((await panel(issue.key)).current.result.sections);
    expect(shown).toContain('the <Checkout> component throws on List<String> input');
    expect(shown).toContain('<script>alert(1)</script>');
  });
});

describe('addresses an AI Ops API never has', () => {
  it.each([
    ['a private address', 'https://10.1.2.3', 'AI Ops base URL points to a private address, not a public host'],
    ['the cloud metadata address', 'https://169.254.169.254', 'AI Ops base URL points to a link-local address (such as the cloud metadata service), not a public host'],
    ['a private IPv6 address', 'https://[fd00::1]', 'AI Ops base URL points to a private address, not a public host'],
    ['a URL of 2,100 characters', `https://aiops.example.com/${'a'.repeat(2100)}`, 'AI Ops base URL is longer than 2048 characters'],
  ])('refuses %s', async (_what, url, message) => {
    const loaded = (await invoke('ticket-enhancer-admin', 'load', 'admin')) as { body: any };
    const { secret: _s, previousSecret: _p, ...settings } = loaded.body.settings;
    const saved = (await invoke('ticket-enhancer-admin', 'save', 'admin', { settings: { ...settings, aiopsBaseUrl: url } })) as { body: any };
    expect(saved.body.errors).toContainEqual({ field: 'aiopsBaseUrl', message });
  });

  it('applies the same rules to the status URL', async () => {
    const loaded = (await invoke('ticket-enhancer-admin', 'load', 'admin')) as { body: any };
    const { secret: _s, previousSecret: _p, ...settings } = loaded.body.settings;
    const saved = (await invoke('ticket-enhancer-admin', 'save', 'admin', { settings: { ...settings, resultMode: 'poll', statusUrlTemplate: 'https://192.168.1.10/executions/{execution_id}' } })) as { body: any };
    expect(saved.body.errors).toContainEqual({ field: 'statusUrlTemplate', message: 'Status URL template points to a private address, not a public host' });
  });
});
