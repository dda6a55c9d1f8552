/**
 * A local Forge runtime: it provides the globals the unmodified `@forge/*` SDKs call
 * (`__forge_fetch__`, `__forge_runtime__`, the egress-checked global `fetch`) and the platform
 * services behind them: KVS, async-event queues with retries and concurrency, product-event
 * triggers, web triggers, realtime channels and egress enforcement. Install it before any
 * `@forge/*` module is loaded.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { KvsStore, type KvsCounters } from './kvs-store';
import type { AppManifest } from './manifest';

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
  error?: string;
}

interface Invocation extends InvocationRecord {
  accountId?: string;
  deadline: number;
}

export interface QueuedEvent {
  queueName: string;
  jobId: string;
  eventId: string;
  body: Record<string, unknown>;
  concurrency?: { key: string; limit: number };
  dueAt: number;
  retryContext?: { retryCount: number; retryReason: string; retryData?: unknown };
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

export interface ForgeRuntimeOptions {
  manifest: AppManifest;
  /** Returns the app's handler exports (src/index.ts). Called once, after install(). */
  loadApp: () => Record<string, unknown>;
  jira: JiraGateway;
  /** Base URL of the sandbox's HTTP server; web trigger URLs hang off it. */
  baseUrl: () => string;
  cloudId?: string;
  /** The app's own Jira account, used by the `ignoreSelf` filter. */
  appAccountId: string;
  /** Platform waits (queue delays, retry backoff) are divided by this. */
  timeScale?: number;
  /** Hosts an administrator approved through customer-managed egress. */
  approvedEgress?: Iterable<string>;
  kvs?: KvsStore;
  log?: (line: string) => void;
  /** Attempts the platform makes for an event whose consumer throws (it retries for 24 h). */
  unhandledErrorAttempts?: number;
}

const FUNCTION_TIMEOUT_DEFAULT_S = 25;
const REALTIME_CHANNEL = 'realtime';

export class ForgeRuntime {
  readonly kvs: KvsStore;
  readonly invocations: InvocationRecord[] = [];
  readonly realtime = new EventEmitter();
  readonly approvedEgress: Set<string>;
  readonly appId = '5e8c1d2a-7b9f-4c3e-a1d0-3f2b6c9e8a71';
  readonly environmentId = 'f0e1d2c3-b4a5-4968-8776-655443322110';
  readonly installationId = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d';
  readonly cloudId: string;
  timeScale: number;
  private app?: Record<string, unknown>;
  private readonly als = new AsyncLocalStorage<Invocation>();
  private readonly pending: QueuedEvent[] = [];
  private readonly running = new Map<string, number>();
  private inFlight = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private realFetch?: typeof fetch;

  constructor(private readonly options: ForgeRuntimeOptions) {
    this.kvs = options.kvs ?? new KvsStore();
    this.timeScale = options.timeScale ?? 1;
    this.cloudId = options.cloudId ?? '3c1b2a9d-0e8f-4d7c-b6a5-948372615049';
    this.approvedEgress = new Set([...(options.approvedEgress ?? [])].map((host) => host.toLowerCase()));
  }

  get contextAri(): string {
    return `ari:cloud:jira::site/${this.cloudId}`;
  }

  /** Installs the globals the SDKs read. Must run before any `@forge/*` module is loaded. */
  install(): void {
    const g = globalThis as Record<string, unknown>;
    this.realFetch = globalThis.fetch.bind(globalThis);
    const runtime = this;
    Object.defineProperty(g, '__forge_runtime__', {
      configurable: true,
      get: () => runtime.runtimeObject(runtime.als.getStore()),
    });
    g.__forge_fetch__ = (target: Record<string, unknown>, path: string, init?: RequestInit) => this.platformFetch(target, path, init);
    g.fetch = (input: string | URL | Request, init?: RequestInit) => this.egressFetch(input, init);
  }

  private app$(): Record<string, unknown> {
    this.app ??= this.options.loadApp();
    return this.app;
  }

