/**
 * Jira's rate limits for apps, as the sandbox's Jira applies them, checked against "Rate limiting"
 * (Jira Cloud platform, https://developer.atlassian.com/cloud/jira/platform/rate-limiting/; the
 * figures are in fixtures/documented-limits.json): points per hour with the Tier 1 quota, burst
 * token buckets per endpoint and method, per-issue write windows, and the headers of each answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JiraStandIn } from '../../sandbox/jira';
import { endpointOf, JiraRateLimits } from '../../sandbox/jira-limits';
import type { JiraRequest } from '../../sandbox/runtime/forge-runtime';

const DOC = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'documented-limits.json'), 'utf8')).jiraRateLimits;

let now: number;
let jira: JiraStandIn;
let limits: JiraRateLimits;
const asApp = { kind: 'app' } as const;

beforeEach(async () => {
  // Ten minutes into an hour, UTC.
  now = Date.UTC(2026, 11, 5, 9, 10, 0);
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  jira = new JiraStandIn(async () => undefined, () => 'https://sandbox.example');
  limits = new JiraRateLimits({}, (idOrKey) => jira.issue(idOrKey)?.id);
  for (const summary of ['One', 'Two', 'Three']) {
    await jira.handle({ method: 'POST', path: '/rest/api/3/issue', headers: {}, as: { kind: 'user', accountId: '557058:0c3f-agent' }, body: JSON.stringify({ fields: { project: { key: 'DEMO' }, summary, issuetype: { name: 'Bug' } } }) });
  }
});

afterEach(() => jest.restoreAllMocks());

const call = (method: string, path: string, body?: unknown) => {
  const request: JiraRequest = { method, path, headers: {}, as: asApp, body: body === undefined ? undefined : JSON.stringify(body) };
  return limits.admit(request, () => jira.handle(request));
};

const putProperty = (issue: string, n: number) => call('PUT', `/rest/api/3/issue/${issue}/properties/probe`, { n });

describe('points (the Tier 1 quota, "How points work")', () => {
  it('charges 1 per request and 1 per object read, 2 per identity object, 1 for any write', async () => {
    const spent = async (run: () => Promise<Response>) => {
      const before = limits.total.points;
      expect((await run()).status).toBeLessThan(300);
      return limits.total.points - before;
    };
    // The page's own example: GET /rest/api/3/issue/ABC-123 = 1 (base) + 1 issue.
    expect(await spent(() => call('GET', '/rest/api/3/issue/DEMO-1'))).toBe(DOC.pointsPerRequest + DOC.pointsPerCoreObject);
    expect(await spent(() => call('GET', '/rest/api/3/search/jql?jql=project%20%3D%20DEMO&fields=summary'))).toBe(DOC.pointsPerRequest + 3 * DOC.pointsPerCoreObject);
    expect(await spent(() => call('GET', '/rest/api/3/myself'))).toBe(DOC.pointsPerRequest + DOC.pointsPerIdentityObject);
    expect(await spent(() => call('POST', '/rest/api/3/issue/DEMO-1/comment', { body: { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x' }] }] } }))).toBe(DOC.pointsPerWrite);
    expect(await spent(() => putProperty('DEMO-1', 1))).toBe(DOC.pointsPerWrite);
  });

  it('answers with the enforced policy headers; below 20% left it adds what remains and NearLimit', async () => {
    const first = await call('GET', '/rest/api/3/issue/DEMO-1');
    expect(first.headers.get('RateLimit-Policy')).toBe(`"global-app-quota";q=${DOC.tier1PointsPerHour};w=${DOC.quotaWindowSeconds}`);
    expect(first.headers.get('RateLimit')).toBe('"global-app-quota";t=3000');
    expect(first.headers.get('X-RateLimit-NearLimit')).toBeNull();
    limits.spend(DOC.tier1PointsPerHour * (1 - DOC.nearLimitShare));
    const near = await call('GET', '/rest/api/3/issue/DEMO-1');
    const left = limits.remaining();
    expect(left).toBeLessThan(DOC.tier1PointsPerHour * DOC.nearLimitShare);
    expect(near.headers.get('RateLimit')).toBe(`"global-app-quota";r=${left};t=3000`);
    expect(near.headers.get('X-RateLimit-NearLimit')).toBe('true');
  });

  it('refuses every request once the hour\'s points are spent, until the top of the next UTC hour', async () => {
    limits.spend(DOC.tier1PointsPerHour - 1);
    expect((await call('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
    for (const [method, path] of [['GET', '/rest/api/3/issue/DEMO-2'], ['GET', '/rest/api/3/serverInfo'], ['PUT', '/rest/api/3/issue/DEMO-2/properties/probe']]) {
      const refused = await call(method, path, method === 'PUT' ? {} : undefined);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('RateLimit-Reason')).toBe('jira-quota-global-based');
      expect(refused.headers.get('Retry-After')).toBe('3000');
      expect(refused.headers.get('X-RateLimit-Reset')).toBe('2026-12-05T10:00:00Z');
      expect(refused.headers.get('X-RateLimit-Remaining')).toBe('0');
    }
    now = Date.UTC(2026, 11, 5, 10, 0, 0);
    expect((await call('GET', '/rest/api/3/issue/DEMO-2')).status).toBe(200);
    expect(limits.remaining()).toBe(DOC.tier1PointsPerHour - 2);
  });

  it('a per-tenant pool names its own reason and policy', async () => {
    limits = new JiraRateLimits({ pool: 'tenant', pointsPerHour: 120_000 });
    expect((await call('GET', '/rest/api/3/serverInfo')).headers.get('RateLimit-Policy')).toBe('"tenant-app-quota";q=120000;w=3600');
    limits.spend(120_000);
    expect((await call('GET', '/rest/api/3/serverInfo')).headers.get('RateLimit-Reason')).toBe('jira-quota-tenant-based');
  });
});

describe('burst limits ("Burst API Rate Limit")', () => {
  it('takes the steady-state rate per endpoint and method in a second; the next is refused for that endpoint only', async () => {
    const rate = DOC.burstEndpointRequestsPerSecond['GET /rest/api/3/issue/{issueIdOrKey}'];
    for (let i = 0; i < rate; i += 1) expect((await call('GET', `/rest/api/3/issue/DEMO-${1 + (i % 2)}`)).status).toBe(200);
    const refused = await call('GET', '/rest/api/3/issue/DEMO-1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('RateLimit-Reason')).toBe('jira-burst-based');
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect(refused.headers.get('X-RateLimit-Limit')).toBe(String(rate));
    // Other endpoints, and other methods on the same path, have buckets of their own.
    expect((await call('GET', '/rest/api/3/issue/DEMO-1/comment')).status).toBe(200);
    expect((await call('PUT', '/rest/api/3/issue/DEMO-1', { fields: { summary: 'Renamed' } })).status).toBe(204);
    // The bucket refills at the steady rate.
    now += 1000;
    expect((await call('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
  });

  it('names endpoints by their path with ids and keys taken out', () => {
    expect(endpointOf('/rest/api/3/issue/DEMO-12/properties/ticket-enhancer')).toBe('/rest/api/3/issue/{}/properties/{}');
    expect(endpointOf('/rest/api/3/issue/10001/comment/10500')).toBe('/rest/api/3/issue/{}/comment/{}');
    expect(endpointOf('/rest/api/3/project/search')).toBe('/rest/api/3/project/search');
  });

  it('PUT takes 50 a second by default, across issues', async () => {
    const rate = DOC.burstRequestsPerSecond.PUT;
    // Three issues, so no issue reaches its own 20 writes.
    for (let i = 0; i < rate; i += 1) expect((await putProperty(`DEMO-${1 + (i % 3)}`, i)).status).toBeLessThan(300);
    const refused = await putProperty('DEMO-1', rate);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('RateLimit-Reason')).toBe('jira-burst-based');
    expect(refused.headers.get('X-RateLimit-Limit')).toBe(String(rate));
  });
});

describe('per-issue writes ("Per-issue rate limiting on write operations")', () => {
  it('takes 20 writes to one issue in 2 seconds, however the issue is named; other issues are not affected', async () => {
    const [short, long] = DOC.perIssueWrites;
    for (let i = 0; i < short.writes; i += 1) expect((await putProperty(i % 2 ? 'DEMO-1' : jira.issue('DEMO-1')!.id, i)).status).toBeLessThan(300);
    const refused = await putProperty('DEMO-1', 99);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('RateLimit-Reason')).toBe('jira-per-issue-on-write');
    expect(Number(refused.headers.get('Retry-After'))).toBe(short.seconds);
    expect((await putProperty('DEMO-2', 1)).status).toBeLessThan(300);
    // Reads of the issue go on.
    expect((await call('GET', '/rest/api/3/issue/DEMO-1')).status).toBe(200);
    now += short.seconds * 1000;
    expect((await putProperty('DEMO-1', 100)).status).toBeLessThan(300);
    // And 100 in 30 seconds: 20 every 2 seconds reaches it before the half minute is out.
    let written = short.writes + 1;
    let refusedLong: Response | undefined;
    while (!refusedLong) {
      const answer = await putProperty('DEMO-1', written);
      if (answer.status === 429) {
        if (answer.headers.get('Retry-After') === String(short.seconds)) now += short.seconds * 1000;
        else refusedLong = answer;
      } else written += 1;
    }
    expect(written).toBe(long.writes);
    expect(refusedLong.headers.get('RateLimit-Reason')).toBe('jira-per-issue-on-write');
    expect(Number(refusedLong.headers.get('Retry-After'))).toBeGreaterThan(short.seconds);
  });
});

it("people's and API tokens' requests cost the app no points but share the site's burst buckets and each issue's writes", async () => {
  const [short] = DOC.perIssueWrites;
  for (let i = 0; i < short.writes; i += 1) limits.observe({ method: 'PUT', path: `/rest/api/3/issue/DEMO-3/properties/someone-${i}` });
  expect(limits.total).toEqual({ requests: 0, points: 0 });
  expect(limits.remaining()).toBe(DOC.tier1PointsPerHour);
  const refused = await putProperty('DEMO-3', 1);
  expect(refused.status).toBe(429);
  expect(refused.headers.get('RateLimit-Reason')).toBe('jira-per-issue-on-write');
  for (let i = 0; i < DOC.burstRequestsPerSecond.GET; i += 1) limits.observe({ method: 'GET', path: '/rest/api/3/serverInfo' });
  expect((await call('GET', '/rest/api/3/serverInfo')).headers.get('RateLimit-Reason')).toBe('jira-burst-based');
});
