/**
 * Security findings, tried as an attacker would on a site (docs/security.md lists each guarantee
 * with the test here that proves it): a project admin of one project aiming at another, an editor
 * who starts runs in a loop, an issue moved under a run, a forged issue property, a hostile AI Ops
 * server or callback, a hostile ticket.
 */
import { SANDBOX_USERS } from '../sandbox/jira';
import { EMBEDDED_AGENT_ID, EMBEDDED_AGENT_SECRET } from '../sandbox/sandbox';
import { signRequest } from '../src/core/signing';
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

describe('5. a forged ticket-enhancer issue property cannot hide a result', () => {
  it('has the deadline check find the AI Ops comment whatever the property says', async () => {
    h.sandbox.runtime.propertyFilterLagMs = 0;
    const { key } = await h.createIssue();
    await until(() => h.runs()[0]?.status === 'accepted');
    // An editor rewrites the property so that the filter and the trigger ignore the AI Ops comment.
    const forged = await fetch(`${h.sandbox.url}/rest/api/3/issue/${key}/properties/ticket-enhancer`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' },
      body: JSON.stringify({ status: 'completed', deliveryId: 'x', updatedAt: new Date().toISOString() }),
    });
    expect(forged.status).toBe(200);
    await h.settle();
    expect(h.runs()[0].status).toBe('accepted');
    h.sandbox.runtime.advanceClock(31 * 60_000);
    await h.sweep();
    expect(h.runs()[0]).toMatchObject({ status: 'completed', result: { kind: 'comment', authorName: 'AI Ops Bot' } });
  });
});

describe('7. no ticket a reporter writes can stop its own delivery', () => {
  it('sends a description holding an out-of-range date, a deep nest and marks of the wrong type', async () => {
    let nest: Record<string, unknown> = { type: 'text', text: 'deepest' };
    for (let i = 0; i < 1000; i += 1) nest = { type: 'blockquote', content: [nest] };
    const description = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [{ type: 'text', text: 'Due ' }, { type: 'date', attrs: { timestamp: '31536000000000000' } }, { type: 'text', text: 7, marks: [null] }] },
        nest,
      ],
    };
    await h.createIssue({ description });
    await h.settle();
    expect(h.runs()[0]).toMatchObject({ status: 'completed' });
    expect(JSON.parse(h.webhookRequests()[0].rawBody).issue.fields.description).toContain('Due');
  });
});

describe('8. results link only to the web, mail and the site itself', () => {
  it('drops javascript:, data: and vbscript: links and turns external images into links', async () => {
    // The agent stays silent; the comment below (as the AI Ops account) is the result. No filter lag.
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
    h.sandbox.runtime.propertyFilterLagMs = 0;
    const { key } = await h.createIssue();
    await until(() => h.runs()[0]?.status === 'accepted');
    const comment = {
      type: 'doc',
      version: 1,
      content: [
        { type: 'paragraph', content: [
          { type: 'text', text: 'run me', marks: [{ type: 'link', attrs: { href: 'javascript:alert(document.cookie)' } }] },
          { type: 'text', text: ' data', marks: [{ type: 'link', attrs: { href: 'data:text/html,<script>alert(1)</script>' } }] },
          { type: 'text', text: ' vb', marks: [{ type: 'link', attrs: { href: 'vbscript:msgbox' } }] },
          { type: 'text', text: ' docs', marks: [{ type: 'link', attrs: { href: 'https://docs.example.com/x' } }] },
          { type: 'text', text: ' issue', marks: [{ type: 'link', attrs: { href: '/browse/DEMO-1' } }] },
          { type: 'inlineCard', attrs: { url: 'javascript:alert(2)' } },
        ] },
        { type: 'mediaSingle', content: [{ type: 'media', attrs: { type: 'external', url: 'https://tracker.example.com/pixel.png', alt: 'chart' } }] },
      ],
    };
    const posted = await fetch(`${h.sandbox.url}/rest/api/3/issue/${key}/comment`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'aiops' }, body: JSON.stringify({ body: comment }) });
    expect(posted.status).toBe(201);
    await h.settle();
    const view = ((await invoke(PANEL, 'load', 'agent', {}, { issueKey: key })) as { body: any }).body;
    const document = JSON.stringify(view.current.result.sections);
    expect(document).not.toMatch(/"(href|url)":"(javascript|data|vbscript):/);
    expect(document).toContain('"href":"https://docs.example.com/x"');
    expect(document).toContain(`"href":"${h.sandbox.url}/browse/DEMO-1"`);
    expect(document).toContain('"text":"chart","marks":[{"type":"link","attrs":{"href":"https://tracker.example.com/pixel.png"}}]');
    expect(document).not.toContain('"type":"media"');
  });
});

