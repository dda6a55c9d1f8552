/**
 * A local Forge runtime: it provides the globals the unmodified `@forge/*` SDKs call
 * (`__forge_fetch__`, `__forge_runtime__`, the egress-checked global `fetch`) and the platform
 * services behind them: KVS and custom entities, async-event queues with retries and concurrency,
 * product-event and scheduled triggers, web triggers, realtime channels and egress enforcement.
 * Install it before any `@forge/*` module is loaded.
 *
 * It follows the documented platform, not the app's expectations; each behaviour names its source.
 * "docs" means developer.atlassian.com/platform/forge/...; SDK files are in node_modules/@forge.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { EgressFilteringService, parseUrl } from '@forge/egress';
import { KvsStore, type KvsCounters } from './kvs-store';
import type { AppManifest } from './manifest';
import { ENTITY_PROPERTY_EVENTS, entityPropertyPaths, filterDelivers, runtimeForPaths, type EntityPropertyPath, type PropertyEntity } from './jira-expression';

export type Principal = { kind: 'app' } | { kind: 'user'; accountId: string };

export interface JiraRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  as: Principal;
}

/** Where product REST calls (`requestJira`) go. */
export type JiraGateway = (request: JiraRequest) => Promise<Response>;

export interface InvocationRecord {
  id: string;
  functionKey: string;
  moduleKey: string;
  startedAt: number;
  durationMs: number;
  cpuMs: number;
  kvs: KvsCounters;
  egressRequests: number;
  egressBytes: number;
  jiraRequests: number;
  queuePushes: number;
  /** Events those pushes carried: the queue's 500-a-minute limit counts these. */
  queueEvents: number;
  error?: string;
}

/** What a set of invocations cost together: the figures the bench, the cost table and the tests read. */
export function invocationTotals(records: InvocationRecord[]) {
  const total = (f: (r: InvocationRecord) => number) => records.reduce((n, r) => n + f(r), 0);
  return {
    invocations: records.length,
    kvsReads: total((r) => r.kvs.reads),
    kvsWrites: total((r) => r.kvs.writes),
    readBytes: total((r) => r.kvs.readBytes),
    writeBytes: total((r) => r.kvs.writeBytes),
    jiraRequests: total((r) => r.jiraRequests),
    egressRequests: total((r) => r.egressRequests),
    egressBytes: total((r) => r.egressBytes),
    queuePushes: total((r) => r.queuePushes),
    queueEvents: total((r) => r.queueEvents),
    cpuMs: total((r) => r.cpuMs),
  };
}

interface Invocation extends InvocationRecord {
  accountId?: string;
  /** The chain of invocations this one belongs to: its own id for a trigger, resolver or schedule; the pushing invocation's for a consumer. */
  chainId: string;
  deadline: number;
  /** Set when an injected fault stops the function: its later platform calls fail. */
  kill?: (error: Error) => void;
  killed?: boolean;
  killAfterEgress?: boolean;
  killAfterJira?: boolean;
}

export interface RetryContext {
  retryCount: number;
  retryReason: string;
  retryData?: unknown;
  retentionWindow?: { startTime: string; remainingTimeMs: number };
}

export interface QueuedEvent {
  queueName: string;
  jobId: string;
  eventId: string;
  body: Record<string, unknown>;
  concurrency?: { key: string; limit: number };
  dueAt: number;
  enqueuedAt: number;
  retryContext?: RetryContext;
  /** The chain of invocations the push belongs to (see chainPushLimit). */
  chainId?: string;
}

export interface WebTriggerRequest {
  method: string;
  headers: Record<string, string[]>;
  body: string;
  queryParameters: Record<string, string[]>;
  path: string;
}

export interface WebTriggerResponse {
  statusCode: number;
  headers?: Record<string, string[]>;
  body?: string;
}

/** A configured egress group, as `permissions.egress.set` stores it (docs "customer-managed-egress-and-remotes-api"). */
export interface EgressGroup {
  key: string;
  description: string;
  configured: Array<{ domain: string; type: string[] }>;
}

export interface RealtimeMessage {
  channel: string;
  payload: string;
  isGlobal: boolean;
  claims?: unknown;
}

/**
 * Faults a test can inject into the platform (the `npm run chaos` suite uses them): the function
 * dies before it starts ('crash'), is stopped at its time limit ('timeout'), or dies right after
 * its first outbound request came back, before it could record the answer ('crash-after-egress'),
 * or dies in the middle, right after its first Jira request ('crash-after-jira').
 */
export interface InjectedFault {
  functionKey: string;
  /** Which invocation of that function (1 = the next one) fails. */
  nth: number;
  kind: 'crash' | 'timeout' | 'crash-after-egress' | 'crash-after-jira';
}

export type LicenceState = 'none' | 'active' | 'evaluation' | 'inactive';

/** `LicenseDetails` as a production site hands it to the app (docs "forge-resolver", "view"). */
export function licenceDetails(state: LicenceState): Record<string, unknown> | undefined {
  if (state === 'none') return undefined;
  const trialEnd = state === 'evaluation' ? new Date(Date.now() + 30 * 86_400_000).toISOString() : undefined;
  return {
    active: state !== 'inactive',
    isActive: state !== 'inactive',
    isEvaluation: state === 'evaluation',
    billingPeriod: 'MONTHLY',
    type: state === 'evaluation' ? 'EVALUATION' : 'COMMERCIAL',
    ccpEntitlementId: 'sandbox-entitlement',
    ccpEntitlementSlug: 'E-SANDBOX',
    supportEntitlementNumber: state === 'evaluation' ? null : 'SEN-SANDBOX',
    ...(trialEnd ? { trialEndDate: trialEnd } : {}),
  };
}

export interface ForgeRuntimeOptions {
  manifest: AppManifest;
  /**
   * Returns the exports of one handler module: `file` is the part of a function's `handler` before
   * the export name (`index` for `index.onIssueEvent`, src/index.ts). Called once per module, after
   * install().
   */
  loadApp: (file: string) => Record<string, unknown>;
  jira: JiraGateway;
  /** Base URL of the sandbox's HTTP server; web trigger URLs hang off it. */
  baseUrl: () => string;
  cloudId?: string;
  /** The app's own Jira account, used by the `ignoreSelf` filter. */
  appAccountId: string;
  /** Platform waits (queue delays, retries, schedules) are divided by this. */
  timeScale?: number;
  kvs?: KvsStore;
  log?: (line: string) => void;
  /**
   * A stored entity property as it was at `asOfMs` (undefined when there was none), for filters that
   * read `event.runtime.<entity>.properties[...]`. Without it every such path resolves to null.
   */
  entityProperty?: (entity: PropertyEntity, entityId: string, key: string, asOfMs: number) => unknown;
}

/** docs "limits-invocation": 25 s for UI resolvers and triggers, 55 s for web triggers; consumers and scheduled triggers 55 s unless `timeoutSeconds` (at most 900). */
const RESOLVER_AND_TRIGGER_TIMEOUT_S = 25;
const WEB_TRIGGER_TIMEOUT_S = 55;
const LONG_RUNNING_DEFAULT_S = 55;
const LONG_RUNNING_MAX_S = 900;
/** docs "runtime-reference/async-events-api": retryData at most 4 KB; retryAfter at most 900 s; 24 h retention. */
const MAX_RETRY_DATA_BYTES = 4 * 1024;
const MAX_RETRY_AFTER_S = 900;
const RETENTION_MS = 24 * 3_600_000;
/**
 * docs "limits-async-events": 500 events pushed a minute per installation (events, not push
 * requests: one push of 50 events counts 50); 100 KB per event for long-running consumers.
 */
const EVENTS_PER_MINUTE = 500;
const MAX_LONG_RUNNING_EVENT_BYTES = 100 * 1024;
/** docs "events-reference/product_events": an app may retry a product event at most four times. */
const MAX_PRODUCT_EVENT_RETRIES = 4;
/** FORGE-NOTES: "events over 200 kB are dropped". */
const MAX_PRODUCT_EVENT_BYTES = 200 * 1024;
/** docs "customer-managed-egress-and-remotes": up to 10 groups of 10 domains. */
const MAX_EGRESS_GROUPS = 10;
const MAX_EGRESS_DOMAINS = 10;
const SCHEDULE_MS: Record<string, number> = { fiveMinute: 5 * 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };

