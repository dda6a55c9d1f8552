/**
 * Messages that tell the truth, as a newcomer meets them: an error page is named, not pasted; a
 * wrong base URL is blamed as such, not the agent; what a screen says is what is true now.
 */
import { EMBEDDED_AGENT_ID } from '../sandbox/sandbox';
import { Harness } from './support/harness';

let h: Harness;

beforeEach(async () => {
  h = await new Harness().start();
});

afterEach(() => h.stop());

type Answer = { body: any } | { error: { status: number; message: string } };
const invoke = (moduleKey: string, functionKey: string, accountId: string, payload: unknown = {}, where: { issueKey?: string; projectKey?: string } = {}) =>
  h.sandbox.invokeResolver({ moduleKey, functionKey, accountId, payload, ...where }) as Promise<Answer>;
const ADMIN = 'ticket-enhancer-admin';
const PANEL = 'ticket-enhancer-panel';
const settings = async () => {
  const { secret: _s, previousSecret: _p, version: _v, ...rest } = ((await invoke(ADMIN, 'load', 'admin')) as { body: any }).body.settings;
  return rest;
};

describe('an HTML error page', () => {
  const page = '<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>';

  it('is stored as a one-line reason that suggests the fix, with its text behind the details for admins only', async () => {
    h.aiops.scriptFaults({ status: 404, body: page });
    const { key } = await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run.reason).toBe('404 from AI Ops: an HTML page ("404 Not Found") came back where the API answers JSON: is the base URL the API\'s, not the web UI\'s?');
    const admin = ((await invoke(PANEL, 'load', 'admin', {}, { issueKey: key })) as { body: any }).body;
    expect(admin.current.excerpt).toBe('404 Not Found Not Found The requested URL was not found on this server.');
    expect(JSON.stringify(admin)).not.toMatch(/<!DOCTYPE|<html|<\/p>/);
    const agent = ((await invoke(PANEL, 'load', 'agent', {}, { issueKey: key })) as { body: any }).body;
    expect(JSON.stringify(agent)).not.toMatch(/Not Found|DOCTYPE/);
  });
});

describe('a base URL with the API\'s own path on it', () => {
  it('is refused at save, naming the path to remove and the base to use', async () => {
    const base = h.sandbox.connection().url;
    const answer = (await invoke(ADMIN, 'save', 'admin', { settings: { ...(await settings()), aiopsBaseUrl: `${base}/api/v1` } })) as { body: any };
    expect(answer.body.ok).toBe(false);
    expect(answer.body.errors).toEqual([{ field: 'aiopsBaseUrl', message: `AI Ops base URL ends with /api/v1, which the app adds itself: remove it and use ${base}` }]);
  });

  it('is blamed by the connection check when the health URL fails too, not the (correct) agent id', async () => {
    // Stored behind the page's back (an earlier version saved it).
    await h.updateSettings('settings:global', { aiopsBaseUrl: `${h.sandbox.connection().url}/api/v1` });
    const check = ((await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any }).body;
    expect(check.steps[1]).toMatchObject({ kind: 'wrongUrl', title: 'Not the AI Ops API', detail: expect.stringContaining('without a path such as /api/v1') });
    expect(JSON.stringify(check)).not.toContain('Agent not found');
    expect(EMBEDDED_AGENT_ID).toBeDefined();
  });
});

describe('sending again says what it will do', () => {
  it('asks before a redelivery posts another comment, and marks a run a newer one already answered', async () => {
    const { UiHost } = await import('./support/ui-host');
    const { join } = await import('node:path');
    h.aiops.scriptFaults({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    await h.updateSettings('settings:global', { attemptLimit: 1, outageHorizonHours: 1 });
    const first = await h.createIssue({ summary: 'Answered later' });
    await h.createIssue({ summary: 'Still failing' });
    await h.settle();
    h.sandbox.runtime.advanceClock(2 * 3_600_000);
    await h.sweep();
    expect(h.runs().map((r) => r.status)).toEqual(['failed', 'failed']);
    // The first issue is run again and answered.
    h.aiops.clearFaults();
    await invoke(PANEL, 'runAgain', 'agent', {}, { issueKey: first.key });
    await h.settle();
    const ui = new UiHost(h.sandbox, { moduleKey: 'ticket-enhancer-project', user: 'lead', projectKey: 'DEMO' }).mount(join(__dirname, '..', 'src', 'ui', 'project-settings.tsx'));
    try {
      await ui.waitForText('A newer run has a result');
      expect(ui.all((n) => n.type === 'Button' && ui.text(n) === 'Redeliver')).toHaveLength(1);
      await ui.click('Redeliver');
      await ui.waitForText('Send DEMO-2 to AI Ops again?');
      expect(h.runs()).toHaveLength(3);
      await ui.click('Yes, send DEMO-2');
      await ui.waitForText('DEMO-2 is being sent again');
      await h.settle();
      expect(h.runs().filter((r) => r.trigger === 'redeliver')).toHaveLength(1);
    } finally {
      ui.unmount();
    }
  });
});


describe('Diagnose and the connection check, in plain words', () => {
  it('titles and findings a Jira admin reads without jargon; what the platform said stays for the details', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    const answer = ((await invoke(ADMIN, 'diagnose', 'admin', { issueKey: key })) as { body: any }).body;
    const jargon = /FAIL_IF_EXISTS|KEY_ALREADY_EXISTS|Redis|forge-proxy-error|webtrigger|JQL alias/;
    for (const step of answer.steps as Array<{ title: string; plain?: string; detail: string; status: string }>) {
      expect(step.plain).toEqual(expect.any(String));
      expect(`${step.title} ${step.plain}`).not.toMatch(jargon);
    }
    expect(answer.steps.find((s: { key: string }) => s.key === 'kvs-set-once').detail).toMatch(/refused/);
    const check = ((await invoke(ADMIN, 'checkConnection', 'admin')) as { body: any }).body;
    expect(JSON.stringify(check.steps)).not.toMatch(/Redis|database/);
  });
});
