/**
 * Jira Cloud's rate limits for apps, as the sandbox's Jira applies them to the app's own REST calls
 * (`requestJira`, as the app or as a user). Source: "Rate limiting", Jira Cloud platform,
 * https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (last updated 2026-08-12;
 * enforced for Forge apps since 2026-03-02). Three independent limits, checked on every request:
 *
 * - Points per UTC hour: 1 point per request, plus 1 per object read (2 per user, group, role or
 *   permission); a write costs 1 whatever it touches. Tier 1 ("Global Pool", the default) is
 *   65,000 points an hour shared by every site the app is installed on; once spent, every request
 *   is refused until the top of the next UTC hour (`jira-quota-global-based`).
 * - Burst: a token bucket per endpoint and HTTP method, refilled at the steady-state rate (GET and
 *   POST 100 a second, PUT and DELETE 50, a few endpoints their own). The docs give no bucket
 *   size; the sandbox's holds one second at the steady rate, the stricter reading
 *   (docs/known-issues.md). Refusals say `jira-burst-based`, Retry-After 1.
 * - Per-issue writes: 20 in 2 seconds and 100 in 30 seconds to one issue (`jira-per-issue-on-write`).
 *
 * Every answer carries the enforced policy headers (`RateLimit-Policy`, `RateLimit`, with the
 * remaining points `r` and `X-RateLimit-NearLimit: true` once less than 20% is left); a refusal is
 * 429 with `Retry-After`, `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0`, `X-RateLimit-Reset` and
 * `RateLimit-Reason`. Requests made with an API token (people, the AI Ops platform) cost the app
 * no points, as the page says of token traffic, but take their share of the site's burst buckets
 * and of each issue's writes (`observe`): those limits are the site's and the issue's, whoever asks.
 */
import type { JiraRequest } from './runtime/forge-runtime';

export interface JiraLimitOptions {
  /** The hourly points quota: 65,000 (Tier 1) by default; a share of it, or a Tier 2 figure. */
  pointsPerHour?: number;
  /** `global` (Tier 1, the default) or `tenant` (Tier 2, after Atlassian's review). */
  pool?: 'global' | 'tenant';
}

const HOUR_MS = 3_600_000;
const NEAR_SHARE = 0.2;
export const TIER1_POINTS_PER_HOUR = 65_000;

/** Default steady-state requests per second by method, and the endpoints the page lists with their own. */
const METHOD_RPS: Record<string, number> = { GET: 100, POST: 100, PUT: 50, PATCH: 50, DELETE: 50 };
const ENDPOINT_RPS: Array<[string, string, number]> = [
  ['GET', '/rest/api/3/issue/{}', 150],
  ['GET', '/rest/api/3/user', 150],
  ['GET', '/rest/api/3/component', 200],
  ['GET', '/rest/api/3/issue/{}/changelog', 200],
  ['POST', '/rest/api/3/search/approximate-count', 150],
  ['POST', '/rest/api/3/expression/evaluate', 150],
];

/** Per-issue write windows: at most `writes` in `ms`. */
const ISSUE_WINDOWS = [
  { writes: 20, ms: 2_000 },
  { writes: 100, ms: 30_000 },
];

/** POSTs that only read; the page prices POST as a write, the sandbox prices these as the reads they are (stricter). */
const READING_POSTS = /^\/rest\/api\/3\/(search\/approximate-count|jql\/match|jql\/parse|permissions\/check|expression\/evaluate|search\/jql)$/;
/** "Identity & access" objects cost 2 points each: users, groups, project roles, permissions. */
const IDENTITY = /^\/rest\/api\/3\/(myself|user(\/[a-z]+)?|users\/search|group(\/member)?|groups\/picker|mypermissions|permissions\/check|project\/[^/]+\/role(\/[^/]+)?)$/;

const isWrite = (method: string) => method !== 'GET' && method !== 'HEAD';

/** The endpoint a request's bucket belongs to: its path with ids, keys and property names as `{}`. */
export function endpointOf(path: string): string {
  const parts = path.split('/');
  return parts
    .map((part, i) => (parts[i - 1] === 'api' ? part : /^\d+$/.test(part) || /^[A-Za-z][A-Za-z0-9_]*-\d+$/.test(part) || ['properties', 'createmeta', 'issuetypes'].includes(parts[i - 1] ?? '') || (parts[i - 1] === 'project' && part !== 'search') ? '{}' : part))
    .join('/');
}