describe('callbacks from a hostile or misconfigured AI Ops', () => {
  const key = Buffer.from(EMBEDDED_AGENT_SECRET, 'base64');
  let callbackUrl: string;
  let executionId: string;
  let issueKey: string;

  beforeEach(async () => {
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
    issueKey = (await h.createIssue()).key;
    await h.settle();
    const [request] = h.webhookRequests();
    callbackUrl = JSON.parse(request.rawBody).callback_url;
    executionId = (request.answer as { execution_id: string }).execution_id;
  });

  const post = async (message: unknown, opts: { url?: string; atMs?: number; headers?: 'all' | 'hub-only' } = {}) => {
    const body = typeof message === 'string' ? message : JSON.stringify(message);
    const signed = signRequest(body, [key], `cb-${Math.random()}`, opts.atMs ?? Date.now());
    const headers: Record<string, string> = opts.headers === 'hub-only' ? { 'X-Hub-Signature-256': signed['X-Hub-Signature-256'] } : { ...signed };
    const response = await fetch(opts.url ?? callbackUrl, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
    return { status: response.status, body: await response.text() };
  };

  it('9. stores a comment-shaped result as sections, never as another user\'s comment', async () => {
    const answer = await post({ execution_id: executionId, status: 'completed', result: { kind: 'comment', commentId: '10500', authorAccountId: SANDBOX_USERS[0].accountId, created: new Date().toISOString() } });
    expect(answer.status).toBe(200);
    const [run] = h.runs();
    expect(run.result).toMatchObject({ kind: 'sections', sections: expect.arrayContaining([{ title: 'kind', body: 'comment' }]) });
    const view = ((await invoke(PANEL, 'load', 'agent', {}, { issueKey })) as { body: any }).body;
    expect(view.current.result.source).toBe('Sent back by AI Ops');
  });

  it('10. caps a result of thousands of sections in number and bytes, and answers 200', async () => {
    const sections = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`Section ${i} ${'t'.repeat(150)}`, 'b'.repeat(200)]));
    const answer = await post({ execution_id: executionId, status: 'completed', result: sections });
    expect(answer.status).toBe(200);
    const [run] = h.runs();
    expect(run.status).toBe('completed');
    expect(run.result.sections).toHaveLength(51);
    expect(run.result.sections[50]).toEqual({ title: 'More sections', body: expect.stringContaining('4950 more sections left out') });
    expect(Buffer.byteLength(JSON.stringify(run))).toBeLessThan(240 * 1024);
  });

  it('12. does not let a "failed" signed before a newer "running" move the run, with or without the webhook headers', async () => {
    const t0 = Date.now() - 60_000;
    expect((await post({ execution_id: executionId, status: 'running' }, { atMs: Date.now() })).status).toBe(200);
    expect(h.runs()[0].status).toBe('running');
    const replayed = await post({ execution_id: executionId, status: 'failed', error: 'replayed' }, { atMs: t0 });
    expect(replayed).toMatchObject({ status: 200, body: expect.stringContaining('already recorded') });
    expect(h.runs()[0].status).toBe('running');
    // Without the headers, a repeated body changes nothing once recorded.
    expect((await post({ execution_id: executionId, status: 'completed', result: 'Done.' }, { headers: 'hub-only' })).status).toBe(200);
    expect((await post({ execution_id: executionId, status: 'completed', result: 'Done.' }, { headers: 'hub-only' })).body).toContain('already recorded');
  });

  it('13. answers every call it cannot verify the same way, and delivery ids cannot be guessed', async () => {
    const unknownDelivery = callbackUrl.replace(/delivery=[^&]+/, 'delivery=dlv_10001_created');
    const otherProject = callbackUrl.replace(/secret=global/, 'secret=project-10010');
    const noSecretParam = callbackUrl.replace(/&secret=[^&]+/, '');
    const forged = async (url: string) => {
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` }, body: '{}' });
      return { status: response.status, body: await response.text() };
    };
    const answers = await Promise.all([callbackUrl, unknownDelivery, otherProject, noSecretParam, noSecretParam.replace(/delivery=[^&]+/, 'delivery=nope'), callbackUrl.replace(/\?.*$/, '')].map(forged));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0].status).toBe(401);
    // The delivery id ends with 80 bits that only the installation can compute.
    expect(new URL(callbackUrl).searchParams.get('delivery')).toMatch(/^dlv_\d+_created_[0-9a-f]{20}$/);
  });
});

describe('11. the panel sends no reader more than they may see', () => {
  it('leaves AI Ops\' own error text out of what a browse-only user receives', async () => {
    h.aiops.scriptFaults({ status: 403, body: { detail: 'Agent is PAUSED, only ACTIVE agents can be triggered (tenant acme-internal, cluster eu-3)' } });
    const { key } = await h.createIssue();
    await h.settle();
    const raw = JSON.stringify(await invoke(PANEL, 'load', 'viewer', {}, { issueKey: key }));
    expect(raw).not.toMatch(/PAUSED|acme-internal|403/);
    expect(JSON.stringify(await invoke(PANEL, 'load', 'admin', {}, { issueKey: key }))).toContain('acme-internal');
  });
});

describe('14. the AI Ops base URL cannot point inside a network, in any notation', () => {
  it('refuses IPv4 written as IPv6, NAT64, 6to4, reserved ranges and rebinding names on save', async () => {
    for (const url of ['https://[::7f00:1]', 'https://[64:ff9b::a9fe:a9fe]', 'https://[2002:a9fe:a9fe::]', 'https://198.18.0.1', 'https://10.0.0.1.nip.io', 'https://metadata.google.internal']) {
      const answer = (await invoke('ticket-enhancer-admin', 'save', 'admin', { settings: { aiopsBaseUrl: url, agentId: EMBEDDED_AGENT_ID, tenantId: 't' } })) as { body: any };
      expect(answer.body.ok).toBe(false);
      expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'aiopsBaseUrl' })]));
    }
  });
});

describe('15. the sandbox cannot be driven by another web page', () => {
  it('refuses foreign hosts, foreign origins, text/plain posts and requests that name no user', async () => {
    const create = (headers: Record<string, string>, body = JSON.stringify({ fields: { project: { key: 'DEMO' }, summary: 'x', issuetype: { name: 'Bug' } } })) =>
      fetch(`${h.sandbox.url}/rest/api/3/issue`, { method: 'POST', headers, body }).then((r) => r.status);
    expect(await create({ 'Content-Type': 'text/plain', 'X-Sandbox-Account': 'admin' })).toBe(415);
    expect(await create({ 'Content-Type': 'application/json' })).toBe(401);
    expect(await create({ 'Content-Type': 'application/json', 'X-Sandbox-Account': 'admin', Origin: 'https://evil.example' })).toBe(403);
    const { request } = await import('node:http');
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.sandbox.url}/__sandbox/deliveries`, { headers: { Host: 'attacker.example:80' } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(rebound).toBe(421);
    expect(await create({ 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent', Origin: h.sandbox.url })).toBe(201);
    expect(h.sandbox.url.startsWith('http://127.0.0.1:')).toBe(true);
  });
});

describe('16. hostile values never reach JQL unquoted, and answers are read with a cap', () => {
  it('reads only the start of an AI Ops answer that never ends, and records it as the 500 it is', async () => {
    h.aiops.scriptFaults({ status: 500, endlessBody: true }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    await h.createIssue();
    await h.settle();
    const [run] = h.runs();
    expect(run.attempts[0]).toMatchObject({ httpStatus: 500, reason: expect.stringContaining('500 from AI Ops') });
  });

  it('quotes the property status in Diagnose\'s JQL', async () => {
    const { key } = await h.createIssue();
    await h.settle();
    await fetch(`${h.sandbox.url}/rest/api/3/issue/${key}/properties/ticket-enhancer`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': 'agent' },
      body: JSON.stringify({ status: 'x" OR project = FIN OR status = "y', deliveryId: 'd', updatedAt: new Date().toISOString() }),
    });
    const answer = ((await invoke('ticket-enhancer-admin', 'diagnose', 'admin', { issueKey: key })) as { body: any }).body;
    const step = answer.steps.find((s: { key: string }) => s.key === 'issue-property');
    expect(step.detail).toContain('ticketEnhancerStatus = "x\\" OR project = FIN OR status = \\"y"');
    expect(step.status).toBe('passed');
  });
});

describe('4. "Send test issue" suggests an AI Ops account only on clear evidence, and says what kind it is', () => {
  const ADMIN = 'ticket-enhancer-admin';
  const comment = (key: string, as: string, text: string) =>
    fetch(`${h.sandbox.url}/rest/api/3/issue/${key}/comment`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Sandbox-Account': as }, body: JSON.stringify({ body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] } }) });

  async function testWith(commenters: string[], before: string[] = []) {
    await h.updateSettings('settings:global', { resultAccount: undefined });
    h.aiops.setAgent({ id: EMBEDDED_AGENT_ID, secret: EMBEDDED_AGENT_SECRET, results: 'poll' });
    const { key } = await h.createIssue();
    await h.settle();
    for (const as of before) await comment(key, as, 'Written before the test.');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const started = (await invoke(ADMIN, 'sendTestIssue', 'admin', { issueKey: key })) as { body: any };
    await h.settle();
    for (const as of commenters) await comment(key, as, 'Looks like a network issue.');
    return ((await invoke(ADMIN, 'testStatus', 'admin', { deliveryId: started.body.deliveryId })) as { body: any }).body;
  }

  it('names the only commenter after the 202 with the kind of account and the e-mail Jira shows', async () => {
    const status = await testWith(['admin']);
    expect(status.suggestedAccount).toEqual({ accountId: SANDBOX_USERS[0].accountId, displayName: 'Ada Admin', accountType: 'atlassian', emailAddress: 'ada@example.com' });
    expect(status.suggestedAs).toBe("Ada Admin (a person's Atlassian account, ada@example.com)");
    expect(status.detail).toContain("Ada Admin (a person's Atlassian account, ada@example.com) commented");
  });

  it('suggests nobody when more than one comment came after the 202', async () => {
    const status = await testWith(['agent', 'aiops']);
    expect(status.suggestedAccount).toBeUndefined();
  });

  it('does not count a comment written before AI Ops accepted the test', async () => {
    const status = await testWith([], ['agent']);
    expect(status.suggestedAccount).toBeUndefined();
  });
});
