/**
 * The platform contract: the sandbox checked against Forge's documented behaviour and limits
 * (fixtures/README.md names each source). A probe app calls the unmodified `@forge/*` SDKs on the
 * sandbox runtime; the Jira stand-in's events are compared with the documented examples. These
 * are the limits the sandbox enforces, so an app that breaks one fails its own tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JiraStandIn } from '../../sandbox/jira';
import { ForgeRuntime } from '../../sandbox/runtime/forge-runtime';
import type { AppManifest } from '../../sandbox/runtime/manifest';
import { summariseIssueEvent } from '../../src/core/jira-event';
import { parse as parseYaml } from 'yaml';
import {
  entityPropertyPathProblems,
  entityPropertyPaths,
  estimateComplexity,
  evaluateJiraExpression,
  filterDelivers,
  JiraExpressionError,
  MAX_EXPRESSION_STEPS,
  parseJiraExpression,
  runtimeForPaths,
} from '../../sandbox/runtime/jira-expression';
import { commentMayMatter } from '../../src/core/comment-result';
import type { RunStatus } from '../../src/core/enhancement';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const LIMITS = fixture('documented-limits.json');

const MANIFEST: AppManifest = {
  app: {
    id: 'ari:cloud:ecosystem::app/00000000-0000-4000-8000-000000000000',
    runtime: { name: 'nodejs22.x' },
    storage: { entities: [{ name: 'probe-entity', attributes: { at: { type: 'string' }, note: { type: 'any' } }, indexes: ['at'].map((name) => ({ name: `by-${name}`, range: [name] })) }] },
  },
  modules: {
    function: [
      { key: 'can-fetch', handler: 'probe.canFetch' },
      { key: 'fetch-url', handler: 'probe.fetchUrl' },
      { key: 'kvs-probe', handler: 'probe.kvsProbe' },
      { key: 'push', handler: 'probe.push' },
      { key: 'consume', handler: 'probe.consume', timeoutSeconds: 120 },
      { key: 'slow-trigger', handler: 'probe.slowTrigger' },
      { key: 'webhook', handler: 'probe.webhook' },
      { key: 'context-resolver', handler: 'probe.contextResolver' },
      { key: 'read-as-user', handler: 'probe.readAsUser' },
      { key: 'sign-tokens', handler: 'probe.signTokens' },
      { key: 'quiet-schedule', handler: 'probe.quietSchedule' },
      { key: 'answering-schedule', handler: 'probe.answeringSchedule' },
    ],
    scheduledTrigger: [
      { key: 'quiet', function: 'quiet-schedule', interval: 'hour' },
      { key: 'answering', function: 'answering-schedule', interval: 'hour' },
    ],
    consumer: [{ key: 'probe-consumer', queue: 'probe-queue', function: 'consume' }],
    webtrigger: [{ key: 'probe-hook', function: 'webhook' }],
  },
  permissions: { scopes: ['storage:app'], external: { fetch: { backend: ['https://manifest.example.com'] } } },
};

let runtime: ForgeRuntime;
let probe: typeof import('./probe-app');
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  const { createServer } = await import('node:http');
  const http = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const port = (http.address() as { port: number }).port;
  server = { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => http.close(() => resolve())) };
});

afterAll(() => server.close());

beforeEach(() => {
  runtime = new ForgeRuntime({
    manifest: MANIFEST,
    // Handlers are named "probe.<export>" in the manifest; the runtime looks the export up.
    loadApp: () => probe as unknown as Record<string, unknown>,
    jira: async () => new Response('{}', { status: 404 }),
    baseUrl: () => 'http://127.0.0.1:1',
    appAccountId: 'app',
    timeScale: 1000,
  });
  // The runtime's globals go in before any @forge module is loaded, as on the platform.
  runtime.install();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  probe = require('./probe-app');
  probe.consumed.length = 0;
});

afterEach(() => runtime.stop());

const call = (functionKey: string, input: unknown, moduleType: Parameters<ForgeRuntime['invoke']>[2] = 'trigger') => runtime.invoke(functionKey, functionKey, moduleType, [input]) as Promise<any>;

describe('Jira issue events (docs "events-reference/jira")', () => {
  const events: Array<{ type: string; payload: Record<string, any> }> = [];
  const jira = new JiraStandIn(async (type, payload) => {
    events.push({ type, payload });
  }, () => 'http://127.0.0.1:1');
  const asAgent = { kind: 'user' as const, accountId: '557058:0c3f-agent' };

  it('created and updated events carry the documented fields and nothing else', async () => {
    await jira.handle({ method: 'POST', path: '/rest/api/3/issue', headers: {}, as: asAgent, body: JSON.stringify({ fields: { project: { key: 'DEMO' }, summary: 'S', issuetype: { name: 'Bug' }, labels: ['x'] } }) });
    await jira.handle({ method: 'PUT', path: '/rest/api/3/issue/DEMO-1', headers: {}, as: asAgent, body: JSON.stringify({ fields: { summary: 'T' } }) });
    await jira.settled();
    for (const [index, name] of [[0, 'jira-issue-created.json'], [1, 'jira-issue-updated.json']] as const) {
      const documented = fixture(name);
      const sent: Record<string, any> = { ...events[index].payload, eventType: events[index].type, selfGenerated: false };
      expect(Object.keys(sent).sort()).toEqual(Object.keys(documented).sort());
      expect(Object.keys(sent.issue.fields).sort()).toEqual(Object.keys(documented.issue.fields).sort());
      // No description, labels or priority: an app that needs them must read the issue.
      for (const missing of ['description', 'labels', 'priority']) expect(sent.issue.fields).not.toHaveProperty(missing);
      expect(typeof sent.timestamp).toBe('string');
    }
    const item = events[1].payload.changelog.items[0];
    expect(Object.keys(item).sort()).toEqual(Object.keys(fixture('jira-issue-updated.json').changelog.items[0]).sort());
  });

  it('a comment event has the documented shape', async () => {
    await jira.handle({ method: 'POST', path: '/rest/api/3/issue/DEMO-1/comment', headers: {}, as: asAgent, body: JSON.stringify({ body: { type: 'doc', version: 1, content: [] } }) });
    await jira.settled();
    const sent = events.at(-1)!;
    const documented = fixture('jira-comment-created.json');
    expect(sent.type).toBe('avi:jira:commented:issue');
    expect(Object.keys(sent.payload.comment).sort()).toEqual(Object.keys(documented.comment).sort());
    expect(Object.keys(sent.payload.comment.author)).toEqual(['accountId']);
  });

  it('refuses a comment body that is not ADF, as REST v3 does', async () => {
    const response = await jira.handle({ method: 'POST', path: '/rest/api/3/issue/DEMO-1/comment', headers: {}, as: asAgent, body: JSON.stringify({ body: 'plain text' }) });
    expect(response.status).toBe(400);
  });

  it('hides e-mail addresses unless the profile allows them', async () => {
    const read = await jira.handle({ method: 'GET', path: '/rest/api/3/issue/DEMO-1', headers: {}, as: { kind: 'app' } });
    const issue = (await read.json()) as { fields: { reporter: Record<string, unknown> } };
    expect(issue.fields.reporter).toMatchObject({ displayName: 'Alex Agent' });
    expect(issue.fields.reporter.emailAddress).toBeUndefined();
  });

  it('the app reads the documented examples (issueType or issuetype, a string timestamp)', () => {
    const created = summariseIssueEvent(fixture('jira-issue-created.json'));
    expect(created).toMatchObject({ issueId: '10073', issueKey: 'SP-10', projectId: '10000', facts: { kind: 'created', issueType: { id: '10001', name: 'Story' } } });
    expect(created.facts.labels).toBeUndefined();
    const updated = summariseIssueEvent(fixture('jira-issue-updated.json'));
    expect(updated.facts.changedFields).toEqual(['summary']);
    expect(updated.eventDiscriminator).toBe('updated-10078');
  });
});

describe('egress (FORGE-NOTES "Facts checked"; docs "customer-managed-egress-and-remotes-api")', () => {
  it('permissions.canFetchFrom reflects the manifest only, not hosts an admin approved', async () => {
    runtime.approveEgress(server.url);
    expect(await call('can-fetch', { url: 'https://manifest.example.com/x' })).toEqual({ allowed: true });
    expect(await call('can-fetch', { url: `${server.url}/x` })).toEqual({ allowed: false });
    // And yet the request goes out: the approval lives with the platform's proxy.
    expect(await call('fetch-url', { url: `${server.url}/x` })).toEqual({ status: 200, proxyError: null });
  });

  it('a host that is not approved comes back with the forge-proxy-error header', async () => {
    expect(await call('fetch-url', { url: `${server.url}/x` })).toEqual({ status: 403, proxyError: 'REQUEST_EGRESS_ALLOWLIST_ERR' });
  });

  it('approval takes a URL: "host:port" without a scheme is refused, duplicates too, and only admins approve', () => {
    const group = (domain: string, key = 'g1') => ({ egresses: [{ key, description: 'AI Ops', configured: [{ domain, type: ['FETCH_BACKEND_SIDE'] }] }] });
    expect(runtime.setEgress(group('127.0.0.1:8443'), true).status).toBe(422);
    expect(runtime.setEgress(group('https://aiops.example.com'), false).status).toBe(403);
    expect(runtime.setEgress(group('https://aiops.example.com'), true).status).toBe(201);
    expect(runtime.setEgress(group('https://other.example.com'), true).status).toBe(422);
    expect(runtime.getEgress(['g1']).results).toEqual([expect.objectContaining({ key: 'g1', configured: [{ domain: 'https://aiops.example.com', type: ['FETCH_BACKEND_SIDE'] }] })]);
    expect(runtime.isEgressAllowed('https://aiops.example.com/webhook')).toBe(true);
    expect(runtime.isEgressAllowed('http://aiops.example.com/webhook')).toBe(false);
  });
});

describe('storage (docs "KVS and Custom Entity Store limits", "Querying the KVS")', () => {
  it('returns keys in lexicographic order, whatever order they were written in', async () => {
    for (const key of ['run:9', 'run:10', 'run:1', 'run:2']) await call('kvs-probe', { op: 'set', key, value: 1 });
    expect(await call('kvs-probe', { op: 'query', prefix: 'run:' })).toEqual({ keys: ['run:1', 'run:10', 'run:2', 'run:9'] });
  });

  it('refuses a value over 240 KiB', async () => {
    const big = 'x'.repeat(LIMITS.kvs.maxValueBytes);
    expect(await call('kvs-probe', { op: 'set', key: 'big', value: big })).toMatchObject({ error: { code: 'MAX_SIZE' } });
    expect(await call('kvs-probe', { op: 'set', key: 'small', value: 'x'.repeat(LIMITS.kvs.maxValueBytes - 100) })).toEqual({ ok: true });
  });

  it('refuses a second FAIL_IF_EXISTS write of a key', async () => {
    expect(await call('kvs-probe', { op: 'setOnce', key: 'once', value: 1 })).toEqual({ ok: true });
    expect(await call('kvs-probe', { op: 'setOnce', key: 'once', value: 2 })).toMatchObject({ error: { name: 'ForgeKvsError' } });
  });

  it('custom entity indexes sort newest first on request', async () => {
    for (const [key, at] of [['a', '2026-01-03'], ['b', '2026-01-01'], ['c', '2026-01-02']]) await call('kvs-probe', { op: 'entitySet', key, value: { at } });
    expect(await call('kvs-probe', { op: 'entityNewest' })).toEqual({ keys: ['a', 'c', 'b'] });
    expect(await call('kvs-probe', { op: 'entitySet', key: 'd', value: { at: 7 } })).toMatchObject({ error: { code: 'INVALID_ENTITY' } });
  });
});

describe('async events (docs "runtime-reference/async-events-api", "limits-async-events")', () => {
  it('the SDK refuses more than 50 events in one push', async () => {
    expect(await call('push', { events: Array.from({ length: LIMITS.asyncEvents.maxEventsPerPush + 1 }, () => ({})) })).toMatchObject({ error: { message: expect.stringMatching(/50/) } });
  });

  it('counts events, not pushes: ten pushes of 50 use the minute, and the 501st event is refused with a rate-limit error', async () => {
    runtime.timeScale = 1;
    runtime.paused = true;
    const fifty = () => Array.from({ length: 50 }, (_, i) => ({ i }));
    for (let push = 0; push < LIMITS.asyncEvents.eventsPerMinutePerInstallation / 50; push += 1) expect(await call('push', { events: fifty() })).toEqual({ ok: true });
    // The SDK turns the platform's 429 into a RateLimitError (out/validators.js).
    expect(await call('push', { events: [{ i: 'one more' }] })).toMatchObject({ error: { message: 'Too many requests.' } });
  });

  it('refuses a push that would go past 500 events in the minute, even when fewer events were pushed than pushes allowed', async () => {
    runtime.timeScale = 1;
    runtime.paused = true;
    for (let push = 0; push < 9; push += 1) expect(await call('push', { events: Array.from({ length: 50 }, (_, i) => ({ i })) })).toEqual({ ok: true });
    expect(await call('push', { events: Array.from({ length: 40 }, (_, i) => ({ i })) })).toEqual({ ok: true });
    // 490 events in 10 pushes: 11 more do not fit, 10 do.
    expect(await call('push', { events: Array.from({ length: 11 }, (_, i) => ({ i })) })).toMatchObject({ error: { message: 'Too many requests.' } });
    expect(await call('push', { events: Array.from({ length: 10 }, (_, i) => ({ i })) })).toEqual({ ok: true });
  });

  it('records a key pushed with another limit while its events wait; another key with its own limit is no conflict', async () => {
    runtime.paused = true;
    expect(await call('push', { events: [{ mode: 'finish' }, { mode: 'finish' }], concurrency: { key: 'k', limit: 3 } })).toEqual({ ok: true });
    expect(runtime.concurrencyConflicts).toEqual([]);
    expect(await call('push', { events: [{ mode: 'finish' }], concurrency: { key: 'k', limit: 1 } })).toEqual({ ok: true });
    expect(runtime.concurrencyConflicts).toEqual([{ key: 'k', limits: [3, 1] }]);
    // Another key with its own limit is no conflict.
    expect(await call('push', { events: [{ mode: 'finish' }], concurrency: { key: 'other', limit: 5 } })).toEqual({ ok: true });
    expect(runtime.concurrencyConflicts).toHaveLength(1);
  });

  it('refuses the 1,001st push of one chain of invocations with InvocationLimitReachedError; a new chain starts afresh', async () => {
    probe.relayStopped.length = 0;
    runtime.chainPushLimit = LIMITS.asyncEvents.cyclicInvocationPushes;
    expect(await call('push', { events: [{ mode: 'relay', n: 0 }] })).toEqual({ ok: true });
    await runtime.idle(60_000);
    // The first push was the trigger's; the consumers made the next 999, and the 1,000th consumer's push is refused.
    expect(probe.relayStopped).toEqual([{ n: 999, error: expect.objectContaining({ message: 'The limit on cyclic invocation has been reached.' }) }]);
    expect(await call('push', { events: [{ mode: 'finish' }] })).toEqual({ ok: true });
  }, 60_000);

  it('takes a push in part when the platform says so: PartialSuccessError names the events it refused, the others are consumed', async () => {
    runtime.partialPushes = 1;
    expect(await call('push', { events: [{ mode: 'finish', n: 1 }, { mode: 'finish', n: 2 }, { mode: 'finish', n: 3 }] })).toEqual({
      error: expect.objectContaining({ message: 'Failed to process 1 event(s).' }),
      failed: [{ mode: 'finish', n: 3 }],
    });
    await runtime.idle();
    expect(probe.consumed.map((c) => c.body.n)).toEqual([1, 2]);
  });

  it('refuses an event over 100 KB for a long-running consumer', async () => {
    expect(await call('push', { events: [{ blob: 'x'.repeat(LIMITS.asyncEvents.maxLongRunningEventBytes) }] })).toMatchObject({ error: { name: expect.any(String) } });
  });

  it('retries a consumer that threw, without retryData, with a retry count', async () => {
    await call('push', { events: [{ mode: 'throw' }] });
    await runtime.idle();
    expect(probe.consumed.map((c) => c.retryContext)).toEqual([undefined, expect.objectContaining({ retryCount: 1, retryReason: expect.any(String) })]);
    expect((probe.consumed[1].retryContext as { retryData?: unknown }).retryData).toBeUndefined();
  });

  it('passes retryData back under 4 KB, and does not retry at all over it (logged)', async () => {
    await call('push', { events: [{ mode: 'retry', bytes: 100 }] });
    await runtime.idle();
    expect(probe.consumed).toHaveLength(2);
    expect((probe.consumed[1].retryContext as { retryData: { blob: string } }).retryData.blob).toHaveLength(100);
    probe.consumed.length = 0;
    await call('push', { events: [{ mode: 'retry', bytes: LIMITS.asyncEvents.maxRetryDataBytes }] });
    await runtime.idle();
    expect(probe.consumed).toHaveLength(1);
    expect(runtime.platformLog.some((line) => /retryData of \d+ bytes is over the 4 KB limit/.test(line))).toBe(true);
  });
});

describe('realtime (docs "limits-realtime")', () => {
  it('takes 50 operations a second per installation; beyond that @forge/realtime answers RATE_LIMIT_EXCEEDED, and the next second works again', async () => {
    runtime.timeScale = 1;
    expect(await call('sign-tokens', { n: 52 })).toEqual({ errors: ['RATE_LIMIT_EXCEEDED', 'RATE_LIMIT_EXCEEDED'] });
    runtime.advanceClock(1_000);
    expect(await call('sign-tokens', { n: 1 })).toEqual({ errors: [] });
    // Subscribing counts too.
    for (let i = 0; i < 49; i += 1) expect(typeof runtime.subscribeRealtime('probe-channel', undefined, () => undefined)).toBe('function');
    expect(runtime.subscribeRealtime('probe-channel', undefined, () => undefined)).toEqual({ error: expect.stringMatching(/^RATE_LIMIT_EXCEEDED/) });
  });
});

describe('scheduled triggers (docs "events-reference/scheduled-trigger", Response)', () => {
  it('records 424 Failed dependency for a function that answers without a statusCode, and the statusCode of one that has it', async () => {
    await runtime.runScheduledTrigger('quiet');
    await runtime.runScheduledTrigger('answering');
    expect(runtime.scheduledStatuses).toEqual([
      { key: 'quiet', statusCode: 424 },
      { key: 'answering', statusCode: 204 },
    ]);
  });
});

describe('function timeouts (docs "limits-invocation")', () => {
  it('25 s for resolvers and triggers, 55 s for web triggers, a consumer\'s own timeoutSeconds', () => {
    expect(runtime.timeoutSecondsFor('context-resolver', 'resolver')).toBe(LIMITS.timeoutsSeconds.resolver);
    expect(runtime.timeoutSecondsFor('slow-trigger', 'trigger')).toBe(LIMITS.timeoutsSeconds.trigger);
    expect(runtime.timeoutSecondsFor('webhook', 'webtrigger')).toBe(LIMITS.timeoutsSeconds.webtrigger);
    expect(runtime.timeoutSecondsFor('consume', 'consumer')).toBe(120);
    expect(runtime.timeoutSecondsFor('push', 'consumer')).toBe(LIMITS.timeoutsSeconds.consumerDefault);
  });

  it('stops a function that runs past its time and retries the queue event that timed out', async () => {
    runtime.injectFault({ functionKey: 'slow-trigger', nth: 1, kind: 'timeout' });
    await expect(call('slow-trigger', {})).rejects.toThrow(/timed out/);
    runtime.injectFault({ functionKey: 'consume', nth: 1, kind: 'timeout' });
    await call('push', { events: [{ mode: 'ok' }] });
    await runtime.idle();
    expect(probe.consumed).toEqual([expect.objectContaining({ retryContext: expect.objectContaining({ retryCount: 1, retryReason: 'FUNCTION_TIME_OUT' }) })]);
  });
});

describe('web triggers and resolvers (docs "web-trigger", "forge-resolver")', () => {
  it('a web trigger gets method, headers as arrays, body as a string, query parameters and path', async () => {
    const response = await runtime.handleWebTrigger('probe-hook', { method: 'POST', headers: { 'content-type': ['application/json'] }, body: '{"a":1}', queryParameters: { x: ['1'] }, path: '/x1/abc' });
    expect(response.statusCode).toBe(201);
    expect(JSON.parse(response.body!).seen).toEqual({ method: 'POST', headers: { 'content-type': ['application/json'] }, body: '{"a":1}', queryParameters: { x: ['1'] }, path: '/x1/abc' });
  });

  it.each([
    ['jira:issuePanel', { type: 'jira:issuePanel', issue: { id: '10001', key: 'DEMO-1', type: 'Bug', typeId: '10004' }, project: { id: '10000', key: 'DEMO', type: 'software' } }],
    ['jira:projectSettingsPage', { type: 'jira:projectSettingsPage', project: { id: '10000', key: 'DEMO', type: 'software' } }],
    ['jira:adminPage', { type: 'jira:adminPage' }],
  ])('a %s resolver gets the calling account and the module context', async (_type, extension) => {
    const context = await runtime.invokeResolver('probe-module', 'context-resolver', { functionKey: 'context', payload: {} }, '557058:0a1d-admin', extension);
    expect(context).toMatchObject({ accountId: '557058:0a1d-admin', cloudId: expect.any(String), moduleKey: 'probe-module', extension });
  });

  it('gives a resolver no locale: "A user\'s locale information is not directly available to Forge functions" (docs "runtime-reference/i18n")', async () => {
    const context = (await runtime.invokeResolver('probe-module', 'context-resolver', { functionKey: 'context', payload: {} }, '557058:0a1d-admin', {})) as Record<string, unknown>;
    expect(context).not.toHaveProperty('locale');
  });
});

describe('trigger filter expressions (docs "events-reference/product_events", Filter out Atlassian app events)', () => {
  const appManifest = parseYaml(readFileSync(join(__dirname, '..', '..', 'manifest.yml'), 'utf8'));
  const updatedFilter: string = appManifest.modules.trigger.find((t: { events: string[] }) => t.events.includes('avi:jira:updated:issue')).filter.expression;
  const updated = () => fixture('jira-issue-updated.json');
  const withItems = (items: Array<Record<string, unknown>>) => ({ ...updated(), changelog: { id: '10079', items } });
  const item = (field: string) => ({ field, fieldtype: 'jira', fieldId: field, from: null, fromString: 'a', to: null, toString: 'b' });

  it("the docs' own example filters the documented events as the docs say", () => {
    const example = "event.issue.fields?.issueType.name == 'Bug'";
    const created = fixture('jira-issue-created.json');
    const typeKey = Object.keys(created.issue.fields).find((k) => k.toLowerCase() === 'issuetype')!;
    expect(filterDelivers(example, { ...created, issue: { ...created.issue, fields: { ...created.issue.fields, issueType: { name: 'Bug' } } } })).toBe(true);
    expect(filterDelivers(example, { ...created, issue: { ...created.issue, fields: { ...created.issue.fields, issueType: { name: 'Story' } } } })).toBe(false);
    // "For other and undefined issue types, events will be filtered out": an error, which drops the event.
    expect(() => filterDelivers(example, { ...created, issue: { ...created.issue, fields: Object.fromEntries(Object.entries(created.issue.fields).filter(([k]) => k !== typeKey && k !== 'issueType')) } })).toThrow(JiraExpressionError);
  });

  it("the app's updated-issue filter passes summary and description edits, and nothing else", () => {
    expect(filterDelivers(updatedFilter, updated())).toBe(true);
    expect(filterDelivers(updatedFilter, withItems([item('description')]))).toBe(true);
    expect(filterDelivers(updatedFilter, withItems([item('status'), item('resolution')]))).toBe(false);
    expect(filterDelivers(updatedFilter, withItems([item('assignee')]))).toBe(false);
    expect(filterDelivers(updatedFilter, withItems([item('Rank'), item('labels'), item('summary')]))).toBe(true);
    expect(filterDelivers(updatedFilter, withItems([]))).toBe(false);
  });

  it('stays within 50,000 steps for the largest changelog an event can carry', () => {
    const one = Buffer.byteLength(JSON.stringify(item('customfield_10020')));
    const items = Array.from({ length: Math.floor(LIMITS.productEvents.maxEventBytes / one) }, () => item('customfield_10020'));
    const { value, steps } = evaluateJiraExpression(updatedFilter, withItems(items));
    expect(value).toBe(false);
    expect(steps).toBeLessThan(MAX_EXPRESSION_STEPS);
    expect(estimateComplexity(updatedFilter)).toMatchObject({ variables: 1, problems: [] });
  });

  it('counts steps and stops an expression past the limit', () => {
    const list = `[${Array.from({ length: 300 }, (_, i) => i).join(',')}]`;
    expect(() => evaluateJiraExpression(`${list}.some(a => ${list}.some(b => a * b == -1))`, {})).toThrow(/more than 50000 steps/);
  });

  it('refuses at deploy what the docs refuse: over 10,000 characters, or too many nested iterations', () => {
    expect(() => parseJiraExpression(`event.issue.key == '${'x'.repeat(10_000)}'`)).toThrow(/at most 10000/);
    const nested = 'event.a.some(a => event.b.some(b => event.c.some(c => event.d.some(d => a == d))))';
    expect(estimateComplexity(nested).problems).toContain('4 inferred variables (at most 3)');
  });

  it('an expression that fails drops the event and logs it; onError RECEIVE_AND_LOG delivers it', async () => {
    const delivered: unknown[] = [];
    const app = { on: async (event: unknown) => void delivered.push(event) };
    const manifest = (onError?: string): AppManifest => ({
      ...MANIFEST,
      modules: {
        function: [{ key: 'on', handler: 'probe.on' }],
        trigger: [{ key: 'filtered', function: 'on', events: ['avi:jira:updated:issue'], filter: { expression: 'event.issue.fields.nonexistent.name == "x"', ...(onError ? { onError } : {}) } }],
      },
    });
    for (const [onError, expected] of [[undefined, 0], ['RECEIVE_AND_LOG', 1]] as const) {
      delivered.length = 0;
      const r = new ForgeRuntime({ manifest: manifest(onError), loadApp: () => app, jira: async () => new Response('{}', { status: 404 }), baseUrl: () => 'http://127.0.0.1:1', appAccountId: 'app', timeScale: 1000 });
      await r.emitProductEvent('avi:jira:updated:issue', updated());
      expect(delivered).toHaveLength(expected);
      expect(r.platformLog.some((line) => line.includes('filter of trigger filtered failed'))).toBe(true);
      r.stop();
    }
  });
});

describe('filtering by entity properties (docs "events-reference/product_events", a preview feature)', () => {
  const appManifest = parseYaml(readFileSync(join(__dirname, '..', '..', 'manifest.yml'), 'utf8'));
  const commentFilter: string = appManifest.modules.trigger.find((t: { events: string[] }) => t.events.includes('avi:jira:commented:issue')).filter.expression;
  const commented = () => fixture('jira-comment-created.json');
  /** The event as the filter sees it, with `runtime` resolved from the given stored properties. */
  const seen = (expression: string, event: Record<string, unknown>, properties: Record<string, unknown>) => ({
    ...event,
    runtime: runtimeForPaths(entityPropertyPaths(expression), (entity, key) => (entity === 'issue' ? properties[key] : undefined)),
  });

  it("the app's comment filter passes exactly the comments the comment trigger would look at", () => {
    const statuses: RunStatus[] = ['skipped', 'queued', 'retrying', 'waiting', 'accepted', 'running', 'completed', 'failed', 'timed-out', 'superseded', 'cancelled'];
    const event = commented();
    const cases = [
      undefined,
      { deliveryId: 'dlv_1' },
      ...statuses.flatMap((status) => [
        { status },
        { status, resultCommentId: event.comment.id },
        { status, resultCommentId: '99999' },
        // The account that wrote the result: its later comments may be a second one from the platform.
        { status, resultCommentId: '99999', resultAuthorId: event.comment.author.accountId },
        { status, resultCommentId: '99999', resultAuthorId: 'someone-else' },
      ]),
    ];
    for (const property of cases) {
      const expected = commentMayMatter(property as { status?: string; resultCommentId?: string; resultAuthorId?: string } | undefined, event.comment.id, event.comment.author.accountId);
      expect([property, filterDelivers(commentFilter, seen(commentFilter, event, property ? { 'ticket-enhancer': property } : {}))]).toEqual([property, expected]);
    }
    // A deleted comment's event carries the comment's id too: deleting the result comment passes.
    const deleted = { ...event, eventType: 'avi:jira:deleted:comment', comment: { id: '10021', author: event.comment.author } };
    expect(filterDelivers(commentFilter, seen(commentFilter, deleted, { 'ticket-enhancer': { status: 'completed', resultCommentId: '10021' } }))).toBe(true);
    expect(entityPropertyPaths(commentFilter).map((p) => p.path)).toEqual([
      "issue.properties['ticket-enhancer'].resultCommentId",
      "issue.properties['ticket-enhancer'].resultAuthorId",
      "issue.properties['ticket-enhancer'].status",
    ]);
    expect(estimateComplexity(commentFilter)).toMatchObject({ problems: [] });
  });

  it('resolves paths to primitives or lists of primitives, and anything else to null, as the docs say', () => {
    const stored = { 'some-property': { x: { y: { z: true } }, strings: ['a', 'b'], objects: [{ a: 1 }] }, flag: 'on' };
    const value = (expression: string) => evaluateJiraExpression(expression, seen(expression, commented(), stored)).value;
    expect(value("event.runtime.issue.properties['some-property'].x")).toBeNull();
    expect(value("event.runtime.issue.properties['some-property'].x.y.z")).toBe(true);
    expect(value("event.runtime.issue.properties['some-property']['x.y.z']")).toBe(true);
    expect(value("(event.runtime.issue.properties['some-property'].strings).length > 0")).toBe(true);
    expect(value("event.runtime.issue.properties['some-property'].objects")).toBeNull();
    expect(value("event.runtime.issue.properties['flag']")).toBe('on');
    expect(value("event.runtime.issue.properties['missing'].status")).toBeNull();
    // The sandbox Jira keeps no project properties: such a path does not resolve, which drops the event.
    expect(value("event.runtime.project.properties['config'].status == 'active'")).toBe(false);
    expect(() => entityPropertyPaths("event.runtime.issue.properties[event.issue.key].x == 1")).toThrow(/written out/);
    expect(() => entityPropertyPaths("event.runtime.board.properties['x'].y == 1")).toThrow(/cannot be read/);
  });

  it('counts distinct paths across all triggers as the docs count them, and refuses a sixth or an unsupported event', () => {
    const trigger = (key: string, expression: string, propertyPaths: string[] = [], events = ['avi:jira:updated:issue']) => ({ key, events, filter: { expression }, payload: { include: { propertyPaths } } });
    // The docs' example: trigger 1 uses 3 paths, trigger 2 adds 1.
    const documented = [
      trigger('trigger-1', "event.runtime.project.properties['config'].status == 'active' && event.runtime.issue.properties['meta'].type == 'bug'", ["project.properties['config'].status", "issue.properties['flags'].priority"]),
      trigger('trigger-2', "event.runtime.issue.properties['meta'].type == 'bug' && event.runtime.user.properties['prefs'].notify == true"),
    ];
    expect(entityPropertyPathProblems(documented)).toEqual({ paths: expect.any(Array), problems: [] });
    expect(entityPropertyPathProblems(documented).paths).toHaveLength(4);
    const six = [...documented, trigger('trigger-3', "event.runtime.issue.properties['a'].b == 1 || event.runtime.issue.properties['c'].d == 1")];
    expect(entityPropertyPathProblems(six).problems).toEqual(['6 distinct entity property paths across the triggers (at most 5)']);
    const unsupported = [trigger('on-version', "event.runtime.project.properties['config'].status == 'active'", [], ['avi:jira:created:version'])];
    expect(entityPropertyPathProblems(unsupported).problems).toEqual(['on-version: entity properties cannot be read on avi:jira:created:version']);
    expect(entityPropertyPathProblems(appManifest.modules.trigger)).toMatchObject({ problems: [] });
  });

  it('filters with the values stored a few seconds before the event, not the newest', async () => {
    const delivered: unknown[] = [];
    const app = { on: async (event: unknown) => void delivered.push(event) };
    let stored: unknown;
    let writtenAt = 0;
    const r = new ForgeRuntime({
      manifest: { ...MANIFEST, modules: { function: [{ key: 'on', handler: 'probe.on' }], trigger: [{ key: 'comments', function: 'on', events: ['avi:jira:commented:issue'], filter: { expression: commentFilter } }] } },
      loadApp: () => app,
      jira: async () => new Response('{}', { status: 404 }),
      baseUrl: () => 'http://127.0.0.1:1',
      appAccountId: 'app',
      entityProperty: (entity, id, key, asOf) => (entity === 'issue' && id === commented().issue.id && key === 'ticket-enhancer' && writtenAt <= asOf ? stored : undefined),
    });
    stored = { status: 'accepted' };
    writtenAt = Date.now();
    await r.emitProductEvent('avi:jira:commented:issue', commented());
    expect(delivered).toHaveLength(0);
    writtenAt = Date.now() - r.propertyFilterLagMs;
    await r.emitProductEvent('avi:jira:commented:issue', commented());
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).not.toHaveProperty('runtime');
    r.stop();
  });

  it('delivers payload.include.propertyPaths under payloadIncludeProperties, keyed as declared, and nothing it was not asked for', async () => {
    const delivered: Array<Record<string, unknown>> = [];
    const app = { on: async (event: Record<string, unknown>) => void delivered.push(event) };
    const stored = { myapp: { status: 'active', type: 'bug', nested: { a: 1 } } };
    const r = new ForgeRuntime({
      manifest: {
        ...MANIFEST,
        modules: {
          function: [{ key: 'on', handler: 'probe.on' }],
          trigger: [
            {
              key: 'enriched',
              function: 'on',
              events: ['avi:jira:commented:issue'],
              filter: { expression: "event.runtime.issue.properties['myapp'].status == 'active'" },
              payload: { include: { propertyPaths: ["issue.properties['myapp'].type", "issue.properties['myapp'].nested"] } },
            },
          ],
        },
      },
      loadApp: () => app,
      jira: async () => new Response('{}', { status: 404 }),
      baseUrl: () => 'http://127.0.0.1:1',
      appAccountId: 'app',
      entityProperty: (entity, _id, key) => (entity === 'issue' ? stored[key as keyof typeof stored] : undefined),
    });
    await r.emitProductEvent('avi:jira:commented:issue', commented());
    expect(delivered).toHaveLength(1);
    // "a property used in a filter expression is not automatically included in the payload"
    expect(delivered[0].payloadIncludeProperties).toEqual({ "issue.properties['myapp'].type": 'bug', "issue.properties['myapp'].nested": null });
    r.stop();
  });
});