/** How many objects an answer holds, as the page counts them for reads. */
export function objectsIn(body: unknown): number {
  if (Array.isArray(body)) return body.length;
  if (!body || typeof body !== 'object') return 0;
  const b = body as Record<string, unknown>;
  for (const list of ['issues', 'values', 'comments', 'fields', 'issueLinkTypes', 'projectPermissions']) if (Array.isArray(b[list])) return (b[list] as unknown[]).length;
  if (Array.isArray(b.matches)) return (b.matches as Array<{ matchedIssues?: unknown[] }>).reduce((sum, m) => sum + (m.matchedIssues?.length ?? 0), 0);
  if (b.permissions && typeof b.permissions === 'object') return Object.keys(b.permissions).length;
  if (Array.isArray(b.queries)) return b.queries.length;
  return 1;
}

/** The points one answered request costs. */
export function pointsFor(method: string, path: string, body: unknown): number {
  if (isWrite(method) && !READING_POSTS.test(path)) return 1;
  return 1 + objectsIn(body) * (IDENTITY.test(path) ? 2 : 1);
}

export interface LimitTally {
  requests: number;
  points: number;
}

export class JiraRateLimits {
  pointsPerHour: number;
  pool: 'global' | 'tenant';
  /** Points spent in the current UTC hour, and the hour they belong to. */
  private hour = { start: 0, spent: 0 };
  private readonly buckets = new Map<string, { tokens: number; at: number; rps?: number }>();
  private readonly issueWrites = new Map<string, number[]>();
  /** Everything counted since the start (or `resetTally`): per endpoint, and refusals per reason. */
  readonly byEndpoint = new Map<string, LimitTally>();
  readonly refused: Record<string, number> = {};
  total: LimitTally = { requests: 0, points: 0 };

  constructor(
    options: JiraLimitOptions = {},
    /** The issue id a path's `{issueIdOrKey}` names (writes to one issue share a limit however they name it). */
    private readonly issueIdOf: (idOrKey: string) => string | undefined = (idOrKey) => idOrKey,
  ) {
    this.pointsPerHour = options.pointsPerHour ?? TIER1_POINTS_PER_HOUR;
    this.pool = options.pool ?? 'global';
  }

  get policy(): string {
    return this.pool === 'global' ? 'global-app-quota' : 'tenant-app-quota';
  }

  /** Points left this hour. */
  remaining(now = Date.now()): number {
    this.roll(now);
    return Math.max(0, this.pointsPerHour - this.hour.spent);
  }

  /** Spends points as if other requests of the app (another site's, in the global pool) had. */
  spend(points: number, now = Date.now()): void {
    this.roll(now);
    this.hour.spent += points;
  }

  resetTally(): void {
    this.byEndpoint.clear();
    for (const reason of Object.keys(this.refused)) delete this.refused[reason];
    this.total = { requests: 0, points: 0 };
  }

  /**
   * Someone else's request to the site (a person, an API token, another app): the burst limit is
   * per site and endpoint and the write limit per issue, whoever writes, so it takes its token and
   * its place in the issue's windows. It is never refused here and costs the app no points.
   */
  observe(request: Pick<JiraRequest, 'method' | 'path'>): void {
    const now = Date.now();
    const path = new URL(request.path, 'http://jira.local').pathname.replace(/\/+$/, '');
    const method = request.method.toUpperCase();
    const bucket = this.bucket(method, endpointOf(path), now);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    const issue = isWrite(method) ? this.issueOfWrite(path) : undefined;
    if (issue) this.issueWrites.set(issue, [...(this.issueWrites.get(issue) ?? []), now].slice(-ISSUE_WINDOWS[ISSUE_WINDOWS.length - 1].writes));
  }

  private bucket(method: string, endpoint: string, now: number): { tokens: number; at: number; rps: number } {
    const rps = ENDPOINT_RPS.find(([m, e]) => m === method && e === endpoint)?.[2] ?? METHOD_RPS[method] ?? 100;
    const key = `${method} ${endpoint}`;
    const bucket = this.buckets.get(key) ?? { tokens: rps, at: now };
    bucket.tokens = Math.min(rps, bucket.tokens + ((now - bucket.at) / 1000) * rps);
    bucket.at = now;
    this.buckets.set(key, bucket);
    return Object.assign(bucket, { rps });
  }