  /** The object `@forge/api` reads as `global.__forge_runtime__` during an invocation. */
  private runtimeObject(invocation: Invocation | undefined) {
    const noop = { incr() {}, decr() {}, measure: () => ({ stop() {} }) };
    return {
      appContext: {
        appId: this.appId,
        appVersion: '1.0.0',
        environmentId: this.environmentId,
        environmentType: 'DEVELOPMENT',
        invocationId: invocation?.id ?? 'module-load',
        installationId: this.installationId,
        moduleKey: invocation?.moduleKey ?? '',
        permissions: {
          scopes: this.options.manifest.permissions?.scopes ?? [],
          external: { fetch: { backend: this.allowedBackendHosts() } },
        },
      },
      contextAri: this.contextAri,
      aaid: invocation?.accountId,
      metrics: { counter: () => noop, timing: () => noop },
      lambdaContext: { getRemainingTimeInMillis: () => (invocation ? Math.max(0, invocation.deadline - Date.now()) : 0) },
      tracing: { traceId: invocation?.id ?? '', spanId: '' },
      realtime: { contextToken: 'sandbox' },
    };
  }

  /** Manifest `permissions.external.fetch.backend` plus admin-approved hosts. */
  allowedBackendHosts(): string[] {
    const fromManifest = (this.options.manifest.permissions?.external?.fetch?.backend ?? []).map((entry) =>
      typeof entry === 'string' ? entry : entry.address,
    );
    return [...fromManifest, ...[...this.approvedEgress].map((host) => `https://${host}`), ...[...this.approvedEgress].map((host) => `http://${host}`)];
  }

  isEgressAllowed(url: URL): boolean {
    const host = url.host.toLowerCase();
    const hostname = url.hostname.toLowerCase();
    if (this.approvedEgress.has(host) || this.approvedEgress.has(hostname)) return true;
    return (this.options.manifest.permissions?.external?.fetch?.backend ?? []).some((entry) => {
      const text = typeof entry === 'string' ? entry : entry.address;
      const pattern = text.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
      if (pattern.startsWith('*.')) return hostname.endsWith(pattern.slice(1));
      return pattern === host || pattern === hostname;
    });
  }

