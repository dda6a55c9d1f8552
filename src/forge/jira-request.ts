/**
 * Every Jira REST call the app makes goes through `requestJira` here, which answers Jira's rate
 * limits as "Rate limiting" and "Build an app that respects rate limits" (Jira Cloud platform)
 * ask, by the `RateLimit-Reason` of a 429:
 *
 * - `jira-burst-based` (one endpoint) and `jira-per-issue-on-write` (one issue): wait at least
 *   `Retry-After` (or 2, 4, 8, 16 s without one), up to 30% more at random, and try again, at most
 *   4 times and only while the wait fits the call's budget; only requests that may be repeated are
 *   (GET, PUT, DELETE, and POSTs that only read). Then `JiraLimitedError`.
 * - `jira-quota-global-based` / `jira-quota-tenant-based` (the hourly points): no retry. Every
 *   later call in this process (for a per-tenant pool: for the same installation) fails at once,
 *   without reaching Jira, until the window resets.
 *
 * Waits follow the clock (`Date.now()`), so a site waits in real seconds and the sandbox's faster
 * clock makes them short. Callers decide what a `JiraLimitedError` means: an event asks the
 * platform to retry, a queued job waits in the queue, a screen names the limit and when it ends.
 */
import api, { getAppContext, type APIResponse, type RequestInit, type Route } from '@forge/api';

/** Jira could not answer just now (a rate limit, a 5xx): the caller may try again after `retryAfterSeconds`. */
export class JiraUnavailableError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`Jira answered ${status}`);
    this.name = 'JiraUnavailableError';
  }
}

export type LimitReason = 'jira-burst-based' | 'jira-per-issue-on-write' | 'jira-quota-global-based' | 'jira-quota-tenant-based' | 'unnamed';

/** Jira refused a request for one of its rate limits (429), and how long it asked the app to wait. */
export class JiraLimitedError extends JiraUnavailableError {
  constructor(
    readonly reason: LimitReason,
    retryAfterSeconds: number,
  ) {
    super(429, retryAfterSeconds);
    this.name = 'JiraLimitedError';
    this.message = `Jira is limiting the app's requests (${reason}): try again in ${retryAfterSeconds} s`;
  }

  get quota(): boolean {
    return this.reason === 'jira-quota-global-based' || this.reason === 'jira-quota-tenant-based';
  }

  /** When Jira takes the request again, as an ISO time. */
  get untilIso(): string {
    return new Date(Date.now() + (this.retryAfterSeconds ?? 0) * 1000).toISOString();
  }
}

export interface JiraCallOptions {
  /** A POST that only reads (search, JQL match, permission checks): safe to repeat. */
  readOnly?: boolean;
  /** How long this call may spend waiting on burst and per-issue limits, in ms (default 10 s). */
  waitBudgetMs?: number;
}

const MAX_RETRIES = 4;
const DEFAULT_WAIT_BUDGET_MS = 10_000;
const QUOTA_REASONS = new Set<string>(['jira-quota-global-based', 'jira-quota-tenant-based']);
const KNOWN_REASONS = new Set<string>([...QUOTA_REASONS, 'jira-burst-based', 'jira-per-issue-on-write']);

/**
 * Hourly quotas found spent, shared by every call in this process: the global pool (Tier 1) for
 * every site, a per-tenant pool (Tier 2) for its installation only. Each: found at `since`, until
 * `until` (epoch ms).
 */
const pauses = new Map<string, { since: number; until: number; reason: LimitReason }>();

function installation(): string {
  try {
    return getAppContext().installationAri.installationId;
  } catch {
    return 'unknown';
  }
}

/** The pause that holds now, and its seconds left; the clock before a pause began (a moved clock) ends it. */
function pausedFor(now: number): { reason: LimitReason; seconds: number } | undefined {
  for (const key of ['global', `tenant:${installation()}`]) {
    const pause = pauses.get(key);
    if (pause && now >= pause.since && now < pause.until) return { reason: pause.reason, seconds: Math.ceil((pause.until - now) / 1000) };
  }
  return undefined;
}

/** Waits `ms` by the clock the app reads. */
async function waitFor(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(1, until - Date.now()))));
}

/** Seconds Jira asked for: `Retry-After`, else the time until `X-RateLimit-Reset`. */
function retryAfterOf(response: APIResponse): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  if (Number.isFinite(seconds) && seconds >= 0 && response.headers.get('retry-after') !== null) return Math.ceil(seconds);
  const reset = Date.parse(response.headers.get('x-ratelimit-reset') ?? '');
  return Number.isFinite(reset) ? Math.max(1, Math.ceil((reset - Date.now()) / 1000)) : undefined;
}

/** A 5xx answer as the error callers wait on (with the Retry-After some 503s carry); undefined for any other. */
export function unavailable(response: APIResponse): JiraUnavailableError | undefined {
  return response.status >= 500 ? new JiraUnavailableError(response.status, retryAfterOf(response)) : undefined;
}

/** A wait of `seconds` (at least 1; 60 when Jira named none) plus up to 30% at random, so callers a limit stopped do not all come back together. */
export function withJitter(seconds: number | undefined): number {
  return Math.max(1, seconds ?? 60) * (1 + Math.random() * 0.3);
}

const repeatable = (init: RequestInit | undefined, options: JiraCallOptions) => {
  const method = (init?.method ?? 'GET').toUpperCase();
  return method === 'GET' || method === 'PUT' || method === 'DELETE' || method === 'HEAD' || Boolean(options.readOnly);
};

/** `requestJira` as the app or as the calling user, answering Jira's rate limits (see above). */
export async function requestJira(as: 'app' | 'user', path: Route, init?: RequestInit, options: JiraCallOptions = {}): Promise<APIResponse> {
  const budget = options.waitBudgetMs ?? DEFAULT_WAIT_BUDGET_MS;
  let waited = 0;
  for (let retry = 0; ; retry += 1) {
    const paused = pausedFor(Date.now());
    if (paused) throw new JiraLimitedError(paused.reason, paused.seconds);
    const response = await (as === 'app' ? api.asApp() : api.asUser()).requestJira(path, init);
    if (response.status !== 429) return response;
    const named = response.headers.get('ratelimit-reason') ?? '';
    const reason = (KNOWN_REASONS.has(named) ? named : 'unnamed') as LimitReason;
    const asked = retryAfterOf(response);
    if (QUOTA_REASONS.has(reason)) {
      const seconds = asked ?? 3600 - Math.floor((Date.now() / 1000) % 3600);
      pauses.set(reason === 'jira-quota-global-based' ? 'global' : `tenant:${installation()}`, { since: Date.now(), until: Date.now() + seconds * 1000, reason });
      throw new JiraLimitedError(reason, seconds);
    }
    const base = asked !== undefined ? asked * 1000 : Math.min(2000 * 2 ** retry, 30_000);
    const wait = Math.round(base * (1 + Math.random() * 0.3));
    if (!repeatable(init, options) || retry >= MAX_RETRIES || waited + wait > budget) throw new JiraLimitedError(reason, Math.max(1, Math.ceil(base / 1000)));
    await waitFor(wait);
    waited += wait;
  }
}