export class ForgeRuntime {
  readonly kvs: KvsStore;
  readonly invocations: InvocationRecord[] = [];
  /** What the platform recorded for each scheduled trigger run: the function's statusCode, 424 without one, 500 for a throw. */
  readonly scheduledStatuses: Array<{ key: string; statusCode: number }> = [];
  readonly realtime = new EventEmitter();
  readonly egressGroups = new Map<string, EgressGroup>();
  readonly appId = '5e8c1d2a-7b9f-4c3e-a1d0-3f2b6c9e8a71';
  readonly environmentId = 'f0e1d2c3-b4a5-4968-8776-655443322110';
  readonly installationId = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d';
  readonly cloudId: string;
  /** What the platform logged about the app (dropped events, refused retries): tests read it. */
  readonly platformLog: string[] = [];
  readonly faults: InjectedFault[] = [];
  timeScale: number;
  /**
   * How many of the clock's milliseconds pass in one real millisecond: 1, or `timeScale` when the
   * sandbox runs a virtual clock (`npm start --time-scale`): the app's own deadlines then pass as
   * fast as the platform's waits. Function time limits stay real: they bound real work.
   */
  get clockRate(): number {
    return virtualClock.rate;
  }
  /** Holds queued events back (tests use it to change the world between trigger and consumer). */
  paused = false;
  /**
   * How much older than the event the entity property values a filter sees are, in sandbox ms.
   * Source: https://developer.atlassian.com/platform/forge/events-reference/product_events/
   * (Limits and constraints, "Data freshness": "up to a few seconds older than the event generation
   * time"). The sandbox takes the old end of "a few" every time.
   */
  propertyFilterLagMs = 5_000;
  siteUrl = 'http://127.0.0.1';
  private readonly apps = new Map<string, Record<string, unknown>>();
  /**
   * The site's licence for a paid app (docs "function-reference/arguments", "forge-resolver":
   * `license` is present only for paid apps in production; undefined in development and staging and
   * for free apps). `none` is that case; the others give `license` as a production site would.
   */
  licence: LicenceState = 'none';
  /** The deployed code's folder (with the translations' __LOCALES__), as the runtime container reports it. */
  appCodeDir?: string;
  private readonly als = new AsyncLocalStorage<Invocation>();
  private readonly pending: QueuedEvent[] = [];
  private readonly running = new Map<string, number>();
  private readonly calls = new Map<string, number>();
  /**
   * The share of queue events delivered twice, concurrently (0 to 1; 0 unless a test or the chaos
   * suite turns it on). Async events are delivered at least once (docs "async-events-api"), so a
   * consumer must expect a second copy of any event while the first still runs.
   */
  duplicateQueueShare = 0;
  /** Events delivered a second time so far. */
  duplicatedQueueEvents = 0;
  /**
   * Push requests a chain of invocations may make: every push by an invocation, or by a consumer
   * of an event it pushed, and so on down the chain (docs "limits-async-events", 1,000). Tests may
   * lower it to reach it quickly.
   */
  chainPushLimit = 1000;
  private readonly chainPushes = new Map<string, number>();
  /** Pushes refused because their chain reached the limit. */
  chainLimitRefusals = 0;
  /** The limit each concurrency key runs under now (see noteConcurrency). */
  private readonly keyLimits = new Map<string, number>();
  /** Keys pushed with a limit other than the one their waiting events carry. */
  readonly concurrencyConflicts: Array<{ key: string; limits: [number, number] }> = [];
  /** When each event pushed in the last minute was pushed (one entry per event). */
  private readonly eventTimes: number[] = [];
  private readonly realtimeKey = randomBytes(32);
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private realFetch?: typeof fetch;

  constructor(private readonly options: ForgeRuntimeOptions) {
    this.kvs = options.kvs ?? new KvsStore();
    for (const entity of options.manifest.app.storage?.entities ?? []) this.kvs.defineEntity(entity);
    this.timeScale = options.timeScale ?? 1;
    this.cloudId = options.cloudId ?? '3c1b2a9d-0e8f-4d7c-b6a5-948372615049';
  }

  get contextAri(): string {
    return `ari:cloud:jira::site/${this.cloudId}`;
  }

  /** Installs the globals the SDKs read. Must run before any `@forge/*` module is loaded. */
  install(): void {
    const g = globalThis as Record<string, unknown>;
    // `@forge/api` captures the global fetch once, when it is first loaded; several runtimes in one
    // process (tests) share one dispatcher that always asks the runtime installed last.
    if (!g.__sandboxRealFetch__) {
      g.__sandboxRealFetch__ = globalThis.fetch.bind(globalThis);
      g.fetch = (input: string | URL | Request, init?: RequestInit) => (g.__sandboxRuntime__ as ForgeRuntime).egressFetch(input, init);
    }
    g.__sandboxRuntime__ = this;
    this.realFetch = g.__sandboxRealFetch__ as typeof fetch;
    installShiftableClock();
    const runtime = this;
    Object.defineProperty(g, '__forge_runtime__', {
      configurable: true,
      get: () => runtime.runtimeObject(runtime.als.getStore()),
    });
    g.__forge_fetch__ = (target: Record<string, unknown>, path: string, init?: RequestInit) => this.platformFetch(target, path, init);
  }

  private app$(file: string): Record<string, unknown> {
    if (!this.apps.has(file)) this.apps.set(file, this.options.loadApp(file));
    return this.apps.get(file)!;
  }

  /**
   * The object `@forge/api` reads as `global.__forge_runtime__` during an invocation. The app's
   * permissions are derived from the manifest only (docs "Installation details"); hosts a site admin
   * approved through customer-managed egress are not in them, so `permissions.canFetchFrom` (out/api/
   * permissions.js) does not see them.
   */
  private runtimeObject(invocation: Invocation | undefined) {
    const noop = { incr() {}, decr() {}, measure: () => ({ stop() {} }) };
    const manifestFetch = this.options.manifest.permissions?.external?.fetch?.backend ?? [];
    return {
      appContext: {
        appId: this.appId,
        appVersion: '1.0.0',
        environmentId: this.environmentId,
        environmentType: 'DEVELOPMENT',
        invocationId: invocation?.id ?? 'module-load',
        installationId: this.installationId,
        moduleKey: invocation?.moduleKey ?? '',
        ...(licenceDetails(this.licence) ? { license: licenceDetails(this.licence) } : {}),
        permissions: {
          scopes: this.options.manifest.permissions?.scopes ?? [],
          external: { fetch: { backend: manifestFetch } },
        },
      },
      contextAri: this.contextAri,
      aaid: invocation?.accountId,
      metrics: { counter: () => noop, timing: () => noop },
      lambdaContext: { getRemainingTimeInMillis: () => (invocation ? Math.max(0, invocation.deadline - realNow()) : 0) },
      tracing: { traceId: invocation?.id ?? '', spanId: '' },
      realtime: { contextToken: 'sandbox' },
      // Where the deployed code sits: `@forge/api` i18n reads __LOCALES__ under it.
      container: { appCodeDir: this.appCodeDir },
    };
  }

  // ---- egress ---------------------------------------------------------------------------