  private async egressFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const invocation = this.als.getStore();
    const realFetch = this.realFetch!;
    if (!invocation) return realFetch(input, init);
    const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : input.url);
    invocation.egressRequests += 1;
    if (!this.isEgressAllowed(url)) {
      this.options.log?.(`egress refused: ${url.host} is not in the manifest or approved by an admin`);
      return new Response(JSON.stringify({ code: 'egress-not-approved', message: `Egress to ${url.host} is not allowed for this app` }), {
        status: 403,
        headers: { 'content-type': 'application/json' },
      });
    }
    if (typeof init?.body === 'string') invocation.egressBytes += Buffer.byteLength(init.body);
    return realFetch(input, init);
  }

  /** `global.__forge_fetch__`: every SDK call to the platform lands here. */
  private async platformFetch(target: Record<string, unknown>, path: string, init: RequestInit = {}): Promise<Response> {
    const invocation = this.als.getStore();
    const bodyText = typeof init.body === 'string' ? init.body : undefined;
    const parsed = bodyText ? safeJson(bodyText) : undefined;
    if (target.type === 'kvs') return this.kvs.handle(path, parsed, invocation?.kvs);
    if (target.type === 'realtime') return this.publishRealtime(parsed as { variables?: Record<string, unknown> });
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
        as = { kind: 'user', accountId };
      }
      return this.options.jira({ method: (init.method ?? 'GET').toUpperCase(), path, headers: headerRecord(init.headers), body: bodyText, as });
    }
    if (target.type === 'fpp' && target.remote === 'stargate') {
      if (path.startsWith('/webhook/queue/publish/')) return this.acceptPush(parsed as Record<string, unknown>, invocation);
      if (path === '/graphql') return this.graphql(parsed as { query?: string; variables?: Record<string, unknown> });
    }
    return new Response(JSON.stringify({ message: `The sandbox does not implement ${String(target.type)} ${path}` }), { status: 501 });
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

  private publishRealtime(body: { variables?: Record<string, unknown> }): Response {
    const variables = body?.variables ?? {};
    const eventId = randomUUID();
    const message = { channel: String(variables.name), payload: String(variables.payload ?? ''), isGlobal: Boolean(variables.isGlobal), eventId };
    this.realtime.emit(REALTIME_CHANNEL, message);
    return Response.json({ data: { ecosystem: { publishRealtimeChannel: { eventId, eventTimestamp: new Date().toISOString() } } } });
  }

  onRealtime(listener: (message: { channel: string; payload: string; isGlobal: boolean }) => void): () => void {
    this.realtime.on(REALTIME_CHANNEL, listener);
    return () => this.realtime.off(REALTIME_CHANNEL, listener);
  }

  // ---- functions -------------------------------------------------------------------------

  private functionFor(functionKey: string): (...args: unknown[]) => unknown {
    const fn = this.options.manifest.modules.function?.find((f) => f.key === functionKey);
    if (!fn) throw new Error(`manifest.yml has no function "${functionKey}"`);
    const exportName = fn.handler.split('.').pop()!;
    const handler = this.app$()[exportName];
    if (typeof handler !== 'function') throw new Error(`src/index.ts does not export "${exportName}" (function ${functionKey})`);
    return handler as (...args: unknown[]) => unknown;
  }

  /** Runs one function invocation the way Forge would: its own context, metered. */
  async invoke(functionKey: string, moduleKey: string, args: unknown[], accountId?: string): Promise<unknown> {
    const fn = this.options.manifest.modules.function?.find((f) => f.key === functionKey);
    const timeoutS = fn?.timeoutSeconds ?? FUNCTION_TIMEOUT_DEFAULT_S;
    const invocation: Invocation = {
      id: randomUUID(),
      functionKey,
      moduleKey,
      accountId,
      startedAt: Date.now(),
      deadline: Date.now() + timeoutS * 1000,
      durationMs: 0,
      cpuMs: 0,
      kvs: { reads: 0, writes: 0 },
      egressRequests: 0,
      egressBytes: 0,
      jiraRequests: 0,
      queuePushes: 0,
    };
    const handler = this.functionFor(functionKey);
    const cpuBefore = process.cpuUsage();
    this.inFlight += 1;
    try {
      return await this.als.run(invocation, async () => {
        let timeout: NodeJS.Timeout | undefined;
        const limit = new Promise<never>((_, reject) => {
          timeout = setTimeout(() => reject(new Error(`function ${functionKey} timed out after ${timeoutS} s`)), timeoutS * 1000);
        });
        try {
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

  private installContext() {
    return { installContext: this.contextAri, installation: { id: this.installationId } };
  }

  /** Delivers a product event to every trigger subscribed to it. */
  async emitProductEvent(eventType: string, payload: Record<string, unknown>): Promise<void> {
    const triggers = (this.options.manifest.modules.trigger ?? []).filter((t) => t.events.includes(eventType));
    await Promise.all(
      triggers.map(async (trigger) => {
        if (trigger.filter?.ignoreSelf && payload.atlassianId === this.options.appAccountId) return;
        const event = { ...payload, eventType, selfGenerated: payload.atlassianId === this.options.appAccountId };
        try {
          await this.invoke(trigger.function, trigger.key, [event, this.installContext()]);
        } catch (error) {
          this.options.log?.(`trigger ${trigger.key} failed: ${String(error)}`);
        }
      }),
    );
  }

  /** Runs a UI module's resolver as the given user, with the extension context Forge would give. */
  async invokeResolver(moduleKey: string, functionKey: string, call: { functionKey: string; payload: unknown }, accountId: string, extension: Record<string, unknown>): Promise<unknown> {
    return this.invoke(functionKey, moduleKey, [
      { call: { functionKey: call.functionKey, payload: call.payload }, context: { cloudId: this.cloudId, localId: moduleKey, moduleKey, siteUrl: this.siteUrl, extension } },
      { principal: { accountId }, ...this.installContext() },
    ], accountId);
  }

  siteUrl = 'http://127.0.0.1';

  async handleWebTrigger(moduleKey: string, request: WebTriggerRequest): Promise<WebTriggerResponse> {
    const hook = this.options.manifest.modules.webtrigger?.find((w) => w.key === moduleKey);
    if (!hook) return { statusCode: 404, body: 'No such web trigger' };
    try {
      const result = (await this.invoke(hook.function, hook.key, [request, this.installContext()])) as WebTriggerResponse | undefined;
      return result ?? { statusCode: 204 };
    } catch (error) {
      return { statusCode: 500, body: `web trigger failed: ${String(error)}` };
    }
  }

  // ---- queues ----------------------------------------------------------------------------

  private acceptPush(request: Record<string, unknown>, invocation?: Invocation): Response {
    const events = (request.payload as Array<{ body: Record<string, unknown>; delayInSeconds?: number; concurrency?: { key: string; limit: number } }>) ?? [];
    const queueName = String(request.queueName);
    if (!(this.options.manifest.modules.consumer ?? []).some((c) => c.queue === queueName)) {
      return Response.json({ message: `no consumer listens to queue ${queueName}` }, { status: 400 });
    }
    if (invocation) invocation.queuePushes += 1;
    for (const event of events) {
      this.pending.push({
        queueName,
        jobId: String(request.jobId),
        eventId: randomUUID(),
        body: event.body,
        concurrency: event.concurrency,
        dueAt: Date.now() + ((event.delayInSeconds ?? 0) * 1000) / this.timeScale,
      });
    }
    this.schedule();
    return Response.json({}, { status: 201 });
  }

  /** Holds queued events back (tests use it to change the world between trigger and consumer). */
  paused = false;

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.paused) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    for (const event of [...this.pending]) {
      if (event.dueAt > now) continue;
      const key = event.concurrency?.key;
      if (key && (this.running.get(key) ?? 0) >= event.concurrency!.limit) continue;
      this.pending.splice(this.pending.indexOf(event), 1);
      void this.deliver(event);
    }
    const next = this.pending.filter((e) => e.dueAt > now).reduce((min, e) => Math.min(min, e.dueAt), Infinity);
    if (next !== Infinity) this.timer = setTimeout(() => this.schedule(), Math.max(0, next - now));
  }

  private async deliver(event: QueuedEvent): Promise<void> {
    const consumer = (this.options.manifest.modules.consumer ?? []).find((c) => c.queue === event.queueName)!;
    const key = event.concurrency?.key;
    if (key) this.running.set(key, (this.running.get(key) ?? 0) + 1);
    this.inFlight += 1;
    try {
      const asyncEvent = {
        body: event.body,
        queueName: event.queueName,
        jobId: event.jobId,
        eventId: event.eventId,
        ...(event.concurrency ? { concurrency: event.concurrency } : {}),
        ...(event.retryContext ? { retryContext: event.retryContext } : {}),
      };
      let result: unknown;
      try {
        result = await this.invoke(consumer.function, consumer.key, [asyncEvent, this.installContext()]);
      } catch (error) {
        const retryCount = (event.retryContext?.retryCount ?? 0) + 1;
        if (retryCount < (this.options.unhandledErrorAttempts ?? 4)) {
          this.options.log?.(`consumer ${consumer.key} threw (${String(error)}); the platform retries`);
          this.requeue(event, 60 * 2 ** (retryCount - 1), { retryCount, retryReason: 'FUNCTION_UNHANDLED_ERROR' });
        } else {
          this.options.log?.(`consumer ${consumer.key} threw (${String(error)}); event dropped after ${retryCount} attempts`);
        }
        return;
      }
      const retry = result as { _retry?: boolean; retryOptions?: { retryAfter?: number; retryReason?: string; retryData?: unknown } } | undefined;
      if (retry && retry._retry) {
        const retryAfter = Math.min(Math.max(retry.retryOptions?.retryAfter ?? 1, 1), 900);
        this.requeue(event, retryAfter, {
          retryCount: (event.retryContext?.retryCount ?? 0) + 1,
          retryReason: retry.retryOptions?.retryReason ?? 'FUNCTION_RETRY_REQUEST',
          retryData: retry.retryOptions?.retryData,
        });
      }
    } finally {
      if (key) this.running.set(key, (this.running.get(key) ?? 1) - 1);
      this.inFlight -= 1;
      this.schedule();
    }
  }

  private requeue(event: QueuedEvent, afterSeconds: number, retryContext: NonNullable<QueuedEvent['retryContext']>): void {
    this.pending.push({ ...event, dueAt: Date.now() + (afterSeconds * 1000) / this.timeScale, retryContext });
  }

  /** Events waiting in queues (for tests and the bench). */
  pendingEvents(): readonly QueuedEvent[] {
    return this.pending;
  }

  /** Resolves once no invocation runs and no queued event waits, or rejects after `timeoutMs`. */
  async idle(timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let quietSince = 0;
    for (;;) {
      const quiet = this.inFlight === 0 && (this.pending.length === 0 || this.paused);
      if (quiet) {
        quietSince ||= Date.now();
        if (Date.now() - quietSince >= 30) return;
      } else quietSince = 0;
      if (Date.now() > until) throw new Error(`the sandbox did not settle within ${timeoutMs} ms (${this.pending.length} events queued, ${this.inFlight} running)`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
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
