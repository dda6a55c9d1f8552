/**
 * Security findings, tried as an attacker would on a site (docs/security.md lists each guarantee
 * with the test here that proves it): a project admin of one project aiming at another, an editor
 * who starts runs in a loop, an issue moved under a run, a forged issue property, a hostile AI Ops
 * server or callback, a hostile ticket.
 */
import { SANDBOX_USERS } from '../sandbox/jira';
import { Harness } from './support/harness';

let h: Harness;

beforeEach(async () => {
  h = await new Harness().start();
});

afterEach(() => h.stop());

type Answer = { body: any } | { error: { status: number; message: string } };
const invoke = (moduleKey: string, functionKey: string, accountId: string, payload: unknown = {}, where: { issueKey?: string; projectKey?: string } = {}) =>
  h.sandbox.invokeResolver({ moduleKey, functionKey, accountId, payload, ...where }) as Promise<Answer>;
const sentKeys = () => h.webhookRequests().filter((r) => r.status === 202).map((r) => JSON.parse(r.rawBody).issue_key as string);
const PROJECT = 'ticket-enhancer-project';
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const PANEL = 'ticket-enhancer-panel';

async function createOff(project: string, summary: string, extra: Record<string, unknown> = {}) {
  return h.createIssue({ project: { key: project }, summary, issuetype: { name: project === 'SUP' ? 'Incident' : 'Bug' }, ...extra }, 'admin');
}

describe('1. "Enhance existing tickets" stays in its own, enabled project, and sends only what its starter may browse', () => {
  beforeEach(async () => {
    await h.updateSettings('settings:project:10000', { enabled: false });
    await createOff('DEMO', 'Old ticket');
    await createOff('FIN', 'Quarter close numbers');
    await h.settle();
    await h.updateSettings('settings:project:10000', { enabled: true });
  });

  it('refuses typed JQL that closes the app\'s parenthesis, before counting anything', async () => {
    const injected = { kind: 'enhance', filter: { jql: 'key = DEMO-1) OR (project = FIN' } };
    const preview = (await invoke(PROJECT, 'bulkPreview', 'lead', injected, { projectKey: 'DEMO' })) as { body: any };
    expect(preview.body).toEqual({ ok: false, errors: [{ field: 'jql', message: expect.stringContaining('closes a parenthesis it never opened') }] });
    expect(((await invoke(PROJECT, 'bulkStart', 'lead', injected, { projectKey: 'DEMO' })) as { body: any }).body.ok).toBe(false);
    await h.settle();
    expect(sentKeys()).toEqual([]);
  });

  it('has Jira check the query as the person who typed it: a project they cannot see does not exist for them', async () => {
    const preview = (await invoke(PROJECT, 'bulkPreview', 'lead', { kind: 'enhance', filter: { jql: 'project = FIN OR key = DEMO-1' } }, { projectKey: 'DEMO' })) as { body: any };
    expect(preview.body).toEqual({ ok: false, errors: [{ field: 'jql', message: "The JQL is invalid: The value 'FIN' does not exist for the field 'project'." }] });
  });

  it('stops a run whose stored query reaches another project, sending none of it', async () => {
    // A bulk record written behind the page's back (an older version, a bug): the consumer checks every candidate.
    const bulk = { id: '0000000000001-deadbeef', kind: 'enhance', projectId: '10000', requestedBy: SANDBOX_USERS[1].accountId, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), state: 'running', filter: { jql: 'key = DEMO-1) OR (project = FIN' }, cap: 10, expected: 1, queued: 0, skipped: 0 };
    await h.sandbox.kvs.handle('/api/v1/set', { key: `bulk:${bulk.id}`, value: bulk });
    await h.sandbox.runtime.invoke('deliver-issue', 'delivery-consumer', 'consumer', [{ body: { kind: 'bulk', bulkId: bulk.id } }]);
    await h.settle();
    expect(sentKeys()).toEqual([]);
    expect(h.sandbox.kvs.peek(`bulk:${bulk.id}`)).toMatchObject({ state: 'cancelled', lastError: expect.stringContaining('Jira returned FIN-1 of project FIN') });
  });

  it('skips issues its starter can no longer browse when a chunk runs', async () => {
    const lead = SANDBOX_USERS.find((u) => u.name === 'lead')!;
    expect(((await invoke(PROJECT, 'bulkStart', 'lead', { kind: 'enhance', filter: { jql: 'ticketEnhancerStatus IS EMPTY' } }, { projectKey: 'DEMO' })) as { body: any }).body.ok).toBe(true);
    const granted = lead.projectPermissions.DEMO;
    lead.projectPermissions.DEMO = ['ADMINISTER_PROJECTS'];
    try {
      await h.settle();
    } finally {
      lead.projectPermissions.DEMO = granted;
    }
    expect(sentKeys()).toEqual([]);
    const list = (await invoke(PROJECT, 'bulkList', 'lead', {}, { projectKey: 'DEMO' })) as { body: any };
    expect(list.body.bulks[0]).toMatchObject({ state: 'done', queued: 0, skipped: 1, skips: { hidden: 1 } });
  });

  it('sends a Jira admin\'s site-wide run only to enabled projects', async () => {
    const preview = (await invoke('ticket-enhancer-admin', 'bulkPreview', 'admin', { kind: 'enhance', filter: { jql: 'project in (DEMO, FIN)' } })) as { body: any };
    expect(preview.body).toEqual({ ok: true, count: 1, cap: 500 });
    await invoke('ticket-enhancer-admin', 'bulkStart', 'admin', { kind: 'enhance', filter: { jql: 'project in (DEMO, FIN)' } });
    await h.settle();
    expect(sentKeys()).toEqual(['DEMO-1']);
  });
});