describe('Automation actions (docs "manifest-reference/modules/automation-action")', () => {
  const documented = fixture('automation-action-payload.json');
  const actionManifest = (): AppManifest => ({
    ...MANIFEST,
    modules: {
      function: [{ key: 'act', handler: 'probe.act' }],
      'automation:actionProvider': [{ key: 'provider', actions: ['add-comment'] }],
      action: [
        {
          key: 'add-comment',
          function: 'act',
          name: 'Add comment',
          actionVerb: 'CREATE',
          description: 'adds a comment',
          inputs: { projectKey: { title: 'Project', type: 'string', required: true }, issueKey: { title: 'Issue', type: 'string', required: true }, comment: { title: 'Comment', type: 'string', required: true } },
        },
      ],
    },
  });

  it('hands the function the documented payload, as the rule\'s user, with 55 s', async () => {
    const received: unknown[] = [];
    const app = { act: async (payload: unknown, context: unknown) => void received.push(payload, context) };
    const r = new ForgeRuntime({ manifest: actionManifest(), loadApp: () => app, jira: async () => new Response('{}', { status: 404 }), baseUrl: () => 'http://127.0.0.1:1', appAccountId: 'app', timeScale: 1000 });
    await r.runAutomationAction('add-comment', documented.payload, 'rule-owner');
    expect(received[0]).toEqual(documented);
    expect(received[1]).toMatchObject({ principal: { accountId: 'rule-owner' } });
    expect(r.timeoutSecondsFor('act', 'action')).toBe(LIMITS.timeoutsSeconds.webtrigger);
    r.stop();
  });

  it('an actor who never allowed the app gets NeedsAuthenticationError from asUser(), as the docs warn for actions', async () => {
    runtime.usersWithoutConsent.add('no-consent');
    expect(await runtime.invoke('read-as-user', 'read-as-user', 'action', [{}], 'no-consent')).toEqual({ error: expect.objectContaining({ name: 'NEEDS_AUTHENTICATION_ERR' }) });
    expect(await runtime.invoke('read-as-user', 'read-as-user', 'action', [{}], 'consented')).toEqual({ status: 404 });
  });

  it('refuses what Automation refuses to save: an undeclared input, a missing required one, an action no provider offers', async () => {
    const r = new ForgeRuntime({ manifest: actionManifest(), loadApp: () => ({ act: async () => undefined }), jira: async () => new Response('{}', { status: 404 }), baseUrl: () => 'http://127.0.0.1:1', appAccountId: 'app', timeScale: 1000 });
    await expect(r.runAutomationAction('add-comment', { ...documented.payload, extra: 'x' }, 'u')).rejects.toThrow('"extra" is not an input');
    await expect(r.runAutomationAction('add-comment', { projectKey: 'CP', issueKey: 'CP-16' }, 'u')).rejects.toThrow('comment is required');
    await expect(r.runAutomationAction('other', {}, 'u')).rejects.toThrow('no automation:actionProvider offers the action "other"');
    r.stop();
  });
});