  async admit(request: JiraRequest, handle: () => Promise<Response>): Promise<Response> {
    const now = Date.now();
    const path = new URL(request.path, 'http://jira.local').pathname.replace(/\/+$/, '');
    const method = request.method.toUpperCase();
    const endpoint = endpointOf(path);
    this.roll(now);
    const resetMs = this.hour.start + HOUR_MS;
    if (this.hour.spent >= this.pointsPerHour) {
      return this.refuse(this.pool === 'global' ? 'jira-quota-global-based' : 'jira-quota-tenant-based', Math.ceil((resetMs - now) / 1000), this.pointsPerHour, resetMs);
    }
    const bucketKey = `${method} ${endpoint}`;
    const bucket = this.bucket(method, endpoint, now);
    if (bucket.tokens < 1) return this.refuse('jira-burst-based', 1, bucket.rps, now + 1000);
    const issue = isWrite(method) ? this.issueOfWrite(path) : undefined;
    if (issue) {
      const writes = (this.issueWrites.get(issue) ?? []).filter((at) => now - at < ISSUE_WINDOWS[ISSUE_WINDOWS.length - 1].ms);
      this.issueWrites.set(issue, writes);
      for (const window of ISSUE_WINDOWS) {
        const inWindow = writes.filter((at) => now - at < window.ms);
        if (inWindow.length >= window.writes) {
          const freeAt = inWindow[inWindow.length - window.writes] + window.ms;
          return this.refuse('jira-per-issue-on-write', Math.max(1, Math.ceil((freeAt - now) / 1000)), window.writes, freeAt);
        }
      }
      writes.push(now);
    }
    bucket.tokens -= 1;
    const answer = await handle();
    const text = answer.status === 204 ? '' : await answer.text();
    let body: unknown;
    try {
      body = text && answer.ok ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const points = pointsFor(method, path, body);
    this.hour.spent += points;
    this.total = { requests: this.total.requests + 1, points: this.total.points + points };
    const tally = this.byEndpoint.get(bucketKey) ?? { requests: 0, points: 0 };
    this.byEndpoint.set(bucketKey, { requests: tally.requests + 1, points: tally.points + points });
    const headers = new Headers(answer.headers);
    for (const [name, value] of Object.entries(this.policyHeaders(now))) headers.set(name, value);
    return new Response(answer.status === 204 ? null : text, { status: answer.status, headers });
  }

  /** The enforced policy headers every answer carries (the `Beta-` prefix is dropped at enforcement). */
  private policyHeaders(now: number): Record<string, string> {
    const left = Math.max(0, this.pointsPerHour - this.hour.spent);
    const near = left < this.pointsPerHour * NEAR_SHARE;
    const t = Math.ceil((this.hour.start + HOUR_MS - now) / 1000);
    return {
      'RateLimit-Policy': `"${this.policy}";q=${this.pointsPerHour};w=3600`,
      RateLimit: `"${this.policy}";${near ? `r=${left};` : ''}t=${t}`,
      ...(near ? { 'X-RateLimit-NearLimit': 'true' } : {}),
    };
  }

  private refuse(reason: string, retryAfterSeconds: number, limit: number, resetMs: number): Response {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    return new Response(JSON.stringify({ errorMessages: ['Rate limit exceeded.'], errors: {} }), {
      status: 429,
      headers: {
        'content-type': 'application/json',
        'Retry-After': String(retryAfterSeconds),
        'X-RateLimit-Limit': String(limit),
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': new Date(resetMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'RateLimit-Reason': reason,
      },
    });
  }

  private roll(now: number): void {
    const start = Math.floor(now / HOUR_MS) * HOUR_MS;
    if (start !== this.hour.start) this.hour = { start, spent: 0 };
  }

  /** The issue a write touches: `/issue/{idOrKey}` and everything under it, or a service request. */
  private issueOfWrite(path: string): string | undefined {
    const match = path.match(/^\/rest\/api\/3\/issue\/([^/]+)(\/|$)/) ?? path.match(/^\/rest\/servicedeskapi\/request\/([^/]+)\//);
    if (!match || ['bulk', 'createmeta', 'archive', 'unarchive', 'watching'].includes(match[1])) return undefined;
    const idOrKey = decodeURIComponent(match[1]);
    return this.issueIdOf(idOrKey) ?? idOrKey;
  }
}