  /** Backend egress allowed now: the manifest's `external.fetch.backend` plus configured FETCH_BACKEND_SIDE domains. */
  allowedBackendEgress(): string[] {
    const fromManifest = (this.options.manifest.permissions?.external?.fetch?.backend ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.address));
    const configured = [...this.egressGroups.values()].flatMap((group) => group.configured.filter((entry) => entry.type.includes('FETCH_BACKEND_SIDE')).map((entry) => entry.domain));
    return [...fromManifest, ...configured];
  }

  /** Matches like the platform: `@forge/egress` EgressFilteringService (protocol and host:port). */
  isEgressAllowed(url: string): boolean {
    return new EgressFilteringService(this.allowedBackendEgress()).isValidUrl(url);
  }

  /**
   * A refused host comes back from the egress proxy with a `forge-proxy-error` header (FORGE-NOTES
   * "Facts checked"; `@forge/api` out/api/fetch.js reads it as `getForgeProxyError`).
   */
  private async egressFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const invocation = this.als.getStore();
    const realFetch = this.realFetch!;
    if (!invocation) return realFetch(input, init);
    const url = typeof input === 'string' || input instanceof URL ? input.toString() : input.url;
    invocation.egressRequests += 1;
    if (!this.isEgressAllowed(url)) {
      this.log(`egress refused: ${new URL(url).host} is not in the manifest or approved by an admin`);
      return new Response(JSON.stringify({ message: 'Egress to this host is not allowed' }), {
        status: 403,
        headers: { 'content-type': 'application/json', 'forge-proxy-error': 'REQUEST_EGRESS_ALLOWLIST_ERR' },
      });
    }
    if (invocation.killed) throw new Error('the function was stopped');
    if (typeof init?.body === 'string') invocation.egressBytes += Buffer.byteLength(init.body);
    const response = await realFetch(input, init);
    if (invocation.killAfterEgress) invocation.kill?.(new Error(`injected crash of ${invocation.functionKey} after its request to ${new URL(url).host} came back`));
    return response;
  }

  /**
   * `permissions.egress.set` (docs "customer-managed-egress-and-remotes-api"): only an administrator
   * may approve; the domain is a URL ("https://api.example.com"), parsed like `@forge/egress`
   * parseUrl, so "host:8443" without a scheme reads "host:" as the protocol and is refused (422).
   * Duplicate keys or domains are refused (422); at most 10 groups of 10 domains (400).
   */
  setEgress(payload: { egresses?: EgressGroup[] }, isAdmin: boolean): { status: number; message?: string; results?: EgressGroup[] } {
    if (!isAdmin) return { status: 403, message: 'Only an administrator can approve egress for an app' };
    const groups = payload?.egresses ?? [];
    if (!Array.isArray(groups) || groups.length === 0) return { status: 400, message: 'egresses must be a non-empty array' };
    for (const group of groups) {
      if (!group.key || !group.description || !Array.isArray(group.configured) || group.configured.length === 0) {
        return { status: 400, message: 'Each egress group needs a key, a description and at least one configured domain' };
      }
      if (group.configured.length > MAX_EGRESS_DOMAINS) return { status: 400, message: `An egress group holds at most ${MAX_EGRESS_DOMAINS} domains` };
      if (this.egressGroups.has(group.key)) return { status: 422, message: `An egress group with key ${group.key} already exists` };
      const domains = new Set<string>();
      for (const entry of group.configured) {
        const parsed = parseUrl(String(entry.domain ?? ''));
        if (!['http:', 'https:'].includes(parsed.protocol) || !parsed.hostname || /\s/.test(entry.domain)) {
          return { status: 422, message: `Invalid URL in egress domain "${entry.domain}": expected a URL such as https://api.example.com` };
        }
        if (domains.has(entry.domain)) return { status: 422, message: `Duplicate domain ${entry.domain}` };
        domains.add(entry.domain);
      }
    }
    if (this.egressGroups.size + groups.length > MAX_EGRESS_GROUPS) return { status: 400, message: `At most ${MAX_EGRESS_GROUPS} egress groups can be configured` };
    for (const group of groups) this.egressGroups.set(group.key, { key: group.key, description: group.description, configured: group.configured.map((c) => ({ domain: c.domain, type: [...c.type] })) });
    this.onEgressChange?.();
    return { status: 201, results: groups };
  }

  /** `permissions.egress.get`: any user may read the configured groups. */
  getEgress(keys?: string[]): { results: EgressGroup[] } {
    return { results: [...this.egressGroups.values()].filter((group) => !keys || keys.includes(group.key)) };
  }

  deleteEgressGroup(key: string, isAdmin: boolean): { status: number; message?: string } {
    if (!isAdmin) return { status: 403, message: 'Only an administrator can change egress for an app' };
    this.egressGroups.delete(key);
    this.onEgressChange?.();
    return { status: 204 };
  }

  onEgressChange?: () => void;

  /** For tests and `npm start`: approve a URL origin the way an admin would. */
  approveEgress(origin: string, key = `aiops-${createHmac('sha256', 'k').update(origin).digest('hex').slice(0, 8)}`): void {
    this.egressGroups.delete(key);
    const result = this.setEgress({ egresses: [{ key, description: 'AI Ops API', configured: [{ domain: origin, type: ['FETCH_BACKEND_SIDE'] }] }] }, true);
    if (result.status !== 201) throw new Error(result.message);
  }

  revokeAllEgress(): void {
    this.egressGroups.clear();
    this.onEgressChange?.();
  }

  // ---- platform calls ---------------------------------------------------------------------

  /** `global.__forge_fetch__`: every SDK call to the platform lands here. */
  private async platformFetch(target: Record<string, unknown>, path: string, init: RequestInit = {}): Promise<Response> {
    const invocation = this.als.getStore();
    if (invocation?.killed) throw new Error('the function was stopped');
    const bodyText = typeof init.body === 'string' ? init.body : undefined;
    const parsed = bodyText ? safeJson(bodyText) : undefined;
    if (target.type === 'kvs') return this.kvs.handle(path, parsed, invocation?.kvs);
    if (target.type === 'realtime') return this.realtimeGraphql(parsed as { query?: string; variables?: Record<string, unknown> });
    if (target.type === 'fpp' && target.remote === 'jira') {
      if (invocation) invocation.jiraRequests += 1;
      let as: Principal = { kind: 'app' };
      if (target.provider === 'user') {
        const accountId = (target.accountId as string | undefined) ?? invocation?.accountId;
        if (!accountId) {
          return new Response(JSON.stringify({ errorMessages: ['asUser() needs a user-invoked module'] }), {
            status: 401,
            headers: { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' },
          });
        }
        if (this.usersWithoutConsent.has(accountId)) {
          // The user has not allowed the app to act for them (Connected apps): the proxy refuses,
          // and @forge/api throws NeedsAuthenticationError (docs "automation-action", asUser).
          return new Response(JSON.stringify({ errorMessages: ['the user has not granted the app access'] }), {
            status: 401,
            headers: { 'forge-proxy-error': 'NEEDS_AUTHENTICATION_ERR' },
          });
        }
        as = { kind: 'user', accountId };
      }
      const response = await this.options.jira({ method: (init.method ?? 'GET').toUpperCase(), path, headers: headerRecord(init.headers), body: bodyText, as });
      if (invocation?.killAfterJira) invocation.kill?.(new Error(`injected crash of ${invocation.functionKey} after a Jira request`));
      return response;
    }
    if (target.type === 'fpp' && target.remote === 'stargate') {
      if (path.startsWith('/webhook/queue/publish/')) return this.acceptPush(parsed as Record<string, unknown>, invocation);
      if (path.replace(/\/$/, '') === '/app/report-accounts') return this.reportAccounts(parsed as { accounts?: Array<{ accountId?: string; updatedAt?: string }> });
      if (path === '/graphql') return this.graphql(parsed as { query?: string; variables?: Record<string, unknown> });
    }
    return new Response(JSON.stringify({ message: `The sandbox does not implement ${String(target.type)} ${path}` }), { status: 501 });
  }

  /**
   * Accounts Atlassian reports as closed, and profile changes by time, for the personal data
   * reporting API. The documented test account `5be24ba3f91c106033269289` is closed.
   */
  readonly closedAccounts = new Set<string>(['5be24ba3f91c106033269289']);
  readonly profileUpdates = new Map<string, string>();
  /**
   * Accounts that have not allowed the app to act for them: an `asUser()` request on their behalf
   * is refused as the platform refuses it (an Automation rule's actor who never gave consent).
   */
  readonly usersWithoutConsent = new Set<string>();
  /** Every report the app sent, as it sent it. */
  readonly personalDataReports: Array<Array<{ accountId?: string; updatedAt?: string }>> = [];
  /** The cycle period the reporting API names in its `Cycle-Period` header (seconds; the documented default is 7 days). */
  personalDataCycleSeconds = 604_800;
  /** The next this many reports answer 429 with `Retry-After: 3600`, as the API may. */
  personalDataRefusals = 0;

  /**
   * `POST /app/report-accounts` (docs "user-privacy-guidelines", Personal data reporting API): at
   * most 90 accounts with `accountId` and an ISO `updatedAt`; 200 with the accounts to erase
   * (`closed`) or refresh (`updated`), 204 when there is nothing to do, 400 for a bad request.
   */
  private reportAccounts(body: { accounts?: Array<{ accountId?: string; updatedAt?: string }> }): Response {
    const accounts = body?.accounts;
    if (!Array.isArray(accounts) || accounts.length === 0 || accounts.length > 90) {
      return Response.json({ message: 'accounts must list 1 to 90 accounts' }, { status: 400 });
    }
    if (accounts.some((a) => typeof a.accountId !== 'string' || typeof a.updatedAt !== 'string' || Number.isNaN(Date.parse(a.updatedAt)))) {
      return Response.json({ message: 'every account needs an accountId and an ISO 8601 updatedAt' }, { status: 400 });
    }
    if (this.personalDataRefusals > 0) {
      this.personalDataRefusals -= 1;
      return Response.json({ errorType: 'RATE_LIMITED', errorMessage: 'Too many requests' }, { status: 429, headers: { 'Retry-After': '3600' } });
    }
    this.personalDataReports.push(accounts);
    const answers = accounts.flatMap((a) => {
      if (this.closedAccounts.has(a.accountId!)) return [{ accountId: a.accountId, status: 'closed' }];
      const changed = this.profileUpdates.get(a.accountId!);
      return changed && Date.parse(changed) > Date.parse(a.updatedAt!) ? [{ accountId: a.accountId, status: 'updated' }] : [];
    });
    const headers = { 'Cycle-Period': String(this.personalDataCycleSeconds) };
    if (answers.length === 0) return new Response(null, { status: 204, headers });
    return Response.json({ accounts: answers }, { headers });
  }

  private graphql(body: { query?: string; variables?: Record<string, unknown> }): Response {
    const query = body?.query ?? '';
    if (query.includes('createWebTriggerUrl')) {
      const input = (body.variables?.input ?? {}) as { triggerKey?: string };
      return Response.json({ data: { createWebTriggerUrl: { url: this.webTriggerUrl(String(input.triggerKey)) } } });
    }
    if (query.includes('webTriggerUrlsByAppContext')) {
      const hooks = this.options.manifest.modules.webtrigger ?? [];
      return Response.json({ data: { webTriggerUrlsByAppContext: hooks.map((h) => ({ triggerKey: h.key, url: this.webTriggerUrl(h.key) })) } });
    }
    return Response.json({ errors: [{ message: 'The sandbox does not implement this GraphQL operation' }] });
  }

  webTriggerUrl(moduleKey: string): string {
    return `${this.options.baseUrl()}/x1/${this.installationId.slice(0, 8)}/${moduleKey}`;
  }

  // ---- realtime ---------------------------------------------------------------------------

  /**
   * Realtime tokens (docs "runtime-reference/realtime-events-api"): a JWT whose claims restrict the
   * channel; "The published event will only be received by subscriptions that have been created
   * with a token containing the same channel context claims". `@forge/realtime` out/utils.js reads
   * `exp`, `channel.name` and `permissions` from its payload.
   */
  private signToken(channelName: string, claims: unknown, permissions: string[]): { jwt: string; expiresAt: number } {
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const head = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ channel: { name: channelName, claims }, permissions, exp: expiresAt })}`;
    return { jwt: `${head}.${createHmac('sha256', this.realtimeKey).update(head).digest('base64url')}`, expiresAt };
  }

  /** The token's channel, claims and permissions, or undefined when it is forged or expired. */
  verifyRealtimeToken(token: string): { channel: string; claims: unknown; permissions: string[] } | undefined {
    const [head, payload, signature] = token.split('.');
    if (!head || !payload || !signature) return undefined;
    const expected = createHmac('sha256', this.realtimeKey).update(`${head}.${payload}`).digest('base64url');
    if (expected !== signature) return undefined;
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { channel: { name: string; claims: unknown }; permissions?: string[]; exp: number };
    if (decoded.exp * 1000 <= Date.now()) return undefined;
    return { channel: decoded.channel.name, claims: decoded.channel.claims, permissions: decoded.permissions ?? ['subscribe', 'publish'] };
  }

  /** When each realtime operation of the last second happened (sign, publish, subscribe). */
  private readonly realtimeOps: number[] = [];
  /** Realtime operations refused for going over the per-second limit. */
  realtimeRefusals = 0;
  /** docs "limits-realtime": subscribe, publish and signRealtimeToken together; a test may lower it to play a busy site. */
  realtimeOpsPerSecond = 50;

  /**
   * docs "limits-realtime": 50 operations a second per installation, subscribe, publish and
   * signRealtimeToken together; requests beyond it fail (429 Too Many Requests, which
   * `@forge/realtime` turns into a `RATE_LIMIT_EXCEEDED` error rather than a throw).
   */
  takeRealtimeOp(): boolean {
    const now = Date.now();
    const windowMs = this.clockMs(1000);
    while (this.realtimeOps.length > 0 && this.realtimeOps[0] <= now - windowMs) this.realtimeOps.shift();
    if (this.realtimeOps.length >= this.realtimeOpsPerSecond) {
      this.realtimeRefusals += 1;
      return false;
    }
    this.realtimeOps.push(now);
    return true;
  }

  private realtimeGraphql(body: { query?: string; variables?: Record<string, unknown> }): Response {
    if (!this.takeRealtimeOp()) return Response.json({ errors: [{ message: 'Too Many Requests' }] }, { status: 429, statusText: 'Too Many Requests' });
    const variables = body?.variables ?? {};
    if ((body?.query ?? '').includes('signRealtimeToken')) {
      const permissions = (variables.permissions as string[] | undefined) ?? ['subscribe', 'publish'];
      const token = this.signToken(String(variables.channelName), variables.claims, permissions);
      return Response.json({ data: { ecosystem: { signRealtimeToken: { success: true, errors: null, forgeRealtimeToken: token } } } });
    }
    const channel = String(variables.name);
    let claims: unknown;
    if (typeof variables.token === 'string') {
      const verified = this.verifyRealtimeToken(variables.token);
      if (!verified || verified.channel !== channel || !verified.permissions.includes('publish')) {
        return Response.json({ errors: [{ message: 'Realtime token is invalid for this channel', extensions: { errorType: 'INVALID_TOKEN' } }] });
      }
      claims = verified.claims;
    }
    const eventId = randomUUID();
    const message: RealtimeMessage = { channel, payload: String(variables.payload ?? ''), isGlobal: Boolean(variables.isGlobal), claims };
    this.realtime.emit('message', message);
    return Response.json({ data: { ecosystem: { publishRealtimeChannel: { eventId, eventTimestamp: new Date().toISOString() } } } });
  }

  /**
   * Subscribes like `realtime.subscribeGlobal(channel, cb, { token })`: with a token, only messages
   * published with the same claims arrive; a token for another channel or without the subscribe
   * permission is refused.
   */
  subscribeRealtime(channel: string, token: string | undefined, listener: (payload: string) => void): (() => void) | { error: string } {
    if (!this.takeRealtimeOp()) return { error: 'RATE_LIMIT_EXCEEDED: 50 realtime operations a second per installation' };
    let claims: unknown;
    if (token) {
      const verified = this.verifyRealtimeToken(token);
      if (!verified || verified.channel !== channel || !verified.permissions.includes('subscribe')) return { error: 'the realtime token is invalid for this channel' };
      claims = verified.claims;
    }
    const handler = (message: RealtimeMessage) => {
      if (message.channel === channel && JSON.stringify(message.claims ?? null) === JSON.stringify(claims ?? null)) listener(message.payload);
    };
    this.realtime.on('message', handler);
    return () => this.realtime.off('message', handler);
  }

  // ---- functions -------------------------------------------------------------------------

  private functionFor(functionKey: string): (...args: unknown[]) => unknown {
    const fn = this.options.manifest.modules.function?.find((f) => f.key === functionKey);
    if (!fn) throw new Error(`manifest.yml has no function "${functionKey}"`);
    const dot = fn.handler.lastIndexOf('.');
    const [file, exportName] = [fn.handler.slice(0, dot), fn.handler.slice(dot + 1)];
    const handler = this.app$(file)[exportName];
    if (typeof handler !== 'function') throw new Error(`src/${file}.ts does not export "${exportName}" (function ${functionKey})`);
    return handler as (...args: unknown[]) => unknown;
  }

  /** The time limit of a function, by the module that invokes it (docs "limits-invocation"). */
  timeoutSecondsFor(functionKey: string, moduleType: 'resolver' | 'trigger' | 'webtrigger' | 'consumer' | 'scheduled' | 'preUninstall' | 'action'): number {
    if (moduleType === 'resolver' || moduleType === 'trigger') return RESOLVER_AND_TRIGGER_TIMEOUT_S;
    // docs "pre-uninstall-trigger": "The invocation will have a timeout of 55 seconds"; "limits-invocation": 55 s for web-trigger and action modules.
    if (moduleType === 'webtrigger' || moduleType === 'preUninstall' || moduleType === 'action') return WEB_TRIGGER_TIMEOUT_S;
    const declared = this.options.manifest.modules.function?.find((f) => f.key === functionKey)?.timeoutSeconds;
    return Math.min(declared ?? LONG_RUNNING_DEFAULT_S, LONG_RUNNING_MAX_S);
  }

  /** Runs one function invocation the way Forge would: its own context, its time limit, metered. */
  async invoke(functionKey: string, moduleKey: string, moduleType: Parameters<ForgeRuntime['timeoutSecondsFor']>[1], args: unknown[], accountId?: string, chainId?: string): Promise<unknown> {
    const timeoutS = this.timeoutSecondsFor(functionKey, moduleType);
    const id = randomUUID();
    const invocation: Invocation = {
      id,
      chainId: chainId ?? id,
      functionKey,
      moduleKey,
      accountId,
      startedAt: Date.now(),
      deadline: realNow() + timeoutS * 1000,
      durationMs: 0,
      cpuMs: 0,
      kvs: { reads: 0, writes: 0, writeBytes: 0, readBytes: 0 },
      egressRequests: 0,
      egressBytes: 0,
      jiraRequests: 0,
      queuePushes: 0,
      queueEvents: 0,
    };
    const handler = this.functionFor(functionKey);
    const count = (this.calls.get(functionKey) ?? 0) + 1;
    this.calls.set(functionKey, count);
    const fault = this.takeFault(functionKey);
    const cpuBefore = process.cpuUsage();
    this.inFlight += 1;
    try {
      return await this.als.run(invocation, async () => {
        let timeout: NodeJS.Timeout | undefined;
        const limit = new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new FunctionTimeoutError(`function ${functionKey} timed out after ${timeoutS} s`)), timeoutS * 1000);
          invocation.kill = (error: Error) => {
            invocation.killed = true;
            reject(error);
          };
        });
        try {
          if (fault?.kind === 'crash') throw new Error(`injected crash of ${functionKey} (invocation ${count})`);
          if (fault?.kind === 'timeout') throw new FunctionTimeoutError(`function ${functionKey} timed out after ${timeoutS} s (injected)`);
          if (fault?.kind === 'crash-after-egress') invocation.killAfterEgress = true;
          if (fault?.kind === 'crash-after-jira') invocation.killAfterJira = true;
          return await Promise.race([Promise.resolve(handler(...args)), limit]);
        } finally {
          clearTimeout(timeout);
        }
      });
    } catch (error) {
      invocation.error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      const cpu = process.cpuUsage(cpuBefore);
      invocation.cpuMs = (cpu.user + cpu.system) / 1000;
      invocation.durationMs = Date.now() - invocation.startedAt;
      this.inFlight -= 1;
      const { accountId: _a, deadline: _d, ...record } = invocation;
      this.invocations.push(record);
    }
  }

  /** Injects a crash or a timeout into the `nth` next invocation of a function. */
  injectFault(fault: InjectedFault): void {
    this.faults.push({ ...fault, nth: (this.calls.get(fault.functionKey) ?? 0) + fault.nth });
  }

  private takeFault(functionKey: string): InjectedFault | undefined {
    const count = this.calls.get(functionKey) ?? 0;
    const index = this.faults.findIndex((f) => f.functionKey === functionKey && f.nth === count);
    return index === -1 ? undefined : this.faults.splice(index, 1)[0];
  }

  private installContext() {
    const license = licenceDetails(this.licence);
    return { installContext: this.contextAri, installation: { id: this.installationId }, ...(license ? { license } : {}) };
  }

  private log(line: string): void {
    this.platformLog.push(line);
    this.options.log?.(line);
  }

  /** Delivers a product event to every trigger subscribed to it. */
  /**
   * Product events reach triggers up to this many seconds after the action (0: at once). Source:
   * https://developer.atlassian.com/platform/forge/manifest-reference/modules/trigger/ ("Event
   * delivery delay": "may take up to 3 minutes"). Each event waits a uniform share of it; the
   * chaos suite and the bench turn it on, `npm start --event-delay` too.
   */
  productEventDelaySeconds = 0;

  async emitProductEvent(eventType: string, payload: Record<string, unknown>): Promise<void> {
    if (this.productEventDelaySeconds > 0) {
      const siteMs = Math.random() * this.productEventDelaySeconds * 1000;
      await new Promise((resolve) => setTimeout(resolve, siteMs / this.timeScale));
    }
    if (this.uninstalled) return;
    const triggers = (this.options.manifest.modules.trigger ?? []).filter((t) => t.events.includes(eventType));
    const event = { ...payload, eventType, selfGenerated: payload.atlassianId === this.options.appAccountId };
    if (Buffer.byteLength(JSON.stringify(event)) > MAX_PRODUCT_EVENT_BYTES) {
      this.log(`product event ${eventType} dropped: over ${MAX_PRODUCT_EVENT_BYTES} bytes`);
      return;
    }
    await Promise.all(
      triggers.map(async (trigger) => {
        if (trigger.filter?.ignoreSelf && payload.atlassianId === this.options.appAccountId) return;
        // docs "manifest-reference/modules/trigger": appIsLicensed skips sites without an active licence.
        if (trigger.filter?.appIsLicensed && !this.licensed()) return;
        if (trigger.filter?.expression && !this.filterPasses(trigger.key, trigger.filter.expression, trigger.filter.onError, this.withRuntime(trigger.filter.expression, event))) return;
        await this.runTrigger(trigger, this.enriched(trigger, event), undefined);
      }),
    );
  }

  private readonly propertyPaths = new Map<string, EntityPropertyPath[]>();

  private pathsOf(expression: string): EntityPropertyPath[] {
    let paths = this.propertyPaths.get(expression);
    if (!paths) {
      try {
        paths = entityPropertyPaths(expression);
      } catch {
        paths = []; // a syntax error: the filter itself reports it
      }
      this.propertyPaths.set(expression, paths);
    }
    return paths;
  }

  /**
   * The values of entity property paths for an event, as stored `propertyFilterLagMs` before it
   * (docs "product_events"): null where a path does not resolve, or the event does not support them.
   */
  private propertyValues(paths: EntityPropertyPath[], event: Record<string, unknown>): Record<string, unknown> {
    const supported = ENTITY_PROPERTY_EVENTS.includes(String(event.eventType));
    const asOf = Date.now() - this.clockMs(this.propertyFilterLagMs);
    const issue = event.issue as { id?: unknown; fields?: { project?: { id?: unknown }; issuetype?: { id?: unknown } } } | undefined;
    const ids: Record<PropertyEntity, unknown> = { issue: issue?.id, project: issue?.fields?.project?.id, issuetype: issue?.fields?.issuetype?.id, user: event.atlassianId };
    return runtimeForPaths(paths, (entity, key) => {
      const id = ids[entity];
      if (!supported || id === undefined || id === null || !this.options.entityProperty) return undefined;
      return this.options.entityProperty(entity, String(id), key, asOf);
    });
  }

  /** The event as a filter sees it: `runtime` holds the paths the expression names; the delivered event has none. */
  private withRuntime(expression: string, event: Record<string, unknown>): Record<string, unknown> {
    const paths = this.pathsOf(expression);
    return paths.length === 0 ? event : { ...event, runtime: this.propertyValues(paths, event) };
  }

  /**
   * `payload.include.propertyPaths`: the values under `payloadIncludeProperties`, keyed as the
   * manifest writes each path. Source: https://developer.atlassian.com/platform/forge/events-reference/product_events/
   * ("Delivered payload shape").
   */
  private enriched(trigger: NonNullable<AppManifest['modules']['trigger']>[number], event: Record<string, unknown>): Record<string, unknown> {
    const entries = trigger.payload?.include?.propertyPaths ?? [];
    if (entries.length === 0) return event;
    const included: Record<string, unknown> = {};
    for (const entry of entries) {
      const [path] = this.pathsOf(`event.runtime.${entry} == null`);
      included[entry] = path ? this.propertyValues([path], event)[path.path] : null;
    }
    return { ...event, payloadIncludeProperties: included };
  }

  /** Evaluates a trigger's `filter.expression` (the documented subset of Jira expressions). */
  filterEvaluator: (expression: string, event: Record<string, unknown>) => boolean = filterDelivers;

  private filterPasses(key: string, expression: string, onError: string | undefined, event: Record<string, unknown>): boolean {
    try {
      return this.filterEvaluator(expression, event) === true;
    } catch (error) {
      // docs "product_events": an error drops the event unless onError says to receive it.
      if (onError !== 'IGNORE' && onError !== 'RECEIVE') this.log(`filter of trigger ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
      return onError === 'RECEIVE_AND_LOG' || onError === 'RECEIVE';
    }
  }

  private async runTrigger(trigger: NonNullable<AppManifest['modules']['trigger']>[number], event: Record<string, unknown>, retryContext: RetryContext | undefined): Promise<void> {
    let result: unknown;
    try {
      result = await this.invoke(trigger.function, trigger.key, 'trigger', [{ ...event, ...(retryContext ? { retryContext } : {}) }, this.installContext()]);
    } catch (error) {
      this.log(`trigger ${trigger.key} failed: ${String(error)}`);
      return;
    }
    const retry = result as { _retry?: boolean; retryOptions?: { retryAfter?: number; retryReason?: string; retryData?: unknown } } | undefined;
    if (!retry?._retry) return;
    const retryCount = (retryContext?.retryCount ?? 0) + 1;
    if (retryCount > MAX_PRODUCT_EVENT_RETRIES) {
      this.log(`trigger ${trigger.key} asked for a retry after ${MAX_PRODUCT_EVENT_RETRIES} retries: not retried`);
      return;
    }
    const data = this.checkedRetryData(trigger.key, retry.retryOptions?.retryData);
    if (data === false) return;
    const delay = Math.min(Math.max(retry.retryOptions?.retryAfter ?? 1, 1), MAX_RETRY_AFTER_S);
    this.later(delay * 1000, () =>
      this.runTrigger(trigger, event, { retryCount, retryReason: retry.retryOptions?.retryReason ?? 'FUNCTION_RETRY_REQUEST', ...(data === undefined ? {} : { retryData: data }) }),
    );
  }

  /** retryData over 4 KB: the event is not retried; a non-object is not sent back (docs, and ECO-734). */
  private checkedRetryData(key: string, data: unknown): unknown | false {
    if (data === undefined) return undefined;
    const bytes = Buffer.byteLength(JSON.stringify(data));
    if (bytes > MAX_RETRY_DATA_BYTES) {
      this.log(`${key}: retryData of ${bytes} bytes is over the 4 KB limit; the event is not retried`);
      return false;
    }
    return typeof data === 'object' && data !== null && !Array.isArray(data) ? data : undefined;
  }

  private later(ms: number, run: () => void | Promise<void>): void {
    if (this.stopped) return;
    this.inFlight += 1;
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      try {
        if (!this.stopped) await run();
      } finally {
        this.inFlight -= 1;
      }
    }, ms / this.timeScale);
    this.timers.add(timer);
  }

  /** What `appIsLicensed` filters on: an active licence, an evaluation, or no licence information (development). */
  licensed(): boolean {
    return this.licence !== 'inactive';
  }

  /** Runs a UI module's resolver as the given user, with the extension context Forge would give. */
  /**
   * Runs a UI resolver. Its `context` is what `@forge/resolver` documents: no `locale` ("A user's
   * locale information is not directly available to Forge functions", docs "runtime-reference/
   * i18n"); a screen that wants its reader's language sends it in the payload.
   */
  async invokeResolver(moduleKey: string, functionKey: string, call: { functionKey: string; payload: unknown }, accountId: string, extension: Record<string, unknown>): Promise<unknown> {
    return this.invoke(functionKey, moduleKey, 'resolver', [
      {
        call: { functionKey: call.functionKey, payload: call.payload },
        context: { cloudId: this.cloudId, localId: moduleKey, moduleKey, siteUrl: this.siteUrl, accountId, extension, ...(licenceDetails(this.licence) ? { license: licenceDetails(this.licence) } : {}) },
      },
      { principal: { accountId }, ...this.installContext() },
    ], accountId);
  }

  /**
   * A module's dynamic properties function, as Jira calls it for a collapsed issue context panel
   * (docs "jira-issue-context", Dynamic properties): the payload is `{ cloudId, extension }`, no
   * user, no locale; what it returns replaces the module's static properties.
   */
  async invokeDynamicProperties(moduleKey: string, extension: Record<string, unknown>): Promise<Record<string, unknown>> {
    const module = Object.values(this.options.manifest.modules)
      .filter(Array.isArray)
      .flat()
      .find((entry) => (entry as { key?: string }).key === moduleKey) as { dynamicProperties?: { function?: string } } | undefined;
    const functionKey = module?.dynamicProperties?.function;
    if (!functionKey) return {};
    try {
      return ((await this.invoke(functionKey, moduleKey, 'resolver', [{ cloudId: this.cloudId, extension }, this.installContext()])) as Record<string, unknown>) ?? {};
    } catch (error) {
      // "When the source URL does not have the appropriate permissions, the dynamic properties are not loaded. The default configuration is used instead."
      this.log(`dynamic properties of ${moduleKey} failed: ${String(error)}`);
      return {};
    }
  }

  async handleWebTrigger(moduleKey: string, request: WebTriggerRequest): Promise<WebTriggerResponse> {
    const hook = this.options.manifest.modules.webtrigger?.find((w) => w.key === moduleKey);
    if (!hook) return { statusCode: 404, body: 'No such web trigger' };
    try {
      const result = (await this.invoke(hook.function, hook.key, 'webtrigger', [request, this.installContext()])) as WebTriggerResponse | undefined;
      return result ?? { statusCode: 204 };
    } catch (error) {
      return { statusCode: 500, body: `web trigger failed: ${String(error)}` };
    }
  }

  /**
   * Runs an Automation action as a rule would (docs "automation-action"): the inputs are checked
   * against the action's declared `inputs` as Automation does before it saves a rule (declared
   * names only, the declared types, required ones present), then its function is invoked with the
   * documented payload (`{ payload: inputs }`, fixture automation-action-payload.json) as the user of
   * the rule's connection, with 55 s. Its answer is what Automation reads: outputs, or `errors`.
   */
  async runAutomationAction(actionKey: string, inputs: Record<string, unknown>, accountId: string): Promise<unknown> {
    const providers = (this.options.manifest.modules['automation:actionProvider'] as Array<{ actions: string[] }> | undefined) ?? [];
    if (!providers.some((p) => p.actions.includes(actionKey))) throw new Error(`no automation:actionProvider offers the action "${actionKey}"`);
    const action = ((this.options.manifest.modules.action as Array<{ key: string; function: string; inputs: Record<string, { type: string; required: boolean }> }> | undefined) ?? []).find((a) => a.key === actionKey);
    if (!action) throw new Error(`manifest.yml has no action "${actionKey}"`);
    for (const name of Object.keys(inputs)) if (!action.inputs[name]) throw new Error(`the rule cannot be saved: "${name}" is not an input of ${actionKey}`);
    for (const [name, declared] of Object.entries(action.inputs)) {
      const value = inputs[name];
      if (value === undefined || value === '') {
        if (declared.required) throw new Error(`the rule cannot be saved: ${name} is required`);
        continue;
      }
      const ok = declared.type === 'string' ? typeof value === 'string' : declared.type === 'boolean' ? typeof value === 'boolean' : declared.type === 'integer' ? Number.isInteger(value) : typeof value === 'number';
      if (!ok) throw new Error(`the rule cannot be saved: ${name} must be a ${declared.type}`);
    }
    if (Buffer.byteLength(JSON.stringify(inputs)) > 100 * 1024) throw new Error('the rule cannot be saved: the configuration is over 100 kilobytes');
    return this.invoke(action.function, action.key, 'action', [{ payload: inputs }, { principal: { accountId }, ...this.installContext() }], accountId);
  }

  /** Set once the app is uninstalled: nothing of it runs any more. */
  uninstalled = false;

  /**
   * Uninstalls the app: runs its `preUninstall` functions (docs "pre-uninstall-trigger": no user,
   * 55 s, errors ignored, the uninstall goes on), then stops everything of it. What the app left in
   * storage stays visible here, so a test can see what its clean-up missed (the platform itself
   * soft-deletes the data and keeps it for its retention period).
   */
  async uninstall(): Promise<void> {
    for (const module of (this.options.manifest.modules.preUninstall as Array<{ key: string; function: string }> | undefined) ?? []) {
      try {
        await this.invoke(module.function, module.key, 'preUninstall', [{ context: { cloudId: this.cloudId, moduleKey: module.key }, contextToken: 'sandbox-context-token' }, this.installContext()]);
      } catch (error) {
        this.log(`preUninstall ${module.key} failed: ${String(error)}`);
      }
    }
    this.uninstalled = true;
    this.pending.length = 0;
  }

  /**
   * Runs a scheduled trigger once, as the platform does at its interval (no user context), and
   * records the status the platform would: the function's `statusCode`, or 424 Failed dependency
   * when its answer has none (events-reference "scheduled-trigger", Response).
   */
  async runScheduledTrigger(key: string): Promise<void> {
    const trigger = (this.options.manifest.modules.scheduledTrigger ?? []).find((t) => t.key === key);
    if (!trigger) throw new Error(`manifest.yml has no scheduledTrigger "${key}"`);
    if (trigger.filter?.appIsLicensed && !this.licensed()) return;
    if (this.uninstalled) return;
    try {
      // "If the function throws an error, nothing will happen, and the function invocation will not be retried" (docs "scheduled-trigger").
      const answer = await this.invoke(trigger.function, trigger.key, 'scheduled', [{ context: { cloudId: this.cloudId, moduleKey: key } }, this.installContext()]);
      const statusCode = (answer as { statusCode?: unknown } | undefined)?.statusCode;
      const recorded = Number.isInteger(statusCode) ? (statusCode as number) : 424;
      this.scheduledStatuses.push({ key, statusCode: recorded });
      if (recorded === 424) this.log(`scheduled trigger ${key}: the function's answer has no statusCode; the platform records 424 Failed dependency`);
    } catch (error) {
      this.scheduledStatuses.push({ key, statusCode: 500 });
      this.log(`scheduled trigger ${key} failed: ${String(error)}`);
    }
  }

  /** Starts every scheduled trigger at its interval (divided by the time scale). */
  startSchedules(): void {
    for (const trigger of this.options.manifest.modules.scheduledTrigger ?? []) {
      const every = SCHEDULE_MS[trigger.interval];
      if (!every) continue;
      const tick = () => {
        if (this.stopped) return;
        const timer = setTimeout(async () => {
          this.timers.delete(timer);
          await this.runScheduledTrigger(trigger.key);
          tick();
        }, every / this.timeScale);
        this.timers.add(timer);
      };
      tick();
    }
  }

  // ---- queues ----------------------------------------------------------------------------

  /**
   * `POST /webhook/queue/publish/...` from `@forge/events` Queue.push. The SDK itself refuses more
   * than 50 events or 200 KB a push (out/validators.js); the platform also refuses more than 500
   * events a minute per installation (429, which the SDK throws as RateLimitError; a push that
   * would go past the limit is refused whole, the stricter reading) and, for a long-running
   * consumer, events over 100 KB.
   */
  private acceptPush(request: Record<string, unknown>, invocation?: Invocation): Response {
    const events = (request.payload as Array<{ body: Record<string, unknown>; delayInSeconds?: number; concurrency?: { key: string; limit: number } }>) ?? [];
    const queueName = String(request.queueName);
    const consumer = (this.options.manifest.modules.consumer ?? []).find((c) => c.queue === queueName);
    if (!consumer) return Response.json({ message: `no consumer listens to queue ${queueName}` }, { status: 400 });
    // docs "limits-async-events", Cyclic invocation limit: 1,000 push requests across a chain of
    // invocations from one initial invocation; @forge/events throws InvocationLimitReachedError on 405.
    const chainId = invocation?.chainId ?? randomUUID();
    const chainPushes = (this.chainPushes.get(chainId) ?? 0) + 1;
    if (chainPushes > this.chainPushLimit) {
      this.chainLimitRefusals += 1;
      this.log(`push to ${queueName} refused: the chain of invocations reached ${this.chainPushLimit} pushes`);
      return Response.json({ message: 'Invocation limit reached' }, { status: 405, statusText: 'Method Not Allowed' });
    }
    this.chainPushes.set(chainId, chainPushes);
    const now = Date.now();
    const windowMs = this.clockMs(60_000);
    while (this.eventTimes.length > 0 && this.eventTimes[0] <= now - windowMs) this.eventTimes.shift();
    if (this.eventTimes.length + events.length > EVENTS_PER_MINUTE) {
      this.log(`push of ${events.length} to ${queueName} refused: ${EVENTS_PER_MINUTE} events a minute per installation`);
      return Response.json({ message: 'Too many requests' }, { status: 429, statusText: 'Too Many Requests' });
    }
    const longRunning = (this.options.manifest.modules.function?.find((f) => f.key === consumer.function)?.timeoutSeconds ?? 0) > LONG_RUNNING_DEFAULT_S;
    if (longRunning) {
      const big = events.find((event) => Buffer.byteLength(JSON.stringify(event)) > MAX_LONG_RUNNING_EVENT_BYTES);
      if (big) return Response.json({ message: `an event is over ${MAX_LONG_RUNNING_EVENT_BYTES} bytes, the limit for long-running consumers` }, { status: 400 });
    }
    // A push the platform takes in part (a test asks for it): the last event is refused, the others queued.
    const refusedIndex = this.partialPushes > 0 && events.length > 1 ? events.length - 1 : undefined;
    if (refusedIndex !== undefined) this.partialPushes -= 1;
    const accepted = refusedIndex === undefined ? events : events.slice(0, refusedIndex);
    for (let i = 0; i < accepted.length; i += 1) this.eventTimes.push(now);
    for (const event of accepted) if (event.concurrency) this.noteConcurrency(event.concurrency);
    if (invocation) {
      invocation.queuePushes += 1;
      invocation.queueEvents += accepted.length;
    }
    for (const event of accepted) {
      this.pending.push({
        queueName,
        jobId: String(request.jobId),
        eventId: randomUUID(),
        body: event.body,
        concurrency: event.concurrency,
        dueAt: now + this.clockMs((event.delayInSeconds ?? 0) * 1000),
        enqueuedAt: now,
        chainId,
      });
    }
    this.schedule();
    // docs "async-events-api-error-handling": PartialSuccessError; @forge/events reads a 202 with `failedEvents`.
    if (refusedIndex !== undefined) return Response.json({ failedEvents: [{ index: refusedIndex, errorMessage: 'The event could not be recorded' }] }, { status: 202 });
    return Response.json({}, { status: 201 });
  }

  /** The body of every queue event handed to a consumer, in order (tests count them). */
  readonly consumedBodies: Array<Record<string, unknown>> = [];
  /** The next this many pushes of more than one event are taken in part: their last event is refused. */
  partialPushes = 0;

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  /**
   * The docs give a concurrency limit per key and advise one fixed limit for a key
   * (runtime-reference/async-events-api, Concurrency); they do not say which limit holds when
   * events of one key carry different ones. The sandbox takes the stricter reading: the lowest
   * limit among the key's outstanding events holds, and the mix is recorded.
   */
  private noteConcurrency({ key, limit }: { key: string; limit: number }): void {
    const outstanding = (this.running.get(key) ?? 0) + this.pending.filter((e) => e.concurrency?.key === key).length;
    const held = this.keyLimits.get(key);
    if (outstanding > 0 && held !== undefined && held !== limit) {
      this.concurrencyConflicts.push({ key, limits: [held, limit] });
      this.log(`concurrency key ${key} pushed with limit ${limit} while events with limit ${held} wait: the lower holds`);
    }
    this.keyLimits.set(key, outstanding > 0 && held !== undefined ? Math.min(held, limit) : limit);
  }

  private schedule(): void {
    if (this.stopped || this.paused) return;
    // An uninstalled app's queue events are not delivered (nothing documents that they would be).
    if (this.uninstalled) this.pending.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    for (const event of [...this.pending]) {
      if (event.dueAt > now) continue;
      const key = event.concurrency?.key;
      if (key && (this.running.get(key) ?? 0) >= (this.keyLimits.get(key) ?? event.concurrency!.limit)) continue;
      this.pending.splice(this.pending.indexOf(event), 1);
      if (key) this.running.set(key, (this.running.get(key) ?? 0) + 1);
      void this.deliver(event);
      // At-least-once delivery: a share of events reaches the consumer twice, at the same time.
      if (this.duplicateQueueShare > 0 && Math.random() < this.duplicateQueueShare) {
        this.duplicatedQueueEvents += 1;
        if (key) this.running.set(key, (this.running.get(key) ?? 0) + 1);
        void this.deliver({ ...event });
      }
    }
    const next = this.pending.filter((e) => e.dueAt > now).reduce((min, e) => Math.min(min, e.dueAt), Infinity);
    if (next !== Infinity) this.timer = setTimeout(() => this.schedule(), Math.max(0, (next - now) / this.clockRate));
  }

  private retentionLeft(event: QueuedEvent): number {
    return this.clockMs(RETENTION_MS) - (Date.now() - event.enqueuedAt);
  }

  private async deliver(event: QueuedEvent): Promise<void> {
    const consumer = (this.options.manifest.modules.consumer ?? []).find((c) => c.queue === event.queueName)!;
    const key = event.concurrency?.key;
    this.inFlight += 1;
    try {
      // A consumer that pushes the next event would otherwise start it on its own call stack.
      await Promise.resolve();
      this.consumedBodies.push(event.body);
      const asyncEvent = {
        body: event.body,
        queueName: event.queueName,
        jobId: event.jobId,
        eventId: event.eventId,
        ...(event.concurrency ? { concurrency: event.concurrency } : {}),
        ...(event.retryContext
          ? { retryContext: { ...event.retryContext, retentionWindow: { startTime: new Date(event.enqueuedAt).toISOString(), remainingTimeMs: Math.max(0, (this.retentionLeft(event) * this.timeScale) / this.clockRate) } } }
          : {}),
      };
      let result: unknown;
      try {
        result = await this.invoke(consumer.function, consumer.key, 'consumer', [asyncEvent, this.installContext()], undefined, event.chainId);
      } catch (error) {
        // App-level errors (a throw, a timeout) are retried automatically within the retention
        // window, with backoff up to about 15 minutes, and without the app's retryData
        // (docs "async-events-api", Retries; FORGE-NOTES "Facts checked").
        const retryCount = (event.retryContext?.retryCount ?? 0) + 1;
        const reason = error instanceof FunctionTimeoutError ? 'FUNCTION_TIME_OUT' : 'FUNCTION_PLATFORM_UNKNOWN_ERROR';
        const delayS = Math.min(60 * 2 ** (retryCount - 1), MAX_RETRY_AFTER_S);
        if (this.retentionLeft(event) > this.clockMs(delayS * 1000)) {
          this.log(`consumer ${consumer.key} failed (${String(error)}); the platform retries in ${delayS} s`);
          this.requeue(event, delayS, { retryCount, retryReason: reason });
        } else {
          this.log(`consumer ${consumer.key} failed (${String(error)}); the event is dropped at the end of its retention window`);
        }
        return;
      }
      const retry = result as { _retry?: boolean; retryOptions?: { retryAfter?: number; retryReason?: string; retryData?: unknown } } | undefined;
      if (retry && retry._retry) {
        const data = this.checkedRetryData(consumer.key, retry.retryOptions?.retryData);
        if (data === false) return;
        const retryAfter = Math.min(Math.max(retry.retryOptions?.retryAfter ?? 1, 1), MAX_RETRY_AFTER_S);
        if (this.retentionLeft(event) <= this.clockMs(retryAfter * 1000)) {
          this.log(`consumer ${consumer.key} asked for a retry past the 24 h retention window: the event is dropped`);
          return;
        }
        this.requeue(event, retryAfter, {
          retryCount: (event.retryContext?.retryCount ?? 0) + 1,
          retryReason: retry.retryOptions?.retryReason ?? 'FUNCTION_RETRY_REQUEST',
          ...(data === undefined ? {} : { retryData: data }),
        });
      }
    } finally {
      if (key) this.running.set(key, (this.running.get(key) ?? 1) - 1);
      this.inFlight -= 1;
      this.schedule();
    }
  }

  private requeue(event: QueuedEvent, afterSeconds: number, retryContext: RetryContext): void {
    this.pending.push({ ...event, dueAt: Date.now() + this.clockMs(afterSeconds * 1000), retryContext });
  }

  /** Events waiting in queues (for tests and the bench). */
  pendingEvents(): readonly QueuedEvent[] {
    return this.pending;
  }

  /** Fault injection: the platform loses the events waiting in its queues (past retention, an incident). */
  dropPendingEvents(): number {
    const dropped = this.pending.length;
    this.pending.length = 0;
    this.log(`${dropped} queued events dropped`);
    return dropped;
  }

  /** Resolves once no invocation runs and no queued event waits, or rejects after `timeoutMs`. */
  async idle(timeoutMs = 20_000): Promise<void> {
    // Real time: waiting for the sandbox is the test's wait, whatever the sandbox's clock reads.
    const until = realNow() + timeoutMs;
    let quietSince = 0;
    for (;;) {
      const quiet = this.inFlight === 0 && (this.pending.length === 0 || this.paused);
      if (quiet) {
        quietSince ||= realNow();
        if (realNow() - quietSince >= 30) return;
      } else quietSince = 0;
      if (realNow() > until) throw new Error(`the sandbox did not settle within ${timeoutMs} ms (${this.pending.length} events queued, ${this.inFlight} running)`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Moves the clock everyone in this process reads (the app, the stand-ins, KVS TTLs) forward, as if
   * that much time had passed: tests use it to reach deadlines without waiting for them.
   */
  advanceClock(ms: number): void {
    clockShift.ms += ms;
  }

  /** A platform wait of `ms` (wall-clock time on a site) in the clock's milliseconds here. */
  clockMs(ms: number): number {
    return (ms * this.clockRate) / this.timeScale;
  }

  /**
   * Runs the clock everyone in this process reads `timeScale` times faster than the wall clock
   * (`Date.now()` and `new Date()`), so the app's own deadlines (the queue grace, result limits,
   * the outage horizon, hourly and daily windows) pass as fast as the platform's waits.
   */
  runVirtualClock(): void {
    startVirtualClock(this.timeScale);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export class FunctionTimeoutError extends Error {}

const clockShift = ((globalThis as Record<string, unknown>).__sandboxClockShift__ ??= { ms: 0 }) as { ms: number };
/** The virtual clock: `rate` clock milliseconds per real one, counted from `since` (real ms) at `origin` (clock ms). */
const virtualClock = ((globalThis as Record<string, unknown>).__sandboxVirtualClock__ ??= { rate: 1, since: 0, origin: 0 }) as { rate: number; since: number; origin: number };

/** The wall clock, whatever the sandbox did to `Date`. */
export function realNow(): number {
  const real = (globalThis as Record<string, unknown>).__sandboxRealDateNow__ as (() => number) | undefined;
  return real ? real() : Date.now();
}

function clockNow(): number {
  const real = realNow();
  return (virtualClock.rate === 1 ? real : virtualClock.origin + (real - virtualClock.since) * virtualClock.rate) + clockShift.ms;
}

/**
 * Makes the process's clock movable (`advanceClock`) and, once started, faster than the wall clock:
 * `Date.now()` and `new Date()` without arguments both read it. Timers are untouched: the runtime
 * divides its waits itself.
 */
function installShiftableClock(): void {
  const g = globalThis as Record<string, unknown>;
  if (g.__sandboxRealDateNow__) return;
  const RealDate = Date;
  g.__sandboxRealDateNow__ = RealDate.now.bind(RealDate);
  class SandboxDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(clockNow());
      else super(...(args as [string | number | Date]));
    }

    static now(): number {
      return clockNow();
    }

    /** Dates made before the clock was installed, or by code that kept the original, are dates too. */
    static [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof RealDate;
    }
  }
  g.Date = SandboxDate;
}

/** Starts the virtual clock at `rate` times the wall clock, from the clock's present reading. */
function startVirtualClock(rate: number): void {
  const origin = clockNow() - clockShift.ms;
  virtualClock.since = realNow();
  virtualClock.origin = origin;
  virtualClock.rate = rate;
}

/** Back to the wall clock (a sandbox that ran a virtual clock stops). */
export function stopVirtualClock(): void {
  const origin = clockNow() - clockShift.ms;
  clockShift.ms += origin - realNow();
  virtualClock.rate = 1;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  return Object.fromEntries(new Headers(headers as Record<string, string>).entries());
}