describe('2. an issue that moved to another project is never sent with its old project\'s settings', () => {
  it('ends a retrying run with "moved to another project" and sends nothing', async () => {
    // The first attempt is answered 503 with a Retry-After of ten minutes; the issue moves meanwhile.
    h.aiops.scriptFaults({ status: 503, retryAfter: '600' });
    const { key } = await h.createIssue();
    await until(() => h.runs()[0]?.status === 'retrying');
    h.sandbox.runtime.paused = true;
    const moved = await fetch(`${h.sandbox.url}/rest/api/3/bulk/issues/move`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'admin' },
      body: JSON.stringify({ targetToSourcesMapping: { 'SUP,10101': { issueIdsOrKeys: [key] } } }),
    });
    expect(moved.status).toBe(201);
    h.sandbox.runtime.resume();
    await h.settle();
    const [run] = h.runs();
    expect(run).toMatchObject({ status: 'skipped', reason: expect.stringContaining('moved to another project (it is SUP-1 now)') });
    expect(sentKeys()).toEqual([]);
  });

  it('refuses Redeliver from the old project\'s page', async () => {
    h.aiops.scriptFaults({ status: 401, body: { detail: 'Invalid HMAC signature' } });
    const { key } = await h.createIssue();
    await h.settle();
    const [failed] = h.runs();
    await fetch(`${h.sandbox.url}/rest/api/3/bulk/issues/move`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'admin' },
      body: JSON.stringify({ targetToSourcesMapping: { 'SUP,10101': { issueIdsOrKeys: [key] } } }),
    });
    const answer = (await invoke(PROJECT, 'redeliver', 'lead', { issueId: failed.issueId, deliveryId: failed.deliveryId }, { projectKey: 'DEMO' })) as { body: any };
    expect(answer.body).toEqual({ started: false, reason: expect.stringContaining('moved to another project (it is SUP-1 now)') });
    await h.settle();
    expect(h.runs()).toHaveLength(1);
  });
});

describe('3. runs people start are limited on the server, not by a disabled button', () => {
  it('starts one run for 15 "Run again" calls in the same second', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    const before = h.webhookRequests().length;
    h.sandbox.runtime.paused = true;
    const answers = (await Promise.all(Array.from({ length: 15 }, () => invoke(PANEL, 'runAgain', 'agent', {}, { issueKey: key })))) as Array<{ body: any }>;
    expect(answers.filter((a) => a.body.started)).toHaveLength(1);
    expect(answers.filter((a) => !a.body.started).every((a) => /under way|being started/.test(a.body.reason))).toBe(true);
    h.sandbox.runtime.resume();
    await h.settle();
    expect(h.webhookRequests().length - before).toBe(1);
  });

  it('says a run is under way instead of starting a second one, then allows 5 an hour per issue', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    for (let i = 0; i < 5; i += 1) {
      expect(((await invoke(PANEL, 'runAgain', 'agent', {}, { issueKey: key })) as { body: any }).body.started).toBe(true);
      const again = (await invoke(PANEL, 'runAgain', 'agent', {}, { issueKey: key })) as { body: any };
      expect(again.body).toEqual({ started: false, reason: expect.stringMatching(/still under way \((Queued|Queued at AI Ops|Running)/) });
      await h.settle();
    }
    const sixth = (await invoke(PANEL, 'runAgain', 'lead', {}, { issueKey: key })) as { body: any };
    expect(sixth.body).toEqual({ started: false, reason: expect.stringContaining('5 runs started in the last hour') });
  });

  it('applies the admin\'s limit to Redeliver and to the Automation action too', async () => {
    await h.updateSettings('settings:global', { runsPerIssuePerHour: 1 });
    h.aiops.scriptFaults({ status: 401, body: { detail: 'Invalid HMAC signature' } });
    const { key } = await h.createIssue();
    await h.settle();
    const [failed] = h.runs();
    expect(((await invoke(PROJECT, 'redeliver', 'lead', { issueId: failed.issueId, deliveryId: failed.deliveryId }, { projectKey: 'DEMO' })) as { body: any }).body.started).toBe(true);
    await h.settle();
    const second = (await invoke(PROJECT, 'redeliver', 'lead', { issueId: failed.issueId, deliveryId: failed.deliveryId }, { projectKey: 'DEMO' })) as { body: any };
    expect(second.body.reason).toContain('1 runs started in the last hour');
    const rule = (await h.sandbox.runtime.runAutomationAction('send-to-ticket-enhancer', { issueKey: key }, SANDBOX_USERS[2].accountId)) as { errors?: Array<{ message: string }> };
    expect(rule.errors?.[0].message).toContain('1 runs started in the last hour');
  });
});
